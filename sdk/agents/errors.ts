import { ConcordSdkError } from "../src/errors.js";

/**
 * Base of every agent error: a {@link ConcordSdkError} (the one error root of the SDK, agents and CLI), so callers
 * `instanceof` one class and print `shortMessage`.
 */
export class AgentError extends ConcordSdkError {
  override name = "AgentError";
}

/** A configuration value is missing or invalid; `key` names it. */
export class AgentConfigError extends AgentError {
  override name = "AgentConfigError";
  readonly key: string;
  constructor(key: string, problem: string) {
    super(`invalid config \`${key}\``, problem);
    this.key = key;
  }
}

/** A persistent store cannot be opened, is corrupt, or has an unknown schema: the agent refuses to start. */
export class StoreError extends AgentError {
  override name = "StoreError";
}

/** The validator was asked to sign a commitment that conflicts with one it already signed for the same index. */
export class ConflictingCheckpointError extends AgentError {
  override name = "ConflictingCheckpointError";
}
