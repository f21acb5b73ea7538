// Transport adapters (contracts/adapters/<protocol>/): one entry per protocol says what the chain-config section of
// that protocol holds, how its adapter is constructed, what is checked on chain before anything is sent, and how a
// route to a remote chain is wired. config.ts validates the sections from the field specs, manifest.ts deploys one
// adapter per chain that has a section, plan.ts wires the routes. Adding a protocol is one entry here; the rest of
// deploy and the registry follow.
import type { Address } from "viem";

/** What a field of an adapter's config section holds (validated by config.ts, errors naming the key). */
export type AdapterFieldKind =
  /** A non-zero 20-byte address (checksummed). */
  | "address"
  /** An address, or the zero address (`0x0000…0000`), which the protocol reads as "its default". */
  | "addressOrZero"
  /** An integer in [1, 2^32 - 1]. */
  | "uint32"
  /** An integer in [1, 2^16 - 1] (Wormhole chain ids). */
  | "uint16"
  /** An integer in [0, 255] (Wormhole consistency levels). */
  | "uint8"
  /** An integer in [1, 2^64 - 1], as a number or a decimal string (CCIP chain selectors). */
  | "uint64"
  /** A non-empty string (Axelar chain names), at most `maxBytes` UTF-8 bytes when given. */
  | "string";

export type AdapterField = {
  kind: AdapterFieldKind;
  /** Required unless a default is given or the field is optional. */
  default?: string | number;
  /** May be left out: the section then has no value for it (e.g. LayerZero's delegate: the AccessManager). */
  optional?: boolean;
  /** Longest value in UTF-8 bytes ("string" fields). */
  maxBytes?: number;
  /** Protocol ids compared without case when two chains are checked for a shared one (Axelar chain names). */
  caseInsensitive?: boolean;
  /** What the field is, for `deploy/README.md` and error messages. */
  doc: string;
};

/** A validated adapter section of one chain: field name -> value (addresses checksummed, uint64 as bigint). */
export type AdapterSection = Readonly<Record<string, Address | number | bigint | string>>;

/** What an adapter's constructor arguments may depend on (a subset of the manifest context). */
export type AdapterContext = {
  /** Concord domain of the chain (the adapter's `localDomain`). */
  domain: number;
  /** The chain's AccessManager (the adapter's authority). */
  authority: Address;
  /** Gas a recipient gets when the sender gives none (config `gateway.defaultGasLimit`). */
  defaultGasLimit: number;
};

/** A read of the chain that must hold before planning (e.g. the Mailbox's own domain is the configured one). */
export type AdapterCheck = {
  /** The section field holding the contract to read (its code is checked first). */
  field: string;
  /** The view function to call on it, without arguments. */
  functionName: string;
  /** The ABI of that function (the SDK carries no ABI of the protocols' own contracts). */
  abi: readonly unknown[];
  /** The section field whose value the result must equal. */
  equals: string;
};

/** A setting of the deployed adapter that follows the config: read with `getter`, written with `setter` when it
 * differs. */
export type AdapterSetting = {
  field: string;
  /** The adapter's view of the current value, or a view of another contract of the section called with the
   * adapter's address (e.g. LayerZero's `EndpointV2.delegates(adapter)`). */
  getter: string | { field: string; functionName: string; abi: readonly unknown[] };
  setter: string;
  /** The constructor sets it (a fresh adapter needs no setter call). */
  inConstructor: boolean;
  /** The value the config asks for, when it is not simply the field's (e.g. a default that depends on the chain). */
  value?: (section: AdapterSection, ctx: AdapterContext) => unknown;
};

/** One transport protocol's adapter, as deploy handles it. */
export type AdapterProtocol = {
  /** Config key of the per-chain section (`chains.<name>.<key>`) and key in the registry's `adapters`. */
  key: string;
  /** Manifest and registry name of the adapter (`contracts.<contract>`), also its CREATE3 salt label. */
  contract: string;
  /** Build artifact (`loadArtifact`). */
  artifact: string;
  /** The section's fields. */
  fields: Readonly<Record<string, AdapterField>>;
  /** The field holding this chain's id in the protocol; two chains of a config must not share it. */
  protocolDomainField: string;
  /** Fields that must name a contract on the chain (checked before planning; a zero `addressOrZero` is skipped). */
  contractFields: readonly string[];
  /** Reads that must match the config before planning. */
  checks: readonly AdapterCheck[];
  /** Immutable fields, compared with the deployed adapter's getter (a mismatch needs a new salt prefix). */
  immutables: readonly { field: string; getter: string }[];
  /** Settings kept in line with the config (restricted setters). */
  settings: readonly AdapterSetting[];
  /** Constructor arguments. */
  args: (section: AdapterSection, ctx: AdapterContext) => readonly unknown[];
  /**
   * Per remote chain with the same protocol: the protocol's id of the remote's Concord domain, read with
   * `getter(domain)` and written with `setter(domain, protocolDomain)`. `reverseGetter(protocolDomain)`, for
   * protocols that map one to one, gives the Concord domain holding a protocol domain (unmapped first with
   * `setter(holder, unmapped)` when it is another; `unmapped` is 0 unless given, e.g. "" for Axelar's names).
   */
  route: { getter: string; setter: string; reverseGetter?: string; unmapped?: string | number };
};

