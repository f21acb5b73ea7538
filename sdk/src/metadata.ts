/**
 * Concord verifier metadata: checkpoint digests and metadata builders per `moduleType`.
 *
 * Mirrors, byte for byte:
 * - `contracts/libraries/CheckpointDigest.sol` (what validators sign, raw: no EIP-191 envelope),
 * - `contracts/isms/MessageIdMultisigVerifier.sol` / `MerkleRootMultisigVerifier.sol` (metadata layouts),
 * - `contracts/isms/AggregationVerifier.sol` (range table, Hyperlane-compatible),
 * - `contracts/isms/RangeCheckpointMultisigVerifier.sol` (range tree, range digest, range metadata;
 *   vectors `test/vectors/range.json`, checked by `test/ts/metadata-range.test.ts` and
 *   `test/isms/RangeCheckpointVectors.t.sol`),
 * - `contracts/libraries/MerkleTree.sol` (index-ordered depth-32 tree, Hyperlane-compatible).
 * Shared vectors: `test/vectors/multisig.json`, checked by `test/ts/metadata.test.ts` and
 * `test/isms/MultisigVectors.t.sol`.
 */
import {
  type Address,
  type Hex,
  type LocalAccount,
  concatHex,
  encodePacked,
  keccak256,
  pad,
  recoverAddress,
  size,
  toHex,
} from "viem";
import { ConcordSdkError } from "./errors.js";

/** Protocol tag hashed into every domain ("CONCORD", 7 ASCII bytes). */
export const PROTOCOL_TAG = "CONCORD";
/** Digest layout version (`CheckpointDigest.DIGEST_VERSION`). */
export const DIGEST_VERSION = 1;
/** Depth of the Merkle tree of message ids. */
export const TREE_DEPTH = 32;
/** Length of one signature `r | s | v`. */
export const SIGNATURE_LENGTH = 65;

/** `moduleType()` values this module builds metadata for (IConcordVerifier numbering). */
export const ModuleType = {
  ROUTING: 1,
  AGGREGATION: 2,
  /** Concord message-id multisig (`IMultisigVerifier.CONCORD_MESSAGE_ID_MULTISIG`). */
  CONCORD_MESSAGE_ID_MULTISIG: 66,
  /** Concord merkle-root multisig (`IMultisigVerifier.CONCORD_MERKLE_ROOT_MULTISIG`). */
  CONCORD_MERKLE_ROOT_MULTISIG: 67,
  /** Concord range-checkpoint multisig (`CONCORD_RANGE_CHECKPOINT_MULTISIG`). */
  CONCORD_RANGE_CHECKPOINT_MULTISIG: 68,
} as const;
export type ModuleType = (typeof ModuleType)[keyof typeof ModuleType];

/** Error raised by the metadata builders: a short message plus details, viem's style. */
export class MetadataError extends ConcordSdkError {
  override name = "MetadataError";
}

const UINT32_MAX = 0xffff_ffff;

function assertUint32(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
    throw new MetadataError(`${name} is not a uint32`, `${name} = ${value}`);
  }
}

function assertBytes32(name: string, value: Hex): void {
  if (size(value) !== 32) throw new MetadataError(`${name} is not 32 bytes`, `${name} = ${value}`);
}

/** Left-pads a 20-byte address (or passes through a 32-byte word): Hyperlane's `addressToBytes32`. */
export function toBytes32(addressOrWord: Address | Hex): Hex {
  const n = size(addressOrWord);
  if (n === 32) return addressOrWord;
  if (n === 20) return pad(addressOrWord, { size: 32 });
  throw new MetadataError("expected a 20-byte address or a 32-byte word", `got ${n} bytes: ${addressOrWord}`);
}

// ---------------------------------------------------------------------------------------------
// Digest (CheckpointDigest.sol)
// ---------------------------------------------------------------------------------------------

/** What a digest commits to: a message id (message-id multisig) or a tree root (merkle-root multisig). */
export const DigestKind = { MESSAGE_ID: 1, MERKLE_ROOT: 2 } as const;
export type DigestKind = (typeof DigestKind)[keyof typeof DigestKind];

