// Transport adapters through `concord deploy` and `concord status` (issue 16), on two real anvil chains with real
// Hyperlane contracts from @hyperlane-xyz/core 12.1.0 (read from forge's out/: Mailbox, MerkleTreeHook as the
// required hook, TestPostDispatchHook as the default hook with a fee, and TestIsm). The ISM is Hyperlane's TestIsm,
// which accepts every message: this test plays Hyperlane's relayer and calls the destination Mailbox's `process`
// with the real dispatched message and empty metadata, so that what is tested is Concord's deploy, wiring and status,
// not Hyperlane's validators (the Solidity suite test/adapters/HyperlaneAdapter/ covers those with multisig ISMs).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Abi, type Address, type Hex, parseEventLogs, parseAbi, toHex } from "viem";

import { type AnvilChain, startAnvil } from "../../sdk/src/anvil.js";
import {
  ANVIL_DEV_KEY,
  ConfigError,
  type Deployment,
  deploy,
  readDeployment,
  validateConfig,
} from "../../sdk/src/deploy/index.js";
import {
  adapterMessageStatus,
  concordAbi,
  decodeAdapterEnvelope,
  formatEvmV1,
  iConcordAdapterAbi,
} from "../../sdk/src/index.js";
import { forgeArtifact } from "../helpers/artifacts.js";
import {
  type ChainSide,
  chainSide,
  deployHyperlane,
  deployRaw,
  deployer,
  hardhatArtifact,
  write,
} from "../helpers/sides.js";
import { BIN, concord } from "../helpers/cli.js";

const CHAIN_A = 31_611;
const CHAIN_B = 31_612;
/** Hyperlane domain ids of the two chains (not their chain ids, to show the mapping is used). */
const HL_A = 7_001;
const HL_B = 7_002;
/** What the default hook charges per dispatch (wei). */
const HOOK_FEE = 1_000n;

const mailboxArtifact = forgeArtifact("Mailbox.sol", "Mailbox");
const recipientArtifact = hardhatArtifact("contracts/mocks/MockRecipient.sol", "MockRecipient");
const MAILBOX_EVENTS = parseAbi([
  "event Dispatch(address indexed sender, uint32 indexed destination, bytes32 indexed recipient, bytes message)",
  "event DispatchId(bytes32 indexed messageId)",
]);
/** MockRecipient modes. */
const ACCEPT = 0;
const REVERT = 1;

type Side = ChainSide & { mailbox: Address; ism: Address };

function sideOf(anvil: AnvilChain): Side {
  return { ...chainSide(anvil), mailbox: "0x", ism: "0x" };
}

/** Hyperlane on one chain, from forge's build of @hyperlane-xyz/core (see the header). */
async function deployHyperlaneOn(side: Side, domain: number): Promise<void> {
  Object.assign(
    side,
    await deployHyperlane(side, domain, HOOK_FEE, (name) => forgeArtifact(`${name}.sol`, name)),
  );
}

function rawConfig(a: Side, b: Side, hyperlane: { a?: unknown; b?: unknown }) {
  const chain = (side: Side, section: unknown) => ({
    chainId: side.chainId,
    rpcUrl: side.anvil.rpcUrl,
    local: true,
    demo: false,
    finalityDepth: 0,
    validators: [deployer.address],
    threshold: 1,
    ...(section === undefined ? {} : { hyperlane: section }),
  });
  return {
    saltPrefix: "concord.adapter-test",
    chains: { chainA: chain(a, hyperlane.a), chainB: chain(b, hyperlane.b) },
  };
}

type StatusJson = {
  kind: string;
  status: string;
  adapter: string;
  originChain: string;
  destinationChain: string;
  sent: { fee: string; sponsored: boolean; transactionHash: Hex; blockNumber: string };
  protocolMessage: { protocol: string; messageId: Hex };
  envelope: { nonce: string; gasLimit: number };
  delivered?: { transactionHash: Hex };
  executed?: { transactionHash: Hex; blockNumber: string };
  failures: { transactionHash: Hex }[];
  retries: { transactionHash: Hex; success: boolean }[];
  next: { text: string; retry?: { to: Address; call: string; data: Hex } };
  timeline: { event: string; chain: string }[];
};

