// Agents and `concord status` against RPC endpoints with real limits. Two anvil chains with long histories before
// Concord is deployed; every agent and command reaches them through the test helpers' JSON-RPC proxy, which refuses
// `eth_getLogs` over 100 blocks and answers over 3 logs, as public providers do. The validators, the relayer (with
// its flow keeper) and `concord status` are the built executable, configured only by the config file and the
// registry: they must start at the deploy block the registry records, page within the limits, and deliver.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Hex,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  stringToHex,
  toHex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { ANVIL_KEYS, FaultProxy, waitFor } from "../helpers/agents.js";
import { freePort, rpc, startAnvil, type AnvilChain } from "../../sdk/src/anvil.js";
import { type Deployment, deploy, validateConfig } from "../../sdk/src/deploy/index.js";
import { sendMessage } from "../../sdk/src/index.js";
import { type Running, concord, start } from "../helpers/cli.js";

const IDS = { chainA: 31_531, chainB: 31_532 } as const;
type Name = keyof typeof IDS;
const HISTORY = { chainA: 3_000, chainB: 2_000 } as const;
const MAX_RANGE = 100;
const MAX_LOGS = 3;

describe("agents and status against RPC limits, from the registry's deploy block", () => {
  let dir: string;
  let registry: string;
  let proxyConfig: string;
  const anvils = {} as Record<Name, AnvilChain>;
  const proxies = {} as Record<Name, FaultProxy>;
  const deployments = {} as Record<Name, Deployment>;
  const running: Running[] = [];
  const validatorKeys = [generatePrivateKey(), generatePrivateKey()];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-rpc-limits-"));
    registry = join(dir, "deployments");
    for (const name of Object.keys(IDS) as Name[]) {
      anvils[name] = await startAnvil({ chainId: IDS[name] });
      await rpc(anvils[name].rpcUrl, "anvil_mine", [toHex(HISTORY[name])]);
    }
    const chain = (name: Name, rpcUrl: string) => ({
      chainId: IDS[name],
      rpcUrl,
      local: true,
      finalityDepth: 0,
      validators: validatorKeys.map((k) => privateKeyToAccount(k).address),
      threshold: 2,
    });
    const raw = (urls: Record<Name, string>) => ({
      saltPrefix: "concord.rpc-limits",
      chains: { chainA: chain("chainA", urls.chainA), chainB: chain("chainB", urls.chainB) },
    });
    const direct = raw({ chainA: anvils.chainA.rpcUrl, chainB: anvils.chainB.rpcUrl });
    const result = await deploy({ config: validateConfig(direct), registryDir: registry });
    for (const name of Object.keys(IDS) as Name[]) {
      deployments[name] = result.registries[name]!.deployment;
      proxies[name] = await new FaultProxy(anvils[name].rpcUrl, {
        maxLogBlockRange: MAX_RANGE,
        maxLogs: MAX_LOGS,
      }).start();
    }
    proxyConfig = join(dir, "chains.json");
    writeFileSync(
      proxyConfig,
      JSON.stringify(raw({ chainA: proxies.chainA.url, chainB: proxies.chainB.url }), null, 2),
    );
  });

  after(async () => {
    await Promise.all(running.map((r) => r.stop("SIGTERM")));
    await Promise.all(Object.values(proxies).map((p) => p.stop()));
    await Promise.all(Object.values(anvils).map((a) => a.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("the registry records each chain's deploy block", () => {
    for (const name of Object.keys(IDS) as Name[]) {
      const block = deployments[name].deployBlock;
      assert.ok(block !== undefined && block > HISTORY[name], `${name} deploy block ${block}`);
    }
  });

  it("validators, the relayer and its keeper start at the deploy block, page within the limits, and deliver", async () => {
    const common = ["--config", proxyConfig, "--registry", registry];
    // Blocks since the deploy: more than one page from the deploy block to the head.
    for (const name of Object.keys(IDS) as Name[]) await rpc(anvils[name].rpcUrl, "anvil_mine", [toHex(450)]);
    // Five messages in five consecutive blocks, sent before the agents start (they catch up): a page of 100 blocks
    // over them holds more than 3 logs.
    const sender = privateKeyToAccount(ANVIL_KEYS[3]!);
    const chainA = defineChain({
      id: IDS.chainA,
      name: "chainA",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [anvils.chainA.rpcUrl] } },
    });
    const ids: Hex[] = [];
    for (let i = 0; i < 5; i++) {
      const sent = await sendMessage({
        publicClient: createPublicClient({ chain: chainA, transport: http(anvils.chainA.rpcUrl) }),
        walletClient: createWalletClient({
          account: sender,
          chain: chainA,
          transport: http(anvils.chainA.rpcUrl),
        }),
        gateway: deployments.chainA.contracts.ConcordGateway!,
        destination: IDS.chainB,
        recipient: deployments.chainB.contracts.CrossChainCounter!,
        payload: stringToHex(`limited ${i}`),
      });
      ids.push(sent.messageId);
    }
    const state = join(dir, "state");
    const urls: string[] = [];
    for (const [i, key] of validatorKeys.entries()) {
      const port = await freePort();
      const v = start(
        ["validator", "--chain", "chainA", "--key-env", "VKEY", "--port", String(port), ...common],
        { VKEY: key, XDG_STATE_HOME: join(state, `v${i}`) },
      );
      running.push(v);
      urls.push((await v.waitFor(/signatures: (http:\/\/\S+)\/signatures/))[1]!);
    }
    const relayer = start(
      [
        "relayer",
        "--validators",
        `chainA=${urls.join(",")}`,
        "--key-env",
        "RKEY",
        "--keeper-key-env",
        "KKEY",
        ...common,
      ],
      { RKEY: ANVIL_KEYS[4]!, KKEY: ANVIL_KEYS[5]!, XDG_STATE_HOME: join(state, "relayer") },
    );
    running.push(relayer);
    await relayer.waitFor(/relayer 0x[0-9a-fA-F]{40} over chainA, chainB/);

    for (const id of ids)
      await waitFor(
        `message ${id} delivered`,
        async () => {
          // delivered: EXECUTED, or FAILED (exit 1) at a recipient that refuses plain messages
          const r = await concord(["status", id, "--json", ...common]);
          return (
            r.code <= 1 && r.stdout !== "" && (JSON.parse(r.stdout) as { status: string }).status !== "SENT"
          );
        },
        120_000,
        200,
      );

    for (const name of Object.keys(IDS) as Name[]) {
      const seen = proxies[name].getLogs;
      const deployBlock = BigInt(deployments[name].deployBlock!);
      assert.ok(seen.length > 0, `${name}: logs were read`);
      for (const r of seen)
        assert.ok(
          r.fromBlock >= deployBlock,
          `${name}: eth_getLogs from ${r.fromBlock}, before the deploy block ${deployBlock}`,
        );
      for (const r of seen.filter((x) => x.outcome === "ok")) {
        assert.ok(r.toBlock - r.fromBlock + 1n <= BigInt(MAX_RANGE));
        assert.ok(r.logs <= MAX_LOGS);
      }
    }
    const all = [...proxies.chainA.getLogs, ...proxies.chainB.getLogs];
    assert.ok(
      all.some((r) => r.outcome === "range"),
      "a range was refused (and the agents adapted)",
    );
    assert.ok(
      proxies.chainA.getLogs.some((r) => r.outcome === "results"),
      "an answer was refused on chainA",
    );

    // `--from-block` after the messages: status does not look before it.
    const last = ids.at(-1)!;
    const head = Number(await createPublicClient({ transport: http(anvils.chainA.rpcUrl) }).getBlockNumber());
    const late = await concord(["status", last, "--from-block", `chainA=${head + 1}`, ...common]);
    assert.equal(late.code, 5, late.stderr);
    const found = await concord(["status", last, ...common]);
    assert.match(found.stdout, new RegExp(`message ${last}: (EXECUTED|FAILED)`), found.stderr);
  });
});