/** The signed statement: `commitment` of `kind` at `index`, for one origin domain and origin gateway. */
export type DigestParameters = {
  /** Origin domain (EVM chain id). */
  origin: number;
  /** Origin gateway (or Hyperlane MerkleTreeHook): address or 32-byte word. */
  originGateway: Address | Hex;
  kind: DigestKind;
  /** Message id (MESSAGE_ID) or Merkle root (MERKLE_ROOT). */
  commitment: Hex;
  /** The message's nonce (MESSAGE_ID) or the checkpoint's last leaf index (MERKLE_ROOT). */
  index: number;
};

/** `keccak256("CONCORD" | uint8 version | uint32 origin | bytes32 originGateway)`. */
export function domainHash(origin: number, originGateway: Address | Hex): Hex {
  assertUint32("origin", origin);
  return keccak256(
    encodePacked(
      ["bytes7", "uint8", "uint32", "bytes32"],
      [toHex(PROTOCOL_TAG), DIGEST_VERSION, origin, toBytes32(originGateway)],
    ),
  );
}

/**
 * `keccak256(domainHash | uint8 kind | bytes32 commitment | uint32 index)`: the 32 bytes validators sign raw
 * (no EIP-191 envelope; see `CheckpointDigest.sol` for why).
 */
export function signedDigest(p: DigestParameters): Hex {
  assertUint32("index", p.index);
  assertBytes32("commitment", p.commitment);
  if (p.kind !== DigestKind.MESSAGE_ID && p.kind !== DigestKind.MERKLE_ROOT) {
    throw new MetadataError("unknown digest kind", String(p.kind));
  }
  return keccak256(
    encodePacked(
      ["bytes32", "uint8", "bytes32", "uint32"],
      [domainHash(p.origin, p.originGateway), p.kind, p.commitment, p.index],
    ),
  );
}

/** Digest validators sign for one message (message-id multisig): commitment = id, index = nonce. */
export function messageIdDigest(p: {
  origin: number;
  originGateway: Address | Hex;
  messageId: Hex;
  nonce: number;
}): Hex {
  return signedDigest({ ...p, kind: DigestKind.MESSAGE_ID, commitment: p.messageId, index: p.nonce });
}

/** Digest validators sign for a checkpoint (merkle-root multisig): the root after inserting leaf `index`. */
export function merkleRootDigest(p: {
  origin: number;
  originGateway: Address | Hex;
  root: Hex;
  index: number;
}): Hex {
  return signedDigest({ ...p, kind: DigestKind.MERKLE_ROOT, commitment: p.root });
}

/** A validator's signature, with the signer it must recover to. */
export type SignedDigest = { signer: Address; signature: Hex };

/** An account able to sign a raw 32-byte digest: viem local accounts (`privateKeyToAccount`, HD, custom KMS). */
export type DigestSigner = Pick<LocalAccount, "address"> & {
  sign: (parameters: { hash: Hex }) => Promise<Hex>;
};

/** Signs `digest` raw with a viem account (`account.sign({ hash })`: low-s, v in {27, 28}). */
export async function signDigest(account: DigestSigner, digest: Hex): Promise<SignedDigest> {
  assertBytes32("digest", digest);
  return { signer: account.address, signature: await account.sign({ hash: digest }) };
}

/** Recovers the signer of `signature` over `digest` (what the verifier computes). */
export function recoverSigner(digest: Hex, signature: Hex): Promise<Address> {
  return recoverAddress({ hash: digest, signature });
}