describe("adapters: concord deploy (hyperlane section) and concord status for adapter messages", () => {
  let dir: string;
  let registry: string;
  let configPath: string;
  const anvils: AnvilChain[] = [];
  let A: Side;
  let B: Side;
  const deployments: Record<number, Deployment> = {};

  before(async () => {
    assert.ok(existsSync(BIN), `${BIN} is missing: run scripts/build.sh`);
    dir = mkdtempSync(join(tmpdir(), "concord-adapters-"));
    registry = join(dir, "deployments");
    configPath = join(dir, "chains.json");
    for (const chainId of [CHAIN_A, CHAIN_B]) anvils.push(await startAnvil({ chainId }));
    A = sideOf(anvils[0]!);
    B = sideOf(anvils[1]!);
    await deployHyperlaneOn(A, HL_A);
    await deployHyperlaneOn(B, HL_B);
  });

  after(async () => {
    await Promise.all(anvils.map((a) => a.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const common = () => ["--config", configPath, "--registry", registry];

  it("validates the hyperlane section, naming the key", () => {
    const section = (mailbox: string, domain: unknown, extra: Record<string, unknown> = {}) => ({
      mailbox,
      domain,
      ...extra,
    });
    const bad = (hyperlane: { a?: unknown; b?: unknown }, key: string, problem: RegExp) =>
      assert.throws(
        () => validateConfig(rawConfig(A, B, hyperlane)),
        (e: unknown) => e instanceof ConfigError && e.key === key && problem.test(e.problem),
      );
    bad(
      { a: section(A.mailbox, HL_A), b: section(B.mailbox, HL_A) },
      "chains.chainB.hyperlane.domain",
      /duplicate/,
    );
    bad({ a: section(A.mailbox, 2 ** 32) }, "chains.chainA.hyperlane.domain", /\[1, 4294967295\]/);
    bad({ a: section(A.mailbox, 0) }, "chains.chainA.hyperlane.domain", /\[1, 4294967295\]/);
    bad({ a: section(A.mailbox, "7001") }, "chains.chainA.hyperlane.domain", /integer/);
    bad({ a: section("0x1234", HL_A) }, "chains.chainA.hyperlane.mailbox", /20-byte/);
    bad({ a: { domain: HL_A } }, "chains.chainA.hyperlane.mailbox", /required/);
    bad({ a: section(A.mailbox, HL_A, { ism: "nope" }) }, "chains.chainA.hyperlane.ism", /20-byte/);
    bad({ a: section(A.mailbox, HL_A, { igp: A.mailbox }) }, "chains.chainA.hyperlane.igp", /unknown key/);
    const ok = validateConfig(rawConfig(A, B, { a: section(A.mailbox, HL_A) }));
    assert.deepEqual(ok.chains.chainA!.adapters.hyperlane, {
      mailbox: A.mailbox,
      domain: HL_A,
      ism: "0x0000000000000000000000000000000000000000",
    });
    assert.deepEqual(ok.chains.chainB!.adapters, {});
  });

  it("checks the section against the chain before planning: a Mailbox without code, another domain, an ISM", async () => {
    const fails = async (hyperlane: { a?: unknown; b?: unknown }, key: string, problem: RegExp) => {
      await assert.rejects(
        deploy({ config: validateConfig(rawConfig(A, B, hyperlane)), dryRun: true }),
        (e: unknown) => e instanceof ConfigError && e.key === key && problem.test(e.problem),
      );
    };
    const noCode = "0x000000000000000000000000000000000000dEaD";
    await fails(
      { a: { mailbox: noCode, domain: HL_A } },
      "chains.chainA.hyperlane.mailbox",
      /no contract at/,
    );
    await fails(
      { a: { mailbox: A.mailbox, domain: HL_B } },
      "chains.chainA.hyperlane.domain",
      /localDomain\(\) = 7001/,
    );
    await fails(
      { a: { mailbox: A.mailbox, domain: HL_A, ism: noCode } },
      "chains.chainA.hyperlane.ism",
      /no contract at/,
    );
    // not a Mailbox: code, but no localDomain()
    await fails({ a: { mailbox: A.ism, domain: HL_A } }, "chains.chainA.hyperlane.mailbox", /localDomain/);
    // through the CLI: exit 3, the key named
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify(rawConfig(A, B, { a: { mailbox: noCode, domain: HL_A } })));
    const r = await concord(["deploy", "--config", bad, "--registry", registry, "--dry-run"]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /chains\.chainA\.hyperlane\.mailbox: no contract at/);
  });

  it("deploys HyperlaneAdapter at one address on both chains and wires the routes; a second deploy plans nothing", async () => {
    const raw = rawConfig(A, B, {
      a: { mailbox: A.mailbox, domain: HL_A, ism: A.ism },
      b: { mailbox: B.mailbox, domain: HL_B, ism: B.ism },
    });
    writeFileSync(configPath, JSON.stringify(raw, null, 2));
    const first = await concord(["deploy", ...common(), "--json", "--quiet"]);
    assert.equal(first.code, 0, first.stderr);
    const firstJson = JSON.parse(first.stdout) as {
      transactionsSent: number;
      chains: { name: string; transactions: string[] }[];
    };
    for (const c of firstJson.chains) {
      const other = c.name === "chainA" ? CHAIN_B : CHAIN_A;
      const otherHl = c.name === "chainA" ? HL_B : HL_A;
      assert.ok(c.transactions.some((t) => t.startsWith("deploy HyperlaneAdapter at ")));
      assert.ok(c.transactions.includes(`HyperlaneAdapter.setHyperlaneDomain(${other}, ${otherHl})`), c.name);
      assert.ok(c.transactions.some((t) => t.startsWith(`HyperlaneAdapter.setRemote(${other}, 0x`)));
      // the ISM came with the constructor
      assert.ok(!c.transactions.some((t) => t.includes("setInterchainSecurityModule")));
    }
    for (const [chainId, side, hl, otherChain, otherHl] of [
      [CHAIN_A, A, HL_A, CHAIN_B, HL_B],
      [CHAIN_B, B, HL_B, CHAIN_A, HL_A],
    ] as const) {
      const d = readDeployment(registry, chainId);
      deployments[chainId] = d;
      const adapter = d.contracts.HyperlaneAdapter!;
      assert.ok(adapter);
      assert.deepEqual(d.adapters?.hyperlane, {
        contract: "HyperlaneAdapter",
        address: adapter,
        config: { mailbox: side.mailbox, domain: hl, ism: side.ism },
        remotes: { [String(otherChain)]: String(otherHl) },
      });
      const abi = concordAbi("HyperlaneAdapter");
      const r = (functionName: string, args: unknown[] = []) =>
        side.public.readContract({ address: adapter, abi, functionName, args });
      assert.equal(await r("remote", [otherChain]), adapter);
      assert.equal(await r("hyperlaneDomainOf", [otherChain]), otherHl);
      assert.equal(await r("domainOfHyperlane", [otherHl]), otherChain);
      assert.equal(((await r("mailbox")) as string).toLowerCase(), side.mailbox.toLowerCase());
      assert.equal(((await r("interchainSecurityModule")) as string).toLowerCase(), side.ism.toLowerCase());
      assert.equal(await r("hyperlaneLocalDomain"), hl);
      assert.equal(await r("localDomain"), chainId);
    }
    assert.equal(
      deployments[CHAIN_A]!.contracts.HyperlaneAdapter,
      deployments[CHAIN_B]!.contracts.HyperlaneAdapter,
    );

    const second = await concord(["deploy", ...common(), "--json", "--quiet"]);
    assert.equal(second.code, 0, second.stderr);
    const secondJson = JSON.parse(second.stdout) as { transactionsPlanned: number; transactionsSent: number };
    assert.equal(secondJson.transactionsPlanned, 0);
    assert.equal(secondJson.transactionsSent, 0);
  });

  it("follows a changed ISM with one setter call, and refuses another Mailbox for a deployed adapter", async () => {
    const raw = rawConfig(A, B, {
      a: { mailbox: A.mailbox, domain: HL_A }, // ISM 0: the Mailbox's default
      b: { mailbox: B.mailbox, domain: HL_B, ism: B.ism },
    });
    const dry = await deploy({ config: validateConfig(raw), dryRun: true });
    assert.deepEqual(
      dry.plan.chains.flatMap((c) => c.transactions.map((t) => `${c.name}: ${t.description}`)),
      ["chainA: HyperlaneAdapter.setInterchainSecurityModule(0x0000000000000000000000000000000000000000)"],
    );
    const otherMailbox = await deployRaw(A, mailboxArtifact, [HL_A]);
    await assert.rejects(
      deploy({
        config: validateConfig(
          rawConfig(A, B, {
            a: { mailbox: otherMailbox, domain: HL_A, ism: A.ism },
            b: { mailbox: B.mailbox, domain: HL_B, ism: B.ism },
          }),
        ),
        dryRun: true,
      }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.key === "chains.chainA.hyperlane.mailbox" &&
        /immutable/.test(e.problem),
    );
  });

  it("repairs drifted routes: a Hyperlane domain held by another Concord domain is unmapped first", async () => {
    const adapter = deployments[CHAIN_A]!.contracts.HyperlaneAdapter!;
    const abi = concordAbi("HyperlaneAdapter");
    // someone with the admin role moved B's Hyperlane domain to domain 424242 and unenrolled B's adapter
    await write(A, adapter, abi, "setHyperlaneDomain", [CHAIN_B, 0]);
    await write(A, adapter, abi, "setHyperlaneDomain", [424_242, HL_B]);
    await write(A, adapter, abi, "setRemote", [CHAIN_B, "0x0000000000000000000000000000000000000000"]);
    const config = validateConfig(JSON.parse(readFileSync(configPath, "utf8")));
    const dry = await deploy({ config, dryRun: true });
    assert.deepEqual(
      dry.plan.chains.flatMap((c) => c.transactions.map((t) => `${c.name}: ${t.description}`)),
      [
        `chainA: HyperlaneAdapter.setHyperlaneDomain(424242, 0)`,
        `chainA: HyperlaneAdapter.setHyperlaneDomain(${CHAIN_B}, ${HL_B})`,
        `chainA: HyperlaneAdapter.setRemote(${CHAIN_B}, ${adapter})`,
      ],
    );
    const fixed = await deploy({ config, registryDir: registry });
    assert.equal(fixed.transactionsSent, 3);
    assert.equal(
      await A.public.readContract({ address: adapter, abi, functionName: "domainOfHyperlane", args: [HL_B] }),
      CHAIN_B,
    );
    assert.equal((await deploy({ config, dryRun: true })).plan.transactionCount, 0);
  });

  /** Sends `payload` from A's adapter to `recipient` on B, paying the quote; returns the ids and Hyperlane message. */
  async function send(recipient: Address, payload: Hex) {
    const adapter = deployments[CHAIN_A]!.contracts.HyperlaneAdapter!;
    const to = formatEvmV1(CHAIN_B, recipient);
    const fee = await A.public.readContract({
      address: adapter,
      abi: iConcordAdapterAbi,
      functionName: "quote",
      args: [to, payload, []],
    });
    assert.equal(fee, HOOK_FEE);
    const receipt = await write(A, adapter, iConcordAdapterAbi as Abi, "sendMessage", [to, payload, []], fee);
    const [sent] = parseEventLogs({ abi: iConcordAdapterAbi, logs: receipt.logs, eventName: "MessageSent" });
    const dispatch = parseEventLogs({ abi: MAILBOX_EVENTS, logs: receipt.logs, eventName: "Dispatch" })[0]!;
    const dispatchId = parseEventLogs({
      abi: MAILBOX_EVENTS,
      logs: receipt.logs,
      eventName: "DispatchId",
    })[0]!;
    return {
      messageId: sent!.args.sendId,
      hyperlaneId: dispatchId.args.messageId,
      hyperlaneMessage: dispatch.args.message,
      receipt,
    };
  }

  /** Plays Hyperlane's relayer: `Mailbox.process` on B with the dispatched message (TestIsm: empty metadata). */
  const relay = (message: Hex) => write(B, B.mailbox, mailboxArtifact.abi, "process", ["0x", message]);

  const status = async (id: Hex) => {
    const r = await concord(["status", id, ...common(), "--json"]);
    return { code: r.code, json: JSON.parse(r.stdout || "{}") as StatusJson, stderr: r.stderr };
  };

  it("shows an adapter message SENT (fee, Hyperlane message id), then EXECUTED after the Mailbox delivers it", async () => {
    const recipient = await deployRaw(B, recipientArtifact);
    const payload = toHex("hello over hyperlane");
    const s = await send(recipient, payload);

    const sent = await status(s.messageId);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sent.json.kind, "adapterMessage");
    assert.equal(sent.json.adapter, "HyperlaneAdapter");
    assert.equal(sent.json.status, "SENT");
    assert.equal(sent.json.originChain, "chainA");
    assert.equal(sent.json.destinationChain, "chainB");
    assert.equal(sent.json.sent.fee, String(HOOK_FEE));
    assert.equal(sent.json.sent.sponsored, false);
    assert.equal(sent.json.sent.transactionHash, s.receipt.transactionHash);
    assert.deepEqual(sent.json.protocolMessage, {
      protocol: "hyperlane",
      messageId: s.hyperlaneId,
      envelope: `0x${s.hyperlaneMessage.slice(2 + 77 * 2)}`,
      destinationAdapter: deployments[CHAIN_B]!.contracts.HyperlaneAdapter,
    });
    assert.match(sent.json.next.text, new RegExp(`hyperlane's relayers deliver it .*${s.hyperlaneId}`));
    assert.deepEqual(
      sent.json.timeline.map((r) => `${r.event}@${r.chain}`),
      ["SENT@chainA"],
    );

    const delivery = await relay(s.hyperlaneMessage);
    const done = await status(s.messageId);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.json.status, "EXECUTED");
    assert.equal(done.json.executed!.transactionHash, delivery.transactionHash);
    assert.equal(done.json.delivered!.transactionHash, delivery.transactionHash);
    assert.deepEqual(
      done.json.timeline.map((r) => `${r.event}@${r.chain}`),
      ["SENT@chainA", "DELIVERED@chainB", "EXECUTED@chainB"],
    );
    // the human report
    const text = await concord(["status", s.messageId, ...common()]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`adapter message ${s.messageId}: EXECUTED`));
    assert.match(
      text.stdout,
      new RegExp(`chainA -> chainB over HyperlaneAdapter \\(hyperlane message ${s.hyperlaneId}\\)`),
    );
    assert.match(
      text.stdout,
      new RegExp(
        `SENT +chainA block ${s.receipt.blockNumber}  fee 1000 wei, tx ${s.receipt.transactionHash}`,
      ),
    );
    assert.match(
      text.stdout,
      new RegExp(`EXECUTED +chainB block ${delivery.blockNumber}  tx ${delivery.transactionHash}`),
    );
  });

  it("shows a failing recipient's message FAILED with the exact retry call, which then executes it", async () => {
    const recipient = await deployRaw(B, recipientArtifact);
    await write(B, recipient, recipientArtifact.abi, "setMode", [REVERT]);
    const s = await send(recipient, toHex("rejected first"));
    await relay(s.hyperlaneMessage);

    const failed = await status(s.messageId);
    assert.equal(failed.code, 1, "a FAILED message exits 1");
    assert.equal(failed.json.status, "FAILED");
    assert.equal(failed.json.failures.length, 1);
    const retry = failed.json.next.retry!;
    assert.ok(retry, "a retry call is given");
    const adapter = deployments[CHAIN_B]!.contracts.HyperlaneAdapter!;
    assert.equal(retry.to, adapter);
    const envelope = `0x${s.hyperlaneMessage.slice(2 + 77 * 2)}` as Hex;
    const { gasLimit } = decodeAdapterEnvelope(envelope);
    assert.equal(
      retry.call,
      `retry(${CHAIN_A}, ${deployments[CHAIN_A]!.contracts.HyperlaneAdapter}, ${envelope}, ${gasLimit})`,
    );
    const text = await concord(["status", s.messageId, ...common()]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /adapter message 0x[0-9a-f]{64}: FAILED/);
    assert.match(text.stdout, /FAILED +chainB block \d+ {2}MockRecipientRejected\(/);
    assert.match(
      text.stdout,
      new RegExp(`retry \\(anyone;.*send to ${adapter} on chainB: retry\\(${CHAIN_A}, `),
    );
    assert.match(text.stdout, new RegExp(`calldata ${retry.data}`));

    // the hint is exact: once the recipient accepts, sending the printed calldata executes the message
    await write(B, recipient, recipientArtifact.abi, "setMode", [ACCEPT]);
    const hash = await B.wallet.sendTransaction({
      to: retry.to,
      data: retry.data,
      account: deployer,
      chain: B.wallet.chain,
    });
    const receipt = await B.public.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    assert.equal(receipt.status, "success");
    const after = await status(s.messageId);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.json.status, "EXECUTED");
    assert.equal(after.json.retries.length, 1);
    assert.equal(after.json.retries[0]!.success, true);
    assert.equal(after.json.executed!.transactionHash, hash);
    assert.deepEqual(
      after.json.timeline.map((r) => r.event),
      ["SENT", "DELIVERED", "FAILED", "EXECUTED", "RETRIED"],
    );
  });

  it("concord retry: refuses a SENT message and too little gas, reports a failed retry, then executes it", async () => {
    const key = { CONCORD_PRIVATE_KEY: ANVIL_DEV_KEY };
    const recipient = await deployRaw(B, recipientArtifact);
    await write(B, recipient, recipientArtifact.abi, "setMode", [REVERT]);
    const s = await send(recipient, toHex("retried by the CLI"));
    const adapterB = deployments[CHAIN_B]!.contracts.HyperlaneAdapter!;
    const envelope = `0x${s.hyperlaneMessage.slice(2 + 77 * 2)}` as Hex;
    const { gasLimit } = decodeAdapterEnvelope(envelope);

    // not delivered yet: nothing to retry (exit 1), the relayers' step named
    const early = await concord(["retry", s.messageId, ...common()], key);
    assert.equal(early.code, 1, early.stderr);
    assert.match(
      early.stderr,
      /adapter message 0x[0-9a-f]{64} \(chainA -> chainB over HyperlaneAdapter\) is SENT, not FAILED/,
    );
    assert.match(early.stderr, new RegExp(`hyperlane's relayers deliver it .*${s.hyperlaneId}`));

    await relay(s.hyperlaneMessage);
    // the status hint names the CLI command
    const failed = await concord(["status", s.messageId, ...common()]);
    assert.equal(failed.code, 1);
    assert.match(
      failed.stdout,
      new RegExp(
        `retry \\(anyone; concord retry ${s.messageId} --from chainA --config \\S+ --registry \\S+ sends it\\)`,
      ),
    );

    // below the message's own gas limit: refused before anything is sent (exit 2)
    const low = await concord(["retry", s.messageId, "--gas", String(gasLimit - 1), ...common()], key);
    assert.equal(low.code, 2, low.stderr);
    assert.match(
      low.stderr,
      new RegExp(`--gas ${gasLimit - 1} is below the message's own gas limit ${gasLimit}`),
    );
    // no key: a config error (exit 3) before anything is sent
    const noKey = await concord(["retry", s.messageId, ...common()], { CONCORD_PRIVATE_KEY: "" });
    assert.equal(noKey.code, 3, noKey.stderr);

    // the recipient still rejects: retried, FAILED again (exit 1), its reason decoded
    const again = await concord(["retry", s.messageId, ...common(), "--json"], key);
    assert.equal(again.code, 1, again.stderr);
    const againJson = JSON.parse(again.stdout) as {
      status: string;
      retried: boolean;
      failure: string;
      transactionHash: Hex;
    };
    assert.equal(againJson.status, "FAILED");
    assert.equal(againJson.retried, true);
    assert.match(againJson.failure, /MockRecipientRejected/);

    // once the recipient accepts, the retry executes it, with more gas than its limit
    await write(B, recipient, recipientArtifact.abi, "setMode", [ACCEPT]);
    const ok = await concord(
      ["retry", s.messageId, "--gas", String(gasLimit + 1000), ...common(), "--json"],
      key,
    );
    assert.equal(ok.code, 0, ok.stderr);
    const okJson = JSON.parse(ok.stdout) as {
      kind: string;
      status: string;
      adapter: string;
      destinationAdapter: Address;
      gasLimit: number;
      messageGasLimit: number;
      transactionHash: Hex;
    };
    assert.equal(okJson.kind, "adapterMessage");
    assert.equal(okJson.status, "EXECUTED");
    assert.equal(okJson.adapter, "HyperlaneAdapter");
    assert.equal(okJson.destinationAdapter, adapterB);
    assert.equal(okJson.gasLimit, gasLimit + 1000);
    assert.equal(okJson.messageGasLimit, gasLimit);
    const got = (functionName: string) =>
      B.public.readContract({ address: recipient, abi: recipientArtifact.abi, functionName });
    assert.equal(await got("calls"), 1n, "the recipient accepted it once");
    assert.equal(await got("lastReceiveId"), s.messageId);
    assert.equal(await got("lastCaller"), adapterB);

    const after = await status(s.messageId);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.json.status, "EXECUTED");
    assert.equal(after.json.executed!.transactionHash, okJson.transactionHash);
    assert.deepEqual(
      after.json.retries.map((r) => [r.transactionHash, r.success]),
      [
        [againJson.transactionHash, false],
        [okJson.transactionHash, true],
      ],
    );
    assert.deepEqual(
      after.json.timeline.map((r) => r.event),
      ["SENT", "DELIVERED", "FAILED", "FAILED", "RETRIED", "EXECUTED", "RETRIED"],
    );
    // already executed: nothing to retry (exit 0, nothing sent)
    const done = await concord(["retry", s.messageId, ...common()], key);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /is already EXECUTED: nothing to retry/);
  });

  it("adapterMessageStatus: UNKNOWN for an id the adapter never sent; SENT when the destination is not given", async () => {
    const origin = {
      publicClient: A.public,
      adapter: deployments[CHAIN_A]!.contracts.HyperlaneAdapter!,
    };
    const unknown = await adapterMessageStatus({ origin, messageId: `0x${"ab".repeat(32)}` });
    assert.equal(unknown.status, "UNKNOWN");
    const recipient = await deployRaw(B, recipientArtifact);
    const s = await send(recipient, "0x");
    const r = await adapterMessageStatus({ origin, messageId: s.messageId });
    assert.equal(r.status, "SENT");
    assert.equal(r.destination, CHAIN_B);
    assert.equal(
      r.envelope!.recipient,
      recipient,
      JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
    );
    assert.equal(r.protocolMessage!.messageId, s.hyperlaneId);
    assert.match(r.next.text, /not one of the chains given/);
    // an id that is neither a gateway message, an adapter message nor a flow: exit 5
    const missing = await concord(["status", `0x${"cd".repeat(32)}`, ...common()]);
    assert.equal(missing.code, 5, missing.stderr);
  });
});
