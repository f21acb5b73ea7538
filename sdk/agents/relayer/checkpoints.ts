/**
 * Relayer concern: metadata for the checkpoint families, merkle-root multisig (type 67) and range-checkpoint
 * multisig (type 68). Validators sign one checkpoint per "cut" (see the validator's `CheckpointConfig`), not one
 * signature per message; the relayer fetches the signature covering each message (`POST /signatures` with
 * `kind` 2 or 3), keeps a quorum on ONE (index, root) or (first, last, root), checks the root against its own copy
 * of the origin's messages (its store: every message the origin gateway dispatched, by nonce), and builds each
 * message's proof from that copy. A root it cannot rebuild (it has not indexed every message yet, or the validators
 * signed something else) is not used: the message waits.
 *
 * Range metadata is stored WITH the signatures; at delivery {@link prepareCheckpointBatch} keeps them on one
 * message per range that is not recorded on the verifier yet (the first in the batch not delivered on chain: the
 * gateway checks replay before the verifier, so signatures on a delivered message record nothing) and strips them
 * (proof-only metadata, a prefix) from every other one: the quorum is checked once per range.
 */
import { type Address, type Hex, concatHex, keccak256, parseAbi, size, slice } from "viem";
import { bytes32ToAddress, decodeMessage } from "../../src/codec.js";
import {
  DigestKind,
  ModuleType,
  RANGE_DIGEST_KIND,
  TREE_DEPTH,
  merkleRootDigest,
  merkleRootMetadata,
  rangeBranchRoot,
  rangeCheckpointMetadata,
  rangeDepth,
  rangeDigest,
  rangeTree,
} from "../../src/metadata.js";
import { type ValidatorSignature, fetchValidatorSignatures, selectQuorum } from "../../src/signatures.js";
import type { MessageRecord } from "../store.js";
import type { Chain, VerifierInfo } from "./config.js";
import type { RelayerContext } from "./context.js";
import { shortError } from "./failures.js";

const rangeVerifierAbi = parseAbi([
  "function rangeVerified(uint32 first, uint32 last, bytes32 rangeRoot) view returns (bool)",
]);

/** Whether this module builds metadata for verifiers of `moduleType`. */
export function isCheckpointFamily(moduleType: number): boolean {
  return (
    moduleType === ModuleType.CONCORD_MERKLE_ROOT_MULTISIG ||
    moduleType === ModuleType.CONCORD_RANGE_CHECKPOINT_MULTISIG
  );
}

/** What the signing pass does with one message. */
export type CheckpointDecision = { r: MessageRecord; metadata: Hex } | { r: MessageRecord; waiting: string };

const ZERO32: Hex = `0x${"00".repeat(32)}`;
const hashPair = (a: Hex, b: Hex): Hex => keccak256(concatHex([a, b]));
const ZEROS: Hex[] = [ZERO32];
for (let i = 1; i <= TREE_DEPTH; i++) ZEROS.push(hashPair(ZEROS[i - 1]!, ZEROS[i - 1]!));

/**
 * The origin tree (`MerkleTree.sol`, depth 32) over `leaves`, built once (only the non-empty nodes); proofs are
 * then read off its levels.
 */
export function originTree(leaves: readonly Hex[]): { root: Hex; proof: (index: number) => Hex[] } {
  const levels: Hex[][] = [[...leaves]];
  for (let level = 0; level < TREE_DEPTH; level++) {
    const nodes = levels[level]!;
    const next: Hex[] = [];
    for (let i = 0; i < nodes.length; i += 2)
      next.push(hashPair(nodes[i]!, i + 1 < nodes.length ? nodes[i + 1]! : ZEROS[level]!));
    levels.push(next);
  }
  return {
    root: levels[TREE_DEPTH]![0] ?? ZEROS[TREE_DEPTH]!,
    proof(index: number): Hex[] {
      const out: Hex[] = [];
      for (let level = 0; level < TREE_DEPTH; level++) {
        const sibling = (index >> level) ^ 1;
        out.push(levels[level]![sibling] ?? ZEROS[level]!);
      }
      return out;
    },
  };
}

/** The ids of `origin`'s messages `first..last` in nonce order from the store, or why they are not all known. */
async function idsOf(
  ctx: RelayerContext,
  origin: number,
  first: number,
  last: number,
): Promise<Hex[] | string> {
  const rows = await ctx.store.idsByNonce(origin, first, last);
  if (rows.length !== last - first + 1 || rows.some((row, i) => row.nonce !== first + i))
    return `the relayer has not indexed every message ${first}..${last} of ${origin} yet`;
  // Wait until the relayer itself holds every message it would deliver as final (parked ones never become final),
  // so that the whole range is signed, and delivered, together.
  if (rows.some((row) => !row.final && row.status !== "UNDELIVERABLE"))
    return `messages of ${first}..${last} of ${origin} are not final for the relayer yet`;
  return rows.map((row) => row.id);
}

