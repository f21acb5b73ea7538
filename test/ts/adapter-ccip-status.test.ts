// CCIP adapter messages through `concord status` and `concord retry` (issue 16), on two real anvil chains with
// Chainlink's local simulator router (`MockCCIPRouter`, @chainlink/local 0.2.9 over @chainlink/contracts-ccip 1.6.2,
// the router the Solidity suites' CcipFixture uses; compiled by forge into out/). Concord's stack is deployed by the
// deploy library; each chain's CcipAdapter is deployed by hand at its own address, because the simulator delivers a
// message inside `ccipSend` on the sending chain whenever the remote adapter's address has code there (and `concord
// deploy` puts an adapter at one address on every chain): with the remote address empty on the origin, the router
// only takes the message and its fee. The test then plays CCIP's OffRamp on the destination, as CcipFixture's
// "route" step does: the destination router's `routeMessage(Any2EVMMessage, 5_000, gasLimit, adapter)`.
//
// The simulator emits no event carrying the message (a real OnRamp's `CCIPMessageSent` does: see the decoder test at
// the end), so status and retry rebuild the envelope from the adapter's own `MessageSent` and route nonce.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Abi,
  type Address,
  type Hex,
  type Log,
  concat,
  encodeAbiParameters,
  encodeEventTopics,
  getAddress,
  keccak256,
  numberToHex,
  pad,
  parseAbi,
  parseEventLogs,
  toHex,
  zeroAddress,
} from "viem";

import { type AnvilChain, startAnvil } from "../../sdk/src/anvil.js";
import { ANVIL_DEV_KEY, type Deployment, deploy, validateConfig } from "../../sdk/src/deploy/index.js";
import { writeDeployment } from "../../sdk/src/deploy/registry.js";
import { concordBytecode } from "../../sdk/src/generated/bytecode.js";
import {
  CCIP_DECODER,
  ConcordTransactionError,
  adapterMessageStatus,
  concordAbi,
  decodeAdapterEnvelope,
  decodeConcordError,
  formatEvmV1,
  iConcordAdapterAbi,
  retryAdapterMessage,
  revertData,
} from "../../sdk/src/index.js";
import { BIN, concord } from "../helpers/cli.js";
import { type ChainSide, chainSide, deployRaw, deployer, hardhatArtifact, write } from "../helpers/sides.js";
import { forgeArtifact } from "../helpers/artifacts.js";

const CHAIN_A = 31_641;
const CHAIN_B = 31_642;
const SELECTOR = { a: 16_015_286_601_757_825_753n, b: 3_478_487_238_524_512_106n } as const;
const CCIP_FEE = 10n ** 15n;
const GAS_FOR_CALL_EXACT_CHECK = 5_000;

const routerArtifact = forgeArtifact("MockRouter.sol", "MockCCIPRouter");
const recipientArtifact = hardhatArtifact("contracts/mocks/MockRecipient.sol", "MockRecipient");
const ccipAbi = concordAbi("CcipAdapter") as Abi;
const ACCEPT = 0;
const REVERT = 1;

type Side = ChainSide & { router: Address; adapter: Address; d: Deployment };

function sideOf(anvil: AnvilChain): Side {
  return {
    ...chainSide(anvil),
    router: zeroAddress,
    adapter: zeroAddress,
    d: { contracts: {} } as Deployment,
  };
}

