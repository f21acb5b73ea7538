// The chain-config file of `concord deploy`: validated at the edge, every error naming the bad key.
import { readFileSync } from "node:fs";
import { type Address, getAddress, isAddress } from "viem";
import { ConcordSdkError } from "../errors.js";
import { ADAPTER_PROTOCOLS, type AdapterProtocol, type AdapterSection } from "./adapters.js";
import { type FlowsSection, checkFlowRemotes, parseFlowsSection } from "./flows.js";

/** Where a chain's RPC URL comes from: a literal, or an environment variable named in the config. */
export type RpcUrlSource = string | { env: string };

/** One chain of a {@link ChainConfig}, after validation (RPC URL resolved, defaults applied, addresses checksummed). */
export type ChainEntry = {
  /** The key of the chain in `chains` (used in messages, registries and remotes). */
  name: string;
  /** EVM chain id (checked against the RPC endpoint before anything is sent). */
  chainId: number;
  /** Concord domain id (uint32), the chain id unless set. */
  domain: number;
  /** Resolved RPC URL; absent only when `network` names a Hardhat network instead. */
  rpcUrl?: string;
  /** Name of the environment variable the RPC URL was read from, if any (for messages). */
  rpcUrlEnv?: string;
  /** A Hardhat network (hardhat.config.ts `networks`) whose provider the caller passes to `deploy`. */
  network?: string;
  /** A development chain: the deployer key defaults to anvil's first dev key and a missing deterministic-deployment
   * proxy is installed with `*_setCode`. */
  local: boolean;
  /** Deploy the demo-only contracts (two test tokens, MiniAMM, SwapAndBridge, liquidity, lanes). Default: `local`. */
  demo: boolean;
  /** Blocks validators wait before signing messages sent from this chain. */
  finalityDepth: number;
  /** The smallest finality depth accepted for this chain (config value, else a known default, else 1 or 0 local). */
  minFinalityDepth: number;
  /** Validators that attest messages sent FROM this chain (ascending, distinct). */
  validators: Address[];
  /** Signatures required from {@link validators}. */
  threshold: number;
  /** Names of the chains this chain accepts messages from and trusts (default: every other chain). */
  remotes: string[];
  /** Gas price (wei) other chains' gas oracles quote for messages TO this chain; default 1 gwei on local chains,
   * else unset (no gas data is written for this chain). */
  gasPrice?: bigint;
  /** Price of this chain's native token in any unit common to all chains (default 1: the same token, e.g. ETH on
   * L2s). The gas oracle's exchange rate of remote to local native token is `1e10 * remote / local`. */
  nativeTokenPrice: number;
  /** Transport adapters deployed on this chain, by protocol key (`hyperlane`, see adapters.ts): the validated
   * section of each protocol the chain configures. Empty when none. */
  adapters: Readonly<Record<string, AdapterSection>>;
  /** The chain's TransportAggregator (k-of-n over its gateways), when the config gives it an `aggregator` section. */
  aggregator?: AggregatorSection;
  /** Per destination chain name: the gas this chain's FlowEscrow adds to an EXECUTE's `executionGas` for flows to it
   * (`FlowEscrow.setExecuteGasOverhead`). Destinations not listed get {@link EXECUTE_GAS_OVERHEAD}. */
  executeGasOverhead: Readonly<Record<string, number>>;
  /** The gateway the chain's FlowEscrow and FlowExecutor are built on, and the sponsor balance deploy keeps there
   * (`chains.<name>.flows`, see flows.ts). Default: the native gateway. */
  flows: FlowsSection;
};

/** Name of Concord's native gateway (the chain's ConcordGateway) in an `aggregator` section; the other gateway names
 * are adapter section keys (`hyperlane`, `layerzero`, ...). */
export const NATIVE_GATEWAY = "native";

/** The route of a TransportAggregator to one remote chain (`chains.<name>.aggregator.remotes.<remote>`): what this
 * chain sends over, and what the remote counts and requires for messages from this chain. */
export type AggregatorRoute = {
  /** Gateway names (see {@link NATIVE_GATEWAY}) of the send set here and of the remote's receive set for this chain. */
  gateways: string[];
  /** Gateways that must accept a send here; receipts the remote requires (the remote's receive rule). */
  threshold: number;
  /** The same for messages declaring more than `valueBound` (default: `threshold`). */
  highThreshold: number;
  /** Declared values above it need `highThreshold` (wei or the app's unit, uint128; default 0). */
  valueBound: bigint;
};