const HALF_CURVE_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * Orders signatures strictly ascending by signer (the verifiers' rule) and packs them as `r | s | v`.
 * Rejects duplicates, non-65-byte signatures, high-s and v outside {27, 28}, so a bad signature fails here
 * rather than on chain.
 */
export function packSignatures(signatures: readonly SignedDigest[]): Hex {
  const sorted = [...signatures].sort((a, b) => {
    const x = BigInt(a.signer);
    const y = BigInt(b.signer);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i]!;
    if (size(entry.signature) !== SIGNATURE_LENGTH) {
      throw new MetadataError("signature is not 65 bytes", `signer ${entry.signer}: ${entry.signature}`);
    }
    const s = BigInt(`0x${entry.signature.slice(66, 130)}`);
    const v = Number.parseInt(entry.signature.slice(130, 132), 16);
    if (s > HALF_CURVE_ORDER) throw new MetadataError("signature has a high s", `signer ${entry.signer}`);
    if (v !== 27 && v !== 28)
      throw new MetadataError("signature v is not 27 or 28", `signer ${entry.signer}: v = ${v}`);
    if (i > 0 && BigInt(sorted[i - 1]!.signer) === BigInt(entry.signer)) {
      throw new MetadataError("duplicate signer", entry.signer);
    }
  }
  return sorted.length === 0 ? "0x" : concatHex(sorted.map((entry) => entry.signature));
}

// ---------------------------------------------------------------------------------------------
// Merkle tree (MerkleTree.sol)
// ---------------------------------------------------------------------------------------------

const ZERO32: Hex = `0x${"00".repeat(32)}`;

function hashPair(left: Hex, right: Hex): Hex {
  return keccak256(concatHex([left, right]));
}

/** Root of the depth-32 tree over `leaves` (zero-padded) and the 32-sibling path of leaf `index`. */
export function merkleProof(leaves: readonly Hex[], index: number): { root: Hex; proof: Hex[] } {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new MetadataError("leaf index out of range", `index ${index}, ${leaves.length} leaves`);
  }
  let nodes: Hex[] = [...leaves];
  let zero = ZERO32;
  let position = index;
  const proof: Hex[] = [];
  for (let level = 0; level < TREE_DEPTH; level++) {
    const sibling = position ^ 1;
    proof.push(sibling < nodes.length ? nodes[sibling]! : zero);
    const next: Hex[] = [];
    for (let i = 0; i < nodes.length; i += 2) {
      next.push(hashPair(nodes[i]!, i + 1 < nodes.length ? nodes[i + 1]! : zero));
    }
    nodes = next;
    zero = hashPair(zero, zero);
    position >>= 1;
  }
  return { root: nodes[0]!, proof };
}

