// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC7786GatewaySource, IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

/// @title ITransportAggregator
/// @notice A k-of-n ERC-7786 gateway over other ERC-7786 gateways (Concord's gateway, transport adapters): an app's
/// `sendMessage` sends one envelope over every gateway of the destination's set; the remote aggregator executes the
/// recipient once `k` distinct gateways of its CURRENT receive set delivered the same envelope for the same aggregator
/// id. Two different envelopes for one id quarantine it; only a delayed operator decision releases it.
/// @dev Gateways are registered once each in numbered slots (1..247); sets are bitmaps of slots. Configuration is
/// versioned and delayed: a destination's send config (gateway set, threshold, high threshold, value bound) gets a
/// new version that takes effect `configDelay()` after it is scheduled; a message carries the version it was sent
/// under, and the receiving aggregator judges it with its receive rule for that (source, version). The receive set
/// (which gateways count for a source) is not versioned: receipts are counted over the set that is current at
/// execution time, so a removed gateway's receipts stop counting, even those recorded before its removal.
interface ITransportAggregator is IERC7786GatewaySource, IERC7786Recipient {
    /// @notice Status of an aggregated message on the destination. NONE: no receipt; PENDING: receipts of one
    /// envelope, fewer than required (or no active rule yet); EXECUTED: the recipient accepted it; FAILED: the
    /// recipient failed, anyone may `retry`; QUARANTINED: gateways delivered different envelopes for the id.
    enum Status {
        NONE,
        PENDING,
        EXECUTED,
        FAILED,
        QUARANTINED
    }

    /// @notice What travels over each gateway, decoded (on the wire: `AggregatorEnvelope.encode`, packed).
    /// @param nonce The source aggregator's send counter to the destination.
    /// @param origin The source domain (must be the domain the delivering gateway authenticated).
    /// @param destination The destination domain.
    /// @param version The source's send-config version the message was sent under.
    /// @param sender The app that called `sendMessage` on the source.
    /// @param recipient The ERC-7786 recipient on the destination.
    /// @param gasLimit Gas the recipient gets.
    /// @param declaredValue The value the sender declared (attribute `declaredValue(uint256)`; 0 if none).
    /// @param payload The app's payload.
    struct Envelope {
        uint64 nonce;
        uint32 origin;
        uint32 destination;
        uint64 version;
        address sender;
        address recipient;
        uint32 gasLimit;
        uint256 declaredValue;
        bytes payload;
    }

    /// @notice A destination's send configuration.
    /// @param gateways Bitmap of gateway slots the message goes over.
    /// @param version Its version (carried by every message sent under it).
    /// @param threshold Gateways that must accept a send (and that the destination's rule should require).
    /// @param highThreshold The threshold for messages declaring more than `valueBound`.
    /// @param valueBound Declared values above it need `highThreshold`.
    struct SendConfig {
        uint256 gateways;
        uint64 version;
        uint8 threshold;
        uint8 highThreshold;
        uint128 valueBound;
    }

    /// @notice How many receipts a message of one (source, version) needs on the destination.
    struct ReceiveRule {
        uint8 threshold;
        uint8 highThreshold;
        uint128 valueBound;
    }

    /// @notice A registered gateway.
    /// @param gateway The ERC-7786 gateway.
    /// @param paid True: the aggregator pays its `quote(recipient, payload, attributes)` with the send; false: it is
    /// called without value (it pays itself, e.g. from its own sponsor balance, or charges nothing).
    struct Gateway {
        address gateway;
        bool paid;
    }

    // ------------------------------------------------------------------------------------------ events

    /// @notice `gateway` was registered in `slot`.
    event GatewayRegistered(uint8 indexed slot, address indexed gateway, bool paid);

    /// @notice A send config for `destination` was scheduled; it takes effect at `activatesAt` (replacing any other
    /// scheduled one that is not yet in effect).
    event SendConfigScheduled(
        uint32 indexed destination,
        uint64 indexed version,
        uint256 gateways,
        uint8 threshold,
        uint8 highThreshold,
        uint128 valueBound,
        uint48 activatesAt
    );

    /// @notice The receive set of `source` (gateways whose receipts count) becomes `gateways` at `activatesAt`.
    event ReceiveSetScheduled(uint32 indexed source, uint256 gateways, uint48 activatesAt);

    /// @notice The receive rule of (`source`, `version`) becomes the one given at `activatesAt`.
    event ReceiveRuleScheduled(
        uint32 indexed source,
        uint64 indexed version,
        uint8 threshold,
        uint8 highThreshold,
        uint128 valueBound,
        uint48 activatesAt
    );

