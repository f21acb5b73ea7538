// The slices of the Concord ABIs the agents use, `as const` so viem types every call and event.
// They mirror contracts/interfaces/IConcordGateway.sol, IMultisigVerifier.sol, IConcordVerifier.sol and
// contracts/periphery/IConcordBatchProcessor.sol; test/ts/agents.test.ts deploys the real contracts against them,
// and test/ts/agents-abi.test.ts checks every entry against the build artifacts.
import { parseAbi } from "viem";

export const gatewayAbi = parseAbi([
  "event Dispatched(bytes32 indexed messageId, uint32 indexed destination, bytes message)",
  "event Executed(bytes32 indexed messageId, uint32 origin)",
  "event ExecutionFailed(bytes32 indexed messageId, uint32 indexed origin, bytes32 revertDataHash, bytes revertData)",
  "event Retried(bytes32 indexed messageId, uint32 indexed origin, address indexed caller, uint32 gasLimit, bool success)",
  "function dispatch(uint32 destination, bytes32 recipient, bytes payload) returns (bytes32)",
  "function dispatch(uint32 destination, bytes32 recipient, uint32 gasLimit, bytes payload) returns (bytes32)",
  "function process(bytes metadata, bytes message)",
  "function retry(bytes message, uint32 gasLimit)",
  "function localDomain() view returns (uint32)",
  "function nonce() view returns (uint32)",
  "function route(uint32 origin) view returns (address verifier, uint32 instance, bool paused, address originGateway)",
  "function instanceOf(uint32 origin, address originGateway) view returns (uint32)",
  "function delivered(uint32 origin, uint32 nonce) view returns (bool)",
  "function deliveredAt(uint32 origin, uint32 instance, uint32 nonce) view returns (bool)",
  "function deliveredById(bytes32 messageId) view returns (bool)",
  "function failedRevertDataHash(bytes32 messageId) view returns (bytes32)",
  "function status(bytes message) view returns (uint8)",
  "function verifierFor(address recipient, uint32 origin) view returns (address)",
  "error ConcordGatewayAlreadyDelivered(bytes32 messageId)",
  "error ConcordGatewayVerificationFailed(address verifier)",
  "error ConcordGatewayInsufficientGas(uint256 required, uint256 available)",
  "error ConcordGatewayInboundPaused()",
  "error ConcordGatewayRoutePaused(uint32 origin)",
  "error ConcordGatewayUnknownOrigin(uint32 origin)",
  "error ConcordGatewayVerifierGatewayMismatch(address verifier, uint32 origin, bytes32 reported)",
  "error ConcordGatewayPrivilegedRecipient(address recipient)",
  "error ConcordGatewayWrongDestination(uint32 destination)",
  "error ConcordGatewayNonEvmAddress(bytes32 account)",
  "error ConcordGatewayMalformedMessage(uint256 length)",
  "error ConcordGatewayUnsupportedVersion(uint8 version)",
  "error ConcordGatewayNotFailed(bytes32 messageId)",
  "error ConcordGatewayRetryGasBelowLimit(uint32 messageGasLimit, uint32 gasLimit)",
  "error ConcordGatewayRetryRefused(address verifier)",
  "error ConcordGatewayReentrantCall()",
]);

export const verifierAbi = parseAbi([
  "function moduleType() view returns (uint8)",
  "function validatorsAndThreshold(bytes message) view returns (address[], uint8)",
  "function origin() view returns (uint32)",
  "function originGateway() view returns (bytes32)",
  "function originGatewayFor(uint32 origin) view returns (bytes32)",
  "function authorizeRetry(bytes message) returns (bool)",
]);

/** The ERC-7786 recipient entry point the gateway calls (`IERC7786Recipient`). */
export const recipientAbi = parseAbi([
  "function receiveMessage(bytes32 receiveId, bytes sender, bytes payload) payable returns (bytes4)",
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