const VIEW = (name: string, type: string) =>
  [
    {
      type: "function",
      name,
      stateMutability: "view",
      inputs: [],
      outputs: [{ name: "", type }],
    },
  ] as const;
const UINT32_VIEW = (name: string) => VIEW(name, "uint32");

/** LayerZero's `EndpointV2.delegates(oapp)` (public mapping). */
const DELEGATES_VIEW = [
  {
    type: "function",
    name: "delegates",
    stateMutability: "view",
    inputs: [{ name: "oapp", type: "address" }],
    outputs: [{ name: "", type: "address" }],
  },
] as const;

/** Hyperlane (contracts/adapters/hyperlane/HyperlaneAdapter.sol over @hyperlane-xyz/core's Mailbox). */
export const HYPERLANE: AdapterProtocol = {
  key: "hyperlane",
  contract: "HyperlaneAdapter",
  artifact: "HyperlaneAdapter",
  fields: {
    mailbox: { kind: "address", doc: "the chain's Hyperlane Mailbox" },
    domain: { kind: "uint32", doc: "the chain's Hyperlane domain id (the Mailbox's localDomain)" },
    ism: {
      kind: "addressOrZero",
      default: "0x0000000000000000000000000000000000000000",
      doc: "the ISM that verifies messages to the adapter (0: the Mailbox's default ISM)",
    },
  },
  protocolDomainField: "domain",
  contractFields: ["mailbox", "ism"],
  checks: [
    { field: "mailbox", functionName: "localDomain", abi: UINT32_VIEW("localDomain"), equals: "domain" },
  ],
  immutables: [{ field: "mailbox", getter: "mailbox" }],
  settings: [
    {
      field: "ism",
      getter: "interchainSecurityModule",
      setter: "setInterchainSecurityModule",
      inConstructor: true,
    },
  ],
  // (mailbox, localDomain, authority, defaultGasLimit, ism)
  args: (s, ctx) => [s.mailbox, ctx.domain, ctx.authority, ctx.defaultGasLimit, s.ism],
  route: { getter: "hyperlaneDomainOf", setter: "setHyperlaneDomain", reverseGetter: "domainOfHyperlane" },
};

/** LayerZero V2 (contracts/adapters/layerzero/LayerZeroAdapter.sol over @layerzerolabs/lz-evm-protocol-v2's
 * EndpointV2). The LayerZero peer of a remote eid is the remote adapter (`setRemote`); the adapter builds its own
 * executor options per message, so there are no enforced options to set. The send/receive libraries and DVN config
 * are the delegate's (at the endpoint), not deploy's. */
export const LAYERZERO: AdapterProtocol = {
  key: "layerzero",
  contract: "LayerZeroAdapter",
  artifact: "LayerZeroAdapter",
  fields: {
    endpoint: { kind: "address", doc: "the chain's LayerZero EndpointV2" },
    eid: { kind: "uint32", doc: "the chain's LayerZero endpoint id (the EndpointV2's eid)" },
    delegate: {
      kind: "addressOrZero",
      optional: true,
      doc: "who may configure the adapter's path at the endpoint (default: the chain's AccessManager; 0x000…000: none)",
    },
  },
  protocolDomainField: "eid",
  contractFields: ["endpoint"],
  checks: [{ field: "endpoint", functionName: "eid", abi: UINT32_VIEW("eid"), equals: "eid" }],
  immutables: [{ field: "endpoint", getter: "endpoint" }],
  settings: [
    {
      field: "delegate",
      getter: { field: "endpoint", functionName: "delegates", abi: DELEGATES_VIEW },
      setter: "setDelegate",
      inConstructor: true,
      value: (s, ctx) => s.delegate ?? ctx.authority,
    },
  ],
  // (endpoint, localDomain, authority, defaultGasLimit, delegate)
  args: (s, ctx) => [s.endpoint, ctx.domain, ctx.authority, ctx.defaultGasLimit, s.delegate ?? ctx.authority],
  route: { getter: "eidOf", setter: "setLayerZeroEid", reverseGetter: "domainOfEid" },
};

