// Aggregated (k-of-n) messages through `aggregatedMessageStatus` and `concord status` (issue 17), on two real anvil
// chains: Concord's stack deployed by the deploy library (ConcordGateway with a 1-of-1 validator set, HyperlaneAdapter
// over Hyperlane's real Mailbox from @hyperlane-xyz/core with its TestIsm), a second HyperlaneAdapter deployment on
// the same Mailboxes, and a TransportAggregator per chain over the three: slot 1 native, slots 2 and 3 Hyperlane,
// threshold 2. Every contract comes from the SDK's generated lists (Hyperlane's from the committed fixture). The test
// plays the off-chain roles: Concord's validator (it signs the native leg's checkpoint with the validator key) and
// Hyperlane's relayer (Mailbox.process; the TestIsm accepts any metadata, which also lets it forge a leg for the
// quarantine case).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Abi,
  type Address,
  type Hex,
  concat,
  getAddress,
  keccak256,
  parseAbi,
  parseEventLogs,
  toHex,
  zeroAddress,
} from "viem";

import { type AnvilChain, startAnvil } from "../../sdk/src/anvil.js";
import { ANVIL_DEV_KEY, type Deployment, deploy, validateConfig } from "../../sdk/src/deploy/index.js";
import { concordBytecode } from "../../sdk/src/generated/bytecode.js";
import {
  ConcordTransactionError,
  aggregatedMessageStatus,
  concordAbi,
  decodeConcordError,
  decodeAggregatorEnvelope,
  formatEvmV1,
  iConcordGatewayAbi,
  iTransportAggregatorAbi,
  processMessage,
  retryAggregatedMessage,
  revertData,
  signMessageIdMetadata,
} from "../../sdk/src/index.js";
import { BIN, concord } from "../helpers/cli.js";
import {
  type ChainSide,
  chainSide,
  deployHyperlane,
  deployRaw,
  deployer,
  hardhatArtifact,
  hyperlaneArtifact,
  write,
} from "../helpers/sides.js";

const CHAIN_A = 31_621;
const CHAIN_B = 31_622;
const HL_A = 7_101;
const HL_B = 7_102;
const HOOK_FEE = 1_000n;
const CONFIG_DELAY = 60;
const RELEASE_DELAY = 120;

const mailboxArtifact = hyperlaneArtifact("Mailbox");
const recipientArtifact = hardhatArtifact("contracts/mocks/MockRecipient.sol", "MockRecipient");
const MAILBOX_EVENTS = parseAbi([
  "event Dispatch(address indexed sender, uint32 indexed destination, bytes32 indexed recipient, bytes message)",
]);
const ACCEPT = 0;
const REVERT = 1;

type Side = ChainSide & {
  hl: number;
  mailbox: Address;
  ism: Address;
  d: Deployment;
  hl2: Address;
  agg: Address;
};

function sideOf(anvil: AnvilChain, hl: number): Side {
  return {
    ...chainSide(anvil),
    hl,
    // filled in by `before` (Hyperlane, the deploy, the second adapter and the aggregator)
    mailbox: zeroAddress,
    ism: zeroAddress,
    d: { contracts: {} } as Deployment,
    hl2: zeroAddress,
    agg: zeroAddress,
  };
}

async function deployHyperlaneOn(side: Side): Promise<void> {
  Object.assign(side, await deployHyperlane(side, side.hl, HOOK_FEE));
}

type StatusJson = {
  kind: string;
  status: string;
  aggregator: string;
  originChain: string;
  destinationChain: string;
  sent: { fee: string; threshold: number; accepted: string; transactionHash: Hex; blockNumber: string };
  legs: { slot: number; gateway: Address; accepted: boolean; legId?: Hex; fee: string }[];
  receipts: { slot: number; gateway: Address; matches: boolean; counted: boolean; transactionHash: Hex }[];
  counted: number;
  required: number;
  thresholdReached?: { slot: number; transactionHash: Hex };
  executed?: { transactionHash: Hex };
  failures: { transactionHash: Hex }[];
  retries: { success: boolean; transactionHash: Hex }[];
  conflicts: { gateway: Address; quarantined: boolean }[];
  record: { status: string; envelopeHash: Hex };
  next: { text: string; call?: { functionName: string; to: Address; call: string; data: Hex } };
  timeline: { event: string; chain: string; detail?: string }[];
};

