// The TransportAggregator of a chain (contracts/adapters/aggregator): which gateways it registers, and per route
// (chains.<name>.aggregator.remotes.<remote>) the send config here and, on the remote, the receive set, the receive
// rule of the version this chain sends under and the remote aggregator. Every configuration change of the aggregator
// but the gateway registry is delayed (`schedule*`, `configDelay()` later): planning compares the config with the
// value in effect and with a change already scheduled (the send config's view returns it; the others come from the
// `*Scheduled` events of the last `configDelay` seconds, the only ones that can still be pending), so that a re-run
// schedules nothing twice and says when each scheduled change takes effect. plan.ts runs it.
import {
  type Abi,
  type Address,
  type PublicClient,
  decodeEventLog,
  encodeEventTopics,
  getAddress,
  zeroAddress,
} from "viem";
import { loadArtifact } from "../artifacts.js";
import { LogPager } from "../logs.js";
import { ADAPTER_PROTOCOLS } from "./adapters.js";
import {
  type AggregatorRoute,
  type ChainConfig,
  type ChainEntry,
  ConfigError,
  NATIVE_GATEWAY,
} from "./config.js";
import { create3Address, deploySalt } from "./create3.js";
import { AGGREGATOR_ENTRY } from "./manifest.js";

/** Registry name of the aggregator (`contracts.TransportAggregator`: `concord status` looks ids up on every registry
 * contract named `*Aggregator`). */
export const AGGREGATOR_CONTRACT = AGGREGATOR_ENTRY.name;

/** The registry name of each gateway name: `native` is the ConcordGateway, adapter keys their adapter. */
export function gatewayContract(name: string): string {
  if (name === NATIVE_GATEWAY) return "ConcordGateway";
  const protocol = ADAPTER_PROTOCOLS.find((p) => p.key === name);
  if (!protocol) throw new Error(`unknown gateway ${name}`);
  return protocol.contract;
}

/** The aggregator pays a gateway's quote with each leg (adapters), or calls it without value (the native gateway,
 * which charges nothing). */
export function gatewayPaid(name: string): boolean {
  return name !== NATIVE_GATEWAY;
}

/** A send config as the aggregator stores it. */
type SendConfig = {
  gateways: bigint;
  version: bigint;
  threshold: number;
  highThreshold: number;
  valueBound: bigint;
};

/** The send side of one route, decided before any chain is planned (the remote's receive rule needs its version). */
export type RouteSend = {
  /** Bitmap of this chain's slots of the route's gateways. */
  gateways: bigint;
  /** The send-config version messages on this route carry once the planned change (if any) is in effect. */
  version: bigint;
  /** A `scheduleSendConfig` is planned. */
  schedule: boolean;
  /** The config is scheduled already, not in effect yet: its activation (unix seconds, chain time). */
  pendingAt?: number;
};

/** What planning reads of a chain's aggregator before the chains are planned. */
export type AggregatorState = {
  address: Address;
  existed: boolean;
  /** The latest block's timestamp (chain time). */
  now: bigint;
  /** Gateway name -> its slot once the planned registrations are mined. */
  slots: Record<string, number>;
  /** Gateway names registered already, with the `paid` flag they were registered with. */
  registered: Record<string, boolean>;
  /** Routes by remote chain name. */
  sends: Record<string, RouteSend>;
};

/** A restricted call of the aggregator the plan sends. */
export type AggregatorCall = {
  functionName: string;
  args: readonly unknown[];
  /** For `schedule*`: when it takes effect (text for the plan). */
  takesEffect?: string;
};

/** A change scheduled earlier that is not in effect yet (nothing to send: reported with its activation). */
export type ScheduledChange = {
  /** e.g. `TransportAggregator.scheduleReceiveRule(31611, 2, 2, 2, 0)`. */
  description: string;
  /** Unix seconds (chain time). */
  activatesAt: number;
};

type Reader = <T>(address: Address, abi: Abi, functionName: string, args?: readonly unknown[]) => Promise<T>;

/** The CREATE3 address of `name` on every chain (deploy's salts: the contract name under the salt prefix). */
function deterministic(config: ChainConfig, factory: Address, deployer: Address, name: string): Address {
  return create3Address(factory, deployer, deploySalt(config.saltPrefix, name));
}

