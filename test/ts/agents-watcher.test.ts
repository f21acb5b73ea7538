// The watcher agent against two real anvil chains: A's ConcordGateway dispatches messages; B's gateway routes A's
// messages through an OptimisticVerifier (60 s window, bonded commitments) that the watcher guards. A bonded
// submitter commits honest and forged message ids and roots: the watcher vetoes exactly the forgeries inside their
// window (the bond goes to the watcher's credit), leaves the honest ones, alerts on a commitment from an origin it
// cannot judge, and an honest message is delivered through B's gateway once its window has passed. A watcher that
// starts after a forgery's window ended reports it (it can no longer veto it). Its Merkle tree matches the SDK's.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type Address,
  type Hex,
  type PublicClient,
  createPublicClient,
  createWalletClient,
  getContractAddress,
  http,
  keccak256,
  pad,
  parseEventLogs,
  toHex,
  zeroAddress,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import {
  AgentConfigError,
  IncrementalTree,
  Watcher,
  type WatcherAlert,
  type WatcherConfig,
  gatewayAbi,
  runWatcher,
  silentLogger,
} from "../../sdk/agents/index.js";
import { rpc } from "../../sdk/src/anvil.js";
import { merkleProof, optimisticVerifierAbi } from "../../sdk/src/index.js";
import {
  ANVIL_KEYS,
  type LocalPair,
  deployContract,
  deployLocalPair,
  waitFor,
  writeContract,
} from "../helpers/agents.js";

const WINDOW = 60n;
const BOND = 10n ** 15n;
/** An origin no chain of the watcher serves: its commitments cannot be judged. */
const UNWATCHED = 999;
const watcherKey = ANVIL_KEYS[1]!;
const submitterKey = ANVIL_KEYS[2]!;
const watcherAddress = privateKeyToAccount(watcherKey).address;
const MESSAGE_ID = 1;
const ROOT = 2;

