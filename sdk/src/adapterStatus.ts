/**
 * Messages sent through a transport adapter (contracts/adapters: an ERC-7786 gateway over Hyperlane, LayerZero,
 * CCIP, Axelar, Wormhole): where one is, across its two chains. The origin adapter's `MessageSent` (the ERC-7786
 * event, `sendId` = the message id) and `AdapterMessageSent` (fee, sponsored); the protocol's own message of the same
 * send (Hyperlane: the Mailbox's `Dispatch` / `DispatchId`; LayerZero: the endpoint's `PacketSent`; Axelar: the
 * gateway's `ContractCall`; Wormhole: the core's `LogMessagePublished`; CCIP: the OnRamp's `CCIPMessageSent`), whose
 * body is the envelope; when no protocol event of the send carries it (CCIP's local simulator emits none), the envelope
 * is rebuilt from the adapter's own `MessageSent` and its route nonce, and checked against the message id; the
 * destination adapter's `Executed`, `ExecutionFailed` and `Retried` for the same id; and what can be done next.
 */
import {
  type Address,
  type BlockNumber,
  type BlockTag,
  type Hex,
  type Log,
  type PublicClient,
  type TransactionReceipt,
  concat,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  hexToBigInt,
  hexToNumber,
  isAddress,
  isAddressEqual,
  keccak256,
  numberToHex,
  pad,
  parseAbi,
  parseEventLogs,
  size,
  slice,
  toHex,
  zeroAddress,
} from "viem";
import { concordAdapterAbi, iConcordAdapterAbi } from "./generated/abis.js";
import { parseEvmV1 } from "./codec.js";
import { type DecodedConcordError, decodeConcordError } from "./decodeError.js";
import { ConcordStateError } from "./errors.js";
import { LogPager, eventTopics, startBlock } from "./logs.js";
import { type EventPoint, type WriteClients, pointOf, writeAndWait } from "./transact.js";

/** Length of the adapter envelope's packed header: nonce (8) | origin (4) | sender (20) | recipient (20) | gasLimit (4). */
export const ADAPTER_ENVELOPE_HEADER_LENGTH = 56;

/** The adapter envelope (`AdapterEnvelope.decode` in Solidity). */
export type AdapterEnvelope = {
  nonce: bigint;
  origin: number;
  sender: Address;
  recipient: Address;
  gasLimit: number;
  payload: Hex;
};

/** Decodes a packed adapter envelope (what travels over the protocol). */
export function decodeAdapterEnvelope(envelope: Hex): AdapterEnvelope {
  if (size(envelope) < ADAPTER_ENVELOPE_HEADER_LENGTH)
    throw new ConcordStateError(
      "malformed adapter envelope",
      `${size(envelope)} bytes, shorter than its header`,
    );
  return {
    nonce: hexToBigInt(slice(envelope, 0, 8)),
    origin: hexToNumber(slice(envelope, 8, 12)),
    sender: getAddress(slice(envelope, 12, 32)),
    recipient: getAddress(slice(envelope, 32, 52)),
    gasLimit: hexToNumber(slice(envelope, 52, 56)),
    payload: size(envelope) === ADAPTER_ENVELOPE_HEADER_LENGTH ? "0x" : slice(envelope, 56),
  };
}

/** What a protocol's own message of an adapter send is: its id in the protocol, and the envelope it carries. */
export type ProtocolMessage = {
  protocol: string;
  messageId: Hex;
  envelope: Hex;
  /** The adapter the protocol message is addressed to, when the protocol's event names it (Hyperlane: the
   * recipient), else the origin adapter's current `remote(destination)` is used. */
  destinationAdapter?: Address;
};

/**
 * How to find the protocol's message of an adapter send in the send's transaction: the protocol's events of the
 * adapter's call after the adapter's `MessageSent` (sends cannot nest). One entry per protocol. The candidates are
 * checked by the caller: the one whose envelope gives back the adapter message id (`messageIdOf`) is the message, so
 * an event that only looks like the protocol's (emitted by another contract of the transaction) is never taken.
 */
export type AdapterProtocolDecoder = {
  /** Protocol key (as in the deploy config, e.g. "hyperlane"). */
  protocol: string;
  /** The protocol messages in `logs` (the send's receipt) sent by `adapter` after log index `after`, in log order. */
  candidates: (logs: readonly Log[], adapter: Address, after: number) => ProtocolMessage[];
};

