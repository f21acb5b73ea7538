// Transport adapters (contracts/adapters/<protocol>/): one entry per protocol says what the chain-config section of
// that protocol holds, how its adapter is constructed, what is checked on chain before anything is sent, and how a
// route to a remote chain is wired. config.ts validates the sections from the field specs, manifest.ts deploys one
// adapter per chain that has a section, plan.ts wires the routes. Adding a protocol (LayerZero, CCIP, Axelar,
// Wormhole) is one entry here; the rest of deploy and the registry follow.
import type { Address } from "viem";

/** What a field of an adapter's config section holds (validated by config.ts, errors naming the key). */
export type AdapterFieldKind =
  /** A non-zero 20-byte address (checksummed). */
  | "address"
  /** An address, or the zero address (`0x0000…0000`), which the protocol reads as "its default". */
  | "addressOrZero"
  /** An integer in [1, 2^32 - 1]. */
  | "uint32"
  /** An integer in [1, 2^64 - 1], as a number or a decimal string (CCIP chain selectors). */
  | "uint64"
  /** A non-empty string (Axelar chain names). */
  | "string";

export type AdapterField = {
  kind: AdapterFieldKind;
  /** Required unless a default is given. */
  default?: string | number;
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
  getter: string;
  setter: string;
  /** The constructor sets it (a fresh adapter needs no setter call). */
  inConstructor: boolean;
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
   * `setter(holder, 0)` when it is another).
   */
  route: { getter: string; setter: string; reverseGetter?: string };
};

const UINT32_VIEW = (name: string) =>
  [
    {
      type: "function",
      name,
      stateMutability: "view",
      inputs: [],
      outputs: [{ name: "", type: "uint32" }],
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

/** Every protocol deploy knows, in deployment order. */
export const ADAPTER_PROTOCOLS: readonly AdapterProtocol[] = [HYPERLANE];

/** The protocol whose adapter is registered as `contract` (e.g. "HyperlaneAdapter"), if any. */
export function adapterProtocolOf(contract: string): AdapterProtocol | undefined {
  return ADAPTER_PROTOCOLS.find((p) => p.contract === contract);
}
