// What a chain gets: one entry per deterministic contract. Adding a contract is one entry here (plus, if it needs
// configuration, one wiring function in plan.ts).
import type { Address } from "viem";
import { ADAPTER_PROTOCOLS, type AdapterProtocol } from "./adapters.js";
import type { ChainConfig, ChainEntry } from "./config.js";
import { flowGatewayContract } from "./flows.js";

/** What a manifest entry's constructor arguments and condition may depend on. */
export type ManifestContext = {
  config: ChainConfig;
  chain: ChainEntry;
  deployer: Address;
  /** The configured admin, else the deployer. */
  admin: Address;
  /** Addresses of the entries before this one (by entry name), identical on every chain. */
  addresses: Readonly<Record<string, Address>>;
};

/** One contract deployed through CREATE3 at an address that depends only on (deployer, saltPrefix, name). */
export type ManifestEntry = {
  /** Registry key (`Deployment.contracts[name]`) and salt label. */
  name: string;
  /** Build artifact (`loadArtifact(artifact)`). */
  artifact: string;
  /** Constructor arguments on `ctx.chain`. */
  args: (ctx: ManifestContext) => readonly unknown[];
  /** Deploy on this chain? Default: every chain. */
  when?: (ctx: ManifestContext) => boolean;
  /** Skip silently when the artifact does not exist (contracts still being written). */
  optional?: boolean;
};

/** Demo amounts (18-decimal tokens): AMM reserves and the executor's bridged-USD liquidity. */
export const DEMO_AMOUNTS = {
  ammUsd: 100_000n * 10n ** 18n,
  ammWeth: 50n * 10n ** 18n,
  executorUsd: 10_000n * 10n ** 18n,
} as const;

/** Largest increment the example counter accepts per flow. */
export const COUNTER_MAX_INCREMENT = 100n;

const demoOnly = (ctx: ManifestContext): boolean => ctx.chain.demo;

/** The primary gateway of the chain's flow endpoints (`chains.<name>.flows.transport`): ConcordGateway, an adapter
 * or the TransportAggregator, deployed before them (see {@link DEPLOY_ORDER}). */
export const flowGateway = (ctx: ManifestContext): Address =>
  ctx.addresses[flowGatewayContract(ctx.chain.flows.transport)]!;