/** Address of each gateway name of a chain. */
export function gatewayAddress(
  config: ChainConfig,
  factory: Address,
  deployer: Address,
  name: string,
): Address {
  return deterministic(config, factory, deployer, gatewayContract(name));
}

/** ISO time of unix seconds, for plans. */
export function isoTime(seconds: number | bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

function bitmap(route: AggregatorRoute, slots: Readonly<Record<string, number>>): bigint {
  return route.gateways.reduce((bits, g) => bits | (1n << BigInt(slots[g]!)), 0n);
}

function sameSend(c: SendConfig, gateways: bigint, route: AggregatorRoute): boolean {
  return (
    c.gateways === gateways &&
    c.threshold === route.threshold &&
    c.highThreshold === route.highThreshold &&
    c.valueBound === route.valueBound
  );
}

/**
 * Reads a chain's aggregator (when it exists): the slots its gateways have or will get, and per route whether the
 * send config must be scheduled and under which version the route's messages will travel.
 */
export async function readAggregator(
  client: PublicClient,
  config: ChainConfig,
  entry: ChainEntry,
  factory: Address,
  deployer: Address,
): Promise<AggregatorState> {
  const section = entry.aggregator!;
  const abi = loadArtifact("TransportAggregator").abi;
  const address = deterministic(config, factory, deployer, AGGREGATOR_CONTRACT);
  const code = await client.getCode({ address });
  const existed = code !== undefined && code !== "0x";
  const read: Reader = async <T>(to: Address, a: Abi, functionName: string, args: readonly unknown[] = []) =>
    (await client.readContract({ address: to, abi: a, functionName, args })) as T;
  const now = (await client.getBlock({ blockTag: "latest" })).timestamp;
  const slots: Record<string, number> = {};
  const registered: Record<string, boolean> = {};
  let count = 0;
  if (existed) {
    for (const [key, wanted] of [
      ["configDelay", section.configDelay],
      ["releaseDelay", section.releaseDelay],
    ] as const) {
      const current = Number(await read<number>(address, abi, key));
      if (current !== wanted)
        throw new ConfigError(
          `chains.${entry.name}.aggregator.${key}`,
          `the TransportAggregator at ${address} on ${entry.name} was deployed with ${key} ${current}, the config ` +
            `says ${wanted}: it is immutable; set ${current}, or use a new saltPrefix to deploy a new aggregator`,
        );
    }
    // the registry is append-only from slot 1: count the taken slots
    while (count < 247) {
      const g = await read<{ gateway: Address }>(address, abi, "gatewayAt", [count + 1]);
      if (getAddress(g.gateway) === zeroAddress) break;
      count += 1;
    }
    for (const name of section.gateways) {
      const gateway = gatewayAddress(config, factory, deployer, name);
      const slot = Number(await read<number>(address, abi, "slotOf", [gateway]));
      if (slot !== 0) {
        slots[name] = slot;
        registered[name] = (await read<{ paid: boolean }>(address, abi, "gatewayAt", [slot])).paid;
      }
    }
  }
  for (const name of section.gateways) if (slots[name] === undefined) slots[name] = ++count;
  const sends: Record<string, RouteSend> = {};
  for (const [remoteName, route] of Object.entries(section.remotes)) {
    const destination = config.chains[remoteName]!.domain;
    const gateways = bitmap(route, slots);
    if (!existed) {
      sends[remoteName] = { gateways, version: 1n, schedule: true };
      continue;
    }
    const [current, scheduled, activatesAt] = await read<[SendConfig, SendConfig, number]>(
      address,
      abi,
      "sendConfig",
      [destination],
    );
    const pending = Number(activatesAt) !== 0;
    const latest = pending ? scheduled.version : current.version;
    if (pending ? sameSend(scheduled, gateways, route) : sameSend(current, gateways, route))
      sends[remoteName] = {
        gateways,
        version: latest,
        schedule: false,
        ...(pending ? { pendingAt: Number(activatesAt) } : {}),
      };
    else sends[remoteName] = { gateways, version: latest + 1n, schedule: true };
  }
  return { address, existed, now, slots, registered, sends };
}

/** The first block whose timestamp is at least `timestamp` (binary search over block headers). */
async function firstBlockAt(client: PublicClient, timestamp: bigint): Promise<bigint> {
  let hi = await client.getBlockNumber({ cacheTime: 0 });
  let lo = 0n;
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    if ((await client.getBlock({ blockNumber: mid })).timestamp >= timestamp) hi = mid;
    else lo = mid + 1n;
  }
  return lo;
}