/** A chain's `aggregator` section, validated. */
export type AggregatorSection = {
  /** Seconds between scheduling a configuration change and its effect (immutable; default 1 day). */
  configDelay: number;
  /** Seconds between an operator's release decision for a quarantined id and the release (immutable; default
   * `configDelay`). */
  releaseDelay: number;
  /** Gateways registered with the aggregator, by name, in slot order (default: `native`, then every adapter
   * section of the chain). Registration is append-only: a name removed from the list keeps its slot. */
  gateways: string[];
  /** Routes to remote chains, by chain name (each remote needs its own `aggregator` section). */
  remotes: Record<string, AggregatorRoute>;
};

/** FlowEscrow's bounds on the per-destination EXECUTE gas overhead (`EXECUTE_GAS_OVERHEAD`, the default, and
 * `MAX_EXECUTE_GAS_OVERHEAD`; contracts/coordination/FlowEscrow.sol). */
export const EXECUTE_GAS_OVERHEAD = 250_000;
export const MAX_EXECUTE_GAS_OVERHEAD = 1_000_000;

/** A validated chain-config file (see deploy/config/*.json and deploy/README.md). */
export type ChainConfig = {
  /** Namespace of every deterministic salt; change it to deploy a fresh set of addresses. Default `concord.v1`. */
  saltPrefix: string;
  /** Account granted `ADMIN_ROLE` on every chain's AccessManager (and owner of the example inbox); default: the
   * deployer. */
  admin?: Address;
  /** Account granted the GUARDIAN role (may pause the gateway or one route, cannot unpause or configure). */
  guardian?: Address;
  gateway: {
    /** Destination gas limit when a sender gives none. */
    defaultGasLimit: number;
    /** Largest message body (4-byte gas limit + payload), in bytes. */
    maxBodySize: number;
  };
  /** The coordination layer (each chain's FlowEscrow and FlowExecutor). */
  coordinator: {
    /** Longest allowed flow horizon (deadline - open time), in seconds; acknowledgement routes wait twice this. */
    maxHorizon: number;
    /** Point the FlowEscrow at the chain's GasOracle (flows then pay their round-trip gas up front). Default
     * true. */
    useGasOracle: boolean;
  };
  /** Chains by name, in file order. */
  chains: Record<string, ChainEntry>;
};

/** A bad chain-config file: `key` is the dotted path of the offending key, e.g. `chains.chainB.threshold`. */
export class ConfigError extends ConcordSdkError {
  override name = "ConfigError";
  readonly key: string;
  /** What is wrong with it (the message without the key). */
  readonly problem: string;

  constructor(key: string, problem: string) {
    super(`${key}: ${problem}`);
    this.key = key;
    this.problem = problem;
  }
}

/** Known minimum finality depths (blocks) by chain id, used when the config gives no `minFinalityDepth`. */
export const KNOWN_MIN_FINALITY_DEPTH: Readonly<Record<number, number>> = {
  1: 64, // Ethereum: two epochs (finalized checkpoint)
  11_155_111: 64, // Sepolia
  17_000: 64, // Holesky
  56: 15, // BNB Smart Chain (fast finality: 2 of 3 validators, ~15 blocks as a safe margin)
  137: 256, // Polygon PoS (milestones normally finalize faster; conservative)
};

/** Defaults applied by {@link validateConfig}. */
export const CONFIG_DEFAULTS = {
  saltPrefix: "concord.v1",
  defaultGasLimit: 200_000,
  maxBodySize: 8_192,
  maxHorizon: 7 * 24 * 3600,
  aggregatorConfigDelay: 24 * 3600,
} as const;

const UINT32_MAX = 0xffff_ffff;
const MAX_VALIDATORS = 16;
const TOP_KEYS = ["$comment", "saltPrefix", "admin", "guardian", "gateway", "coordinator", "chains"];
const CHAIN_KEYS = [
  "$comment",
  "chainId",
  "domain",
  "rpcUrl",
  "network",
  "local",
  "demo",
  "finalityDepth",
  "minFinalityDepth",
  "validators",
  "threshold",
  "remotes",
  "gasPrice",
  "nativeTokenPrice",
  "aggregator",
  "executeGasOverhead",
  "flows",
  ...ADAPTER_PROTOCOLS.map((p) => p.key),
];
const AGGREGATOR_KEYS = ["$comment", "configDelay", "releaseDelay", "gateways", "remotes"];
const ROUTE_KEYS = ["$comment", "gateways", "threshold", "highThreshold", "valueBound"];
const UINT128_MAX = 2n ** 128n - 1n;
/** TransportAggregator's MAX_GAS_LIMIT: its default gas limit (gateway.defaultGasLimit) must not exceed it. */
const AGGREGATOR_MAX_GAS_LIMIT = 30_000_000;
/** Longest aggregator delay accepted (a year): the contract takes a uint48, but a longer delay is a typo. */
const MAX_AGGREGATOR_DELAY = 365 * 24 * 3600;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(value: unknown, key: string): Json {
  if (!isObject(value)) throw new ConfigError(key, "must be an object");
  return value;
}

