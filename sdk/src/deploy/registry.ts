// The deployments registry: one JSON file per chain, deploy/deployments/<chainId>.json, written by the deploy
// scripts and read by the SDK, the agents and the CLI.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Address } from "viem";
import { ConcordSdkError } from "../errors.js";

/** The message verifier that a chain's gateway uses for messages from one origin domain. */
export type VerifierEntry = {
  address: Address;
  /** Verifier kind, e.g. "messageIdMultisig". */
  type: string;
  validators: Address[];
  threshold: number;
};

/** A transport adapter of one chain (see sdk/src/deploy/adapters.ts), as configured and wired. */
export type AdapterEntry = {
  /** Its name in `contracts` (e.g. "HyperlaneAdapter"). */
  contract: string;
  address: Address;
  /** The chain's config section of the protocol (e.g. `{ mailbox, domain, ism }`), numbers above 2^53 as strings. */
  config: Record<string, string | number>;
  /** Remote Concord domain (decimal string) -> its id in the protocol (decimal string), as wired here. */
  remotes: Record<string, string>;
};

/** A chain's TransportAggregator (sdk/src/deploy/aggregator.ts), as configured and wired. */
export type AggregatorEntry = {
  address: Address;
  /** Seconds between scheduling a change and its effect (immutable). */
  configDelay: number;
  /** Seconds between a release decision and the release (immutable). */
  releaseDelay: number;
  /** Gateway name (`native`, adapter keys) -> its registry contract, address, slot and whether the aggregator pays it. */
  gateways: Record<string, { contract: string; address: Address; slot: number; paid: boolean }>;
  /** Destination domain (decimal string) -> the route's config and the send-config version it travels under once
   * the scheduled changes are in effect. */
  routes: Record<
    string,
    {
      chain: string;
      gateways: string[];
      threshold: number;
      highThreshold: number;
      valueBound: string;
      version: number;
    }
  >;
};

/** The transport of a chain's flow endpoints when it is not the native gateway (config `chains.<name>.flows`). */
export type FlowsEntry = {
  /** An adapter section key (`hyperlane`, ...) or `aggregator`. */
  transport: string;
  /** The primary gateway of FlowEscrow and FlowExecutor (the adapter or the TransportAggregator). */
  gateway: Address;
  /** The sponsor balance deploy keeps there (wei, decimal strings), when configured. */
  sponsor?: { minBalance: string; topUpTo: string };
};

/** What is deployed on one chain and how it is wired to the others. */
export type Deployment = {
  chainId: number;
  /** Concord domain id of this chain (equal to the chain id in every shipped configuration). */
  domain: number;
  /** Name of the chain in the chain-config file. */
  name: string;
  /** Contract name -> address (AccessManager, ConcordGateway, FlowEscrow, FlowExecutor, GasOracle, examples...). */
  contracts: Record<string, Address>;
  /** Origin domain (decimal string) -> the verifier this chain uses for messages from it. */
  verifiers: Record<string, VerifierEntry>;
  /** Remote domain (decimal string) -> its gateway, escrow and executor, as enrolled here. */
  remotes: Record<string, { gateway: Address; escrow?: Address; executor?: Address }>;
  /** Account that deployed (CREATE3 salts are bound to it). Written by `deploy` (sdk/src/deploy). */
  deployer?: Address;
  /** Namespace of the deterministic salts (config `saltPrefix`). */
  saltPrefix?: string;
  /** Blocks validators wait before signing messages sent from this chain (config `finalityDepth`). */
  finalityDepth?: number;
  /** A development chain (config `local`). */
  local?: boolean;
  /**
   * The block of this chain's first Concord deployment transaction (at or before the gateway's creation): agents and
   * `concord status` read logs from here instead of block 0. Kept from the existing registry on later runs.
   */
  deployBlock?: number;
  /** Transport adapters by protocol key (e.g. `hyperlane`), when the config gives the chain a protocol section. */
  adapters?: Record<string, AdapterEntry>;
  /** The TransportAggregator (also `contracts.TransportAggregator`), when the config gives the chain an `aggregator`
   * section. */
  aggregator?: AggregatorEntry;
  /** Flow endpoints on an adapter or the aggregator (absent: on ConcordGateway). */
  flows?: FlowsEntry;
};

export class RegistryError extends ConcordSdkError {
  override name = "RegistryError";
}

/** Path of the registry file of `chainId` under `dir`. */
export function deploymentPath(dir: string, chainId: number): string {
  return join(dir, `${chainId}.json`);
}

/** Reads the registry of `chainId`; throws a RegistryError naming the file and what to run when it is missing. */
export function readDeployment(dir: string, chainId: number): Deployment {
  const path = deploymentPath(dir, chainId);
  if (!existsSync(path))
    throw new RegistryError(`no deployment for chain ${chainId} (${path}): run \`concord deploy\``);
  const parsed = JSON.parse(readFileSync(path, "utf8")) as Deployment;
  if (parsed.chainId !== chainId)
    throw new RegistryError(`${path} holds chain ${parsed.chainId}, expected ${chainId}`);
  return parsed;
}

/** Writes the registry of `deployment.chainId` under `dir` (creating `dir`), keys in a stable order. */
export function writeDeployment(dir: string, deployment: Deployment): string {
  mkdirSync(dir, { recursive: true });
  const path = deploymentPath(dir, deployment.chainId);
  writeFileSync(path, `${JSON.stringify(deployment, null, 2)}\n`);
  return path;
}