const MAILBOX_EVENTS = parseAbi([
  "event Dispatch(address indexed sender, uint32 indexed destination, bytes32 indexed recipient, bytes message)",
  "event DispatchId(bytes32 indexed messageId)",
]);
/** Offset of the body in a Hyperlane v3 message: version (1) | nonce (4) | origin (4) | sender (32) |
 * destination (4) | recipient (32). */
const HYPERLANE_BODY_OFFSET = 77;

/** Hyperlane: a Mailbox's `Dispatch` with the adapter as sender, then that Mailbox's `DispatchId` (`Mailbox.dispatch`
 * emits both, in this order). */
export const HYPERLANE_DECODER: AdapterProtocolDecoder = {
  protocol: "hyperlane",
  candidates(logs, adapter, after) {
    const parsed = parseEventLogs({ abi: MAILBOX_EVENTS, logs: logs as Log[], strict: true }).sort(
      (a, b) => a.logIndex - b.logIndex,
    );
    const out: ProtocolMessage[] = [];
    for (const [i, dispatch] of parsed.entries()) {
      if (dispatch.eventName !== "Dispatch" || dispatch.logIndex <= after) continue;
      if (!isAddressEqual(dispatch.args.sender, adapter)) continue;
      if (size(dispatch.args.message) < HYPERLANE_BODY_OFFSET) continue;
      const id = parsed
        .slice(i + 1)
        .find((l) => l.eventName === "DispatchId" && isAddressEqual(l.address, dispatch.address));
      if (!id || id.eventName !== "DispatchId") continue;
      const recipient = dispatch.args.recipient;
      out.push({
        protocol: "hyperlane",
        messageId: id.args.messageId,
        envelope: slice(dispatch.args.message, HYPERLANE_BODY_OFFSET),
        ...(hexToBigInt(recipient) >> 160n === 0n
          ? { destinationAdapter: getAddress(slice(recipient, 12)) }
          : {}),
      });
    }
    return out;
  },
};

const WORMHOLE_EVENTS = parseAbi([
  "event LogMessagePublished(address indexed sender, uint64 sequence, uint32 nonce, bytes payload, uint8 consistencyLevel)",
]);
/** Bytes of a WormholeAdapter's published payload before the envelope: destination domain (4) | adapter (20). */
const WORMHOLE_DESTINATION_HEADER_LENGTH = 24;

/** Wormhole: the core bridge's `LogMessagePublished` with the adapter as sender (the emitter); its payload is
 * `destination (4) | destination adapter (20) | envelope`. The protocol id is the emitter's sequence (as a 32-byte
 * word, what the adapter's `_send` returns); the VAA is (emitter chain, emitter = the adapter, sequence). */
export const WORMHOLE_DECODER: AdapterProtocolDecoder = {
  protocol: "wormhole",
  candidates(logs, adapter, after) {
    return parseEventLogs({ abi: WORMHOLE_EVENTS, logs: logs as Log[], strict: true })
      .filter(
        (l) =>
          l.logIndex > after &&
          isAddressEqual(l.args.sender, adapter) &&
          size(l.args.payload) >= WORMHOLE_DESTINATION_HEADER_LENGTH,
      )
      .sort((a, b) => a.logIndex - b.logIndex)
      .map((l) => ({
        protocol: "wormhole",
        messageId: pad(toHex(l.args.sequence), { size: 32 }),
        envelope: slice(l.args.payload, WORMHOLE_DESTINATION_HEADER_LENGTH),
        destinationAdapter: getAddress(slice(l.args.payload, 4, WORMHOLE_DESTINATION_HEADER_LENGTH)),
      }));
  },
};

const AXELAR_EVENTS = parseAbi([
  "event ContractCall(address indexed sender, string destinationChain, string destinationContractAddress, bytes32 indexed payloadHash, bytes payload)",
]);

/** Axelar: the gateway's `ContractCall` with the adapter as sender; its payload is the envelope, its destination
 * contract the destination adapter (a hex string). The protocol id is the payload hash (what the adapter's `_send`
 * returns); Axelar's own message id is `<transaction hash>-<log index>` of this event. */
export const AXELAR_DECODER: AdapterProtocolDecoder = {
  protocol: "axelar",
  candidates(logs, adapter, after) {
    return parseEventLogs({ abi: AXELAR_EVENTS, logs: logs as Log[], strict: true })
      .filter((l) => l.logIndex > after && isAddressEqual(l.args.sender, adapter))
      .sort((a, b) => a.logIndex - b.logIndex)
      .map((l) => ({
        protocol: "axelar",
        messageId: l.args.payloadHash,
        envelope: l.args.payload,
        ...(isAddress(l.args.destinationContractAddress, { strict: false })
          ? { destinationAdapter: getAddress(l.args.destinationContractAddress) }
          : {}),
      }));
  },
};

