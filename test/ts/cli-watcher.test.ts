// `concord watcher` as users run it (the built executable, sdk/dist/cli/concord.js) against two anvil chains
// deployed with the deploy library, with an OptimisticVerifier on B that takes A's commitments: a forged message id
// committed on B is vetoed inside its window and reported as an ALERT line; a genuine one is left alone; a key
// that is not an allowlisted watcher is refused (exit 3) and a missing --verifiers is a usage error (exit 2);
// SIGTERM stops it cleanly (exit 0).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Address,
  type Hex,
  createPublicClient,
  createWalletClient,
  http,
  keccak256,
  pad,
  parseEventLogs,
  toHex,
  zeroAddress,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { gatewayAbi } from "../../sdk/agents/index.js";
import { type AnvilChain, rpc, startAnvil } from "../../sdk/src/anvil.js";
import { ANVIL_DEV_KEY, type Deployment, deploy, validateConfig } from "../../sdk/src/deploy/index.js";
import { optimisticVerifierAbi } from "../../sdk/src/index.js";
import { deployContract, writeContract } from "../helpers/agents.js";
import { BIN, concord, start } from "../helpers/cli.js";

const CHAIN_A = 31_531;
const CHAIN_B = 31_532;
const BOND = 10n ** 15n;
const MESSAGE_ID = 1;
const WATCHER_KEY = generatePrivateKey();
const SUBMITTER_KEY = generatePrivateKey();