type PendingKey = string;

/**
 * The delayed changes of an aggregator that are scheduled and not in effect yet, by key (`remote:<domain>`,
 * `set:<source>`, `rule:<source>:<version>`): the last `*Scheduled` event of each key in the last `configDelay`
 * seconds (anything older is in effect), kept when its activation is still ahead.
 */
async function pendingChanges(
  client: PublicClient,
  address: Address,
  now: bigint,
  configDelay: number,
): Promise<Map<PendingKey, { value: unknown; activatesAt: number }>> {
  const abi = loadArtifact("TransportAggregator").abi;
  const names = ["RemoteAggregatorScheduled", "ReceiveSetScheduled", "ReceiveRuleScheduled"] as const;
  const topic0 = names.map(
    (eventName) => encodeEventTopics({ abi, eventName } as Parameters<typeof encodeEventTopics>[0])[0]!,
  );
  const from = await firstBlockAt(client, now - BigInt(configDelay));
  const to = await client.getBlockNumber({ cacheTime: 0 });
  const pager = new LogPager(client);
  const out = new Map<PendingKey, { value: unknown; activatesAt: number }>();
  for (let cursor = from; cursor <= to;) {
    const page = await pager.page({ address, topics: [topic0] }, cursor, to);
    for (const log of page.logs) {
      const event = decodeEventLog({ abi, data: log.data, topics: log.topics }) as unknown as {
        eventName: string;
        args: Record<string, unknown>;
      };
      const a = event.args;
      const activatesAt = Number(a.activatesAt);
      if (event.eventName === "RemoteAggregatorScheduled")
        out.set(`remote:${a.domain}`, { value: getAddress(a.aggregator as Address), activatesAt });
      else if (event.eventName === "ReceiveSetScheduled")
        out.set(`set:${a.source}`, { value: a.gateways, activatesAt });
      else
        out.set(`rule:${a.source}:${a.version}`, {
          value: [a.threshold, a.highThreshold, a.valueBound],
          activatesAt,
        });
    }
    cursor = page.toBlock + 1n;
  }
  for (const [key, change] of out) if (BigInt(change.activatesAt) <= now) out.delete(key);
  return out;
}

function normalized(value: unknown): unknown {
  if (typeof value === "bigint" || typeof value === "number") return value.toString();
  if (typeof value === "string") return value.toLowerCase();
  if (Array.isArray(value)) return value.map(normalized);
  return value;
}

/** Whether two values of an aggregator setting are equal (addresses, bitmaps, rules; numbers or bigints). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalized(a)) === JSON.stringify(normalized(b));
}

/**
 * The aggregator calls of one chain: registrations, then per route from here the remote aggregator and the send
 * config, per route to here the remote aggregator, the receive set and the receive rule of the sender's version.
 * `states` holds every chain's {@link readAggregator} (by chain name); `scheduled` collects changes already pending.
 */