const LAYERZERO_EVENTS = parseAbi([
  "event PacketSent(bytes encodedPayload, bytes options, address sendLibrary)",
]);
/** LayerZero packet v1: version (1) | nonce (8) | srcEid (4) | sender (32) | dstEid (4) | receiver (32) | guid (32) |
 * message. */
const LZ_SENDER_OFFSET = 13;
const LZ_RECEIVER_OFFSET = 49;
const LZ_GUID_OFFSET = 81;
const LZ_MESSAGE_OFFSET = 113;

/** LayerZero V2: the endpoint's `PacketSent` whose packet's sender is the adapter; the packet's message is the
 * envelope, its receiver the destination adapter, its guid LayerZero's message id. */
export const LAYERZERO_DECODER: AdapterProtocolDecoder = {
  protocol: "layerzero",
  candidates(logs, adapter, after) {
    return parseEventLogs({ abi: LAYERZERO_EVENTS, logs: logs as Log[], strict: true })
      .filter((l) => {
        if (l.logIndex <= after || size(l.args.encodedPayload) < LZ_MESSAGE_OFFSET) return false;
        const sender = slice(l.args.encodedPayload, LZ_SENDER_OFFSET, LZ_RECEIVER_OFFSET - 4);
        return hexToBigInt(sender) === hexToBigInt(adapter);
      })
      .sort((a, b) => a.logIndex - b.logIndex)
      .map((l) => {
        const receiver = slice(l.args.encodedPayload, LZ_RECEIVER_OFFSET, LZ_GUID_OFFSET);
        return {
          protocol: "layerzero",
          messageId: slice(l.args.encodedPayload, LZ_GUID_OFFSET, LZ_MESSAGE_OFFSET),
          envelope:
            size(l.args.encodedPayload) === LZ_MESSAGE_OFFSET
              ? "0x"
              : slice(l.args.encodedPayload, LZ_MESSAGE_OFFSET),
          ...(hexToBigInt(receiver) >> 160n === 0n
            ? { destinationAdapter: getAddress(slice(receiver, 12)) }
            : {}),
        };
      });
  },
};

const CCIP_ONRAMP_EVENTS = parseAbi([
  "struct RampMessageHeader { bytes32 messageId; uint64 sourceChainSelector; uint64 destChainSelector; uint64 sequenceNumber; uint64 nonce; }",
  "struct EVM2AnyTokenTransfer { address sourcePoolAddress; bytes destTokenAddress; bytes extraData; uint256 amount; bytes destExecData; }",
  "struct EVM2AnyRampMessage { RampMessageHeader header; address sender; bytes data; bytes receiver; bytes extraArgs; address feeToken; uint256 feeTokenAmount; uint256 feeValueJuels; EVM2AnyTokenTransfer[] tokenAmounts; }",
  "event CCIPMessageSent(uint64 indexed destChainSelector, uint64 indexed sequenceNumber, EVM2AnyRampMessage message)",
]);

/** CCIP (OnRamp 1.6, @chainlink/contracts-ccip 1.6.2): the OnRamp's `CCIPMessageSent` whose message's sender is the
 * adapter (the Router forwards the adapter as the original sender); its data is the envelope, its receiver the
 * destination adapter (ABI-encoded), its header's message id CCIP's message id (what `ccipSend` returns). Chainlink's
 * local simulator (`MockCCIPRouter`) has no OnRamp and emits no such event: there the envelope is rebuilt from the
 * adapter's own events (see {@link envelopeFromAdapterEvents}). */
export const CCIP_DECODER: AdapterProtocolDecoder = {
  protocol: "ccip",
  candidates(logs, adapter, after) {
    return parseEventLogs({ abi: CCIP_ONRAMP_EVENTS, logs: logs as Log[], strict: true })
      .filter((l) => l.logIndex > after && isAddressEqual(l.args.message.sender, adapter))
      .sort((a, b) => a.logIndex - b.logIndex)
      .map((l) => {
        const receiver = l.args.message.receiver;
        return {
          protocol: "ccip",
          messageId: l.args.message.header.messageId,
          envelope: l.args.message.data,
          ...(size(receiver) === 32 && hexToBigInt(receiver) >> 160n === 0n
            ? { destinationAdapter: getAddress(slice(receiver, 12)) }
            : {}),
        };
      });
  },
};

/** Every protocol whose message `adapterMessageStatus` recognises. */
export const ADAPTER_PROTOCOL_DECODERS: readonly AdapterProtocolDecoder[] = [
  HYPERLANE_DECODER,
  LAYERZERO_DECODER,
  WORMHOLE_DECODER,
  AXELAR_DECODER,
  CCIP_DECODER,
];

