// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {IConcordAdapter} from "../interfaces/IConcordAdapter.sol";
import {AdapterEnvelope} from "./AdapterEnvelope.sol";

/// @title ConcordAdapter
/// @notice What every transport adapter shares (see {IConcordAdapter}): the ERC-7786 source (envelope, nonce, fee
/// payment from the value sent or the sponsor balance, `MessageSent`), the delivery to the ERC-7786 recipient with
/// its gas limit (EIP-150 checked), the FAILED record and `retry`, the replay record, the remote adapter per
/// domain and the sponsor balance. A protocol adapter adds only the protocol: its fee (`_quote`), its send
/// (`_send`), its receive entry point (authenticate, then `_receive`) and its id mapping.
/// @dev Records. Delivered nonces live in a bitmap keyed by (origin, origin adapter, nonce / 256): the source
/// adapter is authenticated by the protocol and its nonces never repeat, and a re-enrolled adapter on the same
/// domain has its own keys, so no message can take another's record. A FAILED message keeps its revert data hash
/// under its message id (which commits to the source domain, both adapters and the whole envelope), so `retry`
/// accepts exactly the bytes that failed. The adapter holds no value but the sponsor balance: the value sent with a
/// message is paid to the protocol, the rest refunded, in the same transaction.
abstract contract ConcordAdapter is IConcordAdapter, AccessManaged {
    /// @notice ERC-7786 attribute `gasLimit(uint256)`: gas the recipient gets (the same selector as Concord's
    /// gateway).
    bytes4 public constant GAS_LIMIT_ATTRIBUTE = 0xce296026;

    /// @notice Version byte of the message id preimage (2: packed envelope, `AdapterEnvelope`).
    uint8 public constant ADAPTER_MESSAGE_VERSION = 2;

    /// @notice Longest revert data kept in `ExecutionFailed` (and hashed into the FAILED record).
    uint256 public constant MAX_REVERT_DATA = 256;

    /// @notice Gas kept for the bookkeeping after the recipient's call (its record and event).
    uint256 public constant POST_CALL_GAS = 40_000;

    /// @dev Most domains whose routes carry the authority tag (bounds the tag update `setAuthority` makes; only
    /// adapters whose protocol ids leave room for the tag, see `_routesCarryAuthorityTag`, keep the list).
    uint256 internal constant _MAX_TAGGED_ROUTES = 256;

    /// @dev With the authority tag, a route's protocol domain field holds the protocol's id in its low 32 bits and the
    /// authority's low 32 bits (the tag) in its high 32 bits.
    uint64 private constant _PROTOCOL_ID_MASK_WITH_TAG = type(uint32).max;
    uint256 private constant _AUTHORITY_TAG_SHIFT = 32;
    /// @dev Bit layout of a route slot (`Route`): the adapter in the low 160 bits, then the protocol domain field.
    uint256 private constant _ROUTE_PROTOCOL_DOMAIN_SHIFT = 160;
    uint256 private constant _ROUTE_NONCE_SHIFT = 224;
    uint256 private constant _ROUTE_ADAPTER_MASK = 0x00ffffffffffffffffffffffffffffffffffffffff;
    /// @dev Every bit of a route slot but the nonce's.
    uint256 private constant _ROUTE_BELOW_NONCE_MASK =
        0x00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff;

    uint32 internal immutable _LOCAL_DOMAIN;
    uint32 internal immutable _DEFAULT_GAS_LIMIT;
    /// @dev The ERC-7930 EVM v1 prefix of this domain's addresses (version, chain type, reference length, reference,
    /// address length: 7 to 10 bytes, left-aligned) and its length: a local sender is the prefix and its 20 bytes.
    bytes32 private immutable _LOCAL_ADDRESS_PREFIX;
    uint256 private immutable _LOCAL_ADDRESS_PREFIX_LENGTH;

    /// @notice Where messages to a domain go, in one slot (read once per send and per delivery).
    /// @param adapter The adapter enrolled on the domain (address(0): none).
    /// @param protocolDomain The protocol's id of the domain, kept here for the protocol adapter (0: none). When the
    /// protocol's ids fit in 32 bits (`_routesCarryAuthorityTag`), the id is the low 32 bits and the high 32 bits
    /// mirror the authority's low 32 bits (the authority tag), so that a delivery, which reads this slot anyway, rules
    /// out almost every recipient as the authority without reading the authority's slot.
    /// @param nonce The next send nonce to the domain.
    struct Route {
        address adapter;
        uint64 protocolDomain;
        uint32 nonce;
    }

    /// @dev Transient lock over the sends (`sendMessage`, `withdrawSponsorFunds`). Separate from the delivery lock: a
    /// recipient may send while it is being delivered (an acknowledgement, a flow's OUTCOME, a remote executor
    /// bridging tokens), as on Concord's gateway, whose `dispatch` is not locked.
    uint256 private transient _sendLock;
    /// @dev Transient lock over delivery and `retry`.
    uint256 private transient _deliveryLock;
    /// @dev `_isPrivileged` without a route (a retry): the authority is read.
    uint256 internal constant _NO_ROUTE = type(uint256).max;
    mapping(uint32 domain => Route) private _routes;
    mapping(address sender => bool) private _sponsored;
    /// @dev Delivered nonces: bit (nonce % 256) of the word keyed by keccak256(origin, origin adapter, nonce / 256).
    mapping(bytes32 key => uint256 word) private _delivered;
    /// @dev FAILED messages: revert data hash (never zero: keccak256 of any bytes) by message id.
    mapping(bytes32 messageId => bytes32 revertDataHash) private _failures;
    /// @dev Domains whose routes carry the authority tag (when `_routesCarryAuthorityTag()`): every route ever written
    /// by an admin function, so `setAuthority` can rewrite their tags; at most `_MAX_TAGGED_ROUTES`.
    uint32[] private _taggedDomains;
    mapping(uint32 domain => bool) private _tagged;

    /// @param localDomain_ This domain (the EVM chain id in production).
    /// @param initialAuthority The AccessManager.
    /// @param defaultGasLimit_ Gas a recipient gets when the sender gives no `gasLimit` attribute.
    constructor(uint32 localDomain_, address initialAuthority, uint32 defaultGasLimit_)
        AccessManaged(initialAuthority)
    {
        if (localDomain_ == 0 || defaultGasLimit_ == 0) {
            revert ConcordAdapterInvalidConstructorArgs(localDomain_, defaultGasLimit_);
        }
        _LOCAL_DOMAIN = localDomain_;
        _DEFAULT_GAS_LIMIT = defaultGasLimit_;
        // OpenZeppelin's formatter, once: its address part (address(0)) is zero, so the first word is the prefix.
        bytes memory zeroAccount = InteroperableAddress.formatEvmV1(localDomain_, address(0));
        bytes32 prefix;
        assembly ("memory-safe") {
            prefix := mload(add(zeroAccount, 0x20))
        }
        _LOCAL_ADDRESS_PREFIX = prefix;
        _LOCAL_ADDRESS_PREFIX_LENGTH = zeroAccount.length - 20;
    }

    /// @dev A send (or a sponsor withdrawal) cannot re-enter another send: the protocol call and the refund give
    /// control away while the value sent is still being accounted for.
    modifier sendLocked() {
        if (_sendLock != 0) revert ConcordAdapterReentrantCall();
        _sendLock = 1;
        _;
        _sendLock = 0;
    }

    /// @dev A delivery or retry cannot re-enter another delivery or retry (the recipient's call would fail, and its
    /// message be FAILED and retryable); it may send.
    modifier deliveryLocked() {
        if (_deliveryLock != 0) revert ConcordAdapterReentrantCall();
        _deliveryLock = 1;
        _;
        _deliveryLock = 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Source (ERC-7786)
    // ---------------------------------------------------------------------------------------------

    /// @notice Sends `payload` to `recipient` (ERC-7930 EVM v1) over the protocol; returns the message id.
    /// @dev Pays the protocol `quote(...)` from the value sent (the rest is refunded to the caller) or, when no value
    /// is sent, from the sponsor balance for a sponsored sender. The only attribute is `gasLimit(uint256)`. When the
    /// protocol itself refunds overpayment to the adapter (`_refundsExcess`), a send with value hands the protocol the
    /// whole value without quoting first and the caller gets back what the protocol returned: the charge is still the
    /// protocol's own price, and the fee reported is what it kept.
    function sendMessage(bytes calldata recipient, bytes calldata payload, bytes[] calldata attributes)
        external
        payable
        sendLocked
        returns (bytes32 messageId)
    {
        (uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit) =
            _sendEnvelope(recipient, payload, attributes);
        messageId = AdapterEnvelope.messageIdInPlace(
            ADAPTER_MESSAGE_VERSION, _LOCAL_DOMAIN, address(this), destination, remoteAdapter, envelope
        );
        _emitMessageSent(messageId, recipient, payload, attributes);
        uint256 paid = msg.value != 0 && _refundsExcess()
            ? msg.value
            : _checkPayment(_quote(destination, remoteAdapter, envelope, gasLimit));
        // What the adapter must still hold once it has paid: the sponsor balance and the value not handed over. The
        // protocol's refunds (to this adapter, during `_send`) come on top.
        uint256 kept = address(this).balance - paid;
        // The protocol's id of the message is in the protocol's own event (see `AdapterMessageSent`).
        _send(destination, remoteAdapter, envelope, gasLimit, paid);
        uint256 returned = address(this).balance - kept;
        uint256 fee = returned < paid ? paid - returned : 0;
        emit AdapterMessageSent(messageId, fee, msg.value == 0);
        if (msg.value > fee) {
            uint256 refund = msg.value - fee;
            (bool ok,) = payable(msg.sender).call{value: refund}("");
            if (!ok) revert ConcordAdapterRefundFailed(msg.sender, refund);
        }
    }

    /// @inheritdoc IConcordAdapter
    function quote(bytes calldata recipient, bytes calldata payload, bytes[] calldata attributes)
        external
        view
        returns (uint256 fee)
    {
        // The envelope has the same length whatever the sender and nonce: the fee does not depend on them.
        (uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit) =
            _envelopeOf(recipient, payload, attributes);
        return _quote(destination, remoteAdapter, envelope, gasLimit);
    }

    /// @notice Whether `selector` is a supported attribute (only `gasLimit(uint256)`).
    function supportsAttribute(bytes4 selector) external pure returns (bool) {
        return selector == GAS_LIMIT_ATTRIBUTE;
    }

    // ---------------------------------------------------------------------------------------------
    // Destination
    // ---------------------------------------------------------------------------------------------

    /// @dev Called by the protocol adapter's receive entry point once the protocol has authenticated the message
    /// as coming from `originAdapter` on the protocol domain that maps to `origin`. Refuses an untrusted source and
    /// a replay (reverting: the protocol keeps the message); a recipient that fails is recorded FAILED, and the call
    /// returns normally so that the protocol considers the message delivered.
    function _receive(uint32 origin, address originAdapter, bytes memory envelope) internal {
        _receive(origin, originAdapter, envelope, _routeWordOf(origin));
    }

    /// @dev `_receive` with the route of `origin` already read by the protocol adapter (`_routeWordOf`), in the same
    /// call: a protocol adapter that checks its protocol's id in the route before delivering reads the slot once. Only
    /// the restricted admin functions write routes, so the word cannot change in between.
    function _receive(uint32 origin, address originAdapter, bytes memory envelope, uint256 routeWord)
        internal
        deliveryLocked
    {
        // forge-lint: disable-next-line(unsafe-typecast) the route's adapter is the slot's low 160 bits (`Route`)
        address enrolled = address(uint160(routeWord));
        if (origin == 0 || origin == _LOCAL_DOMAIN || enrolled == address(0)) {
            revert ConcordAdapterUnknownDomain(origin);
        }
        if (enrolled != originAdapter) revert ConcordAdapterUntrustedSource(origin, originAdapter);
        (uint64 n, uint32 statedOrigin, uint32 gasLimit) = AdapterEnvelope.delivery(envelope);
        if (statedOrigin != origin) revert ConcordAdapterOriginMismatch(origin, statedOrigin);
        bytes32 messageId = _messageId(origin, originAdapter, _LOCAL_DOMAIN, address(this), envelope);
        (bytes32 key, uint256 bit) = _deliveredSlot(origin, originAdapter, n);
        uint256 word = _delivered[key];
        if (word & bit != 0) revert ConcordAdapterAlreadyDelivered(messageId);
        _delivered[key] = word | bit;
        _execute(messageId, origin, envelope, gasLimit, routeWord >> _ROUTE_PROTOCOL_DOMAIN_SHIFT);
    }

    /// @inheritdoc IConcordAdapter
    function retry(uint32 origin, address originAdapter, bytes calldata envelope, uint32 gasLimit)
        external
        deliveryLocked
    {
        bytes32 messageId = _messageId(origin, originAdapter, _LOCAL_DOMAIN, address(this), envelope);
        if (_failures[messageId] == bytes32(0)) revert ConcordAdapterNotFailed(messageId);
        bytes memory e = envelope;
        uint32 messageGasLimit = AdapterEnvelope.gasLimitOf(e);
        if (gasLimit < messageGasLimit) revert ConcordAdapterRetryGasBelowLimit(messageGasLimit, gasLimit);
        delete _failures[messageId];
        bool success = _execute(messageId, origin, e, gasLimit, _NO_ROUTE);
        emit Retried(messageId, origin, msg.sender, gasLimit, success);
    }

    /// @dev Calls the recipient with exactly `gasLimit` (reverting the whole call when that much cannot be given)
    /// and records the outcome: EXECUTED, or FAILED with the revert data hash.
    function _execute(bytes32 messageId, uint32 origin, bytes memory envelope, uint32 gasLimit, uint256 routeField)
        private
        returns (bool success)
    {
        (address recipient, bytes memory data) = _deliveryOf(messageId, origin, envelope, routeField);
        // Checked after the call data is built: its memory grows with the payload, and none of it may come out of
        // the recipient's gas limit or the bookkeeping reserve.
        uint256 required = uint256(gasLimit) + uint256(gasLimit) / 63 + POST_CALL_GAS;
        if (gasleft() < required) revert ConcordAdapterInsufficientGas(required, gasleft());
        bytes4 magic = IERC7786Recipient.receiveMessage.selector;
        bool ok;
        assembly ("memory-safe") {
            ok := call(gasLimit, recipient, 0, add(data, 0x20), mload(data), 0x00, 0x20)
            success := and(ok, and(gt(returndatasize(), 0x1f), eq(mload(0x00), magic)))
        }
        if (success) {
            emit Executed(messageId, origin);
            return true;
        }
        _recordFailure(messageId, origin);
    }

    /// @dev The recipient of `envelope` (never this adapter or its authority) and its `receiveMessage` call data.
    function _deliveryOf(bytes32 messageId, uint32 origin, bytes memory envelope, uint256 routeField)
        private
        view
        returns (address recipient, bytes memory data)
    {
        recipient = AdapterEnvelope.recipientOf(envelope);
        if (_isPrivileged(recipient, routeField)) revert ConcordAdapterPrivilegedRecipient(recipient);
        data = AdapterEnvelope.receiveMessageCall(envelope, messageId, origin);
    }

    /// @dev Records the message FAILED with the hash of the first `MAX_REVERT_DATA` bytes of the last call's return
    /// data.
    function _recordFailure(bytes32 messageId, uint32 origin) private {
        uint256 size;
        assembly ("memory-safe") {
            size := returndatasize()
        }
        if (size > MAX_REVERT_DATA) size = MAX_REVERT_DATA;
        bytes memory revertData = new bytes(size);
        assembly ("memory-safe") {
            returndatacopy(add(revertData, 0x20), 0, size)
        }
        bytes32 revertDataHash = keccak256(revertData);
        _failures[messageId] = revertDataHash;
        emit ExecutionFailed(messageId, origin, revertDataHash, revertData);
    }

    // ---------------------------------------------------------------------------------------------
    // Protocol hooks
    // ---------------------------------------------------------------------------------------------

    /// @dev The protocol's fee for sending `envelope` to `remoteAdapter` on `destination` with `gasLimit` for the
    /// recipient; must equal what `_send` pays.
    function _quote(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit)
        internal
        view
        virtual
        returns (uint256 fee);

    /// @dev Hands `envelope` to the protocol, paying exactly `fee`; returns the protocol's id of the message. When
    /// `_refundsExcess()` is true and the caller sent value, `fee` is the whole value sent (no quote was made): the
    /// protocol must take its price from it and refund the rest to this adapter during the call (and `_send` should
    /// revert `ConcordAdapterFeeTooLow` when `fee` is below the price). `envelope` comes from
    /// `AdapterEnvelope.encodeWithHeadroom`: the `AdapterEnvelope.HEADROOM` bytes before it are free (the message id
    /// has been computed) and its padding is zero, so `_send` may write the protocol's call data around it in place,
    /// provided it leaves the envelope's own bytes as they were.
    function _send(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit, uint256 fee)
        internal
        virtual
        returns (bytes32 protocolMessageId);

    /// @dev Whether the protocol takes exactly its price out of any value handed to it and refunds the rest to this
    /// adapter within `_send` (Hyperlane's hooks do, to the refund address of the hook metadata). Then a send with
    /// value skips the in-send `_quote`. Default: no (the adapter pays exactly `_quote`).
    function _refundsExcess() internal pure virtual returns (bool) {
        return false;
    }

    /// @dev The whole route slot of `domain` (`Route`: the adapter in the low 160 bits, the protocol domain field, then
    /// the nonce); `_protocolDomainOfRoute` reads the protocol's id out of it.
    function _routeWordOf(uint32 domain) internal view returns (uint256 word) {
        Route storage route = _routes[domain];
        assembly ("memory-safe") {
            word := sload(route.slot)
        }
    }

    /// @dev The protocol's id in a route word (`_routeWordOf`), without the authority tag.
    function _protocolDomainOfRoute(uint256 word) internal pure returns (uint64) {
        // forge-lint: disable-next-line(unsafe-typecast) the protocol domain field is the 64 bits above the adapter
        uint64 field = uint64(word >> _ROUTE_PROTOCOL_DOMAIN_SHIFT);
        return _routesCarryAuthorityTag() ? field & _PROTOCOL_ID_MASK_WITH_TAG : field;
    }

    /// @dev The protocol's id of `domain` kept in its route (0: none), without the authority tag.
    function _protocolDomainOf(uint32 domain) internal view returns (uint64) {
        uint64 field = _routes[domain].protocolDomain;
        return _routesCarryAuthorityTag() ? field & _PROTOCOL_ID_MASK_WITH_TAG : field;
    }

    /// @dev Keeps the protocol's id of `domain` in its route (the protocol adapter's admin setter; it emits). With the
    /// authority tag, the id must fit in 32 bits (the protocol adapter's id type guarantees it).
    function _setProtocolDomain(uint32 domain, uint64 protocolDomain) internal {
        _routes[domain].protocolDomain = protocolDomain | _tagRoute(domain);
    }

    /// @dev Whether the protocol's ids fit in 32 bits, leaving the high 32 bits of every route's protocol domain field
    /// to the authority tag (default: no, for 64-bit ids). With the tag, a delivery reads the authority only for a
    /// recipient whose low 32 bits are the authority's.
    function _routesCarryAuthorityTag() internal pure virtual returns (bool) {
        return false;
    }

    /// @dev Whether `recipient` must never be called with a message: this adapter or its authority. `routeField` is
    /// the protocol domain field of the route the message came from, or `_NO_ROUTE` (a retry): with the authority
    /// tag, the authority is read only when the recipient's low 32 bits match the route's tag (the same answer: the
    /// tag mirrors the authority's low bits in every route, `_setAuthority`).
    function _isPrivileged(address recipient, uint256 routeField) internal view virtual returns (bool) {
        if (recipient == address(this)) return true;
        if (
            _routesCarryAuthorityTag() && routeField != _NO_ROUTE
                // forge-lint: disable-next-line(unsafe-typecast) both sides are the low 32 bits, the tag's width
                && uint32(uint160(recipient)) != uint32(routeField >> _AUTHORITY_TAG_SHIFT)
        ) return false;
        return recipient == authority();
    }

    /// @dev Keeps every tagged route's authority tag equal to the new authority's (AccessManaged calls this from its
    /// constructor, before any route exists, and from `setAuthority`, which emits `AuthorityUpdated`).
    function _setAuthority(address newAuthority) internal virtual override {
        super._setAuthority(newAuthority);
        if (!_routesCarryAuthorityTag()) return;
        uint64 tag = _authorityTagOf(newAuthority);
        uint256 n = _taggedDomains.length;
        for (uint256 i = 0; i < n; ++i) {
            Route storage route = _routes[_taggedDomains[i]];
            route.protocolDomain = (route.protocolDomain & _PROTOCOL_ID_MASK_WITH_TAG) | tag;
        }
    }

    /// @dev Whether a send is in progress (value arriving now is a protocol refund of that send).
    function _sendInProgress() internal view returns (bool locked) {
        return _sendLock != 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IConcordAdapter
    function setRemote(uint32 domain, address adapter) external restricted {
        if (domain == 0 || domain == _LOCAL_DOMAIN) revert ConcordAdapterUnknownDomain(domain);
        Route storage route = _routes[domain];
        route.adapter = adapter;
        if (_routesCarryAuthorityTag()) {
            route.protocolDomain = (route.protocolDomain & _PROTOCOL_ID_MASK_WITH_TAG) | _tagRoute(domain);
        }
        emit RemoteSet(domain, adapter);
    }

    /// @inheritdoc IConcordAdapter
    function setSponsoredSender(address sender, bool sponsored) external restricted {
        _sponsored[sender] = sponsored;
        emit SponsoredSenderSet(sender, sponsored);
    }

    /// @inheritdoc IConcordAdapter
    function withdrawSponsorFunds(address payable to, uint256 amount) external restricted sendLocked {
        if (to == address(0) || amount > address(this).balance) {
            revert ConcordAdapterInvalidWithdrawal(to, amount, address(this).balance);
        }
        emit SponsorWithdrawn(to, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert ConcordAdapterRefundFailed(to, amount);
    }

    /// @inheritdoc IConcordAdapter
    function fund() external payable {
        emit SponsorFunded(msg.sender, msg.value);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IConcordAdapter
    function localDomain() external view returns (uint32) {
        return _LOCAL_DOMAIN;
    }

    /// @inheritdoc IConcordAdapter
    function defaultGasLimit() external view returns (uint32) {
        return _DEFAULT_GAS_LIMIT;
    }

    /// @inheritdoc IConcordAdapter
    function remote(uint32 domain) public view returns (address) {
        return _routes[domain].adapter;
    }

    /// @inheritdoc IConcordAdapter
    function isSponsoredSender(address sender) external view returns (bool) {
        return _sponsored[sender];
    }

    /// @inheritdoc IConcordAdapter
    function nonce(uint32 destination) external view returns (uint64) {
        return _routes[destination].nonce;
    }

    /// @inheritdoc IConcordAdapter
    function status(uint32 origin, address originAdapter, bytes calldata envelope)
        external
        view
        returns (MessageStatus status_)
    {
        bytes32 messageId = _messageId(origin, originAdapter, _LOCAL_DOMAIN, address(this), envelope);
        if (_failures[messageId] != bytes32(0)) return MessageStatus.FAILED;
        uint64 n = AdapterEnvelope.nonceOf(envelope);
        (bytes32 key, uint256 bit) = _deliveredSlot(origin, originAdapter, n);
        return _delivered[key] & bit != 0 ? MessageStatus.EXECUTED : MessageStatus.NONE;
    }

    /// @inheritdoc IConcordAdapter
    function failedRevertDataHash(bytes32 messageId) external view returns (bytes32) {
        return _failures[messageId];
    }

    /// @inheritdoc IConcordAdapter
    function messageIdOf(
        uint32 origin,
        address originAdapter,
        uint32 destination,
        address destinationAdapter,
        bytes calldata envelope
    ) external pure returns (bytes32) {
        return _messageId(origin, originAdapter, destination, destinationAdapter, envelope);
    }

    // ---------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------

    /// @dev The authority tag of `account` as it sits in a route's protocol domain field: its low 32 bits in the
    /// field's high 32 bits.
    function _authorityTagOf(address account) private pure returns (uint64) {
        // forge-lint: disable-next-line(unsafe-typecast) the tag is the address's low 32 bits by definition
        return uint64(uint256(uint32(uint160(account))) << _AUTHORITY_TAG_SHIFT);
    }

    /// @dev Enlists `domain` among the tagged routes (once; at most `_MAX_TAGGED_ROUTES`) and returns the current
    /// authority's tag for its route (0 when the adapter keeps no tag).
    function _tagRoute(uint32 domain) private returns (uint64 tag) {
        if (!_routesCarryAuthorityTag()) return 0;
        if (!_tagged[domain]) {
            if (_taggedDomains.length >= _MAX_TAGGED_ROUTES) revert ConcordAdapterTooManyRoutes(_MAX_TAGGED_ROUTES);
            _tagged[domain] = true;
            _taggedDomains.push(domain);
        }
        return uint64(_authorityTagOf(authority()));
    }

    /// @dev `keccak256(abi.encode(ADAPTER_MESSAGE_VERSION, originDomain, originAdapter, destination,
    /// destinationAdapter, envelope))`, the preimage written once in free memory (the six head words, then the
    /// envelope's length word and bytes, its padding zeroed) without Solidity's encoder
    /// (`testFuzz_MessageId_MatchesAbiEncode`).
    function _messageId(
        uint32 originDomain,
        address originAdapter,
        uint32 destination,
        address destinationAdapter,
        bytes memory envelope
    ) internal pure returns (bytes32 id) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, ADAPTER_MESSAGE_VERSION)
            mstore(add(p, 0x20), and(originDomain, 0xffffffff))
            mstore(add(p, 0x40), and(originAdapter, _ROUTE_ADAPTER_MASK))
            mstore(add(p, 0x60), and(destination, 0xffffffff))
            mstore(add(p, 0x80), and(destinationAdapter, _ROUTE_ADAPTER_MASK))
            mstore(add(p, 0xa0), 0xc0)
            let length := mload(envelope)
            mcopy(add(p, 0xc0), envelope, add(length, 0x20))
            mstore(add(add(p, 0xe0), length), 0)
            id := keccak256(p, add(0xe0, and(add(length, 31), not(31))))
        }
    }

    /// @dev The delivered word's key of (originDomain, originAdapter, nonce): `keccak256(abi.encode(originDomain,
    /// originAdapter, nonce / 256))`, hashed in free memory; and the nonce's bit in that word.
    function _deliveredSlot(uint32 originDomain, address originAdapter, uint64 nonce_)
        private
        pure
        returns (bytes32 key, uint256 bit)
    {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, and(originDomain, 0xffffffff))
            mstore(add(p, 0x20), and(originAdapter, _ROUTE_ADAPTER_MASK))
            mstore(add(p, 0x40), shr(8, and(nonce_, 0xffffffffffffffff)))
            key := keccak256(p, 0x60)
        }
        bit = uint256(1) << (nonce_ & 0xff);
    }

    /// @dev The destination, its adapter, the envelope and the recipient's gas limit of a send by `msg.sender`
    /// (`quote`): the nonce is the destination's next one, as the send will use it.
    function _envelopeOf(bytes calldata recipient, bytes calldata payload, bytes[] calldata attributes)
        private
        view
        returns (uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit)
    {
        address target;
        uint256 word;
        (destination, target,, word) = _routeOf(recipient);
        remoteAdapter = _adapterOf(word);
        gasLimit = _gasLimitOf(attributes);
        // forge-lint: disable-next-line(unsafe-typecast) the route's nonce is the slot's high 32 bits (`Route`)
        envelope = _encode(uint32(word >> _ROUTE_NONCE_SHIFT), target, gasLimit, payload);
    }

    /// @dev `_envelopeOf` for the send itself: the route is read once and written once, its nonce advanced (checked:
    /// a route's nonces never wrap, so no envelope repeats).
    function _sendEnvelope(bytes calldata recipient, bytes calldata payload, bytes[] calldata attributes)
        private
        returns (uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit)
    {
        address target;
        bytes32 slot;
        uint256 word;
        (destination, target, slot, word) = _routeOf(recipient);
        remoteAdapter = _adapterOf(word);
        gasLimit = _gasLimitOf(attributes);
        envelope = _encode(_useNonce(slot, word), target, gasLimit, payload);
    }

    /// @dev The nonce of the route in `slot` (whose word is `word`), advanced in the same write (checked: a route's
    /// nonces never wrap, so no envelope repeats).
    function _useNonce(bytes32 slot, uint256 word) private returns (uint32 n) {
        // forge-lint: disable-next-line(unsafe-typecast) the route's nonce is the slot's high 32 bits (`Route`)
        n = uint32(word >> _ROUTE_NONCE_SHIFT);
        uint256 next = uint256(n + 1) << _ROUTE_NONCE_SHIFT;
        assembly ("memory-safe") {
            sstore(slot, or(and(word, _ROUTE_BELOW_NONCE_MASK), next))
        }
    }

    /// @dev The adapter of a route word (its low 160 bits), with the high bits cleared: protocol adapters hand it to
    /// assembly that writes whole words.
    function _adapterOf(uint256 word) private pure returns (address adapter) {
        assembly ("memory-safe") {
            adapter := and(word, _ROUTE_ADAPTER_MASK)
        }
    }

    /// @dev The envelope of `payload` from `msg.sender` on this domain to `target` (`AdapterEnvelope`, with the
    /// message id's headroom before it).
    function _encode(uint32 n, address target, uint32 gasLimit, bytes calldata payload)
        private
        view
        returns (bytes memory)
    {
        return AdapterEnvelope.encodeWithHeadroom(n, _LOCAL_DOMAIN, msg.sender, target, gasLimit, payload);
    }

    /// @dev The ERC-7786 `MessageSent` of a send by `msg.sender` (no value travels to the recipient), ABI-encoded by
    /// hand in one pass: the sender (this domain's ERC-7930 prefix and the caller), then the recipient, the payload
    /// and the attributes copied from calldata with their padding zeroed. Exactly the data `emit MessageSent(...)`
    /// writes (`test_Send_MessageSentAsSolidityEncodesIt`). The attributes are the ones `_gasLimitOf` has already
    /// read (so every element is in bounds; at most one).
    function _emitMessageSent(
        bytes32 messageId,
        bytes calldata recipient,
        bytes calldata payload,
        bytes[] calldata attributes
    ) private {
        bytes32 topic = MessageSent.selector;
        uint256 prefixLength = _LOCAL_ADDRESS_PREFIX_LENGTH;
        bytes32 prefix = _LOCAL_ADDRESS_PREFIX;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            // Head: the offsets of sender, recipient and payload, the value (0), the offset of the attributes.
            mstore(ptr, 0xa0)
            mstore(add(ptr, 0x60), 0)
            // sender: its length, then the prefix and the caller's 20 bytes in one word (at most 30 bytes; the rest of
            // the word is the address word's zero padding).
            let q := add(ptr, 0xa0)
            mstore(q, add(prefixLength, 20))
            mstore(add(q, 0x20), prefix)
            mstore(add(add(q, 0x20), prefixLength), shl(96, caller()))
            q := add(q, 0x40)
            // recipient
            mstore(add(ptr, 0x20), sub(q, ptr))
            mstore(q, recipient.length)
            calldatacopy(add(q, 0x20), recipient.offset, recipient.length)
            mstore(add(add(q, 0x20), recipient.length), 0)
            q := add(add(q, 0x20), and(add(recipient.length, 31), not(31)))
            // payload
            mstore(add(ptr, 0x40), sub(q, ptr))
            mstore(q, payload.length)
            calldatacopy(add(q, 0x20), payload.offset, payload.length)
            mstore(add(add(q, 0x20), payload.length), 0)
            q := add(add(q, 0x20), and(add(payload.length, 31), not(31)))
            // attributes: the count, the element offsets (from after the count), then each element
            mstore(add(ptr, 0x80), sub(q, ptr))
            let n := attributes.length
            mstore(q, n)
            let heads := add(q, 0x20)
            let tail := add(heads, shl(5, n))
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let element := add(attributes.offset, calldataload(add(attributes.offset, shl(5, i))))
                let length := calldataload(element)
                mstore(add(heads, shl(5, i)), sub(tail, heads))
                mstore(tail, length)
                calldatacopy(add(tail, 0x20), add(element, 0x20), length)
                mstore(add(add(tail, 0x20), length), 0)
                tail := add(add(tail, 0x20), and(add(length, 31), not(31)))
            }
            log2(ptr, sub(tail, ptr), topic, messageId)
        }
    }

    /// @dev Checks that the send can pay `fee`: from the value sent, or (no value) from the sponsor balance for a
    /// sponsored sender. Returns `fee`.
    function _checkPayment(uint256 fee) private view returns (uint256) {
        if (msg.value == 0) {
            // A free send (the protocol charges nothing, e.g. Wormhole's core at a zero message fee) takes nothing
            // from the sponsor balance, so it needs no sponsorship.
            if (fee == 0) return 0;
            if (!_sponsored[msg.sender]) revert ConcordAdapterNotSponsored(msg.sender);
            // The balance before this call is the sponsor balance (msg.value is zero here).
            if (address(this).balance < fee) revert ConcordAdapterSponsorBalanceTooLow(fee, address(this).balance);
        } else if (msg.value < fee) {
            revert ConcordAdapterFeeTooLow(fee, msg.value);
        }
        return fee;
    }

    /// @dev The destination domain and the recipient of an ERC-7930 recipient, and the destination's route (its slot
    /// and its word: adapter, protocol domain, nonce); refuses a domain without an enrolled adapter.
    function _routeOf(bytes calldata recipient)
        private
        view
        returns (uint32 destination, address target, bytes32 slot, uint256 word)
    {
        bool ok;
        (ok, destination, target) = AdapterEnvelope.parseRecipient(recipient);
        if (!ok) revert ConcordAdapterInvalidRecipient(recipient);
        Route storage route = _routes[destination];
        assembly ("memory-safe") {
            slot := route.slot
            word := sload(slot)
        }
        if (destination == _LOCAL_DOMAIN || word & _ROUTE_ADAPTER_MASK == 0) {
            revert ConcordAdapterUnknownDomain(destination);
        }
    }

    /// @dev The recipient's gas limit from the attributes (only `gasLimit(uint256)`, at most once, 1..2**32-1).
    function _gasLimitOf(bytes[] calldata attributes) private view returns (uint32 gasLimit) {
        gasLimit = _DEFAULT_GAS_LIMIT;
        bool set = false;
        for (uint256 i = 0; i < attributes.length; ++i) {
            bytes calldata attribute = attributes[i];
            if (attribute.length < 4) revert ConcordAdapterInvalidAttribute(attribute);
            bytes4 selector = bytes4(attribute[0:4]);
            if (selector != GAS_LIMIT_ATTRIBUTE) revert UnsupportedAttribute(selector);
            if (attribute.length != 36 || set) revert ConcordAdapterInvalidAttribute(attribute);
            uint256 value = uint256(bytes32(attribute[4:36]));
            if (value == 0 || value > type(uint32).max) revert ConcordAdapterInvalidAttribute(attribute);
            gasLimit = uint32(value);
            set = true;
        }
    }
}
