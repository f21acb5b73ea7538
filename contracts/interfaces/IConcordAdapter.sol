// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

/// @title IConcordAdapter
/// @notice An ERC-7786 gateway over another messaging protocol (Hyperlane, LayerZero V2, CCIP, Axelar, Wormhole):
/// `sendMessage` hands an envelope to the protocol's own endpoint, paying its fee; on the destination the adapter
/// accepts only what the protocol authenticated as coming from the adapter enrolled for the source domain, and
/// delivers it to the ERC-7786 recipient. A recipient that fails never loses its message: the message is recorded
/// FAILED and anyone may `retry` it (with at least its gas limit) until it succeeds.
/// @dev Domains are EVM chain ids, as on Concord's own gateway; each adapter maps them to its protocol's ids. The
/// envelope is the packed encoding of {Envelope} (`AdapterEnvelope`: nonce, origin, sender, recipient, gasLimit,
/// payload; 56 bytes of header); the message id is `keccak256(abi.encode(ADAPTER_MESSAGE_VERSION, origin,
/// originAdapter, destination, destinationAdapter, envelope))`, computed alike on both sides, from the source domain
/// the protocol authenticated, never from the envelope.
interface IConcordAdapter is IERC7786GatewaySource {
    /// @notice What travels over the protocol, decoded (on the wire: `AdapterEnvelope.encode`).
    /// @param nonce The source adapter's send counter to this destination (makes two equal sends distinct).
    /// @param origin The source's Concord domain, as the source adapter states it (a destination accepts it only when
    /// it is the domain the protocol's authenticated source maps to).
    /// @param sender The ERC-7786 sender on the source domain.
    /// @param recipient The ERC-7786 recipient on the destination domain.
    /// @param gasLimit Gas the recipient gets (the `gasLimit` attribute, else the adapter's default).
    /// @param payload The ERC-7786 payload.
    struct Envelope {
        uint64 nonce;
        uint32 origin;
        address sender;
        address recipient;
        uint32 gasLimit;
        bytes payload;
    }

    /// @notice Delivery status on the destination adapter. NONE: never delivered; EXECUTED: the recipient accepted
    /// it; FAILED: the recipient failed, anyone may `retry`.
    enum MessageStatus {
        NONE,
        EXECUTED,
        FAILED
    }

    /// @notice The message `messageId` (the ERC-7786 `MessageSent` just before names its recipient and destination)
    /// was handed to the protocol, which kept `fee` (paid from the sponsor balance when `sponsored`). The protocol's
    /// own id of it is not repeated here: the protocol's event of the same call carries it (Hyperlane `DispatchId`,
    /// LayerZero `PacketSent`, CCIP `CCIPSendRequested`), as the first such event of this adapter after the
    /// `MessageSent` of `messageId` in the transaction (sends cannot nest), and its body is the envelope, from which
    /// `messageIdOf` recomputes `messageId`.
    event AdapterMessageSent(bytes32 indexed messageId, uint256 fee, bool sponsored);

    /// @notice The recipient accepted the message (on delivery or on a `retry`).
    event Executed(bytes32 indexed messageId, uint32 origin);

    /// @notice The recipient reverted or returned a wrong value; the message is FAILED and retryable.
    /// @param revertDataHash keccak256 of the first `MAX_REVERT_DATA` bytes of the revert (or return) data.
    event ExecutionFailed(bytes32 indexed messageId, uint32 indexed origin, bytes32 revertDataHash, bytes revertData);

    /// @notice Emitted by every `retry`, after `Executed` or `ExecutionFailed`.
    event Retried(
        bytes32 indexed messageId, uint32 indexed origin, address indexed caller, uint32 gasLimit, bool success
    );

    /// @notice The adapter enrolled for `domain` changed (address(0): none; messages to and from it are refused).
    event RemoteSet(uint32 indexed domain, address adapter);

    /// @notice `sender` may (or may no longer) send without value, its fees paid from the sponsor balance.
    event SponsoredSenderSet(address indexed sender, bool sponsored);

    /// @notice Someone added `amount` to the sponsor balance.
    event SponsorFunded(address indexed from, uint256 amount);

    /// @notice The authority took `amount` out of the sponsor balance.
    event SponsorWithdrawn(address indexed to, uint256 amount);

    /// @notice Thrown when the constructor's local domain or default gas limit is zero.
    error ConcordAdapterInvalidConstructorArgs(uint32 localDomain, uint32 defaultGasLimit);

    /// @notice Thrown when a recipient is not an ERC-7930 EVM v1 address on a uint32 domain.
    error ConcordAdapterInvalidRecipient(bytes recipient);

    /// @notice Thrown when sending to, or receiving from, a domain with no enrolled adapter, or to this domain.
    error ConcordAdapterUnknownDomain(uint32 domain);

    /// @notice Thrown when a message arrives from an adapter that is not the one enrolled for its source domain.
    error ConcordAdapterUntrustedSource(uint32 origin, address originAdapter);