/** Reads of one chain: its client, where its logs start, and the pager to read them with. */
export type ChainReader = {
  publicClient: PublicClient;
  /** First block to search (the registry's `deployBlock`); default 0. */
  fromBlock?: BlockNumber | BlockTag;
  /** Share one per RPC endpoint (default: a new one). */
  logPager?: LogPager;
};

/** An adapter on a chain. */
export type AdapterEndpoint = ChainReader & { adapter: Address };

/** The send of an adapter message, from the origin adapter's events in its transaction. */
export type AdapterSend = EventPoint & {
  /** ERC-7930 sender and recipient, as in `MessageSent`. */
  sender: Hex;
  recipient: Hex;
  /** The destination domain and recipient, parsed from the ERC-7930 recipient. */
  destination: number;
  recipientAddress: Address;
  payload: Hex;
  /** The ERC-7786 attributes of the send (`gasLimit(uint256)` at most). */
  attributes: readonly Hex[];
  /** What the protocol kept (`AdapterMessageSent.fee`). */
  fee: bigint;
  /** Paid from the adapter's sponsor balance. */
  sponsored: boolean;
};

/**
 * - UNKNOWN: the origin adapter sent no message with this id (wrong chain or adapter, or not mined yet);
 * - SENT: sent, not delivered on the destination adapter (the protocol's relayers deliver it);
 * - EXECUTED: the recipient accepted it (at delivery or on a retry);
 * - FAILED: delivered, the recipient failed: the destination adapter holds it, anyone may `retry` it.
 */
export type AdapterMessageStatus = "UNKNOWN" | "SENT" | "EXECUTED" | "FAILED";

/** A call someone can make now (target, function, arguments and the exact calldata). */
export type AdapterCall = {
  chainDomain: number;
  to: Address;
  functionName: string;
  /** Human-readable signature with the arguments, e.g. `retry(31337, 0x…, 0x…, 200000)`. */
  call: string;
  args: readonly unknown[];
  data: Hex;
};

export type AdapterMessageStatusReturnType = {
  status: AdapterMessageStatus;
  messageId: Hex;
  origin?: number;
  originAdapter: Address;
  destination?: number;
  /** The destination adapter: the protocol message's recipient, else the origin adapter's `remote(destination)` now
   * (address(0): none enrolled). */
  destinationAdapter?: Address;
  sent?: AdapterSend;
  /** The protocol's own message of the same send (Hyperlane: the Mailbox's message id), when recognised. */
  protocolMessage?: ProtocolMessage;
  envelope?: AdapterEnvelope;
  /** The envelope's bytes (what the destination's `status` and `retry` take), when found. */
  envelopeBytes?: Hex;
  /** Where the envelope came from: "protocol", the body of the protocol's message of the send; "adapter-events",
   * rebuilt from the origin adapter's `MessageSent` and route nonce (see {@link envelopeFromAdapterEvents}). */
  envelopeSource?: "protocol" | "adapter-events";
  /** First delivery on the destination adapter (its first `Executed` or `ExecutionFailed`). */
  delivered?: EventPoint;
  /** `Executed` on the destination (by the delivery or a retry). */
  executed?: EventPoint;
  /** Every `ExecutionFailed`, oldest first. */
  failures: (EventPoint & { revertData: Hex; reason: DecodedConcordError })[];
  /** Every `retry`, oldest first. */
  retries: (EventPoint & { caller: Address; gasLimit: number; success: boolean })[];
  retried: boolean;
  /** What to do next: a sentence, and for a FAILED message the `retry` call anyone can send. */
  next: { text: string; retry?: AdapterCall };
};

export type AdapterMessageStatusParameters = {
  /** The origin chain and the adapter that sent the message. */
  origin: AdapterEndpoint;
  /**
   * The destination chain, or a function that gives it from the destination domain (read from the ERC-7930
   * recipient); undefined when the destination is unknown (the status then stops at SENT). The destination adapter is
   * the origin adapter's `remote(destination)`.
   */
  destination?: ChainReader | ((domain: number) => ChainReader | undefined);
  messageId: Hex;
  /** Protocol decoders to try (default: {@link ADAPTER_PROTOCOL_DECODERS}). */
  decoders?: readonly AdapterProtocolDecoder[];
};

type Parsed = Log<bigint, number, false> & { eventName: string; args: Record<string, unknown> };

