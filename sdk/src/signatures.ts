/**
 * The one path from validator signatures to delivery metadata, shared by the relayer agent, `concord relay` and the
 * tests: fetch signatures from validator agents (their one batch endpoint, `POST /signatures`), keep a quorum that
 * the destination verifier will accept, and build the metadata with the builder of the verifier's family
 * (`buildMetadata` in metadata.ts, one builder per `moduleType`).
 *
 * Validators attest message ids (message-id multisig); a verifier of another family cannot be served from their
 * signatures, and {@link relayMetadata} says so with a {@link MetadataError}.
 */
import { type Address, type Hex, getAddress, isHex, recoverAddress } from "viem";
import { ConcordSdkError } from "./errors.js";
import {
  type BuildMetadataParameters,
  MetadataError,
  ModuleType,
  type SignedDigest,
  buildMetadata,
  messageIdDigest,
} from "./metadata.js";

/** A validator's signature as its HTTP API serves it (`POST /signatures`, `GET /signatures/<messageId>`). */
export type ValidatorSignature = {
  /** The validator's address (the signer the signature must recover to). */
  validator: Address;
  /** 65-byte `r | s | v` signature over `digest`. */
  signature: Hex;
  /** Digest kind: 1 = message id, 2 = merkle-root checkpoint, 3 = range (`RANGE_DIGEST_KIND`). */
  kind: number;
  /** Kind 1: the message's nonce; kind 2: the checkpoint's last leaf index; kind 3: the range's first nonce. */
  index: number;
  /** The message asked for (kind 1: the signed commitment; kinds 2 and 3: a message the checkpoint covers). */
  messageId: Hex;
  /** Kind 3: the range's first and last nonce. */
  first?: number;
  last?: number;
  /** Kinds 2 and 3: the signed root (origin tree root, or range root). */
  root?: Hex;
  /** The signed digest ({@link messageIdDigest}). */
  digest: Hex;
  /** Origin domain. */
  origin: number;
  /** The origin gateway the validator attests. */
  originGateway: Address;
};

/** Most message ids one `POST /signatures` request may carry (the validator refuses more). */
export const MAX_SIGNATURE_BATCH = 1000;

/** A validator endpoint that did not answer properly. */
export class ValidatorEndpointError extends ConcordSdkError {
  override name = "ValidatorEndpointError";
  readonly url: string;
  constructor(url: string, problem: string, options?: { cause?: unknown }) {
    super(`validator ${url} did not answer`, problem, options);
    this.url = url;
  }
}

export type FetchValidatorSignaturesParameters = {
  /** Base URLs of the origin's validator agents. */
  urls: readonly string[];
  /** Message ids to ask for (at most {@link MAX_SIGNATURE_BATCH} per request; longer lists are split). */
  messageIds: readonly Hex[];
  /** Per-request timeout (default 3000 ms). */
  timeoutMs?: number;
  /** Digest kind to ask for (default 1, message ids): 2 = merkle-root checkpoints, 3 = ranges. */
  kind?: number;
};

export type FetchValidatorSignaturesReturnType = {
  /** Every signature served, by lower-case message id (unchecked: see {@link selectQuorum}). */
  signatures: Map<Hex, ValidatorSignature[]>;
  /** One entry per validator URL that failed (HTTP error, timeout, malformed body). */
  failures: ValidatorEndpointError[];
};

/**
 * Asks every validator in `urls` for its signatures over `messageIds` (`POST <url>/signatures`), in parallel. Never
 * throws for a validator that fails: its error is in `failures`, and the others' answers are used.
 */
export async function fetchValidatorSignatures(
  p: FetchValidatorSignaturesParameters,
): Promise<FetchValidatorSignaturesReturnType> {
  const signatures = new Map<Hex, ValidatorSignature[]>();
  const failures: ValidatorEndpointError[] = [];
  if (p.urls.length === 0 || p.messageIds.length === 0) return { signatures, failures };
  const batches: Hex[][] = [];
  for (let i = 0; i < p.messageIds.length; i += MAX_SIGNATURE_BATCH)
    batches.push(p.messageIds.slice(i, i + MAX_SIGNATURE_BATCH));
  const answers = await Promise.all(
    p.urls.map(async (url) => {
      const found: ValidatorSignature[] = [];
      for (const messageIds of batches) {
        let res: Response;
        try {
          res = await fetch(`${url.replace(/\/$/, "")}/signatures`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(p.kind === undefined ? { messageIds } : { messageIds, kind: p.kind }),
            signal: AbortSignal.timeout(p.timeoutMs ?? 3000),
          });
        } catch (e) {
          return new ValidatorEndpointError(url, (e as Error)?.message ?? String(e), { cause: e });
        }
        if (!res.ok) return new ValidatorEndpointError(url, `HTTP ${res.status}`);
        let body: { signatures?: unknown };
        try {
          body = (await res.json()) as { signatures?: unknown };
        } catch (e) {
          return new ValidatorEndpointError(url, "the body is not JSON", { cause: e });
        }
        if (!Array.isArray(body.signatures))
          return new ValidatorEndpointError(url, "the body has no `signatures` array");
        for (const s of body.signatures as Partial<ValidatorSignature>[]) {
          if (typeof s?.messageId === "string" && isHex(s.messageId)) found.push(s as ValidatorSignature);
        }
      }
      return found;
    }),
  );
  for (const answer of answers) {
    if (answer instanceof ValidatorEndpointError) {
      failures.push(answer);
      continue;
    }
    for (const s of answer) {
      const id = s.messageId.toLowerCase() as Hex;
      if (!signatures.has(id)) signatures.set(id, []);
      signatures.get(id)!.push(s);
    }
  }
  return { signatures, failures };
}