    /// @notice Thrown when an attribute is malformed (a gas limit attribute with a wrong length, zero or twice).
    error ConcordAdapterInvalidAttribute(bytes attribute);

    /// @notice Thrown when the value sent is below the fee (`quote`).
    error ConcordAdapterFeeTooLow(uint256 fee, uint256 value);

    /// @notice Thrown when a sender sends no value without being a sponsored sender.
    error ConcordAdapterNotSponsored(address sender);

    /// @notice Thrown when the sponsor balance cannot pay the fee.
    error ConcordAdapterSponsorBalanceTooLow(uint256 fee, uint256 balance);

    /// @notice Thrown when refunding an overpayment to the sender fails.
    error ConcordAdapterRefundFailed(address to, uint256 amount);

    /// @notice Thrown when an envelope is shorter than its 56-byte header.
    error ConcordAdapterMalformedEnvelope(uint256 length);

    /// @notice Thrown when an envelope states another source domain than the one its protocol authenticated.
    error ConcordAdapterOriginMismatch(uint32 origin, uint32 statedOrigin);

    /// @notice Thrown when a message was already delivered here (a protocol-level replay).
    error ConcordAdapterAlreadyDelivered(bytes32 messageId);

    /// @notice Thrown when the recipient is this adapter or its authority (never called with a message).
    error ConcordAdapterPrivilegedRecipient(address recipient);

    /// @notice Thrown when a delivery or retry is not given enough gas for the recipient to get its gas limit.
    error ConcordAdapterInsufficientGas(uint256 required, uint256 available);

    /// @notice Thrown when retrying a message that is not FAILED here, or with other bytes than the failed ones.
    error ConcordAdapterNotFailed(bytes32 messageId);

    /// @notice Thrown when retrying with less gas than the message's own gas limit.
    error ConcordAdapterRetryGasBelowLimit(uint32 messageGasLimit, uint32 gasLimit);

    /// @notice Thrown when withdrawing more than the sponsor balance, or to the zero address.
    error ConcordAdapterInvalidWithdrawal(address to, uint256 amount, uint256 balance);

    /// @notice Thrown when a send re-enters a send, or a delivery or retry re-enters a delivery or retry (a recipient
    /// may send while it is being delivered).
    error ConcordAdapterReentrantCall();

    /// @notice Thrown when an admin function would write the route of one domain more than `max` (the adapter keeps
    /// the authority tag in its routes and bounds the routes it must update when the authority changes).
    error ConcordAdapterTooManyRoutes(uint256 max);

    /// @notice The fee `sendMessage` charges for these arguments now (what it pays the protocol).
    function quote(bytes calldata recipient, bytes calldata payload, bytes[] calldata attributes)
        external
        view
        returns (uint256 fee);

    /// @notice Delivers a FAILED message again with `gasLimit` (at least its own). Anyone; the message's bytes
    /// (source domain, source adapter, envelope) must be the ones that failed.
    function retry(uint32 origin, address originAdapter, bytes calldata envelope, uint32 gasLimit) external;

    /// @notice Adds the value sent to the sponsor balance (pays the fees of sponsored senders). Anyone.
    function fund() external payable;

    /// @notice Enrolls `adapter` as this protocol's adapter on `domain` (address(0): none). Restricted.
    function setRemote(uint32 domain, address adapter) external;

    /// @notice Lets `sender` send without value, its fees paid from the sponsor balance (OpenZeppelin's crosschain
    /// apps send none). Restricted.
    function setSponsoredSender(address sender, bool sponsored) external;

    /// @notice Takes `amount` out of the sponsor balance. Restricted.
    function withdrawSponsorFunds(address payable to, uint256 amount) external;

    /// @notice This domain (the EVM chain id in production).
    function localDomain() external view returns (uint32);

    /// @notice Gas a recipient gets when the sender gives no `gasLimit` attribute.
    function defaultGasLimit() external view returns (uint32);

    /// @notice The adapter enrolled for `domain`.
    function remote(uint32 domain) external view returns (address);

    /// @notice Whether `sender` is sponsored.
    function isSponsoredSender(address sender) external view returns (bool);

    /// @notice The next send nonce to `destination` (each destination counts its own sends).
    function nonce(uint32 destination) external view returns (uint64);

    /// @notice Delivery status here of the message `originAdapter` on `origin` sent with `envelope`.
    function status(uint32 origin, address originAdapter, bytes calldata envelope)
        external
        view
        returns (MessageStatus status_);

    /// @notice The revert data hash recorded for a FAILED message, or zero.
    function failedRevertDataHash(bytes32 messageId) external view returns (bytes32);

    /// @notice The message id of an envelope sent by `originAdapter` on `origin` to `destinationAdapter` on
    /// `destination`.
    function messageIdOf(
        uint32 origin,
        address originAdapter,
        uint32 destination,
        address destinationAdapter,
        bytes calldata envelope
    ) external pure returns (bytes32);
}
