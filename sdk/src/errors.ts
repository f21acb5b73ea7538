/**
 * The one error root of the package (viem's style): every error the SDK, the agents (`AgentError`) and the CLI
 * (`CliError`) throw is a `ConcordSdkError` with a short message and optional details, so callers can `instanceof`
 * one class and print `shortMessage` to users.
 */

/** Base class of every error thrown by the SDK. */
export class ConcordSdkError extends Error {
  override name = "ConcordSdkError";
  /** One line, for users. */
  readonly shortMessage: string;
  /** What exactly was wrong (the offending field and value), when known. */
  readonly details: string | undefined;

  constructor(shortMessage: string, details?: string, options?: { cause?: unknown }) {
    super(details === undefined ? shortMessage : `${shortMessage}\n\nDetails: ${details}`, options);
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

/** A transaction the SDK sent was mined but reverted, or a call reverted; `reason` is the decoded Concord error. */
export class ConcordTransactionError extends ConcordSdkError {
  override name = "ConcordTransactionError";
}

/** The chain state does not allow the requested action (e.g. no `Dispatched` event for a message). */
export class ConcordStateError extends ConcordSdkError {
  override name = "ConcordStateError";
}