function noUnknownKeys(value: Json, allowed: readonly string[], key: string): void {
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k))
      throw new ConfigError(
        `${key}.${k}`,
        `unknown key (allowed: ${allowed.filter((a) => a[0] !== "$").join(", ")})`,
      );
  }
}

function integer(value: unknown, key: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value))
    throw new ConfigError(key, `must be an integer, got ${JSON.stringify(value)}`);
  if (value < min || value > max) throw new ConfigError(key, `must be in [${min}, ${max}], got ${value}`);
  return value;
}

function optionalInteger(value: unknown, key: string, min: number, max: number, fallback: number): number {
  return value === undefined ? fallback : integer(value, key, min, max);
}

function boolean(value: unknown, key: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean")
    throw new ConfigError(key, `must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function address(value: unknown, key: string): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false }))
    throw new ConfigError(key, `must be a 20-byte hex address, got ${JSON.stringify(value)}`);
  const checksummed = getAddress(value);
  if (BigInt(checksummed) === 0n) throw new ConfigError(key, "must not be the zero address");
  return checksummed;
}

function nonEmptyString(value: unknown, key: string): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new ConfigError(key, "must be a non-empty string");
  return value;
}

function rpcUrl(
  value: unknown,
  key: string,
  env: Readonly<Record<string, string | undefined>>,
): { url: string; env?: string } {
  if (typeof value === "string") {
    if (!/^(https?|wss?):\/\/./.test(value))
      throw new ConfigError(key, `must be an http(s) or ws(s) URL, got ${JSON.stringify(value)}`);
    return { url: value };
  }
  if (isObject(value)) {
    noUnknownKeys(value, ["env"], key);
    const name = nonEmptyString(value.env, `${key}.env`);
    const url = env[name];
    if (url === undefined || url.trim() === "")
      throw new ConfigError(key, `missing RPC URL: environment variable ${name} is not set`);
    const resolved = rpcUrl(url.trim(), `${key} (from ${name})`, env);
    return { url: resolved.url, env: name };
  }
  throw new ConfigError(key, 'must be a URL or {"env": "VARIABLE_NAME"}');
}

const UINT64_MAX = 2n ** 64n - 1n;

/** The section `chains.<name>.<protocol.key>`, validated from the protocol's field specs. */
function adapterSection(protocol: AdapterProtocol, value: unknown, key: string): AdapterSection {
  const raw = object(value, key);
  noUnknownKeys(raw, ["$comment", ...Object.keys(protocol.fields)], key);
  const out: Record<string, Address | number | bigint | string> = {};
  for (const [name, field] of Object.entries(protocol.fields)) {
    const k = `${key}.${name}`;
    const v = raw[name] ?? field.default;
    if (v === undefined) {
      if (field.optional) continue;
      throw new ConfigError(k, `is required (${field.doc})`);
    }
    switch (field.kind) {
      case "address":
        out[name] = address(v, k);
        break;
      case "addressOrZero":
        if (typeof v !== "string" || !isAddress(v, { strict: false }))
          throw new ConfigError(
            k,
            `must be a 20-byte hex address (0x000…000: none), got ${JSON.stringify(v)}`,
          );
        out[name] = getAddress(v);
        break;
      case "uint32":
        out[name] = integer(v, k, 1, UINT32_MAX);
        break;
      case "uint16":
        out[name] = integer(v, k, 1, 0xffff);
        break;
      case "uint8":
        out[name] = integer(v, k, 0, 0xff);
        break;
      case "uint64": {
        const ok =
          (typeof v === "number" && Number.isSafeInteger(v)) || (typeof v === "string" && /^[0-9]+$/.test(v));
        if (typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v))
          throw new ConfigError(
            k,
            `${v} is above 2**53 and lost its exact value in JSON: give it as a decimal string, e.g. "${BigInt(v)}"`,
          );
        const n = ok ? BigInt(v) : -1n;
        if (n < 1n || n > UINT64_MAX)
          throw new ConfigError(k, `must be an integer in [1, 2**64 - 1], got ${JSON.stringify(v)}`);
        out[name] = n;
        break;
      }
      case "string": {
        const text = nonEmptyString(v, k);
        const bytes = Buffer.byteLength(text, "utf8");
        if (field.maxBytes !== undefined && bytes > field.maxBytes)
          throw new ConfigError(
            k,
            `must be at most ${field.maxBytes} bytes, got ${bytes} (${JSON.stringify(text)})`,
          );
        if (text !== text.trim())
          throw new ConfigError(k, `must not start or end with spaces, got ${JSON.stringify(text)}`);
        out[name] = text;
        break;
      }
    }
  }
  return out;
}

/** A uint128 given as a JSON number (up to 2^53) or a decimal string. */
function uint128(value: unknown, key: string): bigint {
  if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value))
    throw new ConfigError(
      key,
      `${value} is above 2**53 and lost its exact value in JSON: give it as a decimal string, e.g. "${BigInt(value)}"`,
    );
  const ok =
    (typeof value === "number" && Number.isSafeInteger(value)) ||
    (typeof value === "string" && /^[0-9]+$/.test(value));
  const n = ok ? BigInt(value as number | string) : -1n;
  if (n < 0n || n > UINT128_MAX)
    throw new ConfigError(
      key,
      `must be an integer in [0, 2**128 - 1], as a number or a decimal string, got ${JSON.stringify(value)}`,
    );
  return n;
}

/** `chains.<name>.executeGasOverhead`: destination chain name -> gas, within FlowEscrow's bounds. */
function executeGasOverheads(
  value: unknown,
  key: string,
  name: string,
  chains: Readonly<Record<string, ChainEntry>>,
): Record<string, number> {
  const raw = object(value, key);
  const out: Record<string, number> = {};
  for (const [destination, gas] of Object.entries(raw)) {
    if (destination === "$comment") continue;
    const k = `${key}.${destination}`;
    if (chains[destination] === undefined)
      throw new ConfigError(
        k,
        `unknown chain "${destination}": key each overhead by a destination chain's name (${Object.keys(chains).join(", ")})`,
      );
    if (destination === name)
      throw new ConfigError(k, "flows never go to their own chain: remove this entry");
    if (!chains[name]!.remotes.includes(destination))
      throw new ConfigError(
        k,
        `${destination} is not in chains.${name}.remotes, so no flow from ${name} goes there: add it to the remotes ` +
          "or remove this entry",
      );
    if (typeof gas !== "number" || !Number.isSafeInteger(gas))
      throw new ConfigError(k, `must be an integer (gas), got ${JSON.stringify(gas)}`);
    if (gas < EXECUTE_GAS_OVERHEAD || gas > MAX_EXECUTE_GAS_OVERHEAD)
      throw new ConfigError(
        k,
        `must be between ${EXECUTE_GAS_OVERHEAD} (FlowEscrow.EXECUTE_GAS_OVERHEAD, the default: leave the entry out ` +
          `for it) and ${MAX_EXECUTE_GAS_OVERHEAD} (FlowEscrow.MAX_EXECUTE_GAS_OVERHEAD), got ${gas}: the escrow ` +
          "refuses other values",
      );
    out[destination] = gas;
  }
  return out;
}

