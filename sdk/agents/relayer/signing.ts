/**
 * Relayer concern: signatures. For each final SEEN message, finds the verifier its destination gateway uses (cached
 * briefly), checks this relayer can serve it (a message-id, merkle-root or range-checkpoint multisig bound to the
 * origin gateway it indexes; the checkpoint families are built in checkpoints.ts), asks the origin's validators for
 * signatures, and stores the verifier metadata once a valid quorum is in hand. Each message is decided on its own:
 * unservable ones are parked, ones whose destination does not answer wait, and with `requirePayment` ones not paid
 * through the origin's GasPaymaster wait (SEEN, the reason in `error`).
 */
import { type Address, type Hex, getAddress } from "viem";
import { paymasterAbi } from "../../src/abis.js";
import { bytes32ToAddress, decodeConcordMessage, decodeMessage } from "../../src/codec.js";
import { ModuleType } from "../../src/metadata.js";
import {
  fetchValidatorSignatures,
  isRelayable,
  relayDigest,
  relayMetadata,
  selectQuorum,
} from "../../src/signatures.js";
import { gatewayAbi, verifierAbi } from "../abi.js";
import type { MessageRecord } from "../store.js";
import type { Chain, VerifierInfo } from "./config.js";
import type { RelayerContext } from "./context.js";
import { checkpointMetadata, isCheckpointFamily } from "./checkpoints.js";
import { Undeliverable, describeFailure, failureKind, shortError } from "./failures.js";

const VERIFIER_TTL_MS = 30_000;
/** Least delay before asking the validators again for a message without a quorum yet. */
const SIGNATURE_RETRY_MS = 100;

/**
 * Verifier `process` uses for `message` on its destination, with its validator set (cached). Throws Undeliverable
 * when the relayer cannot serve it (no route, no verifier code, a module type without a metadata builder here);
 * other errors are the chain's (it did not answer).
 */
export async function verifierFor(ctx: RelayerContext, record: MessageRecord): Promise<VerifierInfo> {
  const dest = ctx.chains.get(record.destination)!;
  const recipient = bytes32ToAddress(decodeMessage(record.message).recipient);
  const key = `${record.destination}:${recipient}:${record.origin}`;
  const cached = ctx.verifiers.get(key);
  if (cached && Date.now() - cached.at < VERIFIER_TTL_MS) return cached;
  const address = await dest.client.readContract({
    address: dest.gateway,
    abi: gatewayAbi,
    functionName: "verifierFor",
    args: [recipient, record.origin],
  });
  if (BigInt(address) === 0n)
    throw new Undeliverable(
      record.origin === record.destination
        ? `self-send: ${record.destination} has no route for messages from itself (ConcordGatewayUnknownOrigin); ` +
            "a gateway does not deliver messages sent to its own chain"
        : `${record.destination} has no route for origin ${record.origin} (ConcordGatewayUnknownOrigin): ` +
            "the destination admin must enroll it (setRoute)",
    );
  let moduleType: number;
  try {
    moduleType = await dest.client.readContract({ address, abi: verifierAbi, functionName: "moduleType" });
  } catch (e) {
    if (failureKind(e) === "transport") throw e;
    throw new Undeliverable(
      `the verifier ${address} on ${record.destination} does not answer moduleType(): ${describeFailure(e).text}`,
    );
  }
  if (!isRelayable(moduleType) && !isCheckpointFamily(moduleType))
    throw new Undeliverable(
      `the verifier ${address} on ${record.destination} has module type ${moduleType}; this relayer builds ` +
        `metadata for message-id multisig (type ${ModuleType.CONCORD_MESSAGE_ID_MULTISIG}), merkle-root multisig ` +
        `(${ModuleType.CONCORD_MERKLE_ROOT_MULTISIG}) and range-checkpoint multisig ` +
        `(${ModuleType.CONCORD_RANGE_CHECKPOINT_MULTISIG}) verifiers only`,
    );
  // The verifier must authenticate the gateway this relayer indexes for the origin (the gateway refuses a named
  // verifier that does not, and a route verifier bound to another gateway rejects these signatures).
  const originGateway = ctx.chains.get(record.origin)!.gateway;
  let bound: Hex;
  try {
    bound = await dest.client.readContract({
      address,
      abi: verifierAbi,
      functionName: "originGatewayFor",
      args: [record.origin],
    });
  } catch (e) {
    if (failureKind(e) === "transport") throw e;
    throw new Undeliverable(
      `the verifier ${address} on ${record.destination} does not answer originGatewayFor(${record.origin}): ` +
        describeFailure(e).text,
    );
  }
  if (BigInt(bound) !== BigInt(originGateway))
    throw new Undeliverable(
      `the verifier ${address} on ${record.destination} authenticates origin gateway ${bound} for ` +
        `${record.origin}, not ${originGateway} (the gateway this relayer indexes): the destination's route ` +
        "names another deployment of the origin",
    );
  let validators: Address[];
  let threshold: number;
  try {
    const [v, t] = await dest.client.readContract({
      address,
      abi: verifierAbi,
      functionName: "validatorsAndThreshold",
      args: [record.message],
    });
    validators = v.map((a) => getAddress(a));
    threshold = t;
  } catch (e) {
    if (failureKind(e) === "transport") throw e;
    throw new Undeliverable(
      `the verifier ${address} on ${record.destination} does not answer validatorsAndThreshold(): ` +
        describeFailure(e).text,
    );
  }
  const info = { address, moduleType, validators, threshold, at: Date.now() };
  ctx.verifiers.set(key, info);
  return info;
}

