/**
 * Relayer concern: the gas a delivery transaction is sent with, without an `eth_estimateGas` round trip when the
 * cost can be bounded. A message's delivery costs at most
 *
 *   ceil((gasLimit + CALL_GAS_MARGIN) * (64/63)^2)                         the recipient (EIP-150, see below)
 *   + messageBase + perSignature * threshold + perValidator * validators   the gateway and the verifier
 *   + perByte * (message bytes + metadata bytes)                           copies and hashing of the inputs
 *
 * and a transaction adds `batchBase` (the batch processor's entry, or nothing much for a lone `process`) to the
 * sum, plus its intrinsic gas computed exactly from its calldata (EIP-7623's floor when that is higher).
 *
 * The recipient term: the gateway calls the recipient with exactly its gas limit and first checks that
 * `gasleft() - gasleft()/64 >= gasLimit + CALL_GAS_MARGIN` (else the whole transaction reverts with
 * `ConcordGatewayInsufficientGas`); the batch processor's call into the gateway keeps another 1/64 back. So the
 * gas needed before that call is at most `(gasLimit + CALL_GAS_MARGIN) * (64/63)^2`; whatever the recipient does
 * with its gas (burn it all, revert with a bomb of data), it never spends more than its gas limit.
 *
 * The other constants were measured on anvil (`test/ts/agents-relayer-gas.test.ts` measures again and fails if a
 * bound is ever below what a delivery needs): `eth_estimateGas` of a lone `process` with every slot cold, for
 * recipients that accept, burn their whole gas limit or revert with a bomb of data (the FAILED path writes the
 * failure record and logs 256 bytes), payloads of 0, 32, 1,024 and 4,000 bytes, gas limits 30k and 200k. The
 * gas needed beyond the recipient term and the intrinsic gas was at most 62,689 (2-of-3, 220 bytes of message and
 * metadata), 66,467 (2-of-3, 4,220 bytes), 73,130 (5-of-7, 415 bytes) and 76,898 (5-of-7, 4,415 bytes) on anvil
 * 1.7.1. The constants cover each of these with 10-40% to spare (the bound is a gas limit, not what is paid: a
 * loose bound costs nothing but room in the block).
 *
 * The bound is known only for verifier families whose cost is fixed by their metadata: message-id multisig (type
 * 66). For any other family, or when the verifier cannot be read, the relayer falls back to `eth_estimateGas`; and
 * a bounded transaction that reverts anyway sends each of its messages alone with an estimate (delivery.ts).
 */
import type { Hex } from "viem";
import { ModuleType } from "../../src/metadata.js";
import { intrinsicGas } from "./failures.js";

/** `GatewayLayout.GATEWAY_CALL_GAS_MARGIN`: gas the gateway keeps aside for the CALL opcode. */
export const GATEWAY_CALL_GAS_MARGIN = 5_000;

/** The measured costs of the bound (gas units). */
export type DeliveryGasCosts = {
  /** Per transaction: the batch processor's entry (ABI decoding, the gateway's code check, `BatchProcessed`). */
  batchBase: number;
  /**
   * Per message: the processor's loop and `try`, the gateway's `process` with every slot cold (route, receipt
   * word, failure record), the verifier and recipient calls (cold accounts), the `ExecutionFailed` event with the
   * longest revert data kept (256 bytes).
   */
  messageBase: number;
  /** Per signature checked: the ecrecover precompile, the validator match, the 65 bytes copied. */
  perSignature: number;
  /** Per validator of the set (the verifier walks its set while matching signers). */
  perValidator: number;
  /** Per byte of message and metadata (memory copies into each call, the message id's keccak). */
  perByte: number;
};

/** Measured (see the header); `RelayerConfig.gasBound` may override them. */
export const DELIVERY_GAS: DeliveryGasCosts = {
  batchBase: 12_000,
  messageBase: 62_000,
  perSignature: 4_000,
  perValidator: 200,
  perByte: 6,
};

/** Verifier families whose cost the bound covers: their metadata fixes the work (`threshold` signatures). */
export const BOUNDED_MODULE_TYPES: readonly number[] = [ModuleType.CONCORD_MESSAGE_ID_MULTISIG];

/** `ceil(x * (64/63)^2)`: the gas needed before two nested calls for `x` to reach the inner callee. */
function twoCallsBefore(x: bigint): bigint {
  return (x * 4096n + 3968n) / 3969n;
}

/**
 * The most one message's delivery can cost (execution only, no intrinsic gas), or undefined when its verifier's
 * family is not one the bound covers.
 */
export function messageGasBound(
  p: {
    message: Hex;
    metadata: Hex;
    gasLimit: number;
    verifier: { moduleType: number; threshold: number; validators: readonly unknown[] };
  },
  costs: DeliveryGasCosts = DELIVERY_GAS,
): bigint | undefined {
  if (!BOUNDED_MODULE_TYPES.includes(p.verifier.moduleType)) return undefined;
  const bytes = (p.message.length - 2) / 2 + (p.metadata.length - 2) / 2;
  return (
    twoCallsBefore(BigInt(p.gasLimit) + BigInt(GATEWAY_CALL_GAS_MARGIN)) +
    BigInt(costs.messageBase) +
    BigInt(costs.perSignature) * BigInt(p.verifier.threshold) +
    BigInt(costs.perValidator) * BigInt(p.verifier.validators.length) +
    BigInt(costs.perByte) * BigInt(bytes)
  );
}

/** EIP-7623's floor: 21 000 + 10 per calldata token (a zero byte is one token, any other byte four). */
export function calldataFloorGas(data: Hex): bigint {
  let tokens = 0n;
  for (let i = 2; i < data.length; i += 2) tokens += data.slice(i, i + 2) === "00" ? 1n : 4n;
  return 21_000n + 10n * tokens;
}

/** The gas limit of a transaction with calldata `data` whose execution costs at most `execution`. */
export function txGasBound(data: Hex, execution: bigint, costs: DeliveryGasCosts = DELIVERY_GAS): bigint {
  const total = intrinsicGas(data) + BigInt(costs.batchBase) + execution;
  const floor = calldataFloorGas(data);
  return total > floor ? total : floor;
}