/** Groups served signatures by the checkpoint they sign; largest group first. */
function groups(
  candidates: readonly ValidatorSignature[],
  key: (s: ValidatorSignature) => string | undefined,
) {
  const out = new Map<string, ValidatorSignature[]>();
  for (const s of candidates) {
    const k = key(s);
    if (k === undefined) continue;
    if (!out.has(k)) out.set(k, []);
    out.get(k)!.push(s);
  }
  return [...out.values()].sort((a, b) => b.length - a.length);
}

/**
 * Metadata for messages of `origin` whose destination verifier is a checkpoint family: one decision per item
 * (metadata once a quorum on one checkpoint is in hand and its root matches the relayer's copy, else why it waits).
 */
export async function checkpointMetadata(
  ctx: RelayerContext,
  origin: Chain,
  items: readonly { r: MessageRecord; verifier: VerifierInfo }[],
  verifierOf?: (r: MessageRecord) => Promise<VerifierInfo | undefined>,
): Promise<CheckpointDecision[]> {
  const decisions: CheckpointDecision[] = [];
  const decided = new Set(items.map((i) => i.r.id));
  // Ranges ready in this pass: their signatures, so that the range's other waiting messages are signed in the
  // same pass (and delivered in the same transaction) even if they were not due yet.
  const ready = new Map<string, { first: number; last: number; group: ValidatorSignature[] }>();
  // One tree per signed checkpoint in this pass (many messages share it).
  const trees = new Map<string, { root: Hex; proof: (i: number) => Hex[] } | string>();
  for (const kind of [DigestKind.MERKLE_ROOT, RANGE_DIGEST_KIND]) {
    const moduleType =
      kind === DigestKind.MERKLE_ROOT
        ? ModuleType.CONCORD_MERKLE_ROOT_MULTISIG
        : ModuleType.CONCORD_RANGE_CHECKPOINT_MULTISIG;
    const mine = items.filter((i) => i.verifier.moduleType === moduleType);
    if (mine.length === 0) continue;
    const urls = ctx.config.validators[origin.domain] ?? [];
    const { signatures, failures } = await fetchValidatorSignatures({
      urls,
      messageIds: mine.map((i) => i.r.id),
      timeoutMs: ctx.config.signatureTimeoutMs ?? 3000,
      kind,
    });
    if (failures.length > 0 && failures.length === urls.length)
      ctx.reportProblem(
        `sign:${origin.domain}`,
        `no validator of ${origin.domain} answered: ${shortError(failures[0])}`,
      );
    for (const { r, verifier } of mine) {
      const served = (signatures.get(r.id) ?? []).filter((s) => s.kind === kind);
      let done = false;
      let why = `signatures 0/${verifier.threshold}`;
      for (const group of groups(served, (s) =>
        kind === RANGE_DIGEST_KIND
          ? Number.isInteger(s.first) && Number.isInteger(s.last) && typeof s.root === "string"
            ? `${s.first}:${s.last}:${s.root.toLowerCase()}`
            : undefined
          : typeof s.root === "string" && Number.isInteger(s.index)
            ? `${s.index}:${s.root.toLowerCase()}`
            : undefined,
      )) {
        const s0 = group[0]!;
        const root = s0.root!.toLowerCase() as Hex;
        const first = kind === RANGE_DIGEST_KIND ? s0.first! : 0;
        const last = kind === RANGE_DIGEST_KIND ? s0.last! : s0.index;
        if (r.nonce < first || r.nonce > last) continue;
        if (kind === RANGE_DIGEST_KIND && (last < first || last - first + 1 > 1024)) continue;
        const digest =
          kind === RANGE_DIGEST_KIND
            ? rangeDigest({ origin: r.origin, originGateway: origin.gateway, rangeRoot: root, first, last })
            : merkleRootDigest({ origin: r.origin, originGateway: origin.gateway, root, index: last });
        const quorum = await selectQuorum({
          digest,
          nonce: kind === RANGE_DIGEST_KIND ? first : last,
          validators: verifier.validators,
          threshold: verifier.threshold,
          candidates: group,
          recover: ctx.config.verifySignatures === "always" || r.attempts > 0,
        });
        if (!quorum.complete) {
          why = `signatures ${quorum.signatures.length}/${verifier.threshold} on ${first}..${last}`;
          continue;
        }
        const key = `${kind}:${first}:${last}:${root}`;
        if (!trees.has(key)) {
          const ids = await idsOf(ctx, r.origin, first, last);
          if (typeof ids === "string") trees.set(key, ids);
          else {
            const tree = kind === RANGE_DIGEST_KIND ? rangeTree(ids) : originTree(ids);
            trees.set(
              key,
              tree.root.toLowerCase() === root
                ? tree
                : `the signed root ${root} of ${first}..${last} is not the root of the relayer's copy`,
            );
          }
        }
        const tree = trees.get(key)!;
        if (typeof tree === "string") {
          why = tree;
          continue;
        }
        const metadata =
          kind === RANGE_DIGEST_KIND
            ? rangeCheckpointMetadata({
                first,
                last,
                proof: tree.proof(r.nonce - first),
                signatures: quorum.signatures,
              })
            : merkleRootMetadata({
                messageIndex: r.nonce,
                signedIndex: last,
                proof: tree.proof(r.nonce),
                signatures: quorum.signatures,
              });
        decisions.push({ r, metadata });
        if (kind === RANGE_DIGEST_KIND && !ready.has(key)) ready.set(key, { first, last, group });
        done = true;
        break;
      }
      if (!done) decisions.push({ r, waiting: why });
    }
  }
  if (verifierOf === undefined) return decisions;
  for (const [key, { first, last, group }] of ready) {
    const tree = trees.get(key) as { proof: (i: number) => Hex[] };
    for (const { id } of await ctx.store.idsByNonce(origin.domain, first, last)) {
      if (decided.has(id)) continue;
      decided.add(id);
      const r = await ctx.store.get(id);
      if (!r || (r.status !== "SEEN" && r.status !== "UNDELIVERABLE") || !ctx.chains.has(r.destination))
        continue;
      const verifier = await verifierOf(r).catch(() => undefined);
      if (verifier?.moduleType !== ModuleType.CONCORD_RANGE_CHECKPOINT_MULTISIG) continue;
      const root = group[0]!.root!.toLowerCase() as Hex;
      const quorum = await selectQuorum({
        digest: rangeDigest({
          origin: r.origin,
          originGateway: origin.gateway,
          rangeRoot: root,
          first,
          last,
        }),
        nonce: first,
        validators: verifier.validators,
        threshold: verifier.threshold,
        candidates: group,
        recover: ctx.config.verifySignatures === "always" || r.attempts > 0,
      });
      if (quorum.complete)
        decisions.push({
          r,
          metadata: rangeCheckpointMetadata({
            first,
            last,
            proof: tree.proof(r.nonce - first),
            signatures: quorum.signatures,
          }),
        });
    }
  }
  return decisions;
}