describe("adapters: a CCIP adapter message (Chainlink's local simulator) through concord status and concord retry", () => {
  let dir: string;
  let registry: string;
  let configPath: string;
  const anvils: AnvilChain[] = [];
  let A: Side;
  let B: Side;

  before(async () => {
    assert.ok(existsSync(BIN), `${BIN} is missing: run scripts/build.sh`);
    dir = mkdtempSync(join(tmpdir(), "concord-ccip-"));
    registry = join(dir, "deployments");
    configPath = join(dir, "chains.json");
    for (const chainId of [CHAIN_A, CHAIN_B]) anvils.push(await startAnvil({ chainId }));
    A = sideOf(anvils[0]!);
    B = sideOf(anvils[1]!);
    const chain = (side: Side) => ({
      chainId: side.chainId,
      rpcUrl: side.anvil.rpcUrl,
      local: true,
      demo: false,
      finalityDepth: 0,
      validators: [deployer.address],
      threshold: 1,
    });
    const raw = { saltPrefix: "concord.ccip-test", chains: { chainA: chain(A), chainB: chain(B) } };
    writeFileSync(configPath, JSON.stringify(raw, null, 2));
    const result = await deploy({ config: validateConfig(raw), registryDir: registry });
    A.d = result.registries.chainA!.deployment;
    B.d = result.registries.chainB!.deployment;
    // one more transaction on B first: the deployer's CREATE addresses then differ between the chains
    await B.wallet.sendTransaction({
      to: deployer.address,
      value: 0n,
      account: deployer,
      chain: B.wallet.chain,
    });
    const adapterArtifact = { abi: ccipAbi, bytecode: concordBytecode.CcipAdapter.bytecode };
    for (const [s, k] of [
      [A, "a"],
      [B, "b"],
    ] as const) {
      s.router = await deployRaw(s, routerArtifact);
      await write(s, s.router, routerArtifact.abi, "setFee", [CCIP_FEE]);
      s.adapter = await deployRaw(s, adapterArtifact, [
        s.router,
        SELECTOR[k],
        s.chainId,
        s.d.contracts.AccessManager!,
        200_000,
      ]);
    }
    assert.notEqual(A.adapter, B.adapter);
    assert.equal((await A.public.getCode({ address: B.adapter })) ?? "0x", "0x");
    for (const [s, o, k] of [
      [A, B, "b"],
      [B, A, "a"],
    ] as const) {
      await write(s, s.adapter, ccipAbi, "setChainSelector", [o.chainId, SELECTOR[k]]);
      await write(s, s.adapter, ccipAbi, "setRemote", [o.chainId, o.adapter]);
      // recorded in the chain's registry as `concord deploy` records its adapters
      s.d.contracts.CcipAdapter = s.adapter;
      writeDeployment(registry, s.d);
    }
  });

  after(async () => {
    await Promise.all(anvils.map((a) => a.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const common = () => ["--config", configPath, "--registry", registry];
  const status = async (id: Hex) => {
    const r = await concord(["status", id, ...common(), "--json"]);
    return { code: r.code, stderr: r.stderr, json: JSON.parse(r.stdout || "{}") as Record<string, unknown> };
  };

  /** Sends `payload` from A's CcipAdapter to `recipient` on B, paying the router's fee; the id and the nonce used. */
  async function send(recipient: Address, payload: Hex) {
    const to = formatEvmV1(CHAIN_B, recipient);
    const fee = (await A.public.readContract({
      address: A.adapter,
      abi: iConcordAdapterAbi,
      functionName: "quote",
      args: [to, payload, []],
    })) as bigint;
    assert.equal(fee, CCIP_FEE, "the simulator's flat fee");
    const receipt = await write(
      A,
      A.adapter,
      iConcordAdapterAbi as Abi,
      "sendMessage",
      [to, payload, []],
      fee,
    );
    const [sent] = parseEventLogs({ abi: iConcordAdapterAbi, logs: receipt.logs, eventName: "MessageSent" });
    const nonce = (await A.public.readContract({
      address: A.adapter,
      abi: iConcordAdapterAbi,
      functionName: "nonce",
      args: [CHAIN_B],
    })) as bigint;
    return { id: sent!.args.sendId, receipt, nonce: nonce - 1n };
  }

  /** The envelope of a send, from AdapterEnvelope's layout (docs/adapters.md): what the OffRamp hands over. */
  const envelopeOf = (nonce: bigint, recipient: Address, payload: Hex, gasLimit = 200_000) =>
    concat([
      numberToHex(nonce, { size: 8 }),
      numberToHex(CHAIN_A, { size: 4 }),
      deployer.address,
      recipient,
      numberToHex(gasLimit, { size: 4 }),
      payload,
    ]).toLowerCase() as Hex;

  /** CCIP's OffRamp on B: the destination router routes the message to B's adapter with its destination gas. */
  async function route(envelope: Hex) {
    const gasLimit = (await B.public.readContract({
      address: B.adapter,
      abi: ccipAbi,
      functionName: "destinationGas",
      args: [decodeAdapterEnvelope(envelope).gasLimit, BigInt((envelope.length - 2) / 2)],
    })) as bigint;
    return write(B, B.router, routerArtifact.abi, "routeMessage", [
      {
        messageId: keccak256(envelope),
        sourceChainSelector: SELECTOR.a,
        sender: pad(A.adapter, { size: 32 }),
        data: envelope,
        destTokenAmounts: [],
      },
      GAS_FOR_CALL_EXACT_CHECK,
      gasLimit,
      B.adapter,
    ]);
  }

  it("FAILED on B after the OffRamp's delivery: status shows it (envelope rebuilt from the adapter's events), concord retry executes it", async () => {
    const key = { CONCORD_PRIVATE_KEY: ANVIL_DEV_KEY };
    const recipient = await deployRaw(B, recipientArtifact);
    await write(B, recipient, recipientArtifact.abi, "setMode", [REVERT]);
    // two sends: the second one (route nonce 1) is the one delivered
    await send(recipient, toHex("first, never delivered"));
    const payload = toHex("over ccip");
    const s = await send(recipient, payload);
    assert.equal(s.nonce, 1n);
    const envelope = envelopeOf(s.nonce, recipient, payload);
    // the simulator took the message without delivering it, and emitted nothing that carries it
    assert.deepEqual(
      s.receipt.logs.filter((l) => getAddress(l.address) === A.router),
      [],
      "the simulator's router emits no event on a send it does not deliver",
    );

    const s1 = await status(s.id);
    assert.equal(s1.code, 0, s1.stderr);
    assert.equal(s1.json.status, "SENT");
    assert.equal(s1.json.adapter, "CcipAdapter");
    assert.equal(s1.json.envelopeSource, "adapter-events");
    assert.equal((s1.json.envelopeBytes as Hex).toLowerCase(), envelope);
    assert.equal(s1.json.destinationAdapter, B.adapter);
    assert.equal(s1.json.protocolMessage, undefined);

    await route(envelope);
    const s2 = await status(s.id);
    assert.equal(s2.code, 1, "a FAILED message exits 1");
    assert.equal(s2.json.status, "FAILED");
    const hint = s2.json.next as { retry: { call: string; to: Address } };
    assert.equal(hint.retry.to, B.adapter);
    assert.equal(
      hint.retry.call.toLowerCase(),
      `retry(${CHAIN_A}, ${A.adapter}, ${envelope}, 200000)`.toLowerCase(),
    );
    const text = await concord(["status", s.id, ...common()]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, new RegExp(`adapter message ${s.id}: FAILED`));
    assert.match(text.stdout, /over CcipAdapter \(no protocol event carries the envelope: rebuilt from/);
    assert.match(text.stdout, /retry \(anyone; concord retry 0x[0-9a-f]{64} --from chainA .* sends it\)/);

    // refusals: --gas below the envelope's limit is a usage error; the adapter's own refusal is decoded
    const low = await concord(["retry", s.id, ...common(), "--gas", "1000"], key);
    assert.equal(low.code, 2, low.stderr);
    assert.match(low.stderr, /--gas 1000 is below the message's own gas limit 200000/);
    await assert.rejects(
      retryAdapterMessage({
        publicClient: B.public,
        walletClient: B.wallet,
        adapter: B.adapter,
        origin: CHAIN_A,
        originAdapter: A.adapter,
        envelope,
        gasLimit: 1000,
      }),
      (e: unknown) =>
        e instanceof ConcordTransactionError &&
        decodeConcordError(revertData(e.cause)!).name === "ConcordAdapterRetryGasBelowLimit",
    );

    await write(B, recipient, recipientArtifact.abi, "setMode", [ACCEPT]);
    const r = await concord(["retry", s.id, ...common(), "--json"], key);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      status: string;
      adapter: string;
      envelopeSource: string;
      transactionHash: Hex;
    };
    assert.equal(out.status, "EXECUTED");
    assert.equal(out.adapter, "CcipAdapter");
    assert.equal(out.envelopeSource, "adapter-events");
    assert.equal(
      await B.public.readContract({
        address: recipient,
        abi: recipientArtifact.abi,
        functionName: "lastReceiveId",
      }),
      s.id,
    );
    const s3 = await status(s.id);
    assert.equal(s3.code, 0, s3.stderr);
    assert.equal(s3.json.status, "EXECUTED");
    assert.deepEqual(
      (s3.json.retries as { transactionHash: Hex; success: boolean }[]).map((x) => [
        x.transactionHash,
        x.success,
      ]),
      [[out.transactionHash, true]],
    );
    // once EXECUTED: the CLI says so (exit 0), the adapter refuses a retry (decoded)
    const again = await concord(["retry", s.id, ...common()], key);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /is already EXECUTED: nothing to retry/);
    await assert.rejects(
      retryAdapterMessage({
        publicClient: B.public,
        walletClient: B.wallet,
        adapter: B.adapter,
        origin: CHAIN_A,
        originAdapter: A.adapter,
        envelope,
      }),
      (e: unknown) =>
        e instanceof ConcordTransactionError &&
        decodeConcordError(revertData(e.cause)!).name === "ConcordAdapterNotFailed",
    );
    // the first send, never delivered: SENT, its envelope rebuilt too (nonce 0)
    const first = await adapterMessageStatus({
      origin: { publicClient: A.public, adapter: A.adapter },
      destination: { publicClient: B.public },
      messageId: (await sentIds())[0]!,
    });
    assert.equal(first.status, "SENT");
    assert.equal(first.envelope?.nonce, 0n);
  });

  /** Every adapter message id A's CcipAdapter sent, in order. */
  async function sentIds(): Promise<Hex[]> {
    const logs = await A.public.getLogs({
      address: A.adapter,
      event: iConcordAdapterAbi.find((x) => x.type === "event" && x.name === "MessageSent")!,
      fromBlock: 0n,
    });
    return logs.map((l) => (l as unknown as { args: { sendId: Hex } }).args.sendId);
  }

  it("recognises a real OnRamp's CCIPMessageSent (OnRamp 1.6 event, built from its ABI): the envelope, receiver and CCIP id", () => {
    const event = parseAbi([
      "struct RampMessageHeader { bytes32 messageId; uint64 sourceChainSelector; uint64 destChainSelector; uint64 sequenceNumber; uint64 nonce; }",
      "struct EVM2AnyTokenTransfer { address sourcePoolAddress; bytes destTokenAddress; bytes extraData; uint256 amount; bytes destExecData; }",
      "struct EVM2AnyRampMessage { RampMessageHeader header; address sender; bytes data; bytes receiver; bytes extraArgs; address feeToken; uint256 feeTokenAmount; uint256 feeValueJuels; EVM2AnyTokenTransfer[] tokenAmounts; }",
      "event CCIPMessageSent(uint64 indexed destChainSelector, uint64 indexed sequenceNumber, EVM2AnyRampMessage message)",
    ]);
    const adapter = getAddress("0x00000000000000000000000000000000000a0a0a");
    const remote = getAddress("0x00000000000000000000000000000000000b0b0b");
    const envelope = envelopeOf(7n, remote, toHex("hello"));
    const ccipId = keccak256(toHex("ccip id"));
    const logOf = (sender: Address, logIndex: number): Log => ({
      address: getAddress("0x0000000000000000000000000000000000000c0c"),
      topics: encodeEventTopics({
        abi: event,
        eventName: "CCIPMessageSent",
        args: { destChainSelector: SELECTOR.b, sequenceNumber: 9n },
      }) as [Hex, ...Hex[]],
      data: encodeAbiParameters(event.find((x) => x.type === "event")!.inputs.slice(2), [
        {
          header: {
            messageId: ccipId,
            sourceChainSelector: SELECTOR.a,
            destChainSelector: SELECTOR.b,
            sequenceNumber: 9n,
            nonce: 0n,
          },
          sender,
          data: envelope,
          receiver: pad(remote, { size: 32 }),
          extraArgs: "0x",
          feeToken: zeroAddress,
          feeTokenAmount: 1n,
          feeValueJuels: 1n,
          tokenAmounts: [],
        },
      ]),
      blockHash: pad("0x01", { size: 32 }),
      blockNumber: 1n,
      logIndex,
      transactionHash: pad("0x02", { size: 32 }),
      transactionIndex: 0,
      removed: false,
    });
    const logs = [logOf(remote, 1), logOf(adapter, 2)];
    assert.deepEqual(CCIP_DECODER.candidates(logs, adapter, 0), [
      { protocol: "ccip", messageId: ccipId, envelope, destinationAdapter: remote },
    ]);
    assert.deepEqual(
      CCIP_DECODER.candidates(logs, adapter, 2),
      [],
      "only events after the adapter's MessageSent",
    );
  });
});