/** The gateway names a chain can register: `native`, then its adapter sections (in deployment order). */
function availableGateways(chain: ChainEntry): string[] {
  return [NATIVE_GATEWAY, ...ADAPTER_PROTOCOLS.filter((p) => chain.adapters[p.key]).map((p) => p.key)];
}

/** `chains.<name>.aggregator` without its routes (delays, gateways). */
function aggregatorBase(value: unknown, key: string, chain: ChainEntry): AggregatorSection {
  const raw = object(value, key);
  noUnknownKeys(raw, AGGREGATOR_KEYS, key);
  const configDelay = optionalInteger(
    raw.configDelay,
    `${key}.configDelay`,
    1,
    MAX_AGGREGATOR_DELAY,
    CONFIG_DEFAULTS.aggregatorConfigDelay,
  );
  const releaseDelay = optionalInteger(
    raw.releaseDelay,
    `${key}.releaseDelay`,
    1,
    MAX_AGGREGATOR_DELAY,
    configDelay,
  );
  const available = availableGateways(chain);
  let gateways = available;
  if (raw.gateways !== undefined) {
    if (!Array.isArray(raw.gateways) || raw.gateways.length === 0)
      throw new ConfigError(
        `${key}.gateways`,
        `must be a non-empty array of gateway names (here: ${available.map((g) => JSON.stringify(g)).join(", ")}); ` +
          "leave it out to register all of them",
      );
    gateways = raw.gateways.map((g, i) => {
      const k = `${key}.gateways[${i}]`;
      const gateway = nonEmptyString(g, k);
      if (!available.includes(gateway)) {
        const protocol = ADAPTER_PROTOCOLS.find((p) => p.key === gateway);
        throw new ConfigError(
          k,
          protocol
            ? `chains.${chain.name} has no ${gateway} section, so no ${protocol.contract} to register: add the section ` +
                "(see docs/adapters.md) or remove the name"
            : `unknown gateway "${gateway}": use "${NATIVE_GATEWAY}" (the ConcordGateway) or an adapter section of ` +
                `this chain (${available.slice(1).join(", ") || "none configured"})`,
        );
      }
      return gateway;
    });
    gateways.forEach((g, i) => {
      if (gateways.indexOf(g) !== i)
        throw new ConfigError(
          `${key}.gateways[${i}]`,
          `duplicate gateway "${g}": a gateway is registered once`,
        );
    });
  }
  return { configDelay, releaseDelay, gateways, remotes: {} };
}