/** The root implied by `leaf` at `index` with sibling path `proof` (`MerkleTree.branchRoot`). */
export function branchRoot(leaf: Hex, proof: readonly Hex[], index: number): Hex {
  if (proof.length !== TREE_DEPTH)
    throw new MetadataError("proof must have 32 siblings", `got ${proof.length}`);
  let current = leaf;
  for (let level = 0; level < TREE_DEPTH; level++) {
    current =
      ((index >>> level) & 1) === 1 ? hashPair(proof[level]!, current) : hashPair(current, proof[level]!);
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// Metadata builders, one per moduleType
// ---------------------------------------------------------------------------------------------

export type MessageIdMetadataParameters = {
  /** Signatures over {@link messageIdDigest} for the message (threshold of them). */
  signatures: readonly SignedDigest[];
};

/** Message-id metadata is the signatures alone: `65 * k` bytes, ascending by signer. */
export function messageIdMetadata({ signatures }: MessageIdMetadataParameters): Hex {
  if (signatures.length === 0) throw new MetadataError("no signatures");
  return packSignatures(signatures);
}

export type MerkleRootMetadataParameters = {
  /** Leaf index of the message being proven. */
  messageIndex: number;
  /** Last leaf index of the signed checkpoint (>= messageIndex). */
  signedIndex: number;
  /** 32 siblings, leaf level first. */
  proof: readonly Hex[];
  /** Signatures over {@link merkleRootDigest} for (root, signedIndex). */
  signatures: readonly SignedDigest[];
};

/** `messageIndex (uint32) | signedIndex (uint32) | proof (32 * 32) | signatures (65 * k)`. */
export function merkleRootMetadata(p: MerkleRootMetadataParameters): Hex {
  assertUint32("messageIndex", p.messageIndex);
  assertUint32("signedIndex", p.signedIndex);
  if (p.messageIndex > p.signedIndex) {
    throw new MetadataError("messageIndex above signedIndex", `${p.messageIndex} > ${p.signedIndex}`);
  }
  if (p.proof.length !== TREE_DEPTH)
    throw new MetadataError("proof must have 32 siblings", `got ${p.proof.length}`);
  p.proof.forEach((sibling, i) => assertBytes32(`proof[${i}]`, sibling));
  if (p.signatures.length === 0) throw new MetadataError("no signatures");
  return concatHex([
    encodePacked(["uint32", "uint32"], [p.messageIndex, p.signedIndex]),
    ...p.proof,
    packSignatures(p.signatures),
  ]);
}

/**
 * Aggregation metadata: one `start (uint32) | end (uint32)` range per sub-verifier (configuration order), then
 * the parts. `null` = no metadata for that sub-verifier (range 0, 0: skipped); `"0x"` = empty metadata.
 */
export function aggregationMetadata(parts: readonly (Hex | null)[]): Hex {
  let cursor = parts.length * 8;
  const table: Hex[] = [];
  const data: Hex[] = [];
  for (const part of parts) {
    if (part === null) {
      table.push(encodePacked(["uint32", "uint32"], [0, 0]));
      continue;
    }
    const end = cursor + size(part);
    if (end > UINT32_MAX) throw new MetadataError("aggregation metadata too large");
    table.push(encodePacked(["uint32", "uint32"], [cursor, end]));
    data.push(part);
    cursor = end;
  }
  return concatHex([...table, ...data]);
}

// ---------------------------------------------------------------------------------------------
// Range checkpoints (RangeCheckpointMultisigVerifier.sol)
// ---------------------------------------------------------------------------------------------

/** Digest kind of a signed range (`CheckpointDigest.KIND_RANGE`; its own layout, see {@link rangeDigest}). */
export const RANGE_DIGEST_KIND = 3;
/** Largest range a range-checkpoint verifier accepts (`MAX_RANGE_LENGTH`). */
export const MAX_RANGE_LENGTH = 1024;

/**
 * `keccak256(domainHash | uint8 3 | bytes32 rangeRoot | uint32 first | uint32 last)`: what validators sign for the
 * range of consecutive messages `first..last` (inclusive) of one origin gateway (`CheckpointDigest.rangeDigest`).
 */
export function rangeDigest(p: {
  origin: number;
  originGateway: Address | Hex;
  rangeRoot: Hex;
  first: number;
  last: number;
}): Hex {
  assertRange(p.first, p.last);
  assertBytes32("rangeRoot", p.rangeRoot);
  return keccak256(
    encodePacked(
      ["bytes32", "uint8", "bytes32", "uint32", "uint32"],
      [domainHash(p.origin, p.originGateway), RANGE_DIGEST_KIND, p.rangeRoot, p.first, p.last],
    ),
  );
}

function assertRange(first: number, last: number): void {
  assertUint32("first", first);
  assertUint32("last", last);
  if (last < first) throw new MetadataError("range has last below first", `first ${first}, last ${last}`);
  if (last - first + 1 > MAX_RANGE_LENGTH) {
    throw new MetadataError(
      "range is longer than MAX_RANGE_LENGTH",
      `${last - first + 1} > ${MAX_RANGE_LENGTH}`,
    );
  }
}

/** Depth of the tree of a range of `length` messages: `ceil(log2(length))` (0 for one message). */
export function rangeDepth(length: number): number {
  if (!Number.isInteger(length) || length < 1 || length > MAX_RANGE_LENGTH) {
    throw new MetadataError("range length out of bounds", `length ${length}, 1..${MAX_RANGE_LENGTH}`);
  }
  let depth = 0;
  while (1 << depth < length) depth++;
  return depth;
}

/** A range tree: its root, depth and the sibling path of every leaf. */
export type RangeTree = {
  root: Hex;
  depth: number;
  /** Siblings of leaf `position` (the message with nonce `first + position`), leaf level first. */
  proof: (position: number) => Hex[];
};

/**
 * The tree over the ids of the consecutive messages of a range (leaf `i` = the id of nonce `first + i`): zero leaves
 * pad it on the right to `2^depth`, inner node = `keccak256(left | right)` in index order. Built once; each proof is
 * then read off the levels.
 */
export function rangeTree(messageIds: readonly Hex[]): RangeTree {
  const depth = rangeDepth(messageIds.length);
  messageIds.forEach((id, i) => assertBytes32(`messageIds[${i}]`, id));
  const levels: Hex[][] = [[...messageIds, ...Array<Hex>((1 << depth) - messageIds.length).fill(ZERO32)]];
  for (let level = 0; level < depth; level++) {
    const nodes = levels[level]!;
    const next: Hex[] = [];
    for (let i = 0; i < nodes.length; i += 2) next.push(hashPair(nodes[i]!, nodes[i + 1]!));
    levels.push(next);
  }
  return {
    root: levels[depth]![0]!,
    depth,
    proof(position: number): Hex[] {
      if (!Number.isInteger(position) || position < 0 || position >= messageIds.length) {
        throw new MetadataError(
          "range position out of range",
          `position ${position}, ${messageIds.length} leaves`,
        );
      }
      const siblings: Hex[] = [];
      for (let level = 0; level < depth; level++) siblings.push(levels[level]![(position >> level) ^ 1]!);
      return siblings;
    },
  };
}

/** The range root implied by `leaf` at `position` with `proof` (what the verifier computes). */
export function rangeBranchRoot(leaf: Hex, proof: readonly Hex[], position: number): Hex {
  let current = leaf;
  proof.forEach((sibling, level) => {
    current = ((position >>> level) & 1) === 1 ? hashPair(sibling, current) : hashPair(current, sibling);
  });
  return current;
}

export type RangeCheckpointMetadataParameters = {
  /** Nonce of the range's first message. */
  first: number;
  /** Nonce of the range's last message (inclusive). */
  last: number;
  /** The message's siblings ({@link RangeTree.proof}), `ceil(log2(last - first + 1))` of them. */
  proof: readonly Hex[];
  /**
   * Signatures over {@link rangeDigest} (threshold of them) to record the range with this delivery; omit (or pass
   * none) once the range is recorded on the verifier (`rangeVerified`): proof-only metadata.
   */
  signatures?: readonly SignedDigest[];
};

/** `first (uint32) | last (uint32) | proof (32 * depth) | signatures (65 * k, optional)`. */
export function rangeCheckpointMetadata(p: RangeCheckpointMetadataParameters): Hex {
  assertRange(p.first, p.last);
  const depth = rangeDepth(p.last - p.first + 1);
  if (p.proof.length !== depth) {
    throw new MetadataError("proof length is not the range's depth", `got ${p.proof.length}, depth ${depth}`);
  }
  p.proof.forEach((sibling, i) => assertBytes32(`proof[${i}]`, sibling));
  const signatures = p.signatures ?? [];
  return concatHex([
    encodePacked(["uint32", "uint32"], [p.first, p.last]),
    ...p.proof,
    ...(signatures.length === 0 ? [] : [packSignatures(signatures)]),
  ]);
}

/** Parameters of {@link buildMetadata}, discriminated by `moduleType`. */
export type BuildMetadataParameters =
  | ({ moduleType: typeof ModuleType.CONCORD_MESSAGE_ID_MULTISIG } & MessageIdMetadataParameters)
  | ({ moduleType: typeof ModuleType.CONCORD_MERKLE_ROOT_MULTISIG } & MerkleRootMetadataParameters)
  | ({ moduleType: typeof ModuleType.CONCORD_RANGE_CHECKPOINT_MULTISIG } & RangeCheckpointMetadataParameters)
  | { moduleType: typeof ModuleType.AGGREGATION; parts: readonly (BuildMetadataParameters | null)[] }
  /** Routing, pausable and rate-limited verifiers pass metadata through: build the routed/inner one's. */
  | { moduleType: typeof ModuleType.ROUTING; inner: BuildMetadataParameters };

/**
 * Builds metadata for a verifier of `moduleType`. Pausable and rate-limited verifiers report their inner
 * verifier's moduleType and take its metadata unchanged; routing verifiers take the routed verifier's.
 */
export function buildMetadata(parameters: BuildMetadataParameters): Hex {
  switch (parameters.moduleType) {
    case ModuleType.CONCORD_MESSAGE_ID_MULTISIG:
      return messageIdMetadata(parameters);
    case ModuleType.CONCORD_MERKLE_ROOT_MULTISIG:
      return merkleRootMetadata(parameters);
    case ModuleType.CONCORD_RANGE_CHECKPOINT_MULTISIG:
      return rangeCheckpointMetadata(parameters);
    case ModuleType.AGGREGATION:
      return aggregationMetadata(
        parameters.parts.map((part) => (part === null ? null : buildMetadata(part))),
      );
    case ModuleType.ROUTING:
      return buildMetadata(parameters.inner);
    default: {
      const unknown: { moduleType: number } = parameters;
      throw new MetadataError("unsupported moduleType", String(unknown.moduleType));
    }
  }
}