/**
 * `requirePayment`: the messages of `rows` not (yet) paid through `origin`'s GasPaymaster, with the reason. Paid
 * means the paymaster records, for the message id and its destination, at least the gas limit the message
 * declares (a payment for less gas does not buy a costlier delivery), read at the origin's finality depth so that
 * a payment a reorg could drop does not count. A paymaster that does not answer leaves the message waiting too.
 */
async function unpaidMessages(
  ctx: RelayerContext,
  origin: Chain,
  rows: readonly MessageRecord[],
): Promise<Map<Hex, string>> {
  const out = new Map<Hex, string>();
  const paymaster = origin.paymaster!;
  const depth = BigInt(origin.confirmations ?? 0);
  const blockNumber = depth > 0n && origin.head >= depth ? origin.head - depth : undefined;
  await Promise.all(
    rows.map(async (r) => {
      const { gasLimit } = decodeConcordMessage(r.message);
      try {
        const [paid] = await origin.client.readContract({
          address: paymaster,
          abi: paymasterAbi(),
          functionName: "gasPayment",
          args: [r.id, r.destination],
          blockNumber,
        });
        if (paid < BigInt(gasLimit))
          out.set(
            r.id,
            `unpaid (requirePayment): the paymaster ${paymaster} on ${origin.domain} records ${paid} gas paid ` +
              `for this message to ${r.destination}, it declares ${gasLimit}; re-checked until paid (concord pay)`,
          );
      } catch (e) {
        const problem = `the paymaster ${paymaster} on ${origin.domain} did not answer gasPayment: ${shortError(e)}`;
        if (failureKind(e) === "transport") ctx.reportProblem(`sign:${origin.domain}`, problem);
        out.set(r.id, `payment not confirmed (requirePayment): ${problem}`);
      }
    }),
  );
  if (out.size) ctx.count("concord_relayer_unpaid_postponed_total", { origin: origin.domain }, out.size);
  return out;
}

/** Signatures for `ids` from `origin`'s validators (the SDK's one client of their `POST /signatures`). */
async function fetchSignatures(
  ctx: RelayerContext,
  origin: number,
  ids: readonly Hex[],
): Promise<Map<Hex, { validator: Address; signature: Hex; index: number }[]>> {
  const urls = ctx.config.validators[origin] ?? [];
  const { signatures, failures } = await fetchValidatorSignatures({
    urls,
    messageIds: ids,
    timeoutMs: ctx.config.signatureTimeoutMs ?? 3000,
  });
  if (failures.length > 0 && failures.length === urls.length)
    ctx.reportProblem(`sign:${origin}`, `no validator of ${origin} answered: ${shortError(failures[0])}`);
  for (let i = 0; i < failures.length; i++) ctx.count("concord_relayer_validator_errors_total", { origin });
  return signatures;
}

/**
 * Builds metadata for final SEEN messages of `origin` once a quorum of valid signatures is available. Each message
 * is decided on its own: one whose verifier cannot be served is parked, one whose destination does not answer is
 * postponed (and the pass reported), and neither holds up the others.
 */