/** Why a served signature was left out of the quorum. */
export type RejectedSignature = {
  validator: string;
  reason: "malformed" | "wrong-index" | "not-in-set" | "duplicate" | "bad-signature";
};

export type SelectQuorumParameters = {
  /** The digest the verifier checks ({@link messageIdDigest} of the message). */
  digest: Hex;
  /** The message's nonce: a signature for another index is not for this message. */
  nonce: number;
  /** The destination verifier's validator set for the message and its threshold. */
  validators: readonly Address[];
  threshold: number;
  /** Served signatures, in the order to prefer them. */
  candidates: readonly Pick<ValidatorSignature, "validator" | "signature" | "index">[];
  /**
   * Recover every signature before keeping it (default true). The relayer may skip it on a first attempt: the
   * verifier checks every signature on chain anyway, and a failed delivery comes back with `recover: true`.
   */
  recover?: boolean;
};

export type SelectQuorumReturnType = {
  /** Up to `threshold` signatures, one per validator of the set (not sorted: the builders sort). */
  signatures: SignedDigest[];
  /** Whether `signatures` reaches the threshold (a threshold of 0 is never reached: nothing to sign for). */
  complete: boolean;
  /** The candidates left out, with the reason. */
  rejected: RejectedSignature[];
};

/** Keeps, from served `candidates`, signatures the verifier will accept until `threshold` of them are kept. */
export async function selectQuorum(p: SelectQuorumParameters): Promise<SelectQuorumReturnType> {
  const members = new Set(p.validators.map((v) => getAddress(v)));
  const signatures: SignedDigest[] = [];
  const rejected: RejectedSignature[] = [];
  const recover = p.recover ?? true;
  for (const s of p.candidates) {
    if (signatures.length >= p.threshold) break;
    let signer: Address;
    try {
      signer = getAddress(s.validator);
    } catch {
      rejected.push({ validator: String(s.validator), reason: "malformed" });
      continue;
    }
    if (typeof s.signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(s.signature)) {
      rejected.push({ validator: signer, reason: "malformed" });
      continue;
    }
    if (s.index !== p.nonce) {
      rejected.push({ validator: signer, reason: "wrong-index" });
      continue;
    }
    if (!members.has(signer)) {
      rejected.push({ validator: signer, reason: "not-in-set" });
      continue;
    }
    if (signatures.some((v) => v.signer === signer)) {
      rejected.push({ validator: signer, reason: "duplicate" });
      continue;
    }
    if (recover) {
      const recovered = await recoverAddress({ hash: p.digest, signature: s.signature }).catch(() => null);
      if (recovered !== signer) {
        rejected.push({ validator: signer, reason: "bad-signature" });
        continue;
      }
    }
    signatures.push({ signer, signature: s.signature });
  }
  return { signatures, complete: p.threshold > 0 && signatures.length >= p.threshold, rejected };
}

/** Verifier families whose metadata validator signatures can build (what relayers can serve). */
export const RELAYABLE_MODULE_TYPES: readonly number[] = [ModuleType.CONCORD_MESSAGE_ID_MULTISIG];

/** Whether metadata for a verifier of `moduleType` can be built from validator signatures. */
export function isRelayable(moduleType: number): boolean {
  return RELAYABLE_MODULE_TYPES.includes(moduleType);
}

export type RelayMetadataParameters = {
  /** The destination verifier's `moduleType()`. */
  moduleType: number;
  /** A quorum from {@link selectQuorum}. */
  signatures: readonly SignedDigest[];
};

/**
 * Delivery metadata for a verifier of `moduleType` from a quorum of validator signatures, built by that family's
 * builder. Throws a {@link MetadataError} for a family validators' signatures cannot serve, or a bad signature.
 */
export function relayMetadata(p: RelayMetadataParameters): Hex {
  if (!isRelayable(p.moduleType)) {
    throw new MetadataError(
      `no relay metadata for module type ${p.moduleType}`,
      `validators sign message ids: message-id multisig verifiers (type ${ModuleType.CONCORD_MESSAGE_ID_MULTISIG}) only`,
    );
  }
  const parameters: BuildMetadataParameters = {
    moduleType: ModuleType.CONCORD_MESSAGE_ID_MULTISIG,
    signatures: p.signatures,
  };
  return buildMetadata(parameters);
}

/** The digest validators sign for a message (message-id multisig): what {@link selectQuorum} checks against. */
export function relayDigest(p: {
  origin: number;
  originGateway: Address | Hex;
  messageId: Hex;
  nonce: number;
}): Hex {
  return messageIdDigest(p);
}
