/**
 * Concord wire format, mirroring `contracts/libraries/Message.sol` byte for byte (Hyperlane message v3):
 *
 *   version (uint8) | nonce (uint32) | origin (uint32) | sender (bytes32) | destination (uint32)
 *   | recipient (bytes32) | body (bytes)            messageId = keccak256(message)
 *
 * Concord's body envelope: `body = gasLimit (uint32, big-endian) || payload`, so the destination gas limit is
 * bound into the message id. The ERC-7786 sender a recipient sees is ERC-7930 `formatEvmV1(origin, sender)`
 * (domains are EVM chain ids). Shared vectors: `test/vectors/messages.json`, checked by `test/ts/codec.test.ts`
 * and `test/libraries/Message/Message.t.sol`.
 */
import {
  type Address,
  type Hex,
  concatHex,
  encodePacked,
  getAddress,
  isHex,
  keccak256,
  pad,
  size,
  slice,
  toHex,
} from "viem";
import { ConcordSdkError } from "./errors.js";

/** Message version (Concord and Hyperlane v3). */
export const MESSAGE_VERSION = 3;
/** Bytes before the body. */
export const HEADER_LENGTH = 77;
/** Bytes before the payload (header + 4-byte gas limit). */
export const PAYLOAD_OFFSET = 81;
/** `ConcordGateway.GAS_LIMIT_ATTRIBUTE`: the ERC-7786 attribute selector `gasLimit(uint256)`. */
export const GAS_LIMIT_ATTRIBUTE: Hex = "0xce296026";

const UINT32_MAX = 0xffff_ffff;

/** Thrown for malformed input; `details` names the offending field. */
export class CodecError extends ConcordSdkError {
  override name = "CodecError";
  constructor(shortMessage: string, details: string) {
    super(shortMessage, details);
  }
}

/** A decoded message (all fields of the v3 header, body kept opaque). */
export type Message = {
  version: number;
  nonce: number;
  origin: number;
  /** 32-byte sender (left-padded EVM address for Concord). */
  sender: Hex;
  destination: number;
  /** 32-byte recipient (left-padded EVM address for Concord). */
  recipient: Hex;
  body: Hex;
};

/** A Concord message: the header plus the decoded body envelope. */
export type ConcordMessage = Message & { gasLimit: number; payload: Hex };

function checkUint32(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
    throw new CodecError("Invalid uint32", `${field} = ${value}`);
  }
}

function checkBytes32(field: string, value: Hex): void {
  if (!isHex(value, { strict: true }) || size(value) !== 32) {
    throw new CodecError("Invalid bytes32", `${field} = ${value}`);
  }
}

/** Left-pads an EVM address to 32 bytes (Hyperlane's TypeCasts convention). */
export function addressToBytes32(address: Address): Hex {
  return pad(getAddress(address), { size: 32 }).toLowerCase() as Hex;
}

/** Low 20 bytes of a 32-byte word; throws if the high 12 bytes are not zero (not an EVM address). */
export function bytes32ToAddress(word: Hex): Address {
  checkBytes32("word", word);
  if (BigInt(slice(word, 0, 12)) !== 0n) throw new CodecError("Not a left-padded EVM address", word);
  return getAddress(slice(word, 12, 32));
}

/** Packs a message (`Message.format`). */
export function encodeMessage(message: Message): Hex {
  checkUint32("version", message.version);
  if (message.version > 0xff) throw new CodecError("Invalid uint8", `version = ${message.version}`);
  checkUint32("nonce", message.nonce);
  checkUint32("origin", message.origin);
  checkUint32("destination", message.destination);
  checkBytes32("sender", message.sender);
  checkBytes32("recipient", message.recipient);
  if (!isHex(message.body, { strict: true })) throw new CodecError("Invalid hex", `body = ${message.body}`);
  return encodePacked(
    ["uint8", "uint32", "uint32", "bytes32", "uint32", "bytes32", "bytes"],
    [
      message.version,
      message.nonce,
      message.origin,
      message.sender,
      message.destination,
      message.recipient,
      message.body,
    ],
  );
}