/** The routes of `chains.<name>.aggregator.remotes`, once every chain's aggregator base is known. */
function aggregatorRoutes(
  value: unknown,
  key: string,
  chain: ChainEntry,
  chains: Readonly<Record<string, ChainEntry>>,
): Record<string, AggregatorRoute> {
  if (value === undefined) return {};
  const raw = object(value, key);
  const routes: Record<string, AggregatorRoute> = {};
  const own = chain.aggregator!;
  for (const [name, routeValue] of Object.entries(raw)) {
    if (name === "$comment") continue;
    const k = `${key}.${name}`;
    const remote = chains[name];
    if (remote === undefined)
      throw new ConfigError(
        k,
        `unknown chain "${name}": key each route by a remote chain's name (${Object.keys(chains).join(", ")})`,
      );
    if (name === chain.name)
      throw new ConfigError(k, "an aggregator has no route to its own chain: remove it");
    if (!chain.remotes.includes(name) || !remote.remotes.includes(chain.name))
      throw new ConfigError(
        k,
        `${chain.name} and ${name} must be remotes of each other (chains.<name>.remotes): the aggregator's gateways ` +
          "are wired between remotes only; add them or remove this route",
      );
    if (remote.aggregator === undefined)
      throw new ConfigError(
        k,
        `chains.${name} has no aggregator section: messages from ${chain.name} need an aggregator there to count ` +
          `them; add "aggregator": {} to chains.${name}`,
      );
    const r = object(routeValue, k);
    noUnknownKeys(r, ROUTE_KEYS, k);
    const shared = own.gateways.filter((g) => remote.aggregator!.gateways.includes(g));
    let gateways = shared;
    if (r.gateways !== undefined) {
      if (!Array.isArray(r.gateways) || r.gateways.length === 0)
        throw new ConfigError(
          `${k}.gateways`,
          `must be a non-empty array of gateway names registered on both ends (${shared.join(", ") || "none"}); ` +
            "leave it out to use all of them",
        );
      const names: unknown[] = r.gateways;
      gateways = names.map((g, i) => {
        const gk = `${k}.gateways[${i}]`;
        const gateway = nonEmptyString(g, gk);
        if (!own.gateways.includes(gateway))
          throw new ConfigError(
            gk,
            `"${gateway}" is not registered on ${chain.name}'s aggregator: add it to chains.${chain.name}.aggregator.gateways`,
          );
        if (!remote.aggregator!.gateways.includes(gateway))
          throw new ConfigError(
            gk,
            `"${gateway}" is not registered on ${name}'s aggregator, which must count it: add it to ` +
              `chains.${name}.aggregator.gateways` +
              (gateway === NATIVE_GATEWAY ? "" : ` (chains.${name} needs a ${gateway} section)`),
          );
        if (names.indexOf(g) !== i) throw new ConfigError(gk, `duplicate gateway "${gateway}"`);
        return gateway;
      });
    } else if (shared.length === 0)
      throw new ConfigError(
        `${k}.gateways`,
        `${chain.name} and ${name} register no common gateway: give both aggregators the same gateway names`,
      );
    const n = gateways.length;
    if (r.threshold === undefined)
      throw new ConfigError(
        `${k}.threshold`,
        `is required: how many of the route's ${n} gateways (${gateways.join(", ")}) must carry a message (k of n)`,
      );
    const threshold = integer(
      r.threshold,
      `${k}.threshold`,
      Number.MIN_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
    );
    if (threshold < 1 || threshold > n)
      throw new ConfigError(
        `${k}.threshold`,
        `must be between 1 and the route's number of gateways (${n}: ${gateways.join(", ")}), got ${threshold}: ` +
          (threshold > n ? "lower it or add gateways to the route" : "a message needs at least one gateway"),
      );
    const highThreshold =
      r.highThreshold === undefined
        ? threshold
        : integer(r.highThreshold, `${k}.highThreshold`, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (highThreshold < threshold || highThreshold > n)
      throw new ConfigError(
        `${k}.highThreshold`,
        `must be between threshold (${threshold}) and the route's number of gateways (${n}), got ${highThreshold}`,
      );
    if (highThreshold > threshold && r.valueBound === undefined)
      throw new ConfigError(
        `${k}.valueBound`,
        `is required when highThreshold (${highThreshold}) exceeds threshold (${threshold}): messages declaring ` +
          "more than it need highThreshold gateways",
      );
    const valueBound = r.valueBound === undefined ? 0n : uint128(r.valueBound, `${k}.valueBound`);
    routes[name] = { gateways, threshold, highThreshold, valueBound };
  }
  return routes;
}

/**
 * Validates a parsed chain-config file and applies defaults. Throws a {@link ConfigError} naming the bad key for:
 * unknown keys, unknown chains referenced in `remotes`, duplicate chain or domain ids, a threshold of 0 or above
 * the number of validators, a finality depth below the chain's minimum, a missing RPC URL (literal or the named
 * environment variable), malformed addresses and out-of-range numbers, and in adapter sections (`hyperlane`,
 * `layerzero`, `ccip`, `axelar`, `wormhole`, see adapters.ts) missing or unknown fields, out-of-range ids, over-long
 * names and two chains with the same protocol domain (Axelar chain names compared without case); in `aggregator`
 * sections unknown gateway names or ones without their adapter section, routes to unknown chains, to chains that are
 * not mutual remotes or have no aggregator, gateways not registered on both ends, thresholds outside [1, n] and a
 * missing `valueBound` with a higher `highThreshold`; in `executeGasOverhead` unknown or non-remote destinations and
 * values outside FlowEscrow's bounds. Each message says what to change.
 * @param raw The parsed JSON.
 * @param env Where `{"env": NAME}` RPC URLs are read from (default `process.env`).
 */
export function validateConfig(
  raw: unknown,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ChainConfig {
  const top = object(raw, "config");
  noUnknownKeys(top, TOP_KEYS, "config");
  const saltPrefix =
    top.saltPrefix === undefined ? CONFIG_DEFAULTS.saltPrefix : nonEmptyString(top.saltPrefix, "saltPrefix");
  const admin = top.admin === undefined ? undefined : address(top.admin, "admin");
  const guardian = top.guardian === undefined ? undefined : address(top.guardian, "guardian");

  const gatewayRaw = top.gateway === undefined ? {} : object(top.gateway, "gateway");
  noUnknownKeys(gatewayRaw, ["defaultGasLimit", "maxBodySize"], "gateway");
  const gateway = {
    defaultGasLimit: optionalInteger(
      gatewayRaw.defaultGasLimit,
      "gateway.defaultGasLimit",
      1,
      UINT32_MAX,
      CONFIG_DEFAULTS.defaultGasLimit,
    ),
    maxBodySize: optionalInteger(
      gatewayRaw.maxBodySize,
      "gateway.maxBodySize",
      4,
      Number.MAX_SAFE_INTEGER,
      CONFIG_DEFAULTS.maxBodySize,
    ),
  };
  const coordinatorRaw = top.coordinator === undefined ? {} : object(top.coordinator, "coordinator");
  noUnknownKeys(coordinatorRaw, ["maxHorizon", "useGasOracle"], "coordinator");
  const coordinator = {
    maxHorizon: optionalInteger(
      coordinatorRaw.maxHorizon,
      "coordinator.maxHorizon",
      1,
      Number.MAX_SAFE_INTEGER,
      CONFIG_DEFAULTS.maxHorizon,
    ),
    useGasOracle: boolean(coordinatorRaw.useGasOracle, "coordinator.useGasOracle", true),
  };

  const chainsRaw = object(top.chains, "chains");
  const names = Object.keys(chainsRaw);
  if (names.length === 0) throw new ConfigError("chains", "must name at least one chain");
  const chains: Record<string, ChainEntry> = {};
  const byChainId = new Map<number, string>();
  const byDomain = new Map<number, string>();
  const allRemotes = new Set<string>();
  const protocolDomains = new Map<string, string>(); // "<protocol>:<id>" -> chain name
  for (const name of names) {
    const key = `chains.${name}`;
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name))
      throw new ConfigError(
        key,
        "chain names must start with a letter and use only letters, digits, _ and -",
      );
    const c = object(chainsRaw[name], key);
    noUnknownKeys(c, CHAIN_KEYS, key);
    const chainId = integer(c.chainId, `${key}.chainId`, 1, Number.MAX_SAFE_INTEGER);
    const sameId = byChainId.get(chainId);
    if (sameId !== undefined)
      throw new ConfigError(`${key}.chainId`, `duplicate chain id ${chainId} (also chains.${sameId})`);
    byChainId.set(chainId, name);
    if (c.domain === undefined && chainId > UINT32_MAX)
      throw new ConfigError(
        `${key}.domain`,
        `chain id ${chainId} does not fit a uint32 domain: set a domain`,
      );
    const domain = optionalInteger(c.domain, `${key}.domain`, 1, UINT32_MAX, chainId);
    const sameDomain = byDomain.get(domain);
    if (sameDomain !== undefined)
      throw new ConfigError(`${key}.domain`, `duplicate domain id ${domain} (also chains.${sameDomain})`);
    byDomain.set(domain, name);

    const local = boolean(c.local, `${key}.local`, false);
    const demo = boolean(c.demo, `${key}.demo`, local);
    let url: { url: string; env?: string } | undefined;
    let network: string | undefined;
    if (c.network !== undefined) network = nonEmptyString(c.network, `${key}.network`);
    if (c.rpcUrl !== undefined) url = rpcUrl(c.rpcUrl, `${key}.rpcUrl`, env);
    if (url === undefined && network === undefined)
      throw new ConfigError(`${key}.rpcUrl`, 'missing RPC URL: give a URL or {"env": "VARIABLE_NAME"}');
    if (url !== undefined && network !== undefined)
      throw new ConfigError(`${key}.network`, "give either rpcUrl or network (a Hardhat network), not both");

    const minFinalityDepth = optionalInteger(
      c.minFinalityDepth,
      `${key}.minFinalityDepth`,
      0,
      1_000_000,
      KNOWN_MIN_FINALITY_DEPTH[chainId] ?? (local ? 0 : 1),
    );
    const finalityDepth = optionalInteger(
      c.finalityDepth,
      `${key}.finalityDepth`,
      0,
      1_000_000,
      minFinalityDepth,
    );
    if (finalityDepth < minFinalityDepth)
      throw new ConfigError(
        `${key}.finalityDepth`,
        `${finalityDepth} is below the chain's minimum finality depth ${minFinalityDepth}`,
      );

    if (!Array.isArray(c.validators) || c.validators.length === 0)
      throw new ConfigError(`${key}.validators`, "must be a non-empty array of addresses");
    if (c.validators.length > MAX_VALIDATORS)
      throw new ConfigError(
        `${key}.validators`,
        `at most ${MAX_VALIDATORS} validators, got ${c.validators.length}`,
      );
    const validators = c.validators.map((v, i) => address(v, `${key}.validators[${i}]`));
    const seen = new Set<string>();
    validators.forEach((v, i) => {
      if (seen.has(v)) throw new ConfigError(`${key}.validators[${i}]`, `duplicate validator ${v}`);
      seen.add(v);
    });
    validators.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    if (c.threshold === undefined) throw new ConfigError(`${key}.threshold`, "is required");
    const threshold = integer(
      c.threshold,
      `${key}.threshold`,
      Number.MIN_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
    );
    if (threshold < 1 || threshold > validators.length)
      throw new ConfigError(
        `${key}.threshold`,
        `must be between 1 and the number of validators (${validators.length}), got ${threshold}`,
      );

    let remotes: string[] | undefined;
    if (c.remotes !== undefined) {
      if (!Array.isArray(c.remotes))
        throw new ConfigError(`${key}.remotes`, "must be an array of chain names");
      remotes = c.remotes.map((r, i) => nonEmptyString(r, `${key}.remotes[${i}]`));
    }
    let gasPrice: bigint | undefined = local ? 1_000_000_000n : undefined;
    if (c.gasPrice !== undefined) {
      if (
        !(typeof c.gasPrice === "string" && /^[0-9]+$/.test(c.gasPrice)) &&
        !(typeof c.gasPrice === "number" && Number.isSafeInteger(c.gasPrice))
      )
        throw new ConfigError(
          `${key}.gasPrice`,
          "must be a non-negative integer (wei), as a number or a string",
        );
      gasPrice = BigInt(c.gasPrice as string | number);
      if (gasPrice <= 0n || gasPrice >= 2n ** 128n)
        throw new ConfigError(`${key}.gasPrice`, "must be between 1 and 2**128 - 1 wei");
    }
    let nativeTokenPrice = 1;
    if (c.nativeTokenPrice !== undefined) {
      if (
        typeof c.nativeTokenPrice !== "number" ||
        !(c.nativeTokenPrice > 0) ||
        !Number.isFinite(c.nativeTokenPrice)
      )
        throw new ConfigError(`${key}.nativeTokenPrice`, "must be a positive number");
      nativeTokenPrice = c.nativeTokenPrice;
    }
    const adapters: Record<string, AdapterSection> = {};
    for (const protocol of ADAPTER_PROTOCOLS) {
      if (c[protocol.key] === undefined) continue;
      const k = `${key}.${protocol.key}`;
      const section = adapterSection(protocol, c[protocol.key], k);
      const id = String(section[protocol.protocolDomainField]);
      const idKey = protocol.fields[protocol.protocolDomainField]!.caseInsensitive ? id.toLowerCase() : id;
      const taken = protocolDomains.get(`${protocol.key}:${idKey}`);
      if (taken !== undefined)
        throw new ConfigError(
          `${k}.${protocol.protocolDomainField}`,
          `duplicate ${protocol.key} ${protocol.protocolDomainField} ${id} (also chains.${taken}.${protocol.key}): ` +
            "each chain has its own",
        );
      protocolDomains.set(`${protocol.key}:${idKey}`, name);
      adapters[protocol.key] = section;
    }
    chains[name] = {
      name,
      chainId,
      domain,
      ...(url ? { rpcUrl: url.url } : {}),
      ...(url?.env ? { rpcUrlEnv: url.env } : {}),
      ...(network ? { network } : {}),
      local,
      demo,
      finalityDepth,
      minFinalityDepth,
      validators,
      threshold,
      remotes: remotes ?? [],
      ...(gasPrice !== undefined ? { gasPrice } : {}),
      nativeTokenPrice,
      adapters,
      executeGasOverhead: {},
      flows: { transport: "native" },
    };
    if (remotes === undefined) allRemotes.add(name);
  }
  // Second pass: remotes reference known chains (default: every other chain).
  for (const name of names) {
    const chain = chains[name]!;
    if (allRemotes.has(name)) {
      chain.remotes = names.filter((n) => n !== name);
      continue;
    }
    const seen = new Set<string>();
    chain.remotes.forEach((remote, i) => {
      const key = `chains.${name}.remotes[${i}]`;
      if (chains[remote] === undefined) throw new ConfigError(key, `unknown chain "${remote}"`);
      if (remote === name) throw new ConfigError(key, "a chain cannot be its own remote");
      if (seen.has(remote)) throw new ConfigError(key, `duplicate remote "${remote}"`);
      seen.add(remote);
    });
  }
  // Third pass: per-destination flow overheads and aggregators (their routes name other chains' aggregators).
  for (const name of names) {
    const c = chainsRaw[name] as Json;
    const chain = chains[name]!;
    if (c.executeGasOverhead !== undefined)
      chain.executeGasOverhead = executeGasOverheads(
        c.executeGasOverhead,
        `chains.${name}.executeGasOverhead`,
        name,
        chains,
      );
    if (c.aggregator !== undefined) {
      if (gateway.defaultGasLimit > AGGREGATOR_MAX_GAS_LIMIT)
        throw new ConfigError(
          "gateway.defaultGasLimit",
          `${gateway.defaultGasLimit} is above ${AGGREGATOR_MAX_GAS_LIMIT}, the largest gas limit a TransportAggregator ` +
            `accepts (chains.${name} has an aggregator): lower it`,
        );
      chain.aggregator = aggregatorBase(c.aggregator, `chains.${name}.aggregator`, chain);
    }
  }
  for (const name of names) {
    const chain = chains[name]!;
    if (chain.aggregator === undefined) continue;
    const raw = (chainsRaw[name] as Json).aggregator as Json;
    chain.aggregator.remotes = aggregatorRoutes(
      raw.remotes,
      `chains.${name}.aggregator.remotes`,
      chain,
      chains,
    );
  }
  // Flow transports: the section the transport names exists, and both ends of every flow route use the same one.
  for (const name of names) {
    const chain = chains[name]!;
    const parsed = parseFlowsSection((chainsRaw[name] as Json).flows, `chains.${name}.flows`, {
      name,
      adapters: chain.adapters,
      hasAggregator: chain.aggregator !== undefined,
    });
    if ("problem" in parsed) throw new ConfigError(parsed.key, parsed.problem);
    chain.flows = parsed;
  }
  for (const name of names) {
    const problem = checkFlowRemotes(chains[name]!, chains);
    if (problem) throw new ConfigError(problem.key, problem.problem);
  }
  return {
    saltPrefix,
    ...(admin ? { admin } : {}),
    ...(guardian ? { guardian } : {}),
    gateway,
    coordinator,
    chains,
  };
}

/** Reads and validates the chain-config file at `path` (JSON). Throws a {@link ConfigError} (key `config`) when the
 * file cannot be read or parsed. */
export function loadConfig(
  path: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ChainConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError("config", `cannot read ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError("config", `${path} is not valid JSON: ${(e as Error).message}`);
  }
  return validateConfig(raw, env);
}
