/**
 * Decoding of Concord's custom errors into readable text: `decodeConcordError(revertData)` looks the selector up in
 * the ABI of every Concord contract (gateway, verifiers, coordinator, fees, receivers and the OpenZeppelin errors
 * they inherit), decodes the arguments, names enum values (`FlowLib.Status`, `FlowLib.Phase`,
 * `IConcordGateway.MessageStatus`) and adds the error's NatSpec ("Thrown when ..."), all from the error table generated at build time.
 */
import {
  type AbiParameter,
  type Hex,
  BaseError,
  decodeErrorResult,
  getAddress,
  isHex,
  size,
  slice,
  toFunctionSelector,
} from "viem";
import { type ConcordErrorItem, concordErrors } from "./abis.js";

/** Names of the enums that appear in Concord error arguments (value = index). */
const ENUMS: Record<string, readonly string[]> = {
  "enum FlowLib.Status": ["NONE", "PENDING", "EXECUTED", "FAILED", "EXPIRED", "CANCELLED"],
  "enum FlowLib.Phase": ["NONE", "LOCKED", "ACKNOWLEDGED", "SETTLED"],
  "enum IConcordGateway.MessageStatus": ["NONE", "EXECUTED", "FAILED"],
};

/** A decoded revert. */
export type DecodedConcordError = {
  /** Error name, e.g. "ConcordGatewayInsufficientGas"; "Error" / "Panic" for Solidity's built-ins; "Unknown". */
  name: string;
  /** Canonical signature, e.g. "ConcordGatewayInsufficientGas(uint256,uint256)". */
  signature: string;
  /** The 4-byte selector (empty revert data: "0x"). */
  selector: Hex;
  /** Decoded arguments, in order. */
  args: readonly unknown[];
  /** Decoded arguments by parameter name (positional index when unnamed). */
  namedArgs: Record<string, unknown>;
  /** The contract whose ABI declared the error (undefined for built-ins and unknown errors). */
  contract: string | undefined;
  /** The error's NatSpec notice, when found in `contracts/` ("Thrown when ..."). */
  description: string | undefined;
  /** One readable line: `Name(arg: value, ...)` plus the description. */
  text: string;
};

function formatValue(parameter: AbiParameter | undefined, value: unknown): string {
  const names = parameter?.internalType ? ENUMS[parameter.internalType] : undefined;
  if (names && (typeof value === "number" || typeof value === "bigint")) {
    return names[Number(value)] ?? String(value);
  }
  if (parameter?.type === "bytes32" && typeof value === "string" && isHex(value) && /^0x0{24}/.test(value)) {
    // A left-padded EVM address (an origin gateway as verifiers report it): name the address too.
    return BigInt(value) === 0n
      ? `${value} (zero)`
      : `${value} (address ${getAddress(`0x${value.slice(26)}`)})`;
  }
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map((v) => formatValue(undefined, v)).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    return JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  }
  return String(value);
}

const PANIC_REASONS: Record<number, string> = {
  0x01: "assertion failed",
  0x11: "arithmetic overflow or underflow",
  0x12: "division or modulo by zero",
  0x21: "invalid enum value",
  0x31: "pop on an empty array",
  0x32: "array index out of bounds",
  0x41: "out of memory",
  0x51: "call to an uninitialized function",
};

/**
 * Decodes revert data (`0x` + selector + ABI-encoded arguments) against every Concord contract's errors. Never
 * throws: unknown selectors and malformed data come back as `name: "Unknown"` with the raw data in `text`.
 */
export function decodeConcordError(data: Hex): DecodedConcordError {
  const unknown = (text: string): DecodedConcordError => ({
    name: "Unknown",
    signature: "",
    selector: size(data) >= 4 ? slice(data, 0, 4) : "0x",
    args: [],
    namedArgs: {},
    contract: undefined,
    description: undefined,
    text,
  });
  if (!isHex(data)) return unknown(`not revert data: ${String(data)}`);
  if (size(data) === 0) return unknown("reverted without data (out of gas, or a bare revert)");
  if (size(data) < 4) return unknown(`malformed revert data ${data}`);
  const errors: readonly ConcordErrorItem[] = concordErrors();
  let decoded;
  try {
    decoded = decodeErrorResult({ abi: errors, data });
  } catch {
    return unknown(`unknown error ${slice(data, 0, 4)} (${size(data)} bytes of revert data: ${data})`);
  }
  const args = decoded.args ?? [];
  const item = decoded.abiItem;
  const inputs = item.type === "error" ? item.inputs : [];
  const namedArgs: Record<string, unknown> = {};
  inputs.forEach((input, i) => (namedArgs[input.name || String(i)] = args[i]));
  const signature = `${decoded.errorName}(${inputs.map((input) => input.type).join(",")})`;
  const known = errors.find(
    (error) => error.name === decoded.errorName && error.inputs.length === inputs.length,
  );
  let description = known?.notice;
  if (decoded.errorName === "Panic" && typeof args[0] === "bigint") {
    description = PANIC_REASONS[Number(args[0])] ?? "panic";
  }
  const argText = inputs
    .map((input, i) => `${input.name ? `${input.name}: ` : ""}${formatValue(input, args[i])}`)
    .join(", ");
  const head = `${decoded.errorName}(${argText})`;
  return {
    name: decoded.errorName,
    signature,
    selector: toFunctionSelector(signature),
    args,
    namedArgs,
    contract: known?.contract,
    description,
    text: description ? `${head}: ${description}` : head,
  };
}

/**
 * The revert data carried by an error thrown by viem (a failed `writeContract`, `simulateContract`, `call`,
 * `estimateGas`...) or by a JSON-RPC provider, or undefined when there is none.
 */
export function revertData(error: unknown): Hex | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown): Hex | undefined => {
    if (value === null || typeof value !== "object" || seen.has(value)) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    if (typeof record.raw === "string" && isHex(record.raw) && size(record.raw) >= 4) return record.raw;
    if (typeof record.data === "string" && isHex(record.data) && size(record.data) >= 4) return record.data;
    return visit(record.data) ?? visit(record.error) ?? visit(record.cause);
  };
  return visit(error);
}

/**
 * A readable explanation of any error: a decoded Concord error when revert data is present, else viem's short
 * message, else `String(error)`.
 */
export function describeError(error: unknown): string {
  const data = revertData(error);
  if (data) return decodeConcordError(data).text;
  if (error instanceof BaseError) return error.shortMessage;
  if (error instanceof Error) return error.message;
  return String(error);
}
