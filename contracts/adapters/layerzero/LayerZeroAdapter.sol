// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    ILayerZeroEndpointV2,
    MessagingFee,
    MessagingParams,
    Origin
} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";

import {AdapterEnvelope} from "../AdapterEnvelope.sol";
import {ConcordAdapter} from "../ConcordAdapter.sol";
import {ILayerZeroAdapter} from "./ILayerZeroAdapter.sol";

/// @title LayerZeroAdapter
/// @notice Concord's ERC-7786 gateway over LayerZero V2 (see {ILayerZeroAdapter}, {ConcordAdapter}). Sending:
/// `EndpointV2.send{value: fee}(MessagingParams(eid, remoteAdapter, envelope, options, false), adapter)`, where
/// `options` is one executor lzReceive option carrying the recipient's gas limit plus the adapter's own need and `fee`
/// is the whole value sent (the endpoint takes its price and refunds the rest to the adapter, which returns it to the
/// caller) or, for a sponsored send, the endpoint's own `quote` of the same parameters. Receiving: the endpoint calls
/// `lzReceive` once the adapter's receive library (the ULN and its DVNs) verified the packet and only once per packet
/// (it clears the payload hash); the adapter maps the origin eid to a Concord domain, requires an EVM sender and hands
/// the envelope to `ConcordAdapter._receive`, which accepts it only from the adapter enrolled for that domain.
/// @dev The adapter implements LayerZero's `ILayerZeroReceiver` directly (no OApp base): its peers are the base's
/// remote adapters, so there is one enrolment to keep right, not two. What it cannot change: whatever the receive
/// library configured for this adapter (by its delegate, or the endpoint owner's defaults) verifies as sent by the
/// enrolled adapter on a mapped eid is delivered. See docs/adapters.md.
contract LayerZeroAdapter is ILayerZeroAdapter, ConcordAdapter {
    /// @notice Gas the lzReceive option carries besides the recipient's gas limit: `EndpointV2.lzReceive`'s own work
    /// (the nonce and payload-hash records), `lzReceive` before the recipient's call (checks, the replay bit, which may
    /// be a fresh slot, the message id, the call data), the reserve `ConcordAdapter.POST_CALL_GAS` kept across the
    /// call, and the 1/64 the endpoint keeps when it calls the adapter. Measured in
    /// test/adapters/LayerZeroAdapter/LayerZeroAdapter.gas.t.sol (the smallest gas with which `EndpointV2.lzReceive`
    /// delivers through the adapter, with a margin).
    uint32 public constant RECEIVE_GAS_OVERHEAD = 100_000;

    /// @notice lzReceive gas per 32-byte word of the envelope (copying and hashing it).
    uint32 public constant RECEIVE_GAS_PER_WORD = 50;

    /// @notice Divisor of the quadratic part of the lzReceive gas, words * words / divisor (the memory `lzReceive`
    /// expands holds several copies of the envelope).
    uint32 public constant RECEIVE_GAS_MEMORY_DIVISOR = 24;

    /// @dev LayerZero options: type 3, worker 1 (executor), option length 17, option type 1 (lzReceive), uint128 gas.
    uint16 private constant _OPTIONS_TYPE_3 = 3;
    uint8 private constant _EXECUTOR_WORKER_ID = 1;
    uint16 private constant _LZ_RECEIVE_OPTION_LENGTH = 17;
    uint8 private constant _OPTION_TYPE_LZ_RECEIVE = 1;
    /// @dev The options above before the gas, as one number (type 3, worker 1, length 17, type 1: 6 bytes), the gas's
    /// width, the options' length (6 + 16 bytes) and the shift that left-aligns them in a word.
    uint48 private constant _OPTIONS_PREFIX = 0x000301001101;
    uint256 private constant _OPTION_GAS_BITS = 128;
    uint256 private constant _OPTIONS_LENGTH = 22;
    uint256 private constant _OPTION_SHIFT = 80; // 256 - 8 * 22
    /// @dev `send(MessagingParams,address)` call data: the tuple's offset after the two head words, and the message's
    /// offset inside the tuple (after its five head words).
    uint256 private constant _PARAMS_OFFSET = 0x40;
    uint256 private constant _MESSAGE_OFFSET = 0xa0;

    ILayerZeroEndpointV2 internal immutable _ENDPOINT;
    uint32 internal immutable _LZ_LOCAL_EID;

    /// @dev eid -> Concord domain (the other direction is the route's protocol domain, in the base).
    mapping(uint32 eid => uint32 domain) private _domains;

    /// @param endpoint_ The local LayerZero EndpointV2.
    /// @param localDomain_ This Concord domain (the EVM chain id in production).
    /// @param initialAuthority The AccessManager.
    /// @param defaultGasLimit_ Gas a recipient gets when the sender gives no `gasLimit` attribute.
    /// @param delegate_ The account the endpoint lets configure this adapter's path (address(0): none; the endpoint
    /// owner's defaults apply).
    constructor(
        address endpoint_,
        uint32 localDomain_,
        address initialAuthority,
        uint32 defaultGasLimit_,
        address delegate_
    ) ConcordAdapter(localDomain_, initialAuthority, defaultGasLimit_) {
        if (endpoint_.code.length == 0) revert LayerZeroAdapterInvalidEndpoint(endpoint_);
        _ENDPOINT = ILayerZeroEndpointV2(endpoint_);
        _LZ_LOCAL_EID = ILayerZeroEndpointV2(endpoint_).eid();
        _setDelegate(delegate_);
    }

    /// @notice Adds the value to the sponsor balance, like `fund`. The endpoint's refund of an overpaid send lands here
    /// too (the adapter is the refund address of its sends): during a send it is that send's (`sendMessage` returns it
    /// to the caller and reports the fee net of it), so no `SponsorFunded` is emitted then.
    receive() external payable {
        if (!_sendInProgress()) emit SponsorFunded(msg.sender, msg.value);
    }

    // ---------------------------------------------------------------------------------------------
    // LayerZero (ILayerZeroReceiver)
    // ---------------------------------------------------------------------------------------------

    /// @notice LayerZero's delivery entry point: the endpoint calls it (for any executor) once the receive library
    /// verified the packet, and clears the packet first, so it runs at most once per packet. Maps the origin eid to its
    /// Concord domain and the sender to an EVM address, then delivers the envelope (`message`) through the shared
    /// base, which refuses any sender but the adapter enrolled for that domain and any envelope already delivered. The
    /// domain is the envelope's stated origin, accepted only when its route carries exactly `origin.srcEid` (the map
    /// is one to one, so that is the domain the eid maps to; any other stated origin is refused as an unknown eid).
    /// @param origin The packet's origin (eid, sender, LayerZero nonce), authenticated by the receive library.
    /// @param message The envelope.
    function lzReceive(Origin calldata origin, bytes32, bytes calldata message, address, bytes calldata)
        external
        payable
    {
        if (msg.sender != address(_ENDPOINT)) revert LayerZeroAdapterNotEndpoint(msg.sender);
        if (msg.value != 0) revert LayerZeroAdapterValueNotAccepted(msg.value);
        bytes32 sender = origin.sender;
        if (uint256(sender) >> 160 != 0) revert LayerZeroAdapterNonEvmSender(sender);
        // The route's slot, which `_receive` reads next anyway, instead of a cold reverse-map lookup. Eid 0 is never
        // mapped (a domain without an eid has protocol domain 0).
        uint32 srcEid = origin.srcEid;
        uint32 domain = AdapterEnvelope.originOf(message);
        uint256 route = _routeWordOf(domain);
        if (srcEid == 0 || _protocolDomainOfRoute(route) != srcEid) revert LayerZeroAdapterUnknownEid(srcEid);
        _receive(domain, address(uint160(uint256(sender))), message, route);
    }

    /// @notice LayerZero's path initialisation check (the endpoint asks it before verifying the first packet of a
    /// path): true only for the remote adapter enrolled for the Concord domain that `origin.srcEid` maps to, so no
    /// other sender's packet is ever verified for this adapter.
    /// @param origin The packet's origin.
    function allowInitializePath(Origin calldata origin) external view returns (bool) {
        uint32 domain = _domains[origin.srcEid];
        return domain != 0 && origin.sender != bytes32(0) && bytes32(uint256(uint160(remote(domain)))) == origin.sender;
    }

    /// @notice LayerZero's ordered-delivery hook: 0, the adapter takes packets in any order the endpoint allows.
    function nextNonce(uint32, bytes32) external pure returns (uint64) {
        return 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Protocol hooks
    // ---------------------------------------------------------------------------------------------

    /// @dev `EndpointV2.quote` of exactly what `_send` sends (native fee; the adapter is the sender in both calls).
    function _quote(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit)
        internal
        view
        override
        returns (uint256 fee)
    {
        MessagingFee memory quoted =
            _ENDPOINT.quote(_params(destination, remoteAdapter, envelope, gasLimit), address(this));
        return quoted.nativeFee;
    }

    /// @dev `EndpointV2.send` with `fee`: the quote (sponsored sends) or the whole value sent (the endpoint takes its
    /// price and refunds the rest to this adapter, the refund address); returns the LayerZero guid. A send that fails
    /// with less than the quote reverts `ConcordAdapterFeeTooLow` (the quote is made only then); any other failure is
    /// bubbled up.
    function _send(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit, uint256 fee)
        internal
        override
        returns (bytes32 protocolMessageId)
    {
        bytes memory data = _sendCall(_eidOf(destination), remoteAdapter, envelope, gasLimit);
        address target = address(_ENDPOINT);
        bool ok;
        // The receipt (guid, nonce, fee) is static: its first word, the guid, is all that is copied back.
        assembly ("memory-safe") {
            ok := call(gas(), target, fee, add(data, 0x20), mload(data), 0x00, 0x20)
            if and(ok, gt(returndatasize(), 0x1f)) { protocolMessageId := mload(0x00) }
        }
        if (!ok) {
            bytes memory reason = new bytes(_returnDataSize());
            assembly ("memory-safe") {
                returndatacopy(add(reason, 0x20), 0, mload(reason))
            }
            uint256 price = _quote(destination, remoteAdapter, envelope, gasLimit);
            if (fee < price) revert ConcordAdapterFeeTooLow(price, fee);
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
    }

    /// @dev LayerZero's endpoint takes exactly its price out of the value it is handed and refunds the rest to the
    /// refund address, this adapter: a send with value needs no quote.
    function _refundsExcess() internal pure override returns (bool) {
        return true;
    }

    /// @dev Eids are 32 bits: the route's other 32 protocol-domain bits carry the authority tag, so a delivery reads
    /// the authority only for a recipient whose low 32 bits are the authority's.
    function _routesCarryAuthorityTag() internal pure override returns (bool) {
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ILayerZeroAdapter
    function setLayerZeroEid(uint32 domain, uint32 eid) external restricted {
        if (domain == 0 || domain == _LOCAL_DOMAIN || eid == _LZ_LOCAL_EID) {
            revert LayerZeroAdapterInvalidEidMapping(domain, eid);
        }
        if (eid != 0) {
            uint32 holder = _domains[eid];
            if (holder != 0 && holder != domain) revert LayerZeroAdapterEidTaken(eid, holder);
        }
        uint32 previous = uint32(_protocolDomainOf(domain));
        if (previous != 0) delete _domains[previous];
        _setProtocolDomain(domain, eid);
        if (eid != 0) _domains[eid] = domain;
        emit LayerZeroEidSet(domain, eid);
    }

    /// @inheritdoc ILayerZeroAdapter
    function setDelegate(address delegate) external restricted {
        _setDelegate(delegate);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ILayerZeroAdapter
    function endpoint() external view returns (ILayerZeroEndpointV2) {
        return _ENDPOINT;
    }

    /// @inheritdoc ILayerZeroAdapter
    function layerZeroLocalEid() external view returns (uint32) {
        return _LZ_LOCAL_EID;
    }

    /// @inheritdoc ILayerZeroAdapter
    function eidOf(uint32 domain) external view returns (uint32) {
        return uint32(_protocolDomainOf(domain));
    }

    /// @inheritdoc ILayerZeroAdapter
    function domainOfEid(uint32 eid) external view returns (uint32) {
        return _domains[eid];
    }

    /// @inheritdoc ILayerZeroAdapter
    function receiveGas(uint32 gasLimit, uint256 envelopeLength) public pure returns (uint256) {
        // The recipient's limit, the 1/63 the adapter's EIP-150 check adds to it and the 1/64 the endpoint keeps when
        // it calls `lzReceive` (together just under gasLimit / 31), the fixed overhead, and the envelope's words.
        uint256 words = (envelopeLength + 31) / 32;
        return uint256(gasLimit) + uint256(gasLimit) / 31 + RECEIVE_GAS_OVERHEAD + words * RECEIVE_GAS_PER_WORD
            + (words * words) / RECEIVE_GAS_MEMORY_DIVISOR;
    }

    /// @inheritdoc ILayerZeroAdapter
    function optionsOf(uint32 gasLimit, uint256 envelopeLength) public pure returns (bytes memory) {
        // receiveGas < 2**33 + 2**64 for any uint32 limit and any envelope that fits in memory: it fits in uint128.
        return abi.encodePacked(
            _OPTIONS_TYPE_3,
            _EXECUTOR_WORKER_ID,
            _LZ_RECEIVE_OPTION_LENGTH,
            _OPTION_TYPE_LZ_RECEIVE,
            uint128(receiveGas(gasLimit, envelopeLength))
        );
    }

    // ---------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------

    function _eidOf(uint32 domain) private view returns (uint32 eid) {
        eid = uint32(_protocolDomainOf(domain));
        if (eid == 0) revert LayerZeroAdapterUnknownDomain(domain);
    }

    /// @dev The call data of `EndpointV2.send(MessagingParams(eid, remoteAdapter, envelope, optionsOf(gasLimit,
    /// envelope.length), false), address(this))`, written in one pass: the same bytes as `abi.encodeCall` of the
    /// struct, without building the struct and the options first.
    function _sendCall(uint32 eid, address remoteAdapter, bytes memory envelope, uint32 gasLimit)
        private
        view
        returns (bytes memory data)
    {
        uint256 length = envelope.length;
        uint256 padded = (length + 31) & ~uint256(31);
        // Selector, two head words, five tuple words, the message (length word, padded bytes), the options (length
        // word, one word).
        data = new bytes(4 + 32 * 7 + 32 + padded + 64);
        // `EndpointV2.send`'s selector (not `address.send`): the call's result is checked in `_send`.
        // solhint-disable-next-line check-send-result
        bytes4 selector = ILayerZeroEndpointV2.send.selector;
        uint256 option = (uint256(_OPTIONS_PREFIX) << _OPTION_GAS_BITS) | receiveGas(gasLimit, length);
        assembly ("memory-safe") {
            let p := add(data, 0x20)
            mstore(p, selector)
            let args := add(p, 4)
            mstore(args, _PARAMS_OFFSET)
            mstore(add(args, 0x20), address())
            let t := add(args, _PARAMS_OFFSET)
            mstore(t, eid)
            mstore(add(t, 0x20), remoteAdapter)
            mstore(add(t, 0x40), _MESSAGE_OFFSET)
            mstore(add(t, 0x60), add(add(_MESSAGE_OFFSET, 0x20), padded))
            // payInLzToken (t + 0x80) stays false: `new` zeroed it, and the message padding.
            let m := add(t, _MESSAGE_OFFSET)
            mstore(m, length)
            mcopy(add(m, 0x20), add(envelope, 0x20), length)
            let o := add(add(m, 0x20), padded)
            mstore(o, _OPTIONS_LENGTH)
            mstore(add(o, 0x20), shl(_OPTION_SHIFT, option))
        }
    }

    /// @dev The endpoint's parameters of a send: the destination's eid, the remote adapter (the peer), the envelope,
    /// the options carrying the destination gas, native payment.
    function _params(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit)
        private
        view
        returns (MessagingParams memory)
    {
        return MessagingParams({
            dstEid: _eidOf(destination),
            receiver: bytes32(uint256(uint160(remoteAdapter))),
            message: envelope,
            options: optionsOf(gasLimit, envelope.length),
            payInLzToken: false
        });
    }

    function _returnDataSize() private pure returns (uint256 size) {
        assembly ("memory-safe") {
            size := returndatasize()
        }
    }

    function _setDelegate(address delegate) private {
        _ENDPOINT.setDelegate(delegate);
        emit LayerZeroDelegateSet(delegate);
    }
}
