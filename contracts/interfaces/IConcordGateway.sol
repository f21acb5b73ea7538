// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

/// @title IConcordGateway
/// @notice Concord's per-chain gateway: the ERC-7786 source (`sendMessage`) plus a native `dispatch`, and the
/// destination side (`process`, `retry`) that delivers verified messages to ERC-7786 recipients.
/// @dev Wire format: Hyperlane message v3 (see `Message`). Concord's message body is
/// `gasLimit (uint32, big-endian) || payload`, so the gas the sender asked for is bound into the message id.
/// Domain ids are EVM chain ids; the sender handed to a recipient is
/// `InteroperableAddress.formatEvmV1(origin, senderAddress)`.
interface IConcordGateway is IERC7786GatewaySource {
    /// @notice Delivery status of a message on this (destination) gateway.
    /// @dev NONE: never delivered. EXECUTED: the recipient accepted it. FAILED: verified and delivered, but the
    /// recipient reverted or did not return the ERC-7786 magic value; anyone may `retry` it.
    enum MessageStatus {
        NONE,
        EXECUTED,
        FAILED
    }

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice Emitted for every message this gateway sends (native `dispatch` and ERC-7786 `sendMessage`).
    /// This is the event off-chain agents index.
    /// @param messageId keccak256 of `message`; also the message's leaf in the Merkle tree.
    /// @param destination The destination domain (EVM chain id).
    /// @param message The packed message.
    event Dispatched(bytes32 indexed messageId, uint32 indexed destination, bytes message);

    /// @notice Emitted when a delivered message's recipient accepted it (from `process` or a successful `retry`).
    /// @dev `origin` is data, not a topic: this event is on every delivery's hot path and a third topic costs 119
    /// gas more; every consumer filters by `messageId`.
    event Executed(bytes32 indexed messageId, uint32 origin);

    /// @notice Emitted when a delivered message's recipient reverted or returned a wrong value; the message is
    /// now FAILED and retryable.
    /// @param revertDataHash keccak256 of the first `MAX_REVERT_DATA` bytes of the revert (or return) data.
    /// @param revertData Those bytes (bounded copy).
    event ExecutionFailed(bytes32 indexed messageId, uint32 indexed origin, bytes32 revertDataHash, bytes revertData);

    /// @notice Emitted by every `retry`, after `Executed` or `ExecutionFailed`.
    /// @param gasLimit The gas the recipient was given (at least the message's own gas limit).
    event Retried(
        bytes32 indexed messageId, uint32 indexed origin, address indexed caller, uint32 gasLimit, bool success
    );

    /// @notice Emitted when the route for `origin` is (re)configured.
    /// @param instance The delivery-record namespace of `originGateway` on this route: assigned the first time that
    /// gateway is enrolled for `origin` and never reused, so enrolling it again restores its records.
    event RouteSet(uint32 indexed origin, address verifier, address originGateway, uint32 instance);

    /// @notice Emitted when the route for `origin` is paused or unpaused.
    event RoutePauseSet(uint32 indexed origin, bool paused);

    /// @notice Emitted when the gateway-wide pause flags change.
    event PauseFlagsSet(bool inboundPaused, bool outboundPaused);

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    /// @notice Thrown when the constructor's local domain is zero.
    error ConcordGatewayZeroDomain();

    /// @notice Thrown when the constructor's default gas limit is zero.
    error ConcordGatewayZeroDefaultGasLimit();

    /// @notice Thrown when the constructor's largest body is below the 4-byte gas limit every body starts with.
    error ConcordGatewayMaxBodySizeTooSmall(uint256 maxBodySize, uint256 minimum);

    /// @notice Thrown when enrolling a new (origin, origin gateway) pair after 2**32 - 1 pairs were enrolled: the
    /// delivery-record namespaces (instances) are never reused. (No arguments: they would cost every `process`
    /// gas through the code layout, measured +12; the pair is the `setRoute` call's own arguments.)
    error ConcordGatewayInstancesExhausted();

    /// @notice Thrown when sending while outbound traffic is paused.
    error ConcordGatewayOutboundPaused();

    /// @notice Thrown when processing or retrying while inbound traffic is paused.
    error ConcordGatewayInboundPaused();

    /// @notice Thrown when processing or retrying a message whose origin route is paused.
    error ConcordGatewayRoutePaused(uint32 origin);

    /// @notice Thrown when a message body (4-byte gas limit + payload) exceeds the maximum body size.
    error ConcordGatewayBodyTooLarge(uint256 size, uint256 maxSize);

    /// @notice Thrown when `sendMessage` receives native value (fees are paid separately, against the message id).
    error ConcordGatewayValueNotAccepted(uint256 value);