describe("watcher agent (optimistic verifier)", () => {
  let pair: LocalPair;
  let verifier: Address;
  let B: PublicClient;
  const messages: Hex[] = [];
  const alerts: WatcherAlert[] = [];
  let watcher: Watcher | undefined;

  const config = (): WatcherConfig => ({
    origins: [
      { domain: pair.chains[0].domain, rpcUrl: pair.chains[0].rpcUrl, gateway: pair.chains[0].gateway },
    ],
    verifiers: [{ domain: pair.chains[1].domain, rpcUrl: pair.chains[1].rpcUrl, verifier }],
    account: watcherKey,
    pollIntervalMs: 100,
    logger: silentLogger,
    onAlert: (a) => alerts.push(a),
  });

  /** A bonded commitment on B by the submitter; returns when it is mined. */
  async function commit(origin: number, kind: number, commitment: Hex): Promise<void> {
    const b = pair.chains[1];
    const account = privateKeyToAccount(submitterKey);
    const wallet = createWalletClient({ account, transport: http(b.rpcUrl) });
    const { request } = await B.simulateContract({
      address: verifier,
      abi: optimisticVerifierAbi,
      functionName: "commitBonded",
      args: [origin, kind, commitment],
      value: BOND,
      account,
    });
    const hash = await wallet.writeContract({ ...request, chain: null });
    const receipt = await B.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    assert.equal(receipt.status, "success");
  }

  const record = (origin: number, commitment: Hex) =>
    B.readContract({
      address: verifier,
      abi: optimisticVerifierAbi,
      functionName: "commitmentOf",
      args: [origin, commitment],
    });

  before(async () => {
    pair = await deployLocalPair({ domains: [31_721, 31_722] });
    const [a, b] = pair.chains;
    B = createPublicClient({ transport: http(b.rpcUrl), pollingInterval: 50 }) as PublicClient;
    // B's AccessManager is the deployer's first contract (deployLocalPair: manager, gateway, verifier...).
    const deployer = privateKeyToAccount(b.deployerKey).address;
    const manager = getContractAddress({ from: deployer, nonce: 0n });
    verifier = await deployContract(b.rpcUrl, b.deployerKey, "OptimisticVerifier", [manager, zeroAddress]);
    const set = (fn: string, args: unknown[]) =>
      writeContract(b.rpcUrl, b.deployerKey, verifier, optimisticVerifierAbi, fn, args);
    for (const origin of [a.domain, UNWATCHED]) {
      await set("setWindow", [origin, WINDOW]);
      await set("setBond", [origin, BOND]);
    }
    await set("setOriginGateway", [a.domain, pad(a.gateway)]);
    await set("setWatcher", [watcherAddress, true]);
    // B's gateway now takes A's messages through the optimistic verifier.
    await writeContract(b.rpcUrl, b.deployerKey, b.gateway, gatewayAbi, "setRoute", [
      a.domain,
      verifier,
      a.gateway,
    ]);

    for (let i = 0; i < 3; i++) {
      const receipt = await writeContract(a.rpcUrl, a.deployerKey, a.gateway, gatewayAbi, "dispatch", [
        b.domain,
        pad(b.recipient),
        toHex(`watched message ${i}`),
      ]);
      const [log] = parseEventLogs({ abi: gatewayAbi, logs: receipt.logs, eventName: "Dispatched" });
      messages.push(log!.args.message);
    }
  });

  after(async () => {
    await watcher?.stop();
    await pair?.stop();
  });

  it("keeps the same tree as MerkleTree.sol's (the SDK's proof builder) at every size", () => {
    const leaves = Array.from({ length: 9 }, (_, i) => keccak256(toHex(`leaf ${i}`)));
    const tree = new IncrementalTree();
    for (const [i, leaf] of leaves.entries()) {
      tree.insert(leaf);
      assert.equal(tree.root(), merkleProof(leaves.slice(0, i + 1), i).root, `root after ${i + 1} leaves`);
    }
  });

  it("refuses an account that is not an allowlisted watcher, saying who can fix it", async () => {
    await assert.rejects(
      Watcher.create({ ...config(), account: submitterKey }),
      (e: unknown) => e instanceof AgentConfigError && /setWatcher\(/.test((e as Error).message),
    );
  });

  it("vetoes forged ids and roots inside their window, leaves honest ones, alerts on an unjudgeable origin", async () => {
    const a = pair.chains[0];
    watcher = await runWatcher(config());
    const ids = messages.map((m) => keccak256(m));
    const forgedId = keccak256(toHex("a message A never sent"));
    const honestRoot = merkleProof(ids.slice(0, 2), 1).root;
    const forgedRoot = keccak256(toHex("a root A's tree never had"));
    const unwatched = keccak256(toHex("from an origin nobody watches"));
    await commit(a.domain, MESSAGE_ID, ids[0]!);
    await commit(a.domain, MESSAGE_ID, forgedId);
    await commit(a.domain, ROOT, honestRoot);
    await commit(a.domain, ROOT, forgedRoot);
    await commit(UNWATCHED, MESSAGE_ID, unwatched);

    await waitFor("two vetoes and three judgements", () => {
      const c = watcher!.counters();
      return c.vetoes === 2 && c.honest === 2 && c.alerts.UNWATCHED_ORIGIN === 1;
    });
    for (const forged of [forgedId, forgedRoot]) assert.equal((await record(a.domain, forged)).vetoed, true);
    for (const honest of [ids[0]!, honestRoot]) assert.equal((await record(a.domain, honest)).vetoed, false);
    assert.equal(
      (await record(UNWATCHED, unwatched)).vetoed,
      false,
      "an origin it cannot judge is never vetoed",
    );
    // Both slashed bonds are the watcher's.
    const credit = await B.readContract({
      address: verifier,
      abi: optimisticVerifierAbi,
      functionName: "credit",
      args: [watcherAddress],
    });
    assert.equal(credit, 2n * BOND);
    const vetoed = alerts
      .filter((x) => x.kind === "FRAUD_VETOED")
      .map((x) => [x.commitmentKind, x.commitment]);
    assert.deepEqual(
      vetoed.sort(),
      [
        ["MESSAGE_ID", forgedId],
        ["ROOT", forgedRoot],
      ].sort(),
    );
    assert.equal(watcher.counters().pending, 1, "only the unwatched origin's commitment stays open");
  });

  it("lets the honest message through B's gateway once its window has passed, and never the vetoed forgery", async () => {
    const b = pair.chains[1];
    const gateway = (metadata: Hex, message: Hex) =>
      writeContract(b.rpcUrl, ANVIL_KEYS[4]!, b.gateway, gatewayAbi, "process", [metadata, message]);
    await assert.rejects(gateway("0x", messages[0]!), "refused inside the window");
    await rpc(b.rpcUrl, "evm_increaseTime", [Number(WINDOW) + 1]);
    await rpc(b.rpcUrl, "evm_mine");
    const receipt = await gateway("0x", messages[0]!);
    const executed = parseEventLogs({ abi: gatewayAbi, logs: receipt.logs, eventName: "Executed" });
    assert.equal(executed[0]?.args.messageId, keccak256(messages[0]!));
    // Message 1 is proven against the honest root (2 leaves), which the watcher left alone.
    const ids = messages.map((m) => keccak256(m));
    const { proof } = merkleProof(ids.slice(0, 2), 1);
    const metadata = `0x${(1).toString(16).padStart(8, "0")}${proof.map((p) => p.slice(2)).join("")}` as Hex;
    const second = await gateway(metadata, messages[1]!);
    assert.equal(parseEventLogs({ abi: gatewayAbi, logs: second.logs, eventName: "Executed" }).length, 1);
  });

  it("a watcher started after a forgery's window reports it (no veto is possible any more)", async () => {
    await watcher?.stop();
    watcher = undefined;
    const a = pair.chains[0];
    const b = pair.chains[1];
    const late = keccak256(toHex("forged while no watcher ran"));
    await commit(a.domain, MESSAGE_ID, late);
    await rpc(b.rpcUrl, "evm_increaseTime", [Number(WINDOW) + 1]);
    await rpc(b.rpcUrl, "evm_mine");
    alerts.length = 0;
    watcher = await runWatcher(config());
    await waitFor("the late forgery reported", () => alerts.some((x) => x.kind === "FRAUD_WINDOW_ELAPSED"));
    const reported = alerts.find((x) => x.kind === "FRAUD_WINDOW_ELAPSED")!;
    assert.equal(reported.commitment, late);
    assert.equal((await record(a.domain, late)).vetoed, false);
    // Rebuilt from events: the earlier honest commitments are judged honest again, the vetoed ones are dropped.
    await waitFor("rebuilt judgements", () => watcher!.counters().honest === 2);
    assert.equal(watcher.counters().vetoes, 0);
  });
});