/** The range a range-checkpoint metadata proves, or undefined if `metadata` is not one for `r`. */
function parseRange(
  r: MessageRecord,
  metadata: Hex,
): { first: number; last: number; root: Hex; proofEnd: number; signed: boolean } | undefined {
  if (size(metadata) < 8) return undefined;
  const first = Number.parseInt(slice(metadata, 0, 4).slice(2), 16);
  const last = Number.parseInt(slice(metadata, 4, 8).slice(2), 16);
  if (last < first || last - first + 1 > 1024 || r.nonce < first || r.nonce > last) return undefined;
  const depth = rangeDepth(last - first + 1);
  const proofEnd = 8 + 32 * depth;
  if (size(metadata) < proofEnd) return undefined;
  const proof: Hex[] = [];
  for (let i = 0; i < depth; i++) proof.push(slice(metadata, 8 + 32 * i, 40 + 32 * i));
  const root = rangeBranchRoot(r.id, proof, r.nonce - first);
  return { first, last, root, proofEnd, signed: size(metadata) > proofEnd };
}

/**
 * The metadata to send for `rows` (same order; the stored metadata is not changed). For range-checkpoint rows
 * (recognized by the cached verifier of their route): signatures only where they record something, on one row per
 * range not yet recorded on the verifier, the first in batch order that is not delivered on chain; every other row
 * of the range carries its proof alone. `batched`: false when each row goes in its own transaction (then every
 * row of an unrecorded range keeps its signatures: a later transaction cannot count on an earlier one being mined).
 */
export async function prepareCheckpointBatch(
  ctx: RelayerContext,
  dest: Chain,
  rows: readonly MessageRecord[],
  batched: boolean,
  delivered: (r: MessageRecord) => Promise<boolean>,
): Promise<Hex[]> {
  const out = rows.map((r) => r.metadata!);
  const ranges = new Map<
    string,
    { verifier: Address; first: number; last: number; root: Hex; rows: number[] }
  >();
  rows.forEach((r, i) => {
    // The route's verifier as the signing pass found it (a relayer restarted since keeps every signature: correct,
    // only dearer).
    const recipient = bytes32ToAddress(decodeMessage(r.message).recipient);
    const verifier = ctx.verifiers.get(`${r.destination}:${recipient}:${r.origin}`);
    if (verifier?.moduleType !== ModuleType.CONCORD_RANGE_CHECKPOINT_MULTISIG || !r.metadata) return;
    const range = parseRange(r, r.metadata);
    if (!range || !range.signed) return;
    const key = `${verifier.address}:${range.first}:${range.last}:${range.root}`;
    if (!ranges.has(key)) ranges.set(key, { verifier: verifier.address, ...range, rows: [] });
    ranges.get(key)!.rows.push(i);
  });
  for (const range of ranges.values()) {
    const recorded = await dest.client
      .readContract({
        address: range.verifier,
        abi: rangeVerifierAbi,
        functionName: "rangeVerified",
        args: [range.first, range.last, range.root],
      })
      .catch(() => false);
    let carrier = -1;
    if (!recorded && batched) {
      for (const i of range.rows) {
        if (!(await delivered(rows[i]!).catch(() => false))) {
          carrier = i;
          break;
        }
      }
    }
    for (const i of range.rows) {
      if (recorded || (batched && i !== carrier)) {
        const r = rows[i]!;
        out[i] = slice(r.metadata!, 0, parseRange(r, r.metadata!)!.proofEnd);
      }
    }
  }
  return out;
}
