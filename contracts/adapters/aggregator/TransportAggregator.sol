// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC7786GatewaySource, IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {IConcordAdapter} from "../../interfaces/IConcordAdapter.sol";
import {ITransportAggregator} from "../../interfaces/ITransportAggregator.sol";
import {AggregatorEnvelope} from "./AggregatorEnvelope.sol";

/// @title TransportAggregator
/// @notice A k-of-n ERC-7786 gateway over other ERC-7786 gateways (see {ITransportAggregator}). Sending: one quote
/// (the sum of the legs' quotes), one payment (value, or the sponsor balance for sponsored senders), one envelope
/// over each gateway of the destination's set; a leg that fails is reported and not paid; the send reverts when fewer
/// than the threshold accepted, and refunds the rest of the value. Receiving: a leg counts only when it comes from a
/// registered gateway and its ERC-7930 sender is the aggregator registered for the authenticated source; receipts
/// are kept per (id, envelope hash, gateway slot) and counted over the source's current receive set; the recipient
/// runs once the count reaches the rule of the message's version; a FAILED recipient is retryable by anyone; two
/// envelopes for one id quarantine it until a delayed operator release.
/// @dev Arrival and execution are separate records: receipts are bitmaps of slots, the id's record holds its status
/// and the first envelope hash seen. Reentrancy: a send lock and a delivery lock (a recipient may send while it is
/// executed: a flow's OUTCOME leaves from inside its EXECUTE).
contract TransportAggregator is ITransportAggregator, AccessManaged {
    /// @notice ERC-7786 attribute `gasLimit(uint256)`: gas the recipient gets.
    bytes4 internal constant GAS_LIMIT_ATTRIBUTE = 0xce296026;
    /// @notice ERC-7786 attribute `declaredValue(uint256)`: the value the message moves, as its sender states it;
    /// above the destination's bound the high threshold applies.
    bytes4 public constant DECLARED_VALUE_ATTRIBUTE = bytes4(keccak256("declaredValue(uint256)"));
    /// @notice Version byte of the id preimage.
    uint8 internal constant AGGREGATOR_ID_VERSION = 1;
    /// @notice Largest recipient gas limit a sender may ask for.
    uint32 internal constant MAX_GAS_LIMIT = 30_000_000;
    /// @notice Gas a leg carries on top of the recipient's (receipt bookkeeping; any leg may be the k-th).
    uint256 public constant LEG_GAS_OVERHEAD = 150_000;
    /// @notice Gas a leg carries per envelope byte (calldata copies and hashing on the destination).
    uint256 public constant LEG_GAS_PER_BYTE = 8;
    /// @notice Gas kept for the bookkeeping after the recipient's call.
    uint256 internal constant POST_CALL_GAS = 40_000;
    /// @notice The highest gateway slot (receipt bitmaps share a storage slot with the status).
    uint8 public constant MAX_SLOT = 247;
    /// @notice Longest revert data kept in `ExecutionFailed`.
    uint256 internal constant MAX_REVERT_DATA = 256;

    uint32 internal immutable _LOCAL_DOMAIN;
    uint32 internal immutable _DEFAULT_GAS_LIMIT;
    uint48 internal immutable _CONFIG_DELAY;
    uint48 internal immutable _RELEASE_DELAY;

    /// @dev The send and delivery locks, in transient storage (cleared at the end of every transaction).
    uint256 private transient _sendLock;
    uint256 private transient _deliveryLock;

    /// @dev A destination's send configs: the one in effect until `activatesAt`, the scheduled one after it.
    struct SendSchedule {
        SendConfig current;
        SendConfig pending;
        uint48 activatesAt;
        uint64 nonce;
        uint64 latestVersion;
    }

    struct SetSchedule {
        uint256 current;
        uint256 pending;
        uint48 activatesAt;
    }

    struct RuleSchedule {
        ReceiveRule current;
        ReceiveRule pending;
        uint48 activatesAt;
    }

    /// @dev An id's record: its envelope (the first seen, or the one a release chose), the receipts of that envelope
    /// (bitmap of slots, in the same slot as the status: the common path writes two fresh slots, not three) and its
    /// status. Receipts of any other envelope of the id live in `_receipts`.
    struct Record {
        bytes32 envelopeHash;
        uint248 receipts;
        Status status;
    }

    struct Release {
        bytes32 envelopeHash;
        uint48 readyAt;
    }

    /// @dev What a send computes before its legs.
    struct SendContext {
        uint32 destination;
        uint64 nonce;
        uint8 threshold;
        bytes to;
        bytes envelope;
        SendConfig config;
    }

    /// @dev One leg of a send: the gateway, what it is paid and the attributes it gets.
    struct Leg {
        address gateway;
        uint256 fee;
        bool quoted;
        bytes quoteError;
        bytes[] attributes;
    }

    Gateway[256] private _gateways;
    uint8 private _slotCount;
    mapping(address gateway => uint8 slot) private _slotOf;
    /// @dev The remote aggregator per domain, scheduled like a receive set (the address as a uint256).
    mapping(uint32 domain => SetSchedule) private _remotes;
    mapping(uint32 destination => SendSchedule) private _sends;
    mapping(uint32 source => SetSchedule) private _receiveSets;
    mapping(uint32 source => mapping(uint64 version => RuleSchedule)) private _rules;
    mapping(address sender => bool) private _sponsored;
    mapping(bytes32 id => Record) private _records;
    mapping(bytes32 id => mapping(bytes32 envelopeHash => uint256 slots)) private _receipts;
    mapping(bytes32 id => Release) private _releases;

    modifier sendLocked() {
        if (_sendLock != 0) revert TransportAggregatorReentrantCall();
        _sendLock = 1;
        _;
        _sendLock = 0;
    }

    modifier deliveryLocked() {
        if (_deliveryLock != 0) revert TransportAggregatorReentrantCall();
        _deliveryLock = 1;
        _;
        _deliveryLock = 0;
    }

    /// @param localDomain_ This domain (the EVM chain id in production).
    /// @param initialAuthority The AccessManager.
    /// @param defaultGasLimit_ Gas a recipient gets when the sender gives no `gasLimit` attribute.
    /// @param configDelay_ Delay before a scheduled config takes effect.
    /// @param releaseDelay_ Delay before a scheduled release of a quarantined id may be made.
    constructor(
        uint32 localDomain_,
        address initialAuthority,
        uint32 defaultGasLimit_,
        uint48 configDelay_,
        uint48 releaseDelay_
    ) AccessManaged(initialAuthority) {
        if (
            localDomain_ == 0 || configDelay_ == 0 || releaseDelay_ == 0 || defaultGasLimit_ == 0
                || defaultGasLimit_ > MAX_GAS_LIMIT
        ) {
            revert TransportAggregatorInvalidConstructorArgs(localDomain_, configDelay_, releaseDelay_);
        }
        _LOCAL_DOMAIN = localDomain_;
        _DEFAULT_GAS_LIMIT = defaultGasLimit_;
        _CONFIG_DELAY = configDelay_;
        _RELEASE_DELAY = releaseDelay_;
    }

    /// @notice Value sent to the aggregator outside a send adds to the sponsor balance; a gateway's refund during a
    /// send goes back to that send's caller.
    receive() external payable {
        if (_sendLock == 0) emit SponsorFunded(msg.sender, msg.value);
    }

    // ---------------------------------------------------------------------------------------------
    // Sending
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IERC7786GatewaySource
    /// @dev Attributes: `gasLimit(uint256)` (the recipient's gas) and `declaredValue(uint256)` are the aggregator's;
    /// any other attribute is passed to each gateway of the set that supports it (refused when none does).
    function sendMessage(bytes calldata recipient, bytes calldata payload, bytes[] calldata attributes)
        external
        payable
        sendLocked
        returns (bytes32 id)
    {
        SendContext memory c = _prepare(recipient, payload, attributes);
        _sends[c.destination].nonce = c.nonce + 1;
        id = _id(_LOCAL_DOMAIN, address(this), c.destination, c.nonce);
        Leg[] memory legs = _legs(c.config.gateways, c.to, c.envelope, attributes, payload.length);
        bool sponsored = _checkPayment(_total(legs));
        (uint256 accepted, uint256 spent) = _sendAll(id, legs, c);
        _emitMessageSent(id, recipient, payload, attributes);
        emit AggregatedMessageSent(id, c.destination, c.config.version, c.threshold, accepted, spent, sponsored);
        if (!sponsored && msg.value > spent) _refund(msg.value - spent);
    }

    /// @inheritdoc ITransportAggregator
    function quote(bytes calldata recipient, bytes calldata payload, bytes[] calldata attributes)
        external
        view
        returns (uint256 fee)
    {
        SendContext memory c = _prepare(recipient, payload, attributes);
        fee = _total(_legs(c.config.gateways, c.to, c.envelope, attributes, payload.length));
    }

    /// @inheritdoc IERC7786GatewaySource
    function supportsAttribute(bytes4 selector) external pure returns (bool) {
        return selector == GAS_LIMIT_ATTRIBUTE || selector == DECLARED_VALUE_ATTRIBUTE;
    }

    /// @dev The destination, the remote aggregator's ERC-7930 address, the envelope (with the destination's next
    /// nonce), the send config in effect and the threshold of a send by `msg.sender`.
    function _prepare(bytes calldata recipient, bytes calldata payload, bytes[] calldata attributes)
        private
        view
        returns (SendContext memory c)
    {
        address target;
        (c.destination, target) = _parseRecipient(recipient);
        SendSchedule storage s = _sends[c.destination];
        c.config = _effectiveSend(s);
        address remote = _remote(_remotes[c.destination]);
        if (remote == address(0) || c.config.threshold == 0) revert TransportAggregatorUnknownDomain(c.destination);
        (uint32 gasLimit, uint256 declaredValue) = _ownAttributes(attributes);
        c.nonce = s.nonce;
        c.envelope = AggregatorEnvelope.encode(
            Envelope({
                nonce: c.nonce,
                origin: _LOCAL_DOMAIN,
                destination: c.destination,
                version: c.config.version,
                sender: msg.sender,
                recipient: target,
                gasLimit: gasLimit,
                declaredValue: declaredValue,
                payload: payload
            })
        );
        c.to = InteroperableAddress.formatEvmV1(c.destination, remote);
        c.threshold = declaredValue > c.config.valueBound ? c.config.highThreshold : c.config.threshold;
    }

    /// @dev Sends the legs and checks that at least the threshold accepted; returns the bitmap of the gateways that
    /// accepted and what they were paid (the balance difference).
    function _sendAll(bytes32 id, Leg[] memory legs, SendContext memory c)
        private
        returns (uint256 accepted, uint256 spent)
    {
        uint256 balanceBefore = address(this).balance;
        uint256 count;
        (accepted, count) = _sendLegs(id, legs, c.to, c.envelope);
        if (count < c.threshold) revert TransportAggregatorTooFewAccepted(count, c.threshold);
        uint256 balanceAfter = address(this).balance;
        spent = balanceBefore > balanceAfter ? balanceBefore - balanceAfter : 0;
    }

    /// @dev The ERC-7786 `MessageSent` of a send by `msg.sender` (no value travels to the recipient).
    function _emitMessageSent(bytes32 id, bytes calldata recipient, bytes calldata payload, bytes[] calldata attributes)
        private
    {
        emit MessageSent(
            id, InteroperableAddress.formatEvmV1(_LOCAL_DOMAIN, msg.sender), recipient, payload, 0, attributes
        );
    }

    function _total(Leg[] memory legs) private pure returns (uint256 total) {
        for (uint256 i = 0; i < legs.length; ++i) {
            total += legs[i].fee;
        }
    }

    function _refund(uint256 amount) private {
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransportAggregatorRefundFailed(msg.sender, amount);
    }

    /// @dev The legs over the gateways of `gateways`: their attributes and (for paid gateways) their quotes.
    function _legs(
        uint256 gateways,
        bytes memory to,
        bytes memory envelope,
        bytes[] calldata attributes,
        uint256 payloadLength
    ) private view returns (Leg[] memory legs) {
        legs = new Leg[](_popcount(gateways));
        uint256 legGas = uint256(AggregatorEnvelope.gasLimitOfMemory(envelope));
        uint256 envelopeLength = payloadLength + AggregatorEnvelope.HEADER_LENGTH;
        legGas += legGas / 63 + LEG_GAS_OVERHEAD + LEG_GAS_PER_BYTE * envelopeLength;
        uint256 forwarded = 0;
        uint256 i = 0;
        for (uint256 slot = 1; gateways >> slot != 0; ++slot) {
            if ((gateways >> slot) & 1 == 0) continue;
            Gateway memory g = _gateways[slot];
            Leg memory leg = legs[i++];
            leg.gateway = g.gateway;
            uint256 used;
            (leg.attributes, used) = _legAttributes(g.gateway, attributes, legGas);
            forwarded |= used;
            leg.quoted = true;
            if (g.paid) {
                try IConcordAdapter(g.gateway).quote(to, envelope, leg.attributes) returns (uint256 fee) {
                    leg.fee = fee;
                } catch (bytes memory reason) {
                    (leg.quoted, leg.quoteError) = (false, reason);
                }
            }
        }
        for (uint256 j = 0; j < attributes.length; ++j) {
            bytes4 selector = bytes4(attributes[j][0:4]);
            if (selector == GAS_LIMIT_ATTRIBUTE || selector == DECLARED_VALUE_ATTRIBUTE) continue;
            if ((forwarded >> j) & 1 == 0) revert UnsupportedAttribute(selector);
        }
    }

    /// @dev The attributes `gateway` gets: the leg's gas limit where supported, then each of the app's other
    /// attributes it supports; `used` marks (by index) the app attributes passed on.
    function _legAttributes(address gateway, bytes[] calldata attributes, uint256 legGas)
        private
        view
        returns (bytes[] memory out, uint256 used)
    {
        out = new bytes[](attributes.length + 1);
        uint256 n = 0;
        if (_supports(gateway, GAS_LIMIT_ATTRIBUTE)) out[n++] = abi.encodeWithSelector(GAS_LIMIT_ATTRIBUTE, legGas);
        for (uint256 j = 0; j < attributes.length; ++j) {
            bytes4 selector = bytes4(attributes[j][0:4]);
            if (selector == GAS_LIMIT_ATTRIBUTE || selector == DECLARED_VALUE_ATTRIBUTE) continue;
            if (_supports(gateway, selector)) {
                out[n++] = attributes[j];
                used |= uint256(1) << j;
            }
        }
        assembly ("memory-safe") {
            mstore(out, n)
        }
    }

    /// @dev Sends every leg, each in its own try: a leg that reverts (or could not be quoted) is reported and keeps
    /// its value. Returns the bitmap and the number of gateways that accepted.
    function _sendLegs(bytes32 id, Leg[] memory legs, bytes memory to, bytes memory envelope)
        private
        returns (uint256 accepted, uint256 count)
    {
        for (uint256 i = 0; i < legs.length; ++i) {
            Leg memory leg = legs[i];
            if (!leg.quoted) {
                emit LegFailed(id, leg.gateway, leg.quoteError);
                continue;
            }
            try IERC7786GatewaySource(leg.gateway).sendMessage{value: leg.fee}(to, envelope, leg.attributes) returns (
                bytes32 legId
            ) {
                emit LegSent(id, leg.gateway, legId, leg.fee);
                accepted |= uint256(1) << _slotOf[leg.gateway];
                ++count;
            } catch (bytes memory reason) {
                emit LegFailed(id, leg.gateway, reason);
            }
        }
    }

    /// @dev The recipient's gas limit and the declared value from the attributes (each at most once); checks that
    /// every attribute has a selector.
    function _ownAttributes(bytes[] calldata attributes) private view returns (uint32 gasLimit, uint256 value) {
        gasLimit = _DEFAULT_GAS_LIMIT;
        bool gasSet = false;
        bool valueSet = false;
        for (uint256 i = 0; i < attributes.length; ++i) {
            bytes calldata attribute = attributes[i];
            if (attribute.length < 4) revert TransportAggregatorInvalidAttribute(attribute);
            bytes4 selector = bytes4(attribute[0:4]);
            if (selector == GAS_LIMIT_ATTRIBUTE) {
                if (attribute.length != 36 || gasSet) revert TransportAggregatorInvalidAttribute(attribute);
                uint256 g = uint256(bytes32(attribute[4:36]));
                if (g == 0 || g > MAX_GAS_LIMIT) revert TransportAggregatorInvalidAttribute(attribute);
                (gasLimit, gasSet) = (uint32(g), true);
            } else if (selector == DECLARED_VALUE_ATTRIBUTE) {
                if (attribute.length != 36 || valueSet) revert TransportAggregatorInvalidAttribute(attribute);
                (value, valueSet) = (uint256(bytes32(attribute[4:36])), true);
            }
        }
    }

    /// @dev Checks that the send can pay `fee`: from the value sent, or (no value) from the sponsor balance for a
    /// sponsored sender. Returns whether the sponsor balance pays.
    function _checkPayment(uint256 fee) private view returns (bool sponsored) {
        if (msg.value == 0) {
            if (!_sponsored[msg.sender]) revert TransportAggregatorNotSponsored(msg.sender);
            if (address(this).balance < fee) {
                revert TransportAggregatorSponsorBalanceTooLow(fee, address(this).balance);
            }
            return true;
        }
        if (msg.value < fee) revert TransportAggregatorFeeTooLow(fee, msg.value);
    }

    function _parseRecipient(bytes calldata recipient) private view returns (uint32 destination, address target) {
        (bool ok, uint256 domain, address account) = InteroperableAddress.tryParseEvmV1Calldata(recipient);
        if (!ok || account == address(0) || domain == 0 || domain > type(uint32).max) {
            revert TransportAggregatorInvalidRecipient(recipient);
        }
        destination = uint32(domain);
        if (destination == _LOCAL_DOMAIN) revert TransportAggregatorUnknownDomain(destination);
        target = account;
    }

    function _supports(address gateway, bytes4 selector) private view returns (bool supported) {
        try IERC7786GatewaySource(gateway).supportsAttribute(selector) returns (bool s) {
            supported = s;
        } catch {}
    }

    // ---------------------------------------------------------------------------------------------
    // Receiving
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IERC7786Recipient
    /// @dev Called by a registered gateway with a leg. Records the receipt; executes the recipient when the
    /// envelope's counted receipts reach its rule. Reverts (so the gateway keeps the leg) only for what is not a
    /// leg: an unknown caller, value, a sender that is not the remote aggregator, a malformed or misrouted envelope,
    /// a duplicate receipt, or too little gas to execute.
    function receiveMessage(bytes32, bytes calldata sender, bytes calldata envelope)
        external
        payable
        deliveryLocked
        returns (bytes4)
    {
        if (msg.value != 0) revert TransportAggregatorValueNotAccepted(msg.value);
        uint8 slot = _slotOf[msg.sender];
        if (slot == 0) revert TransportAggregatorNotGateway(msg.sender);
        (uint32 source, address originAggregator) = _authenticate(sender);
        _checkEnvelope(envelope, source);
        bytes32 id = _id(source, originAggregator, _LOCAL_DOMAIN, AggregatorEnvelope.nonceOf(envelope));
        bytes32 envelopeHash = keccak256(envelope);
        if (_recordReceipt(id, envelopeHash, slot)) {
            (uint256 counted, uint256 required) = _readiness(source, id, envelopeHash, envelope);
            if (counted >= required) _execute(id, source, envelope, AggregatorEnvelope.gasLimitOf(envelope));
        }
        return IERC7786Recipient.receiveMessage.selector;
    }

    /// @inheritdoc ITransportAggregator
    function execute(address originAggregator, bytes calldata envelope) external deliveryLocked {
        (uint32 source, bytes32 id, bytes32 envelopeHash) = _known(originAggregator, envelope);
        Record storage r = _records[id];
        if (r.status != Status.PENDING) revert TransportAggregatorNotPending(id, r.status);
        _requireReady(source, id, envelopeHash, envelope);
        _execute(id, source, envelope, AggregatorEnvelope.gasLimitOf(envelope));
    }

    /// @inheritdoc ITransportAggregator
    function retry(address originAggregator, bytes calldata envelope, uint32 gasLimit) external deliveryLocked {
        (uint32 source, bytes32 id, bytes32 envelopeHash) = _known(originAggregator, envelope);
        if (_records[id].status != Status.FAILED) revert TransportAggregatorNotFailed(id);
        uint32 messageGasLimit = AggregatorEnvelope.gasLimitOf(envelope);
        if (gasLimit < messageGasLimit) revert TransportAggregatorRetryGasBelowLimit(messageGasLimit, gasLimit);
        _requireReady(source, id, envelopeHash, envelope);
        bool success = _execute(id, source, envelope, gasLimit);
        emit Retried(id, msg.sender, gasLimit, success);
    }

    /// @dev The source and the originating aggregator of a leg's ERC-7930 sender (the registered remote one).
    function _authenticate(bytes calldata sender) private view returns (uint32 source, address originAggregator) {
        (bool ok, uint256 chain, address account) = InteroperableAddress.tryParseEvmV1Calldata(sender);
        if (!ok || chain == 0 || chain > type(uint32).max || account == address(0)) {
            revert TransportAggregatorNotRemoteAggregator(sender);
        }
        source = uint32(chain);
        if (_remote(_remotes[source]) != account) revert TransportAggregatorNotRemoteAggregator(sender);
        originAggregator = account;
    }

    /// @dev Checks the envelope's length and route: from `source` to this domain.
    function _checkEnvelope(bytes calldata envelope, uint32 source) private view {
        if (envelope.length < AggregatorEnvelope.HEADER_LENGTH) {
            revert TransportAggregatorMalformedEnvelope(envelope.length);
        }
        (uint32 origin, uint32 destination) = AggregatorEnvelope.routeOf(envelope);
        if (origin != source || destination != _LOCAL_DOMAIN) {
            revert TransportAggregatorWrongRoute(origin, destination);
        }
    }

    /// @dev The source, id and hash of an envelope that `execute` / `retry` name; it must be the recorded one.
    function _known(address originAggregator, bytes calldata envelope)
        private
        view
        returns (uint32 source, bytes32 id, bytes32 envelopeHash)
    {
        if (envelope.length < AggregatorEnvelope.HEADER_LENGTH) {
            revert TransportAggregatorMalformedEnvelope(envelope.length);
        }
        uint32 destination;
        (source, destination) = AggregatorEnvelope.routeOf(envelope);
        if (destination != _LOCAL_DOMAIN) revert TransportAggregatorWrongRoute(source, destination);
        id = _id(source, originAggregator, _LOCAL_DOMAIN, AggregatorEnvelope.nonceOf(envelope));
        envelopeHash = keccak256(envelope);
        bytes32 recorded = _records[id].envelopeHash;
        if (recorded != envelopeHash) revert TransportAggregatorEnvelopeMismatch(id, recorded, envelopeHash);
    }

    /// @dev Records gateway `slot`'s receipt of `envelopeHash` for `id`; returns whether the id is PENDING with this
    /// envelope (then it may be ready). A second envelope for the id quarantines it (unless it already executed).
    function _recordReceipt(bytes32 id, bytes32 envelopeHash, uint8 slot) private returns (bool pending) {
        uint256 bit = uint256(1) << slot;
        Record storage r = _records[id];
        Status status = r.status;
        if (status == Status.NONE) {
            (r.envelopeHash, r.receipts, r.status) = (envelopeHash, uint248(bit), Status.PENDING);
            emit ReceiptRecorded(id, msg.sender, envelopeHash);
            return true;
        }
        bytes32 recorded = r.envelopeHash;
        if (recorded == envelopeHash) {
            uint256 slots = r.receipts;
            if (slots & bit != 0) revert TransportAggregatorDuplicateReceipt(id, msg.sender);
            r.receipts = uint248(slots | bit);
            emit ReceiptRecorded(id, msg.sender, envelopeHash);
            return status == Status.PENDING;
        }
        uint256 other = _receipts[id][envelopeHash];
        if (other & bit != 0) revert TransportAggregatorDuplicateReceipt(id, msg.sender);
        _receipts[id][envelopeHash] = other | bit;
        emit ReceiptRecorded(id, msg.sender, envelopeHash);
        if (status == Status.PENDING || status == Status.FAILED) {
            r.status = Status.QUARANTINED;
            status = Status.QUARANTINED;
        }
        emit ReceiptConflict(id, msg.sender, recorded, envelopeHash, status == Status.QUARANTINED);
        return false;
    }

    /// @dev The receipts (bitmap of slots) of `envelopeHash` for `id`.
    function _receiptsOf(bytes32 id, bytes32 envelopeHash) private view returns (uint256) {
        Record storage r = _records[id];
        return r.envelopeHash == envelopeHash ? r.receipts : _receipts[id][envelopeHash];
    }

    /// @dev The counted receipts of `envelopeHash` for `id` and the number its rule requires (max: no rule).
    function _readiness(uint32 source, bytes32 id, bytes32 envelopeHash, bytes calldata envelope)
        private
        view
        returns (uint256 counted, uint256 required)
    {
        counted = _popcount(_receiptsOf(id, envelopeHash) & _effectiveSet(_receiveSets[source]));
        ReceiveRule memory rule = _effectiveRule(_rules[source][AggregatorEnvelope.versionOf(envelope)]);
        if (rule.threshold == 0) return (counted, type(uint256).max);
        required = AggregatorEnvelope.declaredValueOf(envelope) > rule.valueBound ? rule.highThreshold : rule.threshold;
    }

    function _requireReady(uint32 source, bytes32 id, bytes32 envelopeHash, bytes calldata envelope) private view {
        (uint256 counted, uint256 required) = _readiness(source, id, envelopeHash, envelope);
        if (counted < required) revert TransportAggregatorNotReady(id, counted, required);
    }

    /// @dev Calls the recipient with exactly `gasLimit` (reverting when that much cannot be given) and records the
    /// outcome: EXECUTED, or FAILED with the revert data.
    function _execute(bytes32 id, uint32 source, bytes calldata envelope, uint32 gasLimit)
        private
        returns (bool success)
    {
        address recipient = AggregatorEnvelope.recipientOf(envelope);
        if (recipient == address(this) || recipient == authority()) {
            revert TransportAggregatorPrivilegedRecipient(recipient);
        }
        bytes memory data = abi.encodeCall(
            IERC7786Recipient.receiveMessage,
            (
                id,
                InteroperableAddress.formatEvmV1(source, AggregatorEnvelope.senderOf(envelope)),
                AggregatorEnvelope.payloadOf(envelope)
            )
        );
        uint256 required = uint256(gasLimit) + uint256(gasLimit) / 63 + POST_CALL_GAS;
        if (gasleft() < required) revert TransportAggregatorInsufficientGas(required, gasleft());
        Record storage r = _records[id];
        r.status = Status.EXECUTED;
        bytes4 magic = IERC7786Recipient.receiveMessage.selector;
        bool ok;
        assembly ("memory-safe") {
            ok := call(gasLimit, recipient, 0, add(data, 0x20), mload(data), 0x00, 0x20)
            success := and(ok, and(gt(returndatasize(), 0x1f), eq(mload(0x00), magic)))
        }
        if (success) {
            emit Executed(id, source);
            return true;
        }
        r.status = Status.FAILED;
        uint256 size;
        assembly ("memory-safe") {
            size := returndatasize()
        }
        if (size > MAX_REVERT_DATA) size = MAX_REVERT_DATA;
        bytes memory revertData = new bytes(size);
        assembly ("memory-safe") {
            returndatacopy(add(revertData, 0x20), 0, size)
        }
        emit ExecutionFailed(id, source, keccak256(revertData), revertData);
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ITransportAggregator
    function registerGateway(address gateway, bool paid) external restricted returns (uint8 slot) {
        if (gateway.code.length == 0 || _slotOf[gateway] != 0 || gateway == address(this)) {
            revert TransportAggregatorInvalidGateway(gateway);
        }
        if (_slotCount == MAX_SLOT) revert TransportAggregatorRegistryFull();
        slot = ++_slotCount;
        _gateways[slot] = Gateway(gateway, paid);
        _slotOf[gateway] = slot;
        emit GatewayRegistered(slot, gateway, paid);
    }

    /// @inheritdoc ITransportAggregator
    function scheduleSendConfig(
        uint32 destination,
        uint256 gateways,
        uint8 threshold,
        uint8 highThreshold,
        uint128 valueBound
    ) external restricted returns (uint64 version) {
        if (destination == 0 || destination == _LOCAL_DOMAIN) {
            revert TransportAggregatorUnknownDomain(destination);
        }
        _checkSet(gateways);
        uint256 n = _popcount(gateways);
        if (gateways == 0 || threshold == 0 || threshold > highThreshold || highThreshold > n) {
            revert TransportAggregatorInvalidThreshold(threshold, highThreshold, n);
        }
        SendSchedule storage s = _sends[destination];
        if (s.activatesAt != 0 && s.activatesAt <= block.timestamp) s.current = s.pending;
        version = ++s.latestVersion;
        uint48 activatesAt = uint48(block.timestamp) + _CONFIG_DELAY;
        s.pending = SendConfig(gateways, version, threshold, highThreshold, valueBound);
        s.activatesAt = activatesAt;
        emit SendConfigScheduled(destination, version, gateways, threshold, highThreshold, valueBound, activatesAt);
    }

    /// @inheritdoc ITransportAggregator
    function scheduleReceiveSet(uint32 source, uint256 gateways) external restricted {
        if (source == 0 || source == _LOCAL_DOMAIN) revert TransportAggregatorUnknownDomain(source);
        _checkSet(gateways);
        emit ReceiveSetScheduled(source, gateways, _schedule(_receiveSets[source], gateways));
    }

    /// @inheritdoc ITransportAggregator
    function scheduleReceiveRule(
        uint32 source,
        uint64 version,
        uint8 threshold,
        uint8 highThreshold,
        uint128 valueBound
    ) external restricted {
        if (source == 0 || source == _LOCAL_DOMAIN) revert TransportAggregatorUnknownDomain(source);
        if (threshold == 0 || threshold > highThreshold) {
            revert TransportAggregatorInvalidThreshold(threshold, highThreshold, type(uint8).max);
        }
        RuleSchedule storage s = _rules[source][version];
        if (s.activatesAt != 0 && s.activatesAt <= block.timestamp) s.current = s.pending;
        uint48 activatesAt = uint48(block.timestamp) + _CONFIG_DELAY;
        (s.pending, s.activatesAt) = (ReceiveRule(threshold, highThreshold, valueBound), activatesAt);
        emit ReceiveRuleScheduled(source, version, threshold, highThreshold, valueBound, activatesAt);
    }

    /// @inheritdoc ITransportAggregator
    function scheduleRemoteAggregator(uint32 domain, address aggregator) external restricted {
        if (domain == 0 || domain == _LOCAL_DOMAIN) revert TransportAggregatorUnknownDomain(domain);
        emit RemoteAggregatorScheduled(domain, aggregator, _schedule(_remotes[domain], uint256(uint160(aggregator))));
    }

    /// @inheritdoc ITransportAggregator
    function setSponsoredSender(address sender, bool sponsored) external restricted {
        _sponsored[sender] = sponsored;
        emit SponsoredSenderSet(sender, sponsored);
    }

    /// @inheritdoc ITransportAggregator
    function withdrawSponsorFunds(address payable to, uint256 amount) external restricted sendLocked {
        if (to == address(0) || amount > address(this).balance) {
            revert TransportAggregatorInvalidWithdrawal(to, amount, address(this).balance);
        }
        emit SponsorWithdrawn(to, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransportAggregatorRefundFailed(to, amount);
    }

    /// @inheritdoc ITransportAggregator
    function fund() external payable {
        emit SponsorFunded(msg.sender, msg.value);
    }

    /// @inheritdoc ITransportAggregator
    function scheduleRelease(bytes32 id, bytes32 envelopeHash) external restricted {
        if (_records[id].status != Status.QUARANTINED) revert TransportAggregatorNotQuarantined(id);
        if (_receiptsOf(id, envelopeHash) == 0) revert TransportAggregatorUnknownEnvelope(id, envelopeHash);
        uint48 readyAt = uint48(block.timestamp) + _RELEASE_DELAY;
        _releases[id] = Release(envelopeHash, readyAt);
        emit ReleaseScheduled(id, envelopeHash, readyAt);
    }

    /// @inheritdoc ITransportAggregator
    function release(bytes32 id) external {
        Record storage r = _records[id];
        if (r.status != Status.QUARANTINED) revert TransportAggregatorNotQuarantined(id);
        Release memory rel = _releases[id];
        // A release is scheduled only for an envelope some gateway delivered (its hash is never zero).
        if (rel.envelopeHash == bytes32(0) || rel.readyAt > block.timestamp) {
            revert TransportAggregatorReleaseNotReady(id, rel.readyAt);
        }
        delete _releases[id];
        bytes32 recorded = r.envelopeHash;
        if (rel.envelopeHash != recorded) {
            // The chosen envelope's receipts move into the record; the previous one's into the side map.
            _receipts[id][recorded] = r.receipts;
            r.receipts = uint248(_receipts[id][rel.envelopeHash]);
            delete _receipts[id][rel.envelopeHash];
        }
        (r.envelopeHash, r.status) = (rel.envelopeHash, Status.PENDING);
        emit Released(id, rel.envelopeHash);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ITransportAggregator
    function localDomain() external view returns (uint32) {
        return _LOCAL_DOMAIN;
    }

    /// @inheritdoc ITransportAggregator
    function configDelay() external view returns (uint48) {
        return _CONFIG_DELAY;
    }

    /// @inheritdoc ITransportAggregator
    function releaseDelay() external view returns (uint48) {
        return _RELEASE_DELAY;
    }

    /// @inheritdoc ITransportAggregator
    function gatewayAt(uint8 slot) external view returns (Gateway memory) {
        return _gateways[slot];
    }

    /// @inheritdoc ITransportAggregator
    function slotOf(address gateway) external view returns (uint8) {
        return _slotOf[gateway];
    }

    /// @inheritdoc ITransportAggregator
    function sendConfig(uint32 destination)
        external
        view
        returns (SendConfig memory current, SendConfig memory scheduled, uint48 activatesAt)
    {
        SendSchedule storage s = _sends[destination];
        current = _effectiveSend(s);
        if (s.activatesAt > block.timestamp) (scheduled, activatesAt) = (s.pending, s.activatesAt);
    }

    /// @inheritdoc ITransportAggregator
    function receiveSet(uint32 source) external view returns (uint256) {
        return _effectiveSet(_receiveSets[source]);
    }

    /// @inheritdoc ITransportAggregator
    function receiveRule(uint32 source, uint64 version) external view returns (ReceiveRule memory) {
        return _effectiveRule(_rules[source][version]);
    }

    /// @inheritdoc ITransportAggregator
    function remoteAggregator(uint32 domain) external view returns (address) {
        return _remote(_remotes[domain]);
    }

    /// @inheritdoc ITransportAggregator
    function nonce(uint32 destination) external view returns (uint64) {
        return _sends[destination].nonce;
    }

    /// @inheritdoc ITransportAggregator
    function isSponsoredSender(address sender) external view returns (bool) {
        return _sponsored[sender];
    }

    /// @inheritdoc ITransportAggregator
    function record(bytes32 id) external view returns (Status, bytes32) {
        Record storage r = _records[id];
        return (r.status, r.envelopeHash);
    }

    /// @inheritdoc ITransportAggregator
    function receipts(bytes32 id, bytes32 envelopeHash) external view returns (uint256) {
        return _receiptsOf(id, envelopeHash);
    }

    /// @inheritdoc ITransportAggregator
    function countedReceipts(uint32 source, bytes32 id, bytes32 envelopeHash) external view returns (uint256) {
        return _popcount(_receiptsOf(id, envelopeHash) & _effectiveSet(_receiveSets[source]));
    }

    /// @inheritdoc ITransportAggregator
    function idOf(uint32 origin, address originAggregator, uint32 destination, uint64 nonce_)
        external
        pure
        returns (bytes32)
    {
        return _id(origin, originAggregator, destination, nonce_);
    }

    // ---------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------

    function _id(uint32 origin, address originAggregator, uint32 destination, uint64 nonce_)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(AGGREGATOR_ID_VERSION, origin, originAggregator, destination, nonce_));
    }

    function _effectiveSend(SendSchedule storage s) private view returns (SendConfig memory) {
        return s.activatesAt != 0 && s.activatesAt <= block.timestamp ? s.pending : s.current;
    }

    function _remote(SetSchedule storage s) private view returns (address) {
        return address(uint160(_effectiveSet(s)));
    }

    /// @dev Schedules `value` to take effect `configDelay` from now (the one in effect, if any, becomes current).
    function _schedule(SetSchedule storage s, uint256 value) private returns (uint48 activatesAt) {
        if (s.activatesAt != 0 && s.activatesAt <= block.timestamp) s.current = s.pending;
        activatesAt = uint48(block.timestamp) + _CONFIG_DELAY;
        (s.pending, s.activatesAt) = (value, activatesAt);
    }

    function _effectiveSet(SetSchedule storage s) private view returns (uint256) {
        return s.activatesAt != 0 && s.activatesAt <= block.timestamp ? s.pending : s.current;
    }

    function _effectiveRule(RuleSchedule storage s) private view returns (ReceiveRule memory) {
        return s.activatesAt != 0 && s.activatesAt <= block.timestamp ? s.pending : s.current;
    }

    /// @dev Every slot of `gateways` is a registered gateway (slot 0 is never one).
    function _checkSet(uint256 gateways) private view {
        if (gateways & 1 != 0 || gateways >> (uint256(_slotCount) + 1) != 0) {
            revert TransportAggregatorUnknownSlot(gateways);
        }
    }

    function _popcount(uint256 x) private pure returns (uint256 c) {
        while (x != 0) {
            x &= x - 1;
            ++c;
        }
    }
}