    /// @notice From `activatesAt` on, the aggregator on `domain` is `aggregator` (address(0): none); until then the
    /// previous one stays in effect.
    event RemoteAggregatorScheduled(uint32 indexed domain, address aggregator, uint48 activatesAt);

    /// @notice `sender` may (or may no longer) send without value, paid by the sponsor balance.
    event SponsoredSenderSet(address indexed sender, bool sponsored);

    /// @notice The sponsor balance grew by `amount` from `from`.
    event SponsorFunded(address indexed from, uint256 amount);

    /// @notice The authority took `amount` of the sponsor balance to `to`.
    event SponsorWithdrawn(address indexed to, uint256 amount);

    /// @notice Gateway `gateway` accepted the leg of `id` (its own send id `legId`) for `fee`.
    event LegSent(bytes32 indexed id, address indexed gateway, bytes32 legId, uint256 fee);

    /// @notice Gateway `gateway` refused the leg of `id` (its quote or its send reverted); nothing was paid to it.
    event LegFailed(bytes32 indexed id, address indexed gateway, bytes reason);

    /// @notice `id` left for `destination` under `version`: `accepted` (bitmap of slots) accepted it, `threshold` were
    /// required; the gateways were paid `fee` in total (from the value sent, or from the sponsor balance when
    /// `sponsored`).
    event AggregatedMessageSent(
        bytes32 indexed id,
        uint32 indexed destination,
        uint64 version,
        uint8 threshold,
        uint256 accepted,
        uint256 fee,
        bool sponsored
    );

    /// @notice Gateway `gateway` delivered envelope `envelopeHash` of `id`.
    event ReceiptRecorded(bytes32 indexed id, address indexed gateway, bytes32 envelopeHash);

    /// @notice Gateway `gateway` delivered `conflictingHash` for `id`, whose first envelope was `envelopeHash`; the id
    /// is QUARANTINED unless it had already executed.
    event ReceiptConflict(
        bytes32 indexed id, address indexed gateway, bytes32 envelopeHash, bytes32 conflictingHash, bool quarantined
    );

    /// @notice The recipient of `id` accepted it.
    event Executed(bytes32 indexed id, uint32 indexed source);

    /// @notice The recipient of `id` reverted or returned a wrong value; `id` is FAILED and retryable.
    event ExecutionFailed(bytes32 indexed id, uint32 indexed source, bytes32 revertDataHash, bytes revertData);

    /// @notice `caller` retried `id` with `gasLimit`.
    event Retried(bytes32 indexed id, address indexed caller, uint32 gasLimit, bool success);

    /// @notice The authority decided to release quarantined `id` with envelope `envelopeHash`, from `readyAt` on.
    event ReleaseScheduled(bytes32 indexed id, bytes32 envelopeHash, uint48 readyAt);

    /// @notice Quarantined `id` was released: PENDING again, with envelope `envelopeHash`.
    event Released(bytes32 indexed id, bytes32 envelopeHash);

    // ------------------------------------------------------------------------------------------ errors

    /// @notice Thrown when the constructor gets a zero domain or a zero delay.
    error TransportAggregatorInvalidConstructorArgs(uint32 localDomain, uint48 configDelay, uint48 releaseDelay);

    /// @notice Thrown when the recipient is not an ERC-7930 EVM v1 address with a non-zero account and a domain that
    /// fits 32 bits.
    error TransportAggregatorInvalidRecipient(bytes recipient);

    /// @notice Thrown when `domain` is zero, this domain, or has no remote aggregator or no send config in effect.
    error TransportAggregatorUnknownDomain(uint32 domain);

    /// @notice Thrown when an attribute is malformed (shorter than a selector, wrong length, repeated, out of range).
    error TransportAggregatorInvalidAttribute(bytes attribute);

    /// @notice Thrown when the value sent is below the sum of the gateways' quotes.
    error TransportAggregatorFeeTooLow(uint256 fee, uint256 value);

    /// @notice Thrown when a caller that is not a sponsored sender sends without value.
    error TransportAggregatorNotSponsored(address sender);

    /// @notice Thrown when the sponsor balance cannot pay a sponsored send.
    error TransportAggregatorSponsorBalanceTooLow(uint256 fee, uint256 balance);

    /// @notice Thrown when fewer gateways than the threshold accepted a send.
    error TransportAggregatorTooFewAccepted(uint256 accepted, uint8 threshold);

    /// @notice Thrown when the refund (or a withdrawal) cannot be paid to `to`.
    error TransportAggregatorRefundFailed(address to, uint256 amount);