/** The contracts of a Concord chain, in deployment order. */
export const MANIFEST: readonly ManifestEntry[] = [
  { name: "AccessManager", artifact: "ConcordAccessManager", args: (ctx) => [ctx.deployer] },
  {
    name: "ConcordGateway",
    artifact: "ConcordGateway",
    // (localDomain, authority, defaultGasLimit, maxBodySize). There is no default verifier: every origin gets a
    // route (plan.ts wires one per remote chain, with the verifier that reports that chain's gateway).
    args: (ctx) => [
      ctx.chain.domain,
      ctx.addresses.AccessManager,
      ctx.config.gateway.defaultGasLimit,
      BigInt(ctx.config.gateway.maxBodySize),
    ],
  },
  {
    // Origin side of flows opened here: escrow, EXECUTE, settlement on B's OUTCOME. Its gateway is the flows'
    // transport (default ConcordGateway).
    name: "FlowEscrow",
    artifact: "FlowEscrow",
    args: (ctx) => [
      flowGateway(ctx),
      ctx.chain.domain,
      ctx.addresses.AccessManager,
      BigInt(ctx.config.coordinator.maxHorizon),
    ],
  },
  {
    // Destination side of flows opened elsewhere: executes from this chain's liquidity, sends the OUTCOME back.
    // Its acknowledgement-route delay starts at the escrows' (twice the maximum horizon).
    name: "FlowExecutor",
    artifact: "FlowExecutor",
    args: (ctx) => [
      flowGateway(ctx),
      ctx.chain.domain,
      ctx.addresses.AccessManager,
      2n * BigInt(ctx.config.coordinator.maxHorizon),
    ],
  },
  {
    name: "CrossChainCounter",
    artifact: "CrossChainCounter",
    args: (ctx) => [ctx.addresses.FlowExecutor, COUNTER_MAX_INCREMENT],
  },
  {
    // Last hop of a multi-hop flow (A -> B -> C): sends the guard that releases the parent flow on B.
    name: "HopGuardEmitter",
    artifact: "HopGuardEmitter",
    args: (ctx) => [ctx.addresses.FlowExecutor, ctx.addresses.ConcordGateway],
  },
  {
    name: "ConcordInbox",
    artifact: "ConcordInbox",
    args: (ctx) => [ctx.addresses.ConcordGateway, ctx.admin],
  },
  {
    name: "DemoUSD",
    artifact: "ConcordDemoToken",
    args: (ctx) => ["Concord Demo USD", "dUSD", ctx.deployer],
    when: demoOnly,
  },
  {
    name: "DemoWETH",
    artifact: "ConcordDemoToken",
    args: (ctx) => ["Concord Demo WETH", "dWETH", ctx.deployer],
    when: demoOnly,
  },
  {
    name: "MiniAMM",
    artifact: "MiniAMM",
    args: (ctx) => [ctx.addresses.DemoUSD, ctx.addresses.DemoWETH],
    when: demoOnly,
  },
  {
    name: "SwapAndBridge",
    artifact: "SwapAndBridge",
    args: (ctx) => [ctx.addresses.FlowExecutor, ctx.addresses.MiniAMM],
    when: demoOnly,
  },
  // Fees (contracts/fees): the oracle every quote uses, the paymaster senders pay relayers through.
  { name: "GasOracle", artifact: "GasOracle", args: (ctx) => [ctx.addresses.AccessManager], optional: true },
  {
    name: "GasPaymaster",
    artifact: "GasPaymaster",
    args: (ctx) => [ctx.addresses.AccessManager, ctx.addresses.GasOracle, ctx.admin],
    when: (ctx) => ctx.addresses.GasOracle !== undefined,
    optional: true,
  },
  // Relayer helper (contracts/periphery): delivers several messages in one transaction. Stateless.
  { name: "ConcordBatchProcessor", artifact: "ConcordBatchProcessor", args: () => [], optional: true },
];

/** Transport adapters (contracts/adapters), deployed after {@link MANIFEST}: one per protocol section of the chain
 * (adapters.ts), only on chains that have that section; wired in plan.ts. */
export const ADAPTER_MANIFEST: readonly ManifestEntry[] = ADAPTER_PROTOCOLS.map(adapterEntry);

/** The TransportAggregator (contracts/adapters/aggregator), deployed after the adapters on chains with an
 * `aggregator` section: (localDomain, authority, defaultGasLimit, configDelay, releaseDelay). Wired in aggregator.ts. */
export const AGGREGATOR_ENTRY: ManifestEntry = {
  name: "TransportAggregator",
  artifact: "TransportAggregator",
  args: (ctx) => [
    ctx.chain.domain,
    ctx.addresses.AccessManager,
    ctx.config.gateway.defaultGasLimit,
    ctx.chain.aggregator!.configDelay,
    ctx.chain.aggregator!.releaseDelay,
  ],
  when: (ctx) => ctx.chain.aggregator !== undefined,
};

/** Deployment order of a chain: the AccessManager and ConcordGateway, the adapters and the aggregator (a flow
 * endpoint's constructor requires code at its gateway), then the rest of {@link MANIFEST}. Addresses do not depend on
 * the order (CREATE3 by name). */
export const DEPLOY_ORDER: readonly ManifestEntry[] = (() => {
  const split = MANIFEST.findIndex((m) => m.name === "FlowEscrow");
  return [...MANIFEST.slice(0, split), ...ADAPTER_MANIFEST, AGGREGATOR_ENTRY, ...MANIFEST.slice(split)];
})();

/** The manifest entry of a protocol's adapter: deployed on the chains that have its config section. */
export function adapterEntry(protocol: AdapterProtocol): ManifestEntry {
  return {
    name: protocol.contract,
    artifact: protocol.artifact,
    args: (ctx) =>
      protocol.args(ctx.chain.adapters[protocol.key]!, {
        domain: ctx.chain.domain,
        authority: ctx.addresses.AccessManager!,
        defaultGasLimit: ctx.config.gateway.defaultGasLimit,
      }),
    when: (ctx) => ctx.chain.adapters[protocol.key] !== undefined,
  };
}
