// The transport of a chain's flow endpoints (`chains.<name>.flows`): FlowEscrow and FlowExecutor take their primary
// gateway at construction (immutable), so the config says per chain which gateway that is: Concord's native gateway
// (default), one of the chain's transport adapters (by section key, e.g. `hyperlane`) or its TransportAggregator.
// Flows send with no value (EXECUTE, OUTCOME, CANCEL): on an adapter or the aggregator the endpoints are sponsored
// senders and the transport fee comes from the sponsor balance, which deploy keeps topped up from `sponsor`.
// config.ts calls the validators here; plan.ts wires what they return.
import { ADAPTER_PROTOCOLS } from "./adapters.js";

/** Flows over Concord's own gateway (ConcordGateway), the default. */
export const FLOW_TRANSPORT_NATIVE = "native";
/** Flows over the chain's TransportAggregator. */
export const FLOW_TRANSPORT_AGGREGATOR = "aggregator";

/** `chains.<name>.flows.sponsor`: the sponsor balance deploy keeps on the flows' adapter or aggregator. */
export type FlowSponsor = {
  /** A run tops the balance up when it is below this (wei). */
  minBalance: bigint;
  /** ...to this (wei, at least `minBalance`; default `minBalance`). */
  topUpTo: bigint;
};

/** `chains.<name>.flows`, validated. */
export type FlowsSection = {
  /** `native`, an adapter section key of the chain (`hyperlane`, `layerzero`, ...) or `aggregator`. */
  transport: string;
  /** Only with a transport other than `native`. */
  sponsor?: FlowSponsor;
};

/** A bad `flows` key (config.ts turns it into a ConfigError). */
export type FlowsProblem = { key: string; problem: string };

const FLOWS_KEYS = ["$comment", "transport", "sponsor"];
const SPONSOR_KEYS = ["$comment", "minBalance", "topUpTo"];
const UINT128_MAX = 2n ** 128n - 1n;

/** What a chain needs to know about itself and its remotes for the checks below. */
type ChainView = {
  name: string;
  remotes: readonly string[];
  adapters: Readonly<Record<string, unknown>>;
  aggregator?: { remotes: Readonly<Record<string, unknown>> };
  flows: FlowsSection;
};

/** The registry/manifest contract a transport names (`ConcordGateway`, an adapter, `TransportAggregator`). */
export function flowGatewayContract(transport: string): string {
  if (transport === FLOW_TRANSPORT_NATIVE) return "ConcordGateway";
  if (transport === FLOW_TRANSPORT_AGGREGATOR) return "TransportAggregator";
  const protocol = ADAPTER_PROTOCOLS.find((p) => p.key === transport);
  if (!protocol) throw new Error(`unknown flow transport ${transport}`);
  return protocol.contract;
}

function wei(value: unknown, key: string): bigint | FlowsProblem {
  if (
    !(typeof value === "string" && /^[0-9]+$/.test(value)) &&
    !(typeof value === "number" && Number.isSafeInteger(value) && value >= 0)
  )
    return {
      key,
      problem: `must be a non-negative integer (wei), as a number or a decimal string, got ${JSON.stringify(value)}`,
    };
  const v = BigInt(value);
  if (v > UINT128_MAX) return { key, problem: "must be at most 2**128 - 1 wei" };
  return v;
}

/**
 * Validates `chains.<name>.flows` against the chain's own sections (first pass: the transport names a section the
 * chain has). Returns the section or the first problem.
 */
