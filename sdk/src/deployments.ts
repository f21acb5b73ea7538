/**
 * The deployments registry as the SDK sees it: `deploy/deployments/<chainId>.json`, written by the deploy tooling
 * (`@concord/sdk/deploy`) and read here to find a chain's gateway, coordinator and paymaster.
 */
import { join } from "node:path";
import type { Address } from "viem";
import { repoRoot } from "./repo.js";
import { type Deployment, readDeployment } from "./deploy/registry.js";
import { ConcordStateError } from "./errors.js";

export type { Deployment, VerifierEntry } from "./deploy/registry.js";

/** The default registry directory: `<repo>/deploy/deployments`. */
export function deploymentsDir(root: string = repoRoot()): string {
  return join(root, "deploy", "deployments");
}

/** The deployment of `chainId` from `dir` (default `deploy/deployments`); throws naming the file when missing. */
export function loadDeployment(chainId: number, dir: string = deploymentsDir()): Deployment {
  return readDeployment(dir, chainId);
}

/** The address of contract `name` (e.g. "ConcordGateway") in `deployment`; throws naming the chain when absent. */
export function deployedAddress(deployment: Deployment, name: string): Address {
  const address = deployment.contracts[name];
  if (!address) {
    throw new ConcordStateError(`${name} is not deployed on chain ${deployment.chainId}`, deployment.name);
  }
  return address;
}