    /// @notice Thrown when an ERC-7930 recipient is not an EVM address on a uint32 chain id.
    error ConcordGatewayInvalidRecipient(bytes recipient);

    /// @notice Thrown when a supported attribute is malformed or given twice.
    error ConcordGatewayInvalidAttribute(bytes attribute);

    /// @notice Thrown when a message is shorter than the header plus the 4-byte gas limit.
    error ConcordGatewayMalformedMessage(uint256 length);

    /// @notice Thrown when a message's version is not 3.
    error ConcordGatewayUnsupportedVersion(uint8 version);

    /// @notice Thrown when a message is addressed to another domain.
    error ConcordGatewayWrongDestination(uint32 destination);

    /// @notice Thrown when a message's sender or recipient is not a left-padded EVM address.
    error ConcordGatewayNonEvmAddress(bytes32 account);

    /// @notice Thrown when a message targets the gateway, a configured verifier or the authority.
    error ConcordGatewayPrivilegedRecipient(address recipient);

    /// @notice Thrown when the message was already delivered (its own record, or its origin gateway's nonce).
    error ConcordGatewayAlreadyDelivered(bytes32 messageId);

    /// @notice Thrown when a message comes from an origin with no route (`setRoute` was never called for it).
    error ConcordGatewayUnknownOrigin(uint32 origin);

    /// @notice Thrown when a verifier does not authenticate the origin gateway enrolled for `origin`: by `setRoute`
    /// for the route's verifier, by `process` for a verifier the recipient names.
    /// @param reported What the verifier's `originGatewayFor(origin)` returned (zero if it reverted or is missing).
    error ConcordGatewayVerifierGatewayMismatch(address verifier, uint32 origin, bytes32 reported);

    /// @notice Thrown when `setRoute` is given the zero address as origin gateway.
    error ConcordGatewayZeroOriginGateway(uint32 origin);

    /// @notice Thrown when `retry` is given less gas than the message's own gas limit.
    error ConcordGatewayRetryGasBelowLimit(uint32 messageGasLimit, uint32 gasLimit);

    /// @notice Thrown when the verifier that applies to a FAILED message now refuses its retry (`authorizeRetry`:
    /// a paused verifier, an exhausted rate-limit budget).
    error ConcordGatewayRetryRefused(address verifier);

    /// @notice Thrown when the verifier reverts or does not return true.
    error ConcordGatewayVerificationFailed(address verifier);

    /// @notice Thrown when the caller did not forward enough gas for the recipient to receive its gas limit.
    error ConcordGatewayInsufficientGas(uint256 required, uint256 available);

    /// @notice Thrown when `process` or `retry` is entered again during a delivery (a recipient or verifier calling
    /// back).
    error ConcordGatewayReentrantCall();

    /// @notice Thrown when retrying a message that is not FAILED.
    error ConcordGatewayNotFailed(bytes32 messageId);

    /// @notice Thrown when a configured verifier address has no code.
    error ConcordGatewayVerifierNotContract(address verifier);

    /// @notice Thrown when enrolling a route beyond `MAX_ROUTES`.
    error ConcordGatewayTooManyRoutes();

    /// @notice Thrown when the source nonce space (2**32 - 1 messages) is exhausted.
    error ConcordGatewayNonceExhausted();

    /// @notice Thrown when asking for a checkpoint before any message was sent.
    error ConcordGatewayNoMessages();

    // ---------------------------------------------------------------------------------------------
    // Source
    // ---------------------------------------------------------------------------------------------

    /// @notice Sends `payload` to `recipient` on `destination` with the default destination gas limit.
    /// @param destination The destination domain (EVM chain id).
    /// @param recipient The recipient, a left-padded EVM address.
    /// @param payload Application data, delivered as the ERC-7786 `payload`.
    /// @return messageId The id of the new message.
    function dispatch(uint32 destination, bytes32 recipient, bytes calldata payload)
        external
        returns (bytes32 messageId);

    /// @notice Same as `dispatch(uint32,bytes32,bytes)` with an explicit destination gas limit.
    function dispatch(uint32 destination, bytes32 recipient, uint32 gasLimit, bytes calldata payload)
        external
        returns (bytes32 messageId);

    // ---------------------------------------------------------------------------------------------
    // Destination
    // ---------------------------------------------------------------------------------------------

    /// @notice Verifies `message` with `metadata` and delivers it to its recipient.
    /// @dev The verifier is the one the recipient names (`interchainSecurityModule()`), else the route's. Reverts
    /// (recording nothing) on a bad header, an unknown origin, a replay, a pause, a verifier bound to another origin
    /// gateway, a failed verification or too little gas. A recipient failure does not revert: the message is
    /// recorded FAILED and can be retried.
    function process(bytes calldata metadata, bytes calldata message) external;