/** Unpacks a message; throws if it is shorter than the header. */
export function decodeMessage(message: Hex): Message {
  if (!isHex(message, { strict: true })) throw new CodecError("Invalid hex", "message");
  if (size(message) < HEADER_LENGTH)
    throw new CodecError("Message too short", `${size(message)} < ${HEADER_LENGTH}`);
  const num = (from: number, to: number): number => Number(BigInt(slice(message, from, to)));
  return {
    version: num(0, 1),
    nonce: num(1, 5),
    origin: num(5, 9),
    sender: slice(message, 9, 41),
    destination: num(41, 45),
    recipient: slice(message, 45, 77),
    body: size(message) === HEADER_LENGTH ? "0x" : slice(message, HEADER_LENGTH),
  };
}

/** `keccak256(message)`. */
export function messageId(message: Hex): Hex {
  return keccak256(message);
}

/** Concord body: `gasLimit || payload`. */
export function encodeBody(gasLimit: number, payload: Hex): Hex {
  checkUint32("gasLimit", gasLimit);
  if (!isHex(payload, { strict: true })) throw new CodecError("Invalid hex", `payload = ${payload}`);
  return encodePacked(["uint32", "bytes"], [gasLimit, payload]);
}

/** Splits a Concord body into gas limit and payload; throws if shorter than 4 bytes. */
export function decodeBody(body: Hex): { gasLimit: number; payload: Hex } {
  if (size(body) < 4) throw new CodecError("Body too short", `${size(body)} < 4`);
  return { gasLimit: Number(BigInt(slice(body, 0, 4))), payload: size(body) === 4 ? "0x" : slice(body, 4) };
}

/** Parameters of `encodeConcordMessage`. */
export type EncodeConcordMessageParameters = {
  nonce: number;
  origin: number;
  sender: Address;
  destination: number;
  recipient: Address;
  gasLimit: number;
  payload: Hex;
};

/** A Concord message as the gateway's `dispatch` builds it. */
export function encodeConcordMessage(p: EncodeConcordMessageParameters): Hex {
  return encodeMessage({
    version: MESSAGE_VERSION,
    nonce: p.nonce,
    origin: p.origin,
    sender: addressToBytes32(p.sender),
    destination: p.destination,
    recipient: addressToBytes32(p.recipient),
    body: encodeBody(p.gasLimit, p.payload),
  });
}

/** Decodes a Concord message (header + envelope); throws if the body has no gas limit. */
export function decodeConcordMessage(message: Hex): ConcordMessage {
  const m = decodeMessage(message);
  return { ...m, ...decodeBody(m.body) };
}

/** Minimal big-endian bytes of a chain id (at least one byte), as OpenZeppelin's InteroperableAddress. */
function chainReference(chainId: bigint): Hex {
  if (chainId < 0n) throw new CodecError("Invalid chain id", chainId.toString());
  const hex = chainId.toString(16);
  return `0x${hex.length % 2 === 0 ? hex : `0${hex}`}` as Hex;
}

/** ERC-7930 interoperable address of an EVM account (`InteroperableAddress.formatEvmV1`). */
export function formatEvmV1(chainId: number | bigint, address: Address): Hex {
  const ref = chainReference(BigInt(chainId));
  return concatHex([
    "0x00010000",
    toHex(size(ref), { size: 1 }),
    ref,
    "0x14",
    getAddress(address).toLowerCase() as Hex,
  ]);
}

/** Parses an ERC-7930 EVM interoperable address with a 20-byte address (strict: no trailing bytes). */
export function parseEvmV1(interoperable: Hex): { chainId: bigint; address: Address } {
  const n = size(interoperable);
  if (n < 6 || slice(interoperable, 0, 4) !== "0x00010000")
    throw new CodecError("Not an EVM v1 address", interoperable);
  const refLength = Number(BigInt(slice(interoperable, 4, 5)));
  if (
    refLength === 0 ||
    n !== 6 + refLength + 20 ||
    Number(BigInt(slice(interoperable, 5 + refLength, 6 + refLength))) !== 20
  ) {
    throw new CodecError("Not an EVM v1 address with chain and address", interoperable);
  }
  return {
    chainId: BigInt(slice(interoperable, 5, 5 + refLength)),
    address: getAddress(slice(interoperable, 6 + refLength, n)),
  };
}

/** The ERC-7786 `sender` the destination gateway hands to the recipient of `message`. */
export function recipientSender(message: Hex): Hex {
  const m = decodeMessage(message);
  return formatEvmV1(m.origin, bytes32ToAddress(m.sender));
}
