/**
 * The lifecycle and config checks every Concord agent (validator, relayer, flow keeper) shares: one way to create,
 * start and stop an agent (`startAgent`, `stopOnSignals`), and one set of config checks whose errors name the bad
 * key (`AgentConfigError`), so the three agents validate chains, domains, addresses and numbers alike.
 */
import { AgentConfigError } from "./errors.js";

/** What every agent is: started once, stopped cleanly (idempotent), optionally serving HTTP. */
export interface Agent {
  /** Base URL of its HTTP API, when it serves one. */
  readonly url?: string | undefined;
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

/** Creates an agent (config validated, store opened, chains checked) and starts it. */
export async function startAgent<A extends Agent>(create: () => Promise<A>): Promise<A> {
  const agent = await create();
  await agent.start();
  return agent;
}

/**
 * Stops `agent` once on the first of `signals` (default SIGINT and SIGTERM), then calls `onStopped` (e.g. to exit).
 * Returns a function that removes the handlers.
 */
export function stopOnSignals(
  agent: Pick<Agent, "stop">,
  onStopped: () => void,
  signals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"],
): () => void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    void agent.stop().then(onStopped, onStopped);
  };
  for (const s of signals) process.once(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Config checks shared by the agents; each throws an {@link AgentConfigError} naming `key`. */
export const checkConfig = {
  /** A non-empty array. */
  nonEmpty(key: string, value: unknown): void {
    if (!Array.isArray(value) || value.length === 0)
      throw new AgentConfigError(key, "at least one chain is required");
  },
  /** A uint32 domain > 0, not already in `seen` (added to it). */
  domain(key: string, value: number, seen: Set<number>): void {
    if (!Number.isInteger(value) || value <= 0 || value > 0xffffffff)
      throw new AgentConfigError(key, `must be a uint32 > 0, got ${value}`);
    if (seen.has(value)) throw new AgentConfigError(key, `duplicate domain ${value}`);
    seen.add(value);
  },
  /** A 20-byte hex address. */
  address(key: string, value: unknown): void {
    if (!ADDRESS.test(String(value))) throw new AgentConfigError(key, `not an address: ${value}`);
  },
  /** An integer >= `min` (when defined). */
  integer(key: string, value: number | undefined, min: number): void {
    if (value !== undefined && !(Number.isInteger(value) && value >= min))
      throw new AgentConfigError(key, `must be an integer ${min === 1 ? "> 0" : `>= ${min}`}, got ${value}`);
  },
  /** The chain `rpcUrl` answered with `chainId`: it must be the configured domain. */
  chainId(key: string, rpcUrl: string, chainId: number, domain: number): void {
    if (chainId !== domain) throw new AgentConfigError(key, `${rpcUrl} is chain ${chainId}, not ${domain}`);
  },
};