    /// @notice Thrown on a re-entrant send, delivery, execution or retry.
    error TransportAggregatorReentrantCall();

    /// @notice Thrown when a caller that is not a registered gateway delivers.
    error TransportAggregatorNotGateway(address caller);

    /// @notice Thrown when a delivery carries value.
    error TransportAggregatorValueNotAccepted(uint256 value);

    /// @notice Thrown when the ERC-7786 sender of a leg is not the aggregator registered for its domain.
    error TransportAggregatorNotRemoteAggregator(bytes sender);

    /// @notice Thrown when an envelope is shorter than its header.
    error TransportAggregatorMalformedEnvelope(uint256 length);

    /// @notice Thrown when an envelope states another origin than the authenticated one, or another destination.
    error TransportAggregatorWrongRoute(uint32 origin, uint32 destination);

    /// @notice Thrown when a gateway delivers the same envelope of an id twice.
    error TransportAggregatorDuplicateReceipt(bytes32 id, address gateway);

    /// @notice Thrown when there is not enough gas left to give the recipient its gas limit.
    error TransportAggregatorInsufficientGas(uint256 required, uint256 available);

    /// @notice Thrown when `execute` or `retry` names an envelope that is not the id's recorded one.
    error TransportAggregatorEnvelopeMismatch(bytes32 id, bytes32 recorded, bytes32 given);

    /// @notice Thrown when `execute` is called for an id that is not PENDING.
    error TransportAggregatorNotPending(bytes32 id, Status status);

    /// @notice Thrown when a message has fewer counted receipts than required (or no receive rule in effect).
    error TransportAggregatorNotReady(bytes32 id, uint256 receipts, uint256 required);

    /// @notice Thrown when `retry` is called for an id that is not FAILED.
    error TransportAggregatorNotFailed(bytes32 id);

    /// @notice Thrown when `retry` offers less gas than the message's gas limit.
    error TransportAggregatorRetryGasBelowLimit(uint32 messageGasLimit, uint32 gasLimit);

    /// @notice Thrown when a release is scheduled or made for an id that is not QUARANTINED.
    error TransportAggregatorNotQuarantined(bytes32 id);

    /// @notice Thrown when a release is made before its delay ended, or with none scheduled (`readyAt` 0).
    error TransportAggregatorReleaseNotReady(bytes32 id, uint48 readyAt);

    /// @notice Thrown when a release names an envelope no gateway delivered for the id.
    error TransportAggregatorUnknownEnvelope(bytes32 id, bytes32 envelopeHash);

    /// @notice Thrown when a gateway to register is not a contract or is already registered.
    error TransportAggregatorInvalidGateway(address gateway);

    /// @notice Thrown when all 247 gateway slots are taken.
    error TransportAggregatorRegistryFull();

    /// @notice Thrown when a set names an empty slot or the zero slot.
    error TransportAggregatorUnknownSlot(uint256 gateways);

    /// @notice Thrown when thresholds are not 1 <= threshold <= highThreshold <= n (n = set size; 255 for a rule).
    error TransportAggregatorInvalidThreshold(uint8 threshold, uint8 highThreshold, uint256 n);

    /// @notice Thrown when the recipient is this aggregator or its authority.
    error TransportAggregatorPrivilegedRecipient(address recipient);

    /// @notice Thrown when a sponsor withdrawal names address(0) or more than the balance.
    error TransportAggregatorInvalidWithdrawal(address to, uint256 amount, uint256 balance);

    // ------------------------------------------------------------------------------------------ messages

    /// @notice The sum of the quotes of the gateways a `sendMessage` of these arguments by the caller would pay now
    /// (a gateway whose quote reverts is left out: its leg would fail without being paid).
    function quote(bytes calldata recipient, bytes calldata payload, bytes[] calldata attributes)
        external
        view
        returns (uint256 fee);

    /// @notice Delivers a PENDING message that became ready after its last receipt (a receive rule or a gateway that
    /// took effect later, or a release). Anyone may call it.
    /// @param originAggregator The aggregator on the source that sent it.
    /// @param envelope The envelope whose hash is the id's recorded one.
    function execute(address originAggregator, bytes calldata envelope) external;

    /// @notice Retries a FAILED message with `gasLimit` (at least its own gas limit). Anyone may call it; the
    /// receipts are counted again over the current receive set.
    function retry(address originAggregator, bytes calldata envelope, uint32 gasLimit) external;

    /// @notice Adds value to the sponsor balance.
    function fund() external payable;

