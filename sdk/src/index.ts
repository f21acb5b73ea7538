/**
 * Concord SDK (`@concord/sdk`): wire codec and ids, verifier metadata builders, messages (fee quote, send, deliver,
 * status across chains), flows (build, quote, open, track, settle, status on both chains) and decoding of Concord's
 * custom errors. Deployment tooling is the `@concord/sdk/deploy` subpath.
 */
export * from "./codec.js";
export * from "./metadata.js";
export * from "./signatures.js";
export * from "./errors.js";
export * from "./abis.js";
export * from "./decodeError.js";
export * from "./transact.js";
export * from "./messages.js";
export * from "./flows.js";
export * from "./adapterStatus.js";
export * from "./aggregatorStatus.js";
export * from "./logs.js";
export * from "./timeline.js";
export { repoRoot } from "./repo.js";
export * from "./deployments.js";