    /// @notice Re-executes a FAILED message, giving the recipient `gasLimit` (at least the message's own gas limit:
    /// a recipient that needs more than its sender asked for is delivered this way). Anyone may call it; pauses,
    /// the privileged-recipient rule and the applicable verifier's `authorizeRetry` are checked again. Succeeds at
    /// most once per message; a failed retry leaves the message FAILED.
    function retry(bytes calldata message, uint32 gasLimit) external;

    // ---------------------------------------------------------------------------------------------
    // Admin (AccessManaged `restricted`)
    // ---------------------------------------------------------------------------------------------

    /// @notice Configures the route for `origin`: the origin gateway this gateway accepts messages of, and the
    /// verifier for recipients that name none. `verifier.originGatewayFor(origin)` must report `originGateway`.
    /// Each origin gateway keeps one delivery-record namespace (its instance) for ever: replacing the origin gateway
    /// and enrolling it again later restores its records, so no past message becomes deliverable again.
    function setRoute(uint32 origin, address verifier, address originGateway) external;

    /// @notice Pauses inbound and/or outbound traffic (sets the given flags; `false` leaves a flag as is).
    function pause(bool inbound, bool outbound) external;

    /// @notice Unpauses inbound and/or outbound traffic (clears the given flags).
    function unpause(bool inbound, bool outbound) external;

    /// @notice Pauses delivery (process and retry) of messages from `origin`.
    function pauseRoute(uint32 origin) external;

    /// @notice Unpauses delivery of messages from `origin`.
    function unpauseRoute(uint32 origin) external;

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice This gateway's domain (EVM chain id).
    function localDomain() external view returns (uint32);

    /// @notice Gas limit used by `dispatch` without an explicit gas limit and by `sendMessage` without the attribute.
    function defaultGasLimit() external view returns (uint32);

    /// @notice Largest accepted message body (4-byte gas limit + payload), in bytes.
    function maxBodySize() external view returns (uint256);

    /// @notice The nonce the next sent message will get (== number of messages sent).
    function nonce() external view returns (uint32);

    /// @notice Number of leaves in the Merkle tree (== `nonce()`).
    function count() external view returns (uint32);

    /// @notice Root of the Merkle tree of sent message ids.
    function root() external view returns (bytes32);

    /// @notice Current root and the index of the latest leaf.
    function latestCheckpoint() external view returns (bytes32 root, uint32 index);

    /// @notice Gateway-wide pause flags.
    function pauseFlags() external view returns (bool inboundPaused, bool outboundPaused);

    /// @notice The route for `origin` (all zero when not enrolled).
    function route(uint32 origin)
        external
        view
        returns (address verifier, uint32 instance, bool paused, address originGateway);

    /// @notice The delivery-record namespace of `originGateway` for `origin` (zero if never enrolled).
    function instanceOf(uint32 origin, address originGateway) external view returns (uint32);

    /// @notice Origins with an enrolled route (set by `setRoute`), in enrollment order.
    function enrolledOrigins() external view returns (uint32[] memory);

    /// @notice The verifier `process` would use for a message from `origin` to `recipient` (address(0) if the
    /// origin has no route).
    function verifierFor(address recipient, uint32 origin) external view returns (address);

    /// @notice Whether the message with (`origin`, `nonce`) of the currently enrolled origin gateway was delivered
    /// through the route's verifier.
    function delivered(uint32 origin, uint32 nonce) external view returns (bool);

    /// @notice Whether the message with (`origin`, `nonce`) of origin gateway `instance` was delivered through a
    /// route verifier.
    function deliveredAt(uint32 origin, uint32 instance, uint32 nonce) external view returns (bool);

    /// @notice Whether the message `messageId` was delivered through a verifier its recipient named.
    function deliveredById(bytes32 messageId) external view returns (bool);

    /// @notice Status of `message`: FAILED if a failure is recorded for its id; EXECUTED if it was delivered through
    /// a verifier its recipient named, or if the currently enrolled origin gateway's message with its (origin,
    /// nonce) was delivered through the route's verifier; else NONE.
    /// @dev The second case answers for the genuine message of that nonce (only it can pass a route verifier, see
    /// docs/gateway.md); bytes that no verifier would accept are not messages of that origin.
    function status(bytes calldata message) external view returns (MessageStatus);

    /// @notice The revert data hash recorded for a FAILED message, or zero.
    function failedRevertDataHash(bytes32 messageId) external view returns (bytes32);

    /// @notice Whether `account` cannot be the recipient of a message (gateway, configured verifier, authority).
    function isPrivileged(address account) external view returns (bool);
}