    // ------------------------------------------------------------------------------------------ admin

    /// @notice Registers `gateway` in the next free slot (restricted). A gateway is registered once: to count a
    /// gateway anew after a removal, register a new deployment (its old receipts stay under its old slot).
    function registerGateway(address gateway, bool paid) external returns (uint8 slot);

    /// @notice Schedules `destination`'s next send config (restricted); it takes effect `configDelay()` later and
    /// applies to messages sent from then on.
    function scheduleSendConfig(
        uint32 destination,
        uint256 gateways,
        uint8 threshold,
        uint8 highThreshold,
        uint128 valueBound
    ) external returns (uint64 version);

    /// @notice Schedules `source`'s receive set (restricted); it takes effect `configDelay()` later.
    function scheduleReceiveSet(uint32 source, uint256 gateways) external;

    /// @notice Schedules the receive rule of (`source`, `version`) (restricted); it takes effect `configDelay()`
    /// later. Retire an old version by giving it a threshold of 255.
    function scheduleReceiveRule(
        uint32 source,
        uint64 version,
        uint8 threshold,
        uint8 highThreshold,
        uint128 valueBound
    ) external;

    /// @notice Schedules the aggregator on `domain` (restricted): the only sender whose legs count, and where sends go.
    /// Takes effect `configDelay()` later, like every other security change (a compromised admin cannot re-point
    /// the remote at once and have its own contract's legs counted); scheduling again before then replaces it.
    function scheduleRemoteAggregator(uint32 domain, address aggregator) external;

    /// @notice Lets `sender` send without value, paid by the sponsor balance (restricted).
    function setSponsoredSender(address sender, bool sponsored) external;

    /// @notice Pays `amount` of the sponsor balance to `to` (restricted).
    function withdrawSponsorFunds(address payable to, uint256 amount) external;

    /// @notice Decides to release quarantined `id` with envelope `envelopeHash` (restricted); `release` may be
    /// called `releaseDelay()` later.
    function scheduleRelease(bytes32 id, bytes32 envelopeHash) external;

    /// @notice Releases quarantined `id` once its scheduled release is due (anyone): it is PENDING again with the
    /// chosen envelope, and still needs its threshold of receipts of that envelope from the current receive set.
    function release(bytes32 id) external;

    // ------------------------------------------------------------------------------------------ views

    /// @notice This domain.
    function localDomain() external view returns (uint32);

    /// @notice Delay between scheduling a config change and its effect.
    function configDelay() external view returns (uint48);

    /// @notice Delay between an operator's release decision and the release.
    function releaseDelay() external view returns (uint48);

    /// @notice The registered gateway in `slot`.
    function gatewayAt(uint8 slot) external view returns (Gateway memory);

    /// @notice The slot of `gateway` (0: not registered).
    function slotOf(address gateway) external view returns (uint8);

    /// @notice The send config of `destination` in effect now, and the scheduled one with its activation (0: none).
    function sendConfig(uint32 destination)
        external
        view
        returns (SendConfig memory current, SendConfig memory scheduled, uint48 activatesAt);

    /// @notice The receive set of `source` in effect now.
    function receiveSet(uint32 source) external view returns (uint256 gateways);

    /// @notice The receive rule of (`source`, `version`) in effect now (threshold 0: none).
    function receiveRule(uint32 source, uint64 version) external view returns (ReceiveRule memory);

    /// @notice The aggregator on `domain` in effect now (a scheduled one: `RemoteAggregatorScheduled`).
    function remoteAggregator(uint32 domain) external view returns (address);

    /// @notice The next send nonce to `destination`.
    function nonce(uint32 destination) external view returns (uint64);

    /// @notice Whether `sender` is a sponsored sender.
    function isSponsoredSender(address sender) external view returns (bool);

    /// @notice Status and recorded envelope hash of `id`.
    function record(bytes32 id) external view returns (Status status, bytes32 envelopeHash);

    /// @notice Bitmap of the gateway slots that delivered envelope `envelopeHash` of `id` (counted or not).
    function receipts(bytes32 id, bytes32 envelopeHash) external view returns (uint256);

    /// @notice The receipts of `envelopeHash` for `id` that count now (from `source`'s current receive set).
    function countedReceipts(uint32 source, bytes32 id, bytes32 envelopeHash) external view returns (uint256);

    /// @notice The aggregator id of message `nonce` from `originAggregator` on `origin` to `destination`.
    function idOf(uint32 origin, address originAggregator, uint32 destination, uint64 nonce_)
        external
        pure
        returns (bytes32);
}