/** Chainlink CCIP (contracts/adapters/ccip/CcipAdapter.sol over @chainlink/contracts-ccip's Router). The Router does
 * not know its own chain selector, so `chainSelector` is checked only against the other chains' (distinct); allowed
 * sources are the enrolled remotes (`setChainSelector` + `setRemote`). */
export const CCIP: AdapterProtocol = {
  key: "ccip",
  contract: "CcipAdapter",
  artifact: "CcipAdapter",
  fields: {
    router: { kind: "address", doc: "the chain's CCIP Router" },
    chainSelector: {
      kind: "uint64",
      doc: "the chain's CCIP chain selector (a number or a decimal string; selectors exceed 2^53)",
    },
  },
  protocolDomainField: "chainSelector",
  contractFields: ["router"],
  checks: [],
  immutables: [
    { field: "router", getter: "router" },
    { field: "chainSelector", getter: "localChainSelector" },
  ],
  settings: [],
  // (router, localChainSelector, localDomain, authority, defaultGasLimit)
  args: (s, ctx) => [s.router, s.chainSelector, ctx.domain, ctx.authority, ctx.defaultGasLimit],
  route: { getter: "chainSelectorOf", setter: "setChainSelector", reverseGetter: "domainOfChainSelector" },
};

/** Axelar GMP (contracts/adapters/axelar/AxelarAdapter.sol over an AxelarAmplifierGateway and AxelarGasService,
 * each behind its proxy). Remote chains are mapped by Axelar chain name. */
export const AXELAR: AdapterProtocol = {
  key: "axelar",
  contract: "AxelarAdapter",
  artifact: "AxelarAdapter",
  fields: {
    gateway: { kind: "address", doc: "the chain's Axelar gateway (AxelarAmplifierGateway proxy)" },
    gasService: { kind: "address", doc: "the chain's AxelarGasService (proxy)" },
    chainName: {
      kind: "string",
      maxBytes: 31,
      caseInsensitive: true,
      doc: 'the chain\'s Axelar chain name (e.g. "ethereum"; at most 31 bytes)',
    },
  },
  protocolDomainField: "chainName",
  contractFields: ["gateway", "gasService"],
  checks: [],
  immutables: [
    { field: "gateway", getter: "gateway" },
    { field: "gasService", getter: "gasService" },
    { field: "chainName", getter: "axelarLocalChain" },
  ],
  settings: [],
  // (gateway, gasService, localDomain, authority, defaultGasLimit, axelarLocalChain)
  args: (s, ctx) => [s.gateway, s.gasService, ctx.domain, ctx.authority, ctx.defaultGasLimit, s.chainName],
  route: {
    getter: "axelarChainOf",
    setter: "setAxelarChain",
    reverseGetter: "domainOfAxelarChain",
    unmapped: "",
  },
};

/** Wormhole (contracts/adapters/wormhole/WormholeAdapter.sol over the Wormhole core bridge). The emitter registered
 * for a remote chain is the remote adapter (`setRemote`); VAAs are relayed by anyone (`receiveMessage`). */
export const WORMHOLE: AdapterProtocol = {
  key: "wormhole",
  contract: "WormholeAdapter",
  artifact: "WormholeAdapter",
  fields: {
    core: { kind: "address", doc: "the chain's Wormhole core bridge (the Wormhole proxy)" },
    chainId: {
      kind: "uint16",
      doc: "the chain's Wormhole chain id (the core's chainId(), not the EVM chain id)",
    },
    consistencyLevel: {
      kind: "uint8",
      default: 1,
      doc: "the consistency level of every message (1: finalized; 200: instant; 201: safe, where supported)",
    },
  },
  protocolDomainField: "chainId",
  contractFields: ["core"],
  checks: [{ field: "core", functionName: "chainId", abi: VIEW("chainId", "uint16"), equals: "chainId" }],
  immutables: [
    { field: "core", getter: "wormhole" },
    { field: "consistencyLevel", getter: "consistencyLevel" },
  ],
  settings: [],
  // (core, localDomain, authority, defaultGasLimit, consistencyLevel)
  args: (s, ctx) => [s.core, ctx.domain, ctx.authority, ctx.defaultGasLimit, s.consistencyLevel],
  route: { getter: "wormholeChainOf", setter: "setWormholeChain", reverseGetter: "domainOfWormholeChain" },
};

/** Every protocol deploy knows, in deployment order. */
export const ADAPTER_PROTOCOLS: readonly AdapterProtocol[] = [HYPERLANE, LAYERZERO, CCIP, AXELAR, WORMHOLE];

/** The protocol whose adapter is registered as `contract` (e.g. "HyperlaneAdapter"), if any. */
export function adapterProtocolOf(contract: string): AdapterProtocol | undefined {
  return ADAPTER_PROTOCOLS.find((p) => p.contract === contract);
}