/** The adapter's events `eventNames` about `id` (topic 1), oldest first. */
async function adapterEvents(
  endpoint: AdapterEndpoint,
  eventNames: readonly string[],
  id: Hex,
): Promise<Parsed[]> {
  const pager = endpoint.logPager ?? new LogPager(endpoint.publicClient);
  const signatures = eventNames.map((name) => eventTopics(iConcordAdapterAbi, name)[0] as Hex);
  const logs = await pager.getLogsToLatest(
    { address: endpoint.adapter, topics: [signatures, id] },
    startBlock(endpoint.fromBlock),
  );
  const parsed = parseEventLogs({ abi: iConcordAdapterAbi, logs, strict: true }) as unknown as Parsed[];
  return parsed
    .filter((l) => eventNames.includes(l.eventName))
    .sort((a, b) =>
      a.blockNumber !== b.blockNumber ? (a.blockNumber < b.blockNumber ? -1 : 1) : a.logIndex - b.logIndex,
    );
}

/**
 * Finds the send of `messageId` on the origin adapter: `MessageSent` (sendId) and `AdapterMessageSent` of the same
 * transaction, and the protocol messages of the adapter in that transaction after it (unchecked candidates: see
 * {@link AdapterProtocolDecoder}). Undefined when the adapter sent no such message.
 */
export async function findAdapterSend(
  origin: AdapterEndpoint,
  messageId: Hex,
  decoders: readonly AdapterProtocolDecoder[] = ADAPTER_PROTOCOL_DECODERS,
): Promise<{ sent: AdapterSend; candidates: ProtocolMessage[] } | undefined> {
  const [messageSent] = await adapterEvents(origin, ["MessageSent"], messageId);
  if (!messageSent) return undefined;
  const receipt = await origin.publicClient.getTransactionReceipt({ hash: messageSent.transactionHash });
  const ours = parseEventLogs({ abi: iConcordAdapterAbi, logs: receipt.logs, strict: true }).filter((l) =>
    isAddressEqual(l.address, origin.adapter),
  );
  const adapterSent = ours.find(
    (l) => l.eventName === "AdapterMessageSent" && l.args.messageId.toLowerCase() === messageId.toLowerCase(),
  );
  const args = messageSent.args as { sender: Hex; recipient: Hex; payload: Hex; attributes: readonly Hex[] };
  const recipient = parseEvmV1(args.recipient);
  const point = await pointOf(origin.publicClient, messageSent);
  const sent: AdapterSend = {
    ...point,
    sender: args.sender,
    recipient: args.recipient,
    destination: Number(recipient.chainId),
    recipientAddress: recipient.address,
    payload: args.payload,
    attributes: args.attributes,
    fee: adapterSent?.eventName === "AdapterMessageSent" ? adapterSent.args.fee : 0n,
    sponsored: adapterSent?.eventName === "AdapterMessageSent" ? adapterSent.args.sponsored : false,
  };
  const candidates = decoders.flatMap((d) =>
    d.candidates(receipt.logs, origin.adapter, messageSent.logIndex),
  );
  return { sent, candidates };
}

const ZERO_HASH = `0x${"00".repeat(32)}`;

/** `bytes4(keccak256("gasLimit(uint256)"))`, the only attribute an adapter accepts. */
const GAS_LIMIT_ATTRIBUTE = "0xce296026";

/** How many nonces below the route's current one {@link envelopeFromAdapterEvents} tries when the origin chain cannot
 * answer for the state at the send's block (a pruned node). */
export const ENVELOPE_NONCE_SCAN = 4096;

const MESSAGE_ID_PREIMAGE = [
  { type: "uint8" },
  { type: "uint32" },
  { type: "address" },
  { type: "uint32" },
  { type: "address" },
  { type: "bytes" },
] as const;

/**
 * Rebuilds an adapter message's envelope from the origin adapter's own events, whatever the protocol (used when no
 * protocol event of the send carries it, e.g. CCIP through Chainlink's local simulator). Every field but the nonce is
 * in the send's ERC-7786 `MessageSent`: the sender (ERC-7930 sender), the recipient (ERC-7930 recipient), the payload
 * and the gas limit (its `gasLimit(uint256)` attribute, else the adapter's immutable `defaultGasLimit`). The nonce is
 * the route's `nonce(destination)` before the send: it lies between the route's nonce at the end of the previous block
 * and at the end of the send's block (read at those blocks), or, when the node cannot answer for past state, among
 * the last {@link ENVELOPE_NONCE_SCAN} below the current one. A candidate is accepted only when it gives back the
 * message id itself (`keccak256(abi.encode(ADAPTER_MESSAGE_VERSION, origin, originAdapter, destination,
 * destinationAdapter, envelope))`, with the route's destination adapter at the send's block or now), so a wrong
 * rebuild is never returned. Gives the envelope and the destination adapter it was sent to; undefined when none
 * matches.
 */
