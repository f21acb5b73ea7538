// The slices of the Concord ABIs the agents use, `as const` so viem types every call and event.
// They mirror contracts/interfaces/IConcordGateway.sol, IMultisigVerifier.sol, IConcordVerifier.sol and
// contracts/periphery/IConcordBatchProcessor.sol; test/ts/agents.test.ts deploys the real contracts against them.
import { parseAbi } from "viem";

export const gatewayAbi = parseAbi([
  "event Dispatched(bytes32 indexed messageId, uint32 indexed destination, bytes message)",
  "event Executed(bytes32 indexed messageId, uint32 indexed origin)",
  "event ExecutionFailed(bytes32 indexed messageId, uint32 indexed origin, bytes32 revertDataHash, bytes revertData)",
  "function dispatch(uint32 destination, bytes32 recipient, bytes payload) returns (bytes32)",
  "function dispatch(uint32 destination, bytes32 recipient, uint32 gasLimit, bytes payload) returns (bytes32)",
  "function process(bytes metadata, bytes message)",
  "function localDomain() view returns (uint32)",
  "function nonce() view returns (uint32)",
  "function delivered(uint32 origin, uint32 nonce) view returns (bool)",
  "function status(bytes message) view returns (uint8)",
  "function verifierFor(address recipient, uint32 origin) view returns (address)",
  "error ConcordGatewayAlreadyDelivered(bytes32 messageId)",
  "error ConcordGatewayVerificationFailed(address verifier)",
  "error ConcordGatewayInsufficientGas(uint256 required, uint256 available)",
  "error ConcordGatewayInboundPaused()",
  "error ConcordGatewayRoutePaused(uint32 origin)",
  "error ConcordGatewayNoVerifier(uint32 origin)",
]);

export const verifierAbi = parseAbi([
  "function moduleType() view returns (uint8)",
  "function validatorsAndThreshold(bytes message) view returns (address[], uint8)",
  "function origin() view returns (uint32)",
  "function originGateway() view returns (bytes32)",
]);

export const batchProcessorAbi = parseAbi([
  "event BatchProcessed(address indexed gateway, uint256 count, uint256 failed)",
  "event BatchItemFailed(address indexed gateway, bytes32 indexed messageId, uint256 index, bytes reason)",
  "function processBatch(address gateway, bytes[] metadata, bytes[] messages) returns (uint256 failedMask)",
  "error ConcordBatchProcessorLengthMismatch(uint256 metadataCount, uint256 messageCount)",
  "error ConcordBatchProcessorEmptyBatch()",
  "error ConcordBatchProcessorGatewayNotContract(address gateway)",
  "error ConcordBatchProcessorOutOfGas(uint256 index)",
]);

/** `IConcordGateway.MessageStatus`. */
export const GatewayMessageStatus = { NONE: 0, EXECUTED: 1, FAILED: 2 } as const;