export async function planAggregator(
  client: PublicClient,
  config: ChainConfig,
  entry: ChainEntry,
  factory: Address,
  deployer: Address,
  states: Readonly<Record<string, AggregatorState>>,
  warnings: string[],
): Promise<{ calls: AggregatorCall[]; scheduled: ScheduledChange[] }> {
  const section = entry.aggregator!;
  const state = states[entry.name]!;
  const abi = loadArtifact("TransportAggregator").abi;
  const read: Reader = async <T>(to: Address, a: Abi, functionName: string, args: readonly unknown[] = []) =>
    (await client.readContract({ address: to, abi: a, functionName, args })) as T;
  const calls: AggregatorCall[] = [];
  const scheduled: ScheduledChange[] = [];
  const delay = section.configDelay;
  const takesEffect = `takes effect configDelay (${delay} s) after it is mined, about ${isoTime(state.now + BigInt(delay))}`;
  const describe = (fn: string, args: readonly unknown[]) =>
    `${AGGREGATOR_CONTRACT}.${fn}(${args.map((a) => String(a)).join(", ")})`;

  for (const name of section.gateways) {
    const paid = gatewayPaid(name);
    if (name in state.registered) {
      if (state.registered[name] !== paid)
        warnings.push(
          `${entry.name}: ${gatewayContract(name)} is registered on the TransportAggregator with paid=${state.registered[name]}, ` +
            `deploy registers it with paid=${paid}: registration is permanent (register a new deployment of the gateway to change it)`,
        );
      continue;
    }
    calls.push({
      functionName: "registerGateway",
      args: [gatewayAddress(config, factory, deployer, name), paid],
    });
  }

  let pending: Map<PendingKey, { value: unknown; activatesAt: number }> | undefined;
  const pendingOf = async (key: PendingKey) => {
    if (!state.existed) return undefined;
    pending ??= await pendingChanges(client, state.address, state.now, delay);
    return pending.get(key);
  };
  /** Schedules `value` unless it is in effect (`current`) or already scheduled (reported). */
  const delayed = async (
    key: PendingKey,
    current: unknown,
    value: unknown,
    fn: string,
    args: readonly unknown[],
  ) => {
    const change = await pendingOf(key);
    if (change) {
      if (same(change.value, value)) {
        scheduled.push({ description: describe(fn, args), activatesAt: change.activatesAt });
        return;
      }
      // another value is scheduled: scheduling again replaces it (even when the one in effect is the wanted one)
    } else if (same(current, value)) return;
    calls.push({ functionName: fn, args, takesEffect });
  };

  // The remote aggregator of every chain this one has a route with, either way (sends need it; legs from there
  // count only when sent by it).
  const peers = new Set<string>(Object.keys(section.remotes));
  for (const [name, other] of Object.entries(config.chains))
    if (other.aggregator?.remotes[entry.name]) peers.add(name);
  for (const name of [...peers].sort()) {
    const remote = config.chains[name]!;
    const wanted = states[name]!.address;
    const current = state.existed
      ? getAddress(await read<Address>(state.address, abi, "remoteAggregator", [remote.domain]))
      : zeroAddress;
    await delayed(`remote:${remote.domain}`, current, wanted, "scheduleRemoteAggregator", [
      remote.domain,
      wanted,
    ]);
  }

  for (const [name, route] of Object.entries(section.remotes)) {
    const send = state.sends[name]!;
    const args = [
      config.chains[name]!.domain,
      send.gateways,
      route.threshold,
      route.highThreshold,
      route.valueBound,
    ];
    if (send.schedule) calls.push({ functionName: "scheduleSendConfig", args, takesEffect });
    else if (send.pendingAt !== undefined)
      scheduled.push({
        description: `${describe("scheduleSendConfig", args)} v${send.version}`,
        activatesAt: send.pendingAt,
      });
  }

  for (const [name, origin] of Object.entries(config.chains)) {
    const route = origin.aggregator?.remotes[entry.name];
    if (!route) continue;
    const source = origin.domain;
    const gateways = bitmap(route, state.slots);
    const currentSet = state.existed ? await read<bigint>(state.address, abi, "receiveSet", [source]) : 0n;
    await delayed(`set:${source}`, currentSet, gateways, "scheduleReceiveSet", [source, gateways]);
    const version = states[name]!.sends[entry.name]!.version;
    const rule = [route.threshold, route.highThreshold, route.valueBound];
    const currentRule = state.existed
      ? await read<{ threshold: number; highThreshold: number; valueBound: bigint }>(
          state.address,
          abi,
          "receiveRule",
          [source, version],
        )
      : { threshold: 0, highThreshold: 0, valueBound: 0n };
    await delayed(
      `rule:${source}:${version}`,
      [currentRule.threshold, currentRule.highThreshold, currentRule.valueBound],
      rule,
      "scheduleReceiveRule",
      [source, version, ...rule],
    );
  }
  return { calls, scheduled };
}