export async function envelopeFromAdapterEvents(
  origin: AdapterEndpoint,
  sent: AdapterSend,
  p: { messageId: Hex; originDomain: number; destinationAdapters?: readonly Address[] },
): Promise<{ envelope: Hex; destinationAdapter: Address } | undefined> {
  const c = origin.publicClient;
  const read = { address: origin.adapter, abi: concordAdapterAbi } as const;
  let sender: Address;
  try {
    sender = parseEvmV1(sent.sender).address;
  } catch {
    return undefined;
  }
  const attribute = sent.attributes.find(
    (a) => size(a) === 36 && slice(a, 0, 4).toLowerCase() === GAS_LIMIT_ATTRIBUTE,
  );
  const [gasLimit, version] = await Promise.all([
    attribute
      ? Promise.resolve(Number(hexToBigInt(slice(attribute, 4))))
      : c.readContract({ ...read, functionName: "defaultGasLimit" }),
    c.readContract({ ...read, functionName: "ADAPTER_MESSAGE_VERSION" }),
  ]);
  if (gasLimit > 0xffff_ffff) return undefined;
  const atBlock = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch {
      return undefined;
    }
  };
  const nonceAt = (blockNumber?: bigint) =>
    c.readContract({
      ...read,
      functionName: "nonce",
      args: [sent.destination],
      ...(blockNumber === undefined ? {} : { blockNumber }),
    });
  const [before, after, remoteThen] = await Promise.all([
    sent.blockNumber > 0n ? atBlock(() => nonceAt(sent.blockNumber - 1n)) : Promise.resolve(0n),
    atBlock(() => nonceAt(sent.blockNumber)),
    atBlock(() =>
      c.readContract({
        ...read,
        functionName: "remote",
        args: [sent.destination],
        blockNumber: sent.blockNumber,
      }),
    ),
  ]);
  let lo: bigint;
  let hi: bigint;
  if (before !== undefined && after !== undefined) [lo, hi] = [before, after];
  else {
    hi = await nonceAt();
    lo = hi > BigInt(ENVELOPE_NONCE_SCAN) ? hi - BigInt(ENVELOPE_NONCE_SCAN) : 0n;
  }
  const destinations = [...(remoteThen ? [remoteThen] : []), ...(p.destinationAdapters ?? [])].filter(
    (a, i, all) => all.findIndex((b) => isAddressEqual(a, b)) === i,
  );
  const tail = concat([
    numberToHex(p.originDomain, { size: 4 }),
    sender,
    sent.recipientAddress,
    numberToHex(gasLimit, { size: 4 }),
    sent.payload,
  ]);
  const want = p.messageId.toLowerCase();
  for (let n = hi - 1n; n >= lo; n--) {
    const envelope = concat([numberToHex(n, { size: 8 }), tail]).toLowerCase() as Hex;
    for (const destinationAdapter of destinations) {
      const id = keccak256(
        encodeAbiParameters(MESSAGE_ID_PREIMAGE, [
          version,
          p.originDomain,
          origin.adapter,
          sent.destination,
          destinationAdapter,
          envelope,
        ]),
      );
      if (id === want) return { envelope, destinationAdapter: getAddress(destinationAdapter) };
    }
  }
  return undefined;
}

/**
 * The lifecycle of an adapter message across its two chains in one call: sent on the origin adapter (block,
 * transaction, fee, sponsored), the protocol's message of the same send, then delivered / executed / failed /
 * retried on the destination adapter (the protocol message's recipient, else the origin adapter's `remote` for the
 * destination domain), and what to do
 * next (for FAILED: the destination adapter's `retry(origin, originAdapter, envelope, gasLimit)`, the envelope being
 * the protocol message's body).
 */
