// The Concord ABIs the agents use: the SDK's generated `as const` constants (scripts/gen-sdk.mjs, from the build
// artifacts), re-exported under the agents' names so viem types every call and event. No hand-written slices.
export {
  concordGatewayAbi as gatewayAbi,
  iMultisigVerifierAbi as verifierAbi,
  concordReceiverAbi as recipientAbi,
  iConcordBatchProcessorAbi as batchProcessorAbi,
} from "../src/abis.js";

/** `IConcordGateway.MessageStatus`. */
export const GatewayMessageStatus = { NONE: 0, EXECUTED: 1, FAILED: 2 } as const;