export async function collectSignatures(ctx: RelayerContext, origin: Chain): Promise<boolean> {
  const now = Date.now();
  const loop = `sign:${origin.domain}`;
  const rows = await ctx.store.awaitingSignatures(origin.domain, [...ctx.chains.keys()], 200, now);
  if (rows.length === 0) {
    ctx.markIdle(loop);
    return false;
  }
  // Decide first (RPC and signature checks), then write every decision in one transaction.
  const decisions: (
    | { r: MessageRecord; metadata: Hex }
    | { r: MessageRecord; park: string }
    | { r: MessageRecord; waiting: string; delayMs: number; unpark?: boolean }
  )[] = [];
  const servable: { r: MessageRecord; verifier: VerifierInfo }[] = [];
  // A destination that did not answer is not asked again in this pass: its other messages wait too.
  const down = new Map<number, string>();
  const unreachableDelay = ctx.config.retry?.baseDelayMs ?? 500;
  const unpaid = ctx.config.requirePayment ? await unpaidMessages(ctx, origin, rows) : new Map<Hex, string>();
  for (const r of rows) {
    const why = unpaid.get(r.id);
    if (why) {
      decisions.push({ r, waiting: why, delayMs: ctx.config.paymentRecheckMs ?? 5_000 });
      continue;
    }
    const known = down.get(r.destination);
    if (known) {
      decisions.push({ r, waiting: known, delayMs: unreachableDelay });
      continue;
    }
    try {
      servable.push({ r, verifier: await verifierFor(ctx, r) });
    } catch (e) {
      if (e instanceof Undeliverable) decisions.push({ r, park: e.message });
      else {
        const problem = `destination ${r.destination} did not answer: ${shortError(e)}`;
        ctx.reportProblem(loop, problem);
        down.set(r.destination, problem);
        decisions.push({ r, waiting: problem, delayMs: unreachableDelay });
      }
    }
  }
  const delayMs = Math.max(ctx.config.pollIntervalMs ?? 200, SIGNATURE_RETRY_MS);
  // Checkpoint families (merkle root, range): one signature per checkpoint, proofs from the relayer's own copy.
  const checkpointItems = servable.filter(({ verifier }) => isCheckpointFamily(verifier.moduleType));
  for (const d of await checkpointMetadata(ctx, origin, checkpointItems, (r) => verifierFor(ctx, r)))
    decisions.push("metadata" in d ? d : { r: d.r, waiting: d.waiting, delayMs, unpark: true });
  const messageIdItems = servable.filter(({ verifier }) => !isCheckpointFamily(verifier.moduleType));
  const sigs = await fetchSignatures(
    ctx,
    origin.domain,
    messageIdItems.map(({ r }) => r.id),
  );
  for (const { r, verifier } of messageIdItems) {
    const digest = relayDigest({
      origin: r.origin,
      originGateway: origin.gateway,
      messageId: r.id,
      nonce: r.nonce,
    });
    // Signatures are recovered one by one when configured ("always"), and on every retry: a first attempt may
    // trust the validators' answers because the verifier checks them on chain anyway, and a failed delivery
    // comes back here with attempts > 0.
    const quorum = await selectQuorum({
      digest,
      nonce: r.nonce,
      validators: verifier.validators,
      threshold: verifier.threshold,
      candidates: sigs.get(r.id) ?? [],
      recover: ctx.config.verifySignatures === "always" || r.attempts > 0,
    });
    const bad = quorum.rejected.filter((x) => x.reason === "bad-signature").length;
    if (bad > 0) ctx.count("concord_relayer_bad_signatures_total", { origin: r.origin }, bad);
    const valid = quorum.signatures;
    if (quorum.complete) {
      try {
        decisions.push({
          r,
          metadata: relayMetadata({ moduleType: verifier.moduleType, signatures: valid }),
        });
      } catch (e) {
        // malformed signature (high s, bad v)
        decisions.push({ r, waiting: shortError(e), delayMs, unpark: true });
      }
    } else
      decisions.push({
        r,
        waiting: `signatures ${valid.length}/${verifier.threshold}`,
        delayMs,
        unpark: true,
      });
  }
  let signed = 0;
  let parked = 0;
  const now2 = Date.now();
  await ctx.store.atomically(async () => {
    for (const d of decisions) {
      if ("metadata" in d) {
        await ctx.store.setSigned(d.r.id, d.metadata, now2);
        signed++;
      } else if ("park" in d) {
        await ctx.park(d.r, d.park);
        parked++;
      } else await ctx.store.postpone(d.r.id, now2 + d.delayMs, d.waiting, "unpark" in d && d.unpark);
    }
  });
  if (signed) ctx.count("concord_relayer_signed_total", { origin: origin.domain }, signed);
  return signed + parked > 0;
}