export async function adapterMessageStatus(
  p: AdapterMessageStatusParameters,
): Promise<AdapterMessageStatusReturnType> {
  const base: AdapterMessageStatusReturnType = {
    status: "UNKNOWN",
    messageId: p.messageId,
    originAdapter: p.origin.adapter,
    failures: [],
    retries: [],
    retried: false,
    next: { text: "check the message id, the origin chain and its adapter" },
  };
  const found = await findAdapterSend(p.origin, p.messageId, p.decoders);
  if (!found) return base;
  const { sent, candidates } = found;
  const o = p.origin.publicClient;
  const adapterRead = { address: p.origin.adapter, abi: iConcordAdapterAbi } as const;
  const [origin, enrolled] = await Promise.all([
    o.readContract({ ...adapterRead, functionName: "localDomain" }),
    o.readContract({ ...adapterRead, functionName: "remote", args: [sent.destination] }),
  ]);
  // The protocol message is the candidate whose body (the envelope) gives back this message id.
  let protocolMessage: ProtocolMessage | undefined;
  for (const candidate of candidates) {
    const id = await o.readContract({
      ...adapterRead,
      functionName: "messageIdOf",
      args: [
        origin,
        p.origin.adapter,
        sent.destination,
        candidate.destinationAdapter ?? enrolled,
        candidate.envelope,
      ],
    });
    if (id.toLowerCase() === p.messageId.toLowerCase()) {
      protocolMessage = candidate;
      break;
    }
  }
  // No protocol event carries it (e.g. CCIP's local simulator): rebuilt from the adapter's own events, if it can be.
  let envelopeBytes = protocolMessage?.envelope;
  let envelopeSource: AdapterMessageStatusReturnType["envelopeSource"] = protocolMessage
    ? "protocol"
    : undefined;
  let rebuiltFor: Address | undefined;
  if (!envelopeBytes) {
    const rebuilt = await envelopeFromAdapterEvents(p.origin, sent, {
      messageId: p.messageId,
      originDomain: origin,
      destinationAdapters: isAddressEqual(enrolled, zeroAddress) ? [] : [enrolled],
    });
    if (rebuilt)
      [envelopeBytes, envelopeSource, rebuiltFor] = [
        rebuilt.envelope,
        "adapter-events",
        rebuilt.destinationAdapter,
      ];
  }
  const envelope = envelopeBytes ? decodeAdapterEnvelope(envelopeBytes) : undefined;
  // Where it went: the protocol message's recipient, or the adapter the rebuilt envelope's id names, else (no
  // envelope found) the adapter enrolled now.
  const destinationAdapter = protocolMessage?.destinationAdapter ?? rebuiltFor ?? enrolled;
  const result: AdapterMessageStatusReturnType = {
    ...base,
    status: "SENT",
    origin,
    destination: sent.destination,
    destinationAdapter,
    sent,
    ...(protocolMessage ? { protocolMessage } : {}),
    ...(envelope ? { envelope, envelopeBytes, envelopeSource } : {}),
  };
  const reader = typeof p.destination === "function" ? p.destination(sent.destination) : p.destination;
  if (isAddressEqual(destinationAdapter, zeroAddress)) {
    result.next = {
      text: `the origin adapter has no adapter enrolled for domain ${sent.destination} (setRemote)`,
    };
    return result;
  }
  if (!reader) {
    result.next = {
      text: `domain ${sent.destination} is not one of the chains given: its status is not read`,
    };
    return result;
  }
  const d = reader.publicClient;
  const destination: AdapterEndpoint = { ...reader, adapter: destinationAdapter };
  const [events, failedHash] = await Promise.all([
    adapterEvents(destination, ["Executed", "ExecutionFailed", "Retried"], p.messageId),
    d.readContract({
      address: destinationAdapter,
      abi: iConcordAdapterAbi,
      functionName: "failedRevertDataHash",
      args: [p.messageId],
    }),
  ]);
  const executed = events.filter((e) => e.eventName === "Executed");
  const failed = events.filter((e) => e.eventName === "ExecutionFailed");
  const deliveries = events.filter((e) => e.eventName !== "Retried");
  result.failures = await Promise.all(
    failed.map(async (e) => {
      const revertData = e.args.revertData as Hex;
      return { ...(await pointOf(d, e)), revertData, reason: decodeConcordError(revertData) };
    }),
  );
  result.retries = await Promise.all(
    events
      .filter((e) => e.eventName === "Retried")
      .map(async (e) => ({
        ...(await pointOf(d, e)),
        caller: e.args.caller as Address,
        gasLimit: Number(e.args.gasLimit),
        success: e.args.success as boolean,
      })),
  );
  result.retried = result.retries.length > 0;
  if (deliveries[0]) result.delivered = await pointOf(d, deliveries[0]);
  if (executed[0]) result.executed = await pointOf(d, executed[0]);
  if (envelope) {
    const onChain = await d.readContract({
      address: destinationAdapter,
      abi: iConcordAdapterAbi,
      functionName: "status",
      args: [origin, p.origin.adapter, envelopeBytes!],
    });
    result.status = onChain === 2 ? "FAILED" : onChain === 1 ? "EXECUTED" : "SENT";
  } else {
    result.status = failedHash !== ZERO_HASH ? "FAILED" : executed.length ? "EXECUTED" : "SENT";
  }
  if (result.status === "SENT")
    result.next = {
      text: protocolMessage
        ? `${protocolMessage.protocol}'s relayers deliver it (${protocolMessage.protocol} message ${protocolMessage.messageId})`
        : "the protocol's relayers deliver it",
    };
  else if (result.status === "EXECUTED") result.next = { text: "nothing: the recipient accepted it" };
  else if (!envelope || !envelopeBytes)
    result.next = {
      text: "anyone can retry it with the destination adapter's retry(origin, originAdapter, envelope, gasLimit); the envelope was neither in a protocol event of the send's transaction nor rebuilt from the adapter's events",
    };
  else {
    const lastFailure = result.failures.at(-1);
    const outOfGas = lastFailure?.revertData === "0x";
    const gasLimit = outOfGas ? Math.min(envelope.gasLimit * 2, 0xffff_ffff) : envelope.gasLimit;
    const args = [origin, p.origin.adapter, envelopeBytes, gasLimit] as const;
    result.next = {
      text: outOfGas
        ? "anyone can retry it (no revert data: it likely ran out of gas; give more than its limit)"
        : "anyone can retry it, once what the recipient rejects is fixed",
      retry: {
        chainDomain: sent.destination,
        to: destinationAdapter,
        functionName: "retry",
        call: `retry(${origin}, ${p.origin.adapter}, ${envelopeBytes}, ${gasLimit})`,
        args,
        data: encodeFunctionData({ abi: iConcordAdapterAbi, functionName: "retry", args }),
      },
    };
  }
  return result;
}