export function parseFlowsSection(
  value: unknown,
  key: string,
  chain: { name: string; adapters: Readonly<Record<string, unknown>>; hasAggregator: boolean },
): FlowsSection | FlowsProblem {
  if (value === undefined) return { transport: FLOW_TRANSPORT_NATIVE };
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { key, problem: "must be an object" };
  const raw = value as Record<string, unknown>;
  for (const k of Object.keys(raw))
    if (!FLOWS_KEYS.includes(k))
      return { key: `${key}.${k}`, problem: `unknown key (allowed: ${FLOWS_KEYS.slice(1).join(", ")})` };
  const choices = [FLOW_TRANSPORT_NATIVE, ...ADAPTER_PROTOCOLS.map((p) => p.key), FLOW_TRANSPORT_AGGREGATOR];
  const transport = raw.transport === undefined ? FLOW_TRANSPORT_NATIVE : raw.transport;
  if (typeof transport !== "string" || !choices.includes(transport))
    return {
      key: `${key}.transport`,
      problem: `must be one of ${choices.join(", ")}, got ${JSON.stringify(transport)}`,
    };
  if (transport === FLOW_TRANSPORT_AGGREGATOR && !chain.hasAggregator)
    return {
      key: `${key}.transport`,
      problem: `is "aggregator", but chains.${chain.name} has no aggregator section: add one or choose another transport`,
    };
  if (
    transport !== FLOW_TRANSPORT_NATIVE &&
    transport !== FLOW_TRANSPORT_AGGREGATOR &&
    !chain.adapters[transport]
  )
    return {
      key: `${key}.transport`,
      problem: `is "${transport}", but chains.${chain.name} has no ${transport} section: add it (the adapter the flows use) or choose another transport`,
    };
  if (raw.sponsor === undefined) return { transport };
  const sk = `${key}.sponsor`;
  if (transport === FLOW_TRANSPORT_NATIVE)
    return {
      key: sk,
      problem: "flows over the native gateway pay no transport fee: remove sponsor, or set a transport",
    };
  if (typeof raw.sponsor !== "object" || raw.sponsor === null || Array.isArray(raw.sponsor))
    return { key: sk, problem: "must be an object" };
  const s = raw.sponsor as Record<string, unknown>;
  for (const k of Object.keys(s))
    if (!SPONSOR_KEYS.includes(k))
      return { key: `${sk}.${k}`, problem: `unknown key (allowed: ${SPONSOR_KEYS.slice(1).join(", ")})` };
  if (s.minBalance === undefined) return { key: `${sk}.minBalance`, problem: "is required (wei)" };
  const minBalance = wei(s.minBalance, `${sk}.minBalance`);
  if (typeof minBalance !== "bigint") return minBalance;
  if (minBalance === 0n)
    return {
      key: `${sk}.minBalance`,
      problem: "must be above 0 (leave sponsor out to fund the balance yourself)",
    };
  const topUpTo = s.topUpTo === undefined ? minBalance : wei(s.topUpTo, `${sk}.topUpTo`);
  if (typeof topUpTo !== "bigint") return topUpTo;
  if (topUpTo < minBalance)
    return { key: `${sk}.topUpTo`, problem: `must be at least minBalance (${minBalance}), got ${topUpTo}` };
  return { transport, sponsor: { minBalance, topUpTo } };
}

/**
 * Second pass, once every chain's section is known: a chain's flows reach each remote over the same transport (A's
 * escrow sends through A's adapter to B's executor, which accepts only B's adapter of the same protocol), and over
 * the aggregator each remote has a send route. Returns the first problem.
 */
export function checkFlowRemotes(
  chain: ChainView,
  chains: Readonly<Record<string, ChainView>>,
): FlowsProblem | undefined {
  const key = `chains.${chain.name}.flows.transport`;
  for (const name of chain.remotes) {
    const remote = chains[name]!;
    if (remote.flows.transport !== chain.flows.transport)
      return {
        key,
        problem:
          `is "${chain.flows.transport}", but remote ${name} runs its flows over "${remote.flows.transport}": both ends of ` +
          `a flow use one transport (set chains.${name}.flows.transport to "${chain.flows.transport}", or remove ${name} from chains.${chain.name}.remotes)`,
      };
    if (chain.flows.transport === FLOW_TRANSPORT_AGGREGATOR && chain.aggregator!.remotes[name] === undefined)
      return {
        key,
        problem: `is "aggregator", but chains.${chain.name}.aggregator.remotes has no route to ${name}: add one`,
      };
  }
  return undefined;
}