describe("concord watcher", () => {
  let dir: string;
  let common: string[];
  const anvils: AnvilChain[] = [];
  const deployments: Record<number, Deployment> = {};
  let verifier: Address;

  before(async () => {
    assert.ok(existsSync(BIN), `${BIN} is missing: run scripts/build.sh`);
    dir = mkdtempSync(join(tmpdir(), "concord-cli-watcher-"));
    for (const chainId of [CHAIN_A, CHAIN_B]) anvils.push(await startAnvil({ chainId }));
    const validators = [privateKeyToAccount(generatePrivateKey()).address];
    const raw = {
      saltPrefix: "concord.cli-watcher-test",
      gateway: { defaultGasLimit: 200_000, maxBodySize: 8192 },
      coordinator: { maxHorizon: 86_400 },
      chains: Object.fromEntries(
        [CHAIN_A, CHAIN_B].map((chainId, i) => [
          i === 0 ? "chainA" : "chainB",
          { chainId, rpcUrl: anvils[i]!.rpcUrl, local: true, finalityDepth: 0, validators, threshold: 1 },
        ]),
      ),
    };
    const configPath = join(dir, "chains.json");
    writeFileSync(configPath, JSON.stringify(raw, null, 2));
    const registry = join(dir, "deployments");
    const result = await deploy({ config: validateConfig(raw), registryDir: registry });
    for (const r of Object.values(result.registries)) deployments[r.deployment.chainId] = r.deployment;
    common = ["--config", configPath, "--registry", registry];
    for (const key of [WATCHER_KEY, SUBMITTER_KEY])
      for (const anvil of anvils)
        await rpc(anvil.rpcUrl, "anvil_setBalance", [privateKeyToAccount(key).address, "0xde0b6b3a7640000"]);
    // B: an OptimisticVerifier for A's commitments (60 s window, bonded), the watcher allowlisted.
    const b = anvils[1]!.rpcUrl;
    verifier = await deployContract(b, ANVIL_DEV_KEY, "OptimisticVerifier", [
      deployments[CHAIN_B]!.contracts.AccessManager!,
      zeroAddress,
    ]);
    const set = (fn: string, args: unknown[]) =>
      writeContract(b, ANVIL_DEV_KEY, verifier, optimisticVerifierAbi, fn, args);
    await set("setWindow", [CHAIN_A, 60n]);
    await set("setBond", [CHAIN_A, BOND]);
    await set("setOriginGateway", [CHAIN_A, pad(deployments[CHAIN_A]!.contracts.ConcordGateway!)]);
    await set("setWatcher", [privateKeyToAccount(WATCHER_KEY).address, true]);
  });

  after(async () => {
    for (const a of anvils) await a.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A bonded commitment of `commitment` (a message id from A) on B's verifier. */
  async function commit(commitment: Hex): Promise<void> {
    const account = privateKeyToAccount(SUBMITTER_KEY);
    const client = createPublicClient({ transport: http(anvils[1]!.rpcUrl) });
    const wallet = createWalletClient({ account, transport: http(anvils[1]!.rpcUrl) });
    const { request } = await client.simulateContract({
      address: verifier,
      abi: optimisticVerifierAbi,
      functionName: "commitBonded",
      args: [CHAIN_A, MESSAGE_ID, commitment],
      value: BOND,
      account,
    });
    const hash = await wallet.writeContract({ ...request, chain: null });
    assert.equal((await client.waitForTransactionReceipt({ hash, pollingInterval: 50 })).status, "success");
  }

  const vetoed = async (commitment: Hex) =>
    (
      await createPublicClient({ transport: http(anvils[1]!.rpcUrl) }).readContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "commitmentOf",
        args: [CHAIN_A, commitment],
      })
    ).vetoed;

  it("needs --verifiers (usage) and an allowlisted key (config)", async () => {
    const usage = await concord(["watcher", "--key-env", "WATCHER_KEY", ...common], { WATCHER_KEY });
    assert.equal(usage.code, 2, usage.stderr);
    assert.match(usage.stderr, /--verifiers/);
    const stranger = generatePrivateKey();
    const refused = await concord(
      ["watcher", "--verifiers", `chainB=${verifier}`, "--key-env", "WATCHER_KEY", ...common],
      { WATCHER_KEY: stranger },
    );
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /not an allowlisted watcher/);
    const help = await concord(["watcher", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--verifiers <spec>/);
    assert.match(help.stdout, /allowlisted watcher/);
  });

  it("vetoes a forged message id inside its window, leaves a genuine one, stops on SIGTERM", async () => {
    const w = start(
      [
        "watcher",
        "--verifiers",
        `chainB=${verifier}`,
        "--key-env",
        "WATCHER_KEY",
        "--poll-interval",
        "100",
        ...common,
      ],
      { WATCHER_KEY },
    );
    try {
      await w.waitFor(/watcher 0x[0-9a-fA-F]{40} guarding/);
      // A genuine message from A, and a forged id nobody dispatched.
      const a = anvils[0]!.rpcUrl;
      const receipt = await writeContract(
        a,
        SUBMITTER_KEY,
        deployments[CHAIN_A]!.contracts.ConcordGateway!,
        gatewayAbi,
        "dispatch",
        [CHAIN_B, pad(privateKeyToAccount(SUBMITTER_KEY).address), toHex("genuine")],
      );
      const [dispatched] = parseEventLogs({ abi: gatewayAbi, logs: receipt.logs, eventName: "Dispatched" });
      const genuine = dispatched!.args.messageId;
      const forged = keccak256(toHex("a message A never sent"));
      await commit(genuine);
      await commit(forged);
      const alert = await w.waitFor(/ALERT FRAUD_VETOED: MESSAGE_ID (0x[0-9a-f]{64})/, 60_000);
      assert.equal(alert[1], forged);
      assert.equal(await vetoed(forged), true);
      assert.equal(await vetoed(genuine), false, "a genuine commitment is never vetoed");
      assert.doesNotMatch(w.stderr(), new RegExp(`ALERT [A-Z_]+: MESSAGE_ID ${genuine}`));
    } finally {
      const code = await w.stop("SIGTERM");
      assert.equal(code, 0, w.stderr());
    }
    assert.match(w.stderr(), /stopped: \d+ commitment\(s\) seen, \d+ honest, 1 vetoed/);
  });
});