export type RetryAdapterMessageParameters = WriteClients & {
  /** The destination adapter (where the message FAILED). */
  adapter: Address;
  /** The origin's Concord domain and adapter, as the destination authenticated them. */
  origin: number;
  originAdapter: Address;
  /** The envelope exactly as delivered ({@link adapterMessageStatus} recovers it: `envelopeBytes`). */
  envelope: Hex;
  /** Gas the recipient gets: at least the envelope's own gas limit (the default). */
  gasLimit?: number;
  /** Called with the retry transaction's hash as soon as it is sent. */
  onTransaction?: (hash: Hex) => void;
};

export type RetryAdapterMessageReturnType = {
  receipt: TransactionReceipt;
  messageId: Hex;
  gasLimit: number;
  /** EXECUTED: the recipient accepted it now; FAILED: it failed again (still retryable). */
  status: "EXECUTED" | "FAILED";
  /** The new failure, when it failed again. */
  failure?: { revertData: Hex; reason: DecodedConcordError };
};

/**
 * Re-executes a FAILED adapter message: `adapter.retry(origin, originAdapter, envelope, gasLimit)` (anyone may), and
 * reads the outcome from the adapter's `Retried` event. The adapter refuses (decoded in the ConcordTransactionError)
 * a message that is not FAILED (`ConcordAdapterNotFailed`: never delivered, or already executed) and a gas limit
 * below the envelope's (`ConcordAdapterRetryGasBelowLimit`).
 */
export async function retryAdapterMessage(
  p: RetryAdapterMessageParameters,
): Promise<RetryAdapterMessageReturnType> {
  const gasLimit = p.gasLimit ?? decodeAdapterEnvelope(p.envelope).gasLimit;
  const receipt = await writeAndWait(p, {
    address: p.adapter,
    abi: iConcordAdapterAbi,
    functionName: "retry",
    args: [p.origin, p.originAdapter, p.envelope, gasLimit],
    onTransaction: p.onTransaction,
  });
  const events = parseEventLogs({ abi: iConcordAdapterAbi, logs: receipt.logs, strict: true }).filter((l) =>
    isAddressEqual(l.address, p.adapter),
  );
  const retried = events.find((l) => l.eventName === "Retried");
  if (!retried || retried.eventName !== "Retried")
    throw new ConcordStateError(
      "no Retried event in the retry transaction",
      `transaction ${receipt.transactionHash} on ${p.adapter}`,
    );
  const messageId = retried.args.messageId;
  const result: RetryAdapterMessageReturnType = {
    receipt,
    messageId,
    gasLimit,
    status: retried.args.success ? "EXECUTED" : "FAILED",
  };
  const failed = events.find((l) => l.eventName === "ExecutionFailed");
  if (!retried.args.success && failed?.eventName === "ExecutionFailed")
    result.failure = {
      revertData: failed.args.revertData,
      reason: decodeConcordError(failed.args.revertData),
    };
  return result;
}
