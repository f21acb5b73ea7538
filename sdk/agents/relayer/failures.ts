// How the relayer reads a failure: which gateway refusals park a message, whether a call failed by revert, missing
// code or transport, and a readable line for any error. Part of sdk/agents/relayer.ts, split by concern.
import {
  type Hex,
  BaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  ExecutionRevertedError,
  decodeErrorResult,
} from "viem";
import { decodeConcordError, revertData } from "../../src/decodeError.js";
import { batchProcessorAbi, gatewayAbi } from "../abi.js";
import { AgentError } from "../errors.js";

/** Gateway refusals (`process` simulation) that retrying soon cannot cure: the message is parked with the reason. */
export const PARKING_ERRORS: Record<string, string> = {
  ConcordGatewayUnknownOrigin: "the destination has no route for this origin (its admin must call setRoute)",
  ConcordGatewayVerifierGatewayMismatch:
    "the verifier does not authenticate the origin gateway the destination enrolls",
  ConcordGatewayPrivilegedRecipient:
    "the recipient holds a role on the destination gateway (never delivered)",
  ConcordGatewayWrongDestination: "the message is addressed to another domain",
  ConcordGatewayNonEvmAddress: "sender or recipient is not an EVM address",
  ConcordGatewayMalformedMessage: "the message bytes are malformed",
  ConcordGatewayUnsupportedVersion: "the message version is not supported",
  ConcordGatewayRoutePaused: "the destination route for this origin is paused",
  ConcordGatewayInboundPaused: "the destination gateway is paused",
};
/** The gateway's and batch processor's errors, decoded first (the generated ABIs). */
export const AGENT_ERRORS = [...gatewayAbi, ...batchProcessorAbi].filter((item) => item.type === "error");

/** A message this relayer cannot deliver now, with the reason (parked UNDELIVERABLE, re-checked later). */
export class Undeliverable extends AgentError {
  override name = "Undeliverable";
}

/**
 * How a call failed: "revert" (the contract refused: revert data, or an execution revert), "no-code" (nothing at
 * the address answered), or "transport" (the node did not answer properly: HTTP, JSON-RPC or timeout errors).
 */
export function failureKind(e: unknown): "revert" | "no-code" | "transport" {
  if (revertData(e)) return "revert";
  if (e instanceof BaseError) {
    if (e.walk((x) => x instanceof ContractFunctionZeroDataError)) return "no-code";
    if (e.walk((x) => x instanceof ContractFunctionRevertedError || x instanceof ExecutionRevertedError))
      return "revert";
    // Nodes word execution failures differently (geth: "gas required exceeds allowance", "out of gas").
    if (EXECUTION_FAILURE.test(`${e.shortMessage} ${e.details ?? ""}`)) return "revert";
  }
  return "transport";
}

const EXECUTION_FAILURE =
  /execution reverted|gas required exceeds|out of gas|invalid opcode|stack (over|under)flow/i;

/** Readable text of revert data: Concord's gateway/batch errors, else any Concord error (SDK table), else hex. */
export function describeRevertData(data: Hex): { name: string | undefined; text: string } {
  if (data === "0x") return { name: undefined, text: "reverted without data (out of gas, or a bare revert)" };
  try {
    const decoded = decodeErrorResult({ abi: AGENT_ERRORS, data });
    return {
      name: decoded.errorName,
      text: `${decoded.errorName}(${(decoded.args ?? []).map((a) => String(a)).join(", ")})`,
    };
  } catch {
    // not one of the agents' errors
  }
  try {
    const decoded = decodeConcordError(data);
    if (decoded.name !== "Unknown") return { name: decoded.name, text: decoded.text };
  } catch {
    // decodeConcordError never throws; kept defensive
  }
  return { name: undefined, text: `revert data ${data.slice(0, 74)}${data.length > 74 ? "…" : ""}` };
}

/** The decoded revert of `e` (if it carries one) and a one-line description of any failure. */
export function describeFailure(e: unknown): { name: string | undefined; text: string } {
  const data = revertData(e);
  if (data) return describeRevertData(data);
  return { name: undefined, text: shortError(e) };
}

/** Gas of a transaction before execution: 21 000 plus calldata (4 per zero byte, 16 per other byte). */
export function intrinsicGas(data: Hex): bigint {
  let gas = 21_000n;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4n : 16n;
  return gas;
}

export function shortError(e: unknown): string {
  if (e instanceof BaseError) {
    const revert = e.walk(
      (x) => x instanceof ContractFunctionRevertedError,
    ) as ContractFunctionRevertedError | null;
    if (revert?.data?.errorName) return `${revert.data.errorName}(${(revert.data.args ?? []).join(",")})`;
    return e.shortMessage;
  }
  return (e as Error).message?.split("\n")[0] ?? String(e);
}