describe("aggregated messages: aggregatedMessageStatus and concord status over native + 2 Hyperlane gateways", () => {
  let dir: string;
  let registry: string;
  let configPath: string;
  const anvils: AnvilChain[] = [];
  let A: Side;
  let B: Side;
  const aggAbi = concordAbi("TransportAggregator");
  const hlAbi = concordAbi("HyperlaneAdapter");

  before(async () => {
    assert.ok(existsSync(BIN), `${BIN} is missing: run scripts/build.sh`);
    dir = mkdtempSync(join(tmpdir(), "concord-aggregator-"));
    registry = join(dir, "deployments");
    configPath = join(dir, "chains.json");
    for (const chainId of [CHAIN_A, CHAIN_B]) anvils.push(await startAnvil({ chainId }));
    A = sideOf(anvils[0]!, HL_A);
    B = sideOf(anvils[1]!, HL_B);
    await deployHyperlaneOn(A);
    await deployHyperlaneOn(B);
    const chain = (side: Side) => ({
      chainId: side.chainId,
      rpcUrl: side.anvil.rpcUrl,
      local: true,
      demo: false,
      finalityDepth: 0,
      validators: [deployer.address],
      threshold: 1,
      hyperlane: { mailbox: side.mailbox, domain: side.hl, ism: side.ism },
    });
    const raw = { saltPrefix: "concord.aggregator-test", chains: { chainA: chain(A), chainB: chain(B) } };
    writeFileSync(configPath, JSON.stringify(raw, null, 2));
    const result = await deploy({ config: validateConfig(raw), registryDir: registry });
    A.d = result.registries.chainA!.deployment;
    B.d = result.registries.chainB!.deployment;
    // a second Hyperlane adapter deployment per chain, and the aggregators, from the SDK's generated bytecode
    const hlArtifact = { abi: hlAbi as Abi, bytecode: concordBytecode.HyperlaneAdapter.bytecode };
    const aggArtifact = { abi: aggAbi as Abi, bytecode: concordBytecode.TransportAggregator.bytecode };
    for (const s of [A, B]) {
      const manager = s.d.contracts.AccessManager!;
      s.hl2 = await deployRaw(s, hlArtifact, [s.mailbox, s.chainId, manager, 200_000, s.ism]);
      s.agg = await deployRaw(s, aggArtifact, [s.chainId, manager, 200_000, CONFIG_DELAY, RELEASE_DELAY]);
    }
    for (const [s, o] of [
      [A, B],
      [B, A],
    ] as const) {
      await write(s, s.hl2, hlAbi as Abi, "setHyperlaneDomain", [o.chainId, o.hl]);
      await write(s, s.hl2, hlAbi as Abi, "setRemote", [o.chainId, o.hl2]);
      await write(s, s.agg, aggAbi as Abi, "registerGateway", [s.d.contracts.ConcordGateway!, false]);
      await write(s, s.agg, aggAbi as Abi, "registerGateway", [s.d.contracts.HyperlaneAdapter!, true]);
      await write(s, s.agg, aggAbi as Abi, "registerGateway", [s.hl2, true]);
      await write(s, s.agg, aggAbi as Abi, "scheduleRemoteAggregator", [o.chainId, o.agg]);
      await write(s, s.agg, aggAbi as Abi, "scheduleSendConfig", [o.chainId, 0b1110n, 2, 3, 10n ** 18n]);
      await write(s, s.agg, aggAbi as Abi, "scheduleReceiveSet", [o.chainId, 0b1110n]);
      await write(s, s.agg, aggAbi as Abi, "scheduleReceiveRule", [o.chainId, 1n, 2, 3, 10n ** 18n]);
    }
    for (const s of [A, B]) {
      await s.public.request({ method: "evm_increaseTime" as never, params: [CONFIG_DELAY + 1] as never });
      await s.public.request({ method: "evm_mine" as never, params: [] as never });
    }
  });

  after(async () => {
    await Promise.all(anvils.map((a) => a.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Sends `payload` from A's aggregator to `recipient` on B paying the quote; returns the id and each leg's message. */
  async function send(recipient: Address, payload: Hex) {
    const to = formatEvmV1(CHAIN_B, recipient);
    const fee = (await A.public.readContract({
      address: A.agg,
      abi: iTransportAggregatorAbi,
      functionName: "quote",
      args: [to, payload, []],
    })) as bigint;
    assert.equal(fee, 2n * HOOK_FEE, "the quote is the sum of the two paid Hyperlane legs");
    const receipt = await write(
      A,
      A.agg,
      iTransportAggregatorAbi as Abi,
      "sendMessage",
      [to, payload, []],
      fee,
    );
    const id = parseEventLogs({
      abi: iTransportAggregatorAbi,
      logs: receipt.logs,
      eventName: "AggregatedMessageSent",
    })[0]!.args.id;
    const dispatches = parseEventLogs({ abi: MAILBOX_EVENTS, logs: receipt.logs, eventName: "Dispatch" });
    const hl = (adapter: Address) =>
      dispatches.find((x) => getAddress(x.args.sender) === adapter)!.args.message;
    const native = parseEventLogs({
      abi: iConcordGatewayAbi,
      logs: receipt.logs,
      eventName: "Dispatched",
    })[0]!.args.message;
    return { id, fee, receipt, native, hl1: hl(A.d.contracts.HyperlaneAdapter!), hl2: hl(A.hl2) };
  }

  /** Hyperlane's relayer: `Mailbox.process` on B (TestIsm: empty metadata). */
  const relayHl = (message: Hex) => write(B, B.mailbox, mailboxArtifact.abi, "process", ["0x", message]);
  /** Concord's validator (the 1-of-1 set) signs the native leg; anyone delivers it. */
  const relayNative = async (message: Hex) => {
    const metadata = await signMessageIdMetadata({
      message,
      originGateway: A.d.contracts.ConcordGateway!,
      signers: [deployer],
    });
    return processMessage({
      publicClient: B.public,
      walletClient: B.wallet,
      gateway: B.d.contracts.ConcordGateway!,
      metadata,
      message,
    });
  };
  const common = () => ["--config", configPath, "--registry", registry, "--aggregator", A.agg];
  const status = async (id: Hex) => {
    const r = await concord(["status", id, ...common(), "--json"]);
    return { code: r.code, json: JSON.parse(r.stdout || "{}") as StatusJson, stderr: r.stderr };
  };

  it("2 of 3: SENT with three legs, PENDING after one, EXECUTED at the second (threshold), the third recorded", async () => {
    const recipient = await deployRaw(B, recipientArtifact);
    const s = await send(recipient, toHex("two of three"));
    const sent = await status(s.id);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sent.json.kind, "aggregatedMessage");
    assert.equal(sent.json.status, "SENT");
    assert.equal(sent.json.sent.fee, String(s.fee));
    assert.equal(sent.json.sent.threshold, 2);
    assert.equal(sent.json.sent.transactionHash, s.receipt.transactionHash);
    assert.deepEqual(
      sent.json.legs.map((l) => [l.slot, l.gateway, l.accepted, l.fee]),
      [
        [1, A.d.contracts.ConcordGateway, true, "0"],
        [2, A.d.contracts.HyperlaneAdapter, true, String(HOOK_FEE)],
        [3, A.hl2, true, String(HOOK_FEE)],
      ],
    );
    assert.ok(sent.json.legs.every((l) => /^0x[0-9a-f]{64}$/.test(l.legId!)));
    assert.equal(
      sent.json.legs[0]!.legId,
      keccak256(s.native),
      "the native leg's id is its Concord message id",
    );

    const first = await relayHl(s.hl1);
    const pending = await aggregatedMessageStatus({
      origin: { publicClient: A.public, aggregator: A.agg },
      destination: { publicClient: B.public },
      messageId: s.id,
    });
    assert.equal(pending.status, "PENDING");
    assert.equal(pending.counted, 1);
    assert.equal(pending.required, 2);
    assert.match(pending.next.text, /1 of 2 counted receipts: waiting for 1 more/);
    assert.equal(pending.receipts[0]!.transactionHash, first.transactionHash);
    assert.equal(decodeAggregatorEnvelope(pending.envelopeBytes!).recipient, recipient);
    assert.equal(keccak256(pending.envelopeBytes!), pending.record!.envelopeHash);

    const second = await relayNative(s.native);
    assert.equal(second.status, "EXECUTED", "the native gateway's own delivery succeeded");
    const done = await status(s.id);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.json.status, "EXECUTED");
    assert.equal(done.json.executed!.transactionHash, second.receipt.transactionHash);
    assert.equal(done.json.thresholdReached!.slot, 1);
    assert.equal(done.json.thresholdReached!.transactionHash, second.receipt.transactionHash);
    // the third leg arrives after execution: recorded, nothing else
    await relayHl(s.hl2);
    const all = await status(s.id);
    assert.equal(all.json.status, "EXECUTED");
    assert.deepEqual(
      all.json.receipts.map((r) => [r.slot, r.matches, r.counted]),
      [
        [2, true, true],
        [1, true, true],
        [3, true, true],
      ],
    );
    assert.deepEqual(
      all.json.timeline.map((r) => `${r.event}@${r.chain}`),
      [
        // log order: each leg is sent (LegSent) before the aggregator's MessageSent / AggregatedMessageSent
        "LEG_SENT@chainA",
        "LEG_SENT@chainA",
        "LEG_SENT@chainA",
        "SENT@chainA",
        "RECEIPT@chainB",
        "RECEIPT@chainB",
        "EXECUTED@chainB",
        "RECEIPT@chainB",
      ],
    );
    const text = await concord(["status", s.id, ...common()]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`aggregated message ${s.id}: EXECUTED`));
    assert.match(
      text.stdout,
      new RegExp(`LEG_SENT +chainA block ${s.receipt.blockNumber}  slot 1 ConcordGateway`),
    );
    assert.match(text.stdout, /RECEIPT +chainB block \d+ +delivered by slot 2 HyperlaneAdapter 0x/);
    assert.match(
      text.stdout,
      /receipts: 3 counted of 2 required; threshold reached at chainB block \d+ by slot 1/,
    );
    // the send's transaction finds the same lifecycle
    const byTx = await aggregatedMessageStatus({
      origin: { publicClient: A.public, aggregator: A.agg },
      transactionHash: s.receipt.transactionHash,
    });
    assert.equal(byTx.messageId, s.id);
    assert.equal(byTx.status, "SENT", "no destination given: the destination is not read");
  });

  it("a failing recipient: FAILED at the threshold with the exact retry call; the retry executes it, same id", async () => {
    const recipient = await deployRaw(B, recipientArtifact);
    await write(B, recipient, recipientArtifact.abi, "setMode", [REVERT]);
    const s = await send(recipient, toHex("rejected first"));
    await relayHl(s.hl1);
    await relayHl(s.hl2);
    const failed = await status(s.id);
    assert.equal(failed.code, 1, "a FAILED message exits 1");
    assert.equal(failed.json.status, "FAILED");
    assert.equal(failed.json.failures.length, 1);
    const call = failed.json.next.call!;
    assert.equal(call.functionName, "retry");
    assert.equal(call.to, B.agg);
    const envelope = `0x${s.hl1.slice(2 + (77 + 56) * 2)}` as Hex;
    assert.equal(call.call, `retry(${A.agg}, ${envelope}, ${decodeAggregatorEnvelope(envelope).gasLimit})`);
    const text = await concord(["status", s.id, ...common()]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /FAILED +chainB block \d+ +MockRecipientRejected\(/);
    assert.match(text.stdout, new RegExp(`retry \\(anyone;.*send to ${B.agg} on chainB: retry\\(${A.agg}, `));
    // a retry before the fix fails again; after it, the printed calldata executes the message
    await write(B, recipient, recipientArtifact.abi, "setMode", [ACCEPT]);
    const hash = await B.wallet.sendTransaction({
      to: call.to,
      data: call.data,
      account: deployer,
      chain: B.wallet.chain,
    });
    const receipt = await B.public.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    assert.equal(receipt.status, "success");
    const after = await status(s.id);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.json.status, "EXECUTED");
    assert.equal(after.json.retries.length, 1);
    assert.equal(after.json.retries[0]!.success, true);
    assert.equal(after.json.executed!.transactionHash, hash);
    assert.deepEqual(
      after.json.timeline.filter((r) => r.chain === "chainB").map((r) => r.event),
      ["RECEIPT", "RECEIPT", "FAILED", "EXECUTED", "RETRIED"],
    );
  });

  it("a gateway down at send: its leg is LEG_FAILED with the decoded reason, the send still goes with 2 of 3", async () => {
    const recipient = await deployRaw(B, recipientArtifact);
    // the second Hyperlane adapter loses its route to B: its quote reverts, the aggregator reports the leg failed
    await write(A, A.hl2, hlAbi as Abi, "setRemote", [CHAIN_B, zeroAddress]);
    try {
      const to = formatEvmV1(CHAIN_B, recipient);
      const fee = (await A.public.readContract({
        address: A.agg,
        abi: iTransportAggregatorAbi,
        functionName: "quote",
        args: [to, "0x01", []],
      })) as bigint;
      assert.equal(fee, HOOK_FEE, "the failing gateway is left out of the quote");
      const receipt = await write(
        A,
        A.agg,
        iTransportAggregatorAbi as Abi,
        "sendMessage",
        [to, "0x01", []],
        fee,
      );
      const s = await aggregatedMessageStatus({
        origin: { publicClient: A.public, aggregator: A.agg },
        destination: () => ({ publicClient: B.public }),
        transactionHash: receipt.transactionHash,
      });
      assert.equal(s.status, "SENT");
      assert.equal(s.sent!.accepted, 0b110n);
      assert.deepEqual(
        s.legs.map((l) => [l.slot, l.accepted]),
        [
          [1, true],
          [2, true],
          [3, false],
        ],
      );
      assert.equal(s.legs[2]!.gateway, A.hl2);
      assert.equal(s.legs[2]!.fee, 0n);
      assert.match(s.legs[2]!.failure!.reason.text, /^ConcordAdapter\w+\(/);
      assert.match(s.next.text, /relayers deliver the legs; 2 must arrive/);
      const text = await concord(["status", s.messageId, ...common()]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stdout,
        new RegExp(`LEG_FAILED +chainA block ${receipt.blockNumber}  slot 3 ${A.hl2}: ConcordAdapter`),
      );
      assert.match(
        text.stdout,
        /SENT +chainA block \d+ {2}2 of 3 gateways accepted \(threshold 2\), fee 1000 wei/,
      );
    } finally {
      await write(A, A.hl2, hlAbi as Abi, "setRemote", [CHAIN_B, B.hl2]);
    }
  });

  it("UNKNOWN for an id no aggregator sent; --aggregator must be an address", async () => {
    const unknown = await aggregatedMessageStatus({
      origin: { publicClient: A.public, aggregator: A.agg },
      messageId: `0x${"ab".repeat(32)}`,
    });
    assert.equal(unknown.status, "UNKNOWN");
    assert.deepEqual(unknown.legs, []);
    const missing = await concord(["status", `0x${"ab".repeat(32)}`, ...common()]);
    assert.equal(missing.code, 5, missing.stderr);
    const bad = await concord([
      "status",
      `0x${"ab".repeat(32)}`,
      "--config",
      configPath,
      "--registry",
      registry,
      "--aggregator",
      "0x1234",
    ]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--aggregator takes an address/);
  });

  it("a forged leg quarantines the id: the conflicting gateway is named, the operator's release is the next step", async () => {
    const recipient = await deployRaw(B, recipientArtifact);
    const s = await send(recipient, toHex("genuine"));
    await relayHl(s.hl1);
    // Hyperlane's TestIsm accepts anything: a corrupt transport delivers another payload under the same id
    const forged = concat([s.hl2.slice(0, -2) as Hex, s.hl2.endsWith("00") ? "0x01" : "0x00"]);
    await relayHl(forged);
    const q = await status(s.id);
    assert.equal(q.code, 1, "a QUARANTINED message exits 1");
    assert.equal(q.json.status, "QUARANTINED");
    assert.equal(q.json.conflicts.length, 1);
    assert.equal(q.json.conflicts[0]!.gateway, B.hl2);
    assert.equal(q.json.conflicts[0]!.quarantined, true);
    assert.deepEqual(
      q.json.receipts.map((r) => [r.slot, r.matches]),
      [
        [2, true],
        [3, false],
      ],
    );
    assert.match(
      q.json.next.text,
      new RegExp(`conflicting: ${B.hl2}.*scheduleRelease\\(${s.id}, <envelopeHash>\\)`),
    );
    // the genuine native leg does not execute it
    await relayNative(s.native);
    const still = await status(s.id);
    assert.equal(still.json.status, "QUARANTINED");
    // the operator schedules the release of the genuine envelope: the next step names the release call
    await write(B, B.agg, aggAbi as Abi, "scheduleRelease", [s.id, q.json.record.envelopeHash]);
    const scheduled = await status(s.id);
    assert.equal(scheduled.json.next.call!.functionName, "release");
    assert.match(scheduled.json.next.text, /scheduled a release/);
    assert.ok(scheduled.json.timeline.some((r) => r.event === "QUARANTINED"));
    assert.ok(scheduled.json.timeline.some((r) => r.event === "RELEASE_SCHEDULED"));
  });
  it("a gateway out of the receive set does not count; once it is back, the next step is the exact execute call", async () => {
    const warp = async (side: Side) => {
      await side.public.request({ method: "evm_increaseTime" as never, params: [CONFIG_DELAY + 1] as never });
      await side.public.request({ method: "evm_mine" as never, params: [] as never });
    };
    // B stops counting slot 3 (the second Hyperlane adapter) for A, after the config delay
    await write(B, B.agg, aggAbi as Abi, "scheduleReceiveSet", [CHAIN_A, 0b0110n]);
    await warp(B);
    const recipient = await deployRaw(B, recipientArtifact);
    const s = await send(recipient, toHex("counted later"));
    await relayHl(s.hl1);
    await relayHl(s.hl2);
    const pending = await status(s.id);
    assert.equal(pending.code, 0, pending.stderr);
    assert.equal(pending.json.status, "PENDING");
    assert.deepEqual(
      pending.json.receipts.map((r) => [r.slot, r.matches, r.counted]),
      [
        [2, true, true],
        [3, true, false],
      ],
    );
    assert.equal(pending.json.counted, 1);
    assert.match(pending.json.next.text, /1 of 2 counted receipts: waiting for 1 more/);
    assert.ok(pending.json.timeline.some((r) => /not counted: not in the receive set/.test(r.detail ?? "")));
    // slot 3 counts again: the message is ready but no leg is left to carry it; anyone executes it
    await write(B, B.agg, aggAbi as Abi, "scheduleReceiveSet", [CHAIN_A, 0b1110n]);
    await warp(B);
    const ready = await status(s.id);
    assert.equal(ready.json.status, "PENDING");
    assert.equal(ready.json.counted, 2);
    const call = ready.json.next.call!;
    assert.equal(call.functionName, "execute");
    assert.equal(call.to, B.agg);
    const hash = await B.wallet.sendTransaction({
      to: call.to,
      data: call.data,
      account: deployer,
      chain: B.wallet.chain,
    });
    const receipt = await B.public.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    assert.equal(receipt.status, "success");
    const done = await status(s.id);
    assert.equal(done.json.status, "EXECUTED");
    assert.equal(done.json.executed!.transactionHash, hash);
    assert.equal(done.json.thresholdReached, undefined, "executed by execute(), not by a receipt");
  });
  it("concord retry of a FAILED aggregated message: refusals decoded with hints, still FAILED, then EXECUTED with the same id", async () => {
    const key = { CONCORD_PRIVATE_KEY: ANVIL_DEV_KEY };
    const retry = (id: Hex, extra: string[] = []) => concord(["retry", id, ...common(), ...extra], key);
    const warp = async (side: Side) => {
      await side.public.request({ method: "evm_increaseTime" as never, params: [CONFIG_DELAY + 1] as never });
      await side.public.request({ method: "evm_mine" as never, params: [] as never });
    };
    const recipient = await deployRaw(B, recipientArtifact);
    await write(B, recipient, recipientArtifact.abi, "setMode", [REVERT]);
    const s = await send(recipient, toHex("retried by concord"));
    await relayHl(s.hl1);
    await relayHl(s.hl2);
    const failed = await status(s.id);
    assert.equal(failed.json.status, "FAILED");
    const envelope = `0x${s.hl1.slice(2 + (77 + 56) * 2)}` as Hex;
    const gasLimit = decodeAggregatorEnvelope(envelope).gasLimit;
    // the status names the concord retry line that sends the retry
    const text = await concord(["status", s.id, ...common()]);
    assert.match(
      text.stdout,
      new RegExp(`retry \\(anyone; concord retry ${s.id} --from chainA --aggregator ${A.agg} .*sends it\\)`),
    );

    // --gas below the envelope's limit: a usage error before anything is sent
    const low = await retry(s.id, ["--gas", "1000"]);
    assert.equal(low.code, 2, low.stderr);
    assert.match(low.stderr, new RegExp(`--gas 1000 is below the message's own gas limit ${gasLimit}`));
    assert.match(low.stderr, /TransportAggregatorRetryGasBelowLimit/);
    // ... and the aggregator's own refusal of it, decoded
    const sdkRetry = (g?: number) =>
      retryAggregatedMessage({
        publicClient: B.public,
        walletClient: B.wallet,
        aggregator: B.agg,
        originAggregator: A.agg,
        envelope,
        ...(g === undefined ? {} : { gasLimit: g }),
      });
    const refusedAs = (name: string) => (e: unknown) =>
      e instanceof ConcordTransactionError && decodeConcordError(revertData(e.cause)!).name === name;
    await assert.rejects(sdkRetry(1000), refusedAs("TransportAggregatorRetryGasBelowLimit"));

    // B stops counting both Hyperlane slots: the aggregator counts the receipts again and refuses; the CLI prints the
    // decoded reason and what to do, exit 1; the receive set restored, the message is retryable again
    await write(B, B.agg, aggAbi as Abi, "scheduleReceiveSet", [CHAIN_A, 0b0010n]);
    await warp(B);
    const notReady = await retry(s.id);
    assert.equal(notReady.code, 1, notReady.stderr);
    assert.match(notReady.stderr, /the retry was refused: .*TransportAggregatorNotReady/);
    assert.match(notReady.stderr, /no longer reach the threshold/);
    await write(B, B.agg, aggAbi as Abi, "scheduleReceiveSet", [CHAIN_A, 0b1110n]);
    await warp(B);

    // still rejected: the retry runs and the message stays FAILED (exit 1), with the recipient's reason
    const again = await retry(s.id, ["--json"]);
    assert.equal(again.code, 1, again.stderr);
    const againJson = JSON.parse(again.stdout) as { status: string; failure: string; messageId: Hex };
    assert.equal(againJson.status, "FAILED");
    assert.equal(againJson.messageId, s.id);
    assert.match(againJson.failure, /MockRecipientRejected/);

    await write(B, recipient, recipientArtifact.abi, "setMode", [ACCEPT]);
    const ok = await retry(s.id, ["--gas", String(gasLimit + 1)]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout,
      new RegExp(
        `aggregated message ${s.id} \\(chainA -> chainB over TransportAggregator\\) retried in tx 0x[0-9a-f]{64} with gas ${gasLimit + 1}: EXECUTED \\(same id\\)`,
      ),
    );
    assert.equal(
      await B.public.readContract({
        address: recipient,
        abi: recipientArtifact.abi,
        functionName: "lastReceiveId",
      }),
      s.id,
      "the recipient got the aggregator id",
    );
    const done = await status(s.id);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.json.status, "EXECUTED");
    assert.deepEqual(
      done.json.retries.map((r) => r.success),
      [false, true],
    );
    // EXECUTED: nothing to retry (exit 0); the aggregator itself refuses, decoded
    const twice = await retry(s.id);
    assert.equal(twice.code, 0, twice.stderr);
    assert.match(twice.stdout, /is already EXECUTED: nothing to retry/);
    await assert.rejects(sdkRetry(), refusedAs("TransportAggregatorNotFailed"));

    // a PENDING message is not retried: exit 1 with the status's next step
    const other = await send(recipient, toHex("pending"));
    await relayHl(other.hl1);
    const pending = await retry(other.id);
    assert.equal(pending.code, 1);
    assert.match(pending.stderr, /is PENDING, not FAILED: only a FAILED message can be retried/);
    assert.match(pending.stderr, /1 of 2 counted receipts/);
    // an id no one sent: not found (exit 5)
    const unknown = await retry(keccak256(toHex("nobody")));
    assert.equal(unknown.code, 5, unknown.stderr);
  });
});
