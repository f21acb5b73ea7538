// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AdapterEnvelope} from "../AdapterEnvelope.sol";
import {ConcordAdapter} from "../ConcordAdapter.sol";
import {IWormholeAdapter} from "./IWormholeAdapter.sol";
import {IWormholeCore} from "./IWormholeCore.sol";

/// @title WormholeAdapter
/// @notice Concord's ERC-7786 gateway over Wormhole's core bridge (see {IWormholeAdapter}, {ConcordAdapter}). Sending:
/// `core.publishMessage{value: messageFee}(0, envelope, consistencyLevel)`, the adapter being the emitter; the
/// guardians observe the message and sign a VAA; a relayer (anyone) brings the VAA to the destination adapter's
/// `receiveMessage`. Receiving: the core bridge verifies the VAA (`parseAndVerifyVM`), the adapter maps its emitter
/// chain to a Concord domain and hands the envelope to `ConcordAdapter._receive`, which accepts it only from the
/// adapter enrolled for that domain and only once.
/// @dev What the adapter cannot change: whatever a quorum of the core bridge's guardian set signed as emitted by the
/// enrolled adapter on a mapped chain is delivered; the guardians (and Wormhole governance, which rotates them and can
/// upgrade the core bridge) are the trust root of inbound messages. Wormhole core has no destination gas and no
/// relayer payment: the recipient's gas limit travels in the envelope and the base enforces it at delivery. See
/// docs/adapters.md.
contract WormholeAdapter is IWormholeAdapter, ConcordAdapter {
    /// @notice Bytes of the published payload before the envelope: the destination domain (4) and adapter (20).
    uint256 public constant DESTINATION_HEADER_LENGTH = 24;
    uint256 internal constant _UINT32_SHIFT = 224; // 256 - 32
    uint256 internal constant _ADDRESS_SHIFT = 96; // 256 - 160
    uint256 internal constant _ADAPTER_OFFSET = 4;
    uint256 internal constant _ADDRESS_MASK = 0x00ffffffffffffffffffffffffffffffffffffffff;
    /// @dev `publishMessage` call data before the payload's length word: the selector and three head words (nonce,
    /// payload offset, consistency level).
    uint256 internal constant _PUBLISH_HEAD = 0x64;
    /// @dev Offset of the stated origin in the envelope (after its 8-byte nonce, see `AdapterEnvelope`).
    uint256 internal constant _ENVELOPE_ORIGIN_OFFSET = 8;

    IWormholeCore internal immutable _CORE;
    uint16 internal immutable _WORMHOLE_LOCAL_CHAIN;
    uint8 internal immutable _CONSISTENCY_LEVEL;

    /// @dev Wormhole chain -> Concord domain (the other direction is the route's protocol domain, in the base).
    mapping(uint16 wormholeChain => uint32 domain) private _domains;

    /// @param core_ The local Wormhole core bridge (the `Wormhole` proxy).
    /// @param localDomain_ This Concord domain (the EVM chain id in production).
    /// @param initialAuthority The AccessManager.
    /// @param defaultGasLimit_ Gas a recipient gets when the sender gives no `gasLimit` attribute.
    /// @param consistencyLevel_ The consistency level of every message (e.g. 1: finalized, 200: instant, on Ethereum).
    constructor(
        address core_,
        uint32 localDomain_,
        address initialAuthority,
        uint32 defaultGasLimit_,
        uint8 consistencyLevel_
    ) ConcordAdapter(localDomain_, initialAuthority, defaultGasLimit_) {
        if (core_.code.length == 0) revert WormholeAdapterInvalidCore(core_);
        _CORE = IWormholeCore(core_);
        _WORMHOLE_LOCAL_CHAIN = IWormholeCore(core_).chainId();
        _CONSISTENCY_LEVEL = consistencyLevel_;
    }

    // ---------------------------------------------------------------------------------------------
    // Wormhole
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IWormholeAdapter
    function receiveMessage(bytes calldata encodedVm) external {
        (IWormholeCore.VM memory vaa, bool valid, string memory reason) = _CORE.parseAndVerifyVM(encodedVm);
        if (!valid) revert WormholeAdapterInvalidVaa(reason);
        bytes32 emitter = vaa.emitterAddress;
        if (uint256(emitter) >> 160 != 0) revert WormholeAdapterNonEvmEmitter(emitter);
        bytes memory envelope = _envelopeFor(vaa.payload);
        // The Concord domain of the emitter chain, found from the envelope's stated origin and checked against the
        // one-to-one map (the route slot, which `_receive` reads next anyway, instead of a reverse-map lookup): the
        // domain is accepted only if its route carries exactly this guardian-signed emitter chain. Chain 0 is never
        // mapped.
        uint32 domain = _statedOrigin(envelope);
        uint16 chain = vaa.emitterChainId;
        uint256 route = _routeWordOf(domain);
        if (chain == 0 || _protocolDomainOfRoute(route) != chain) revert WormholeAdapterUnknownWormholeChain(chain);
        // The consumed-VAA record is the base's delivered bit of (domain, emitter, envelope nonce): every VAA of this
        // body (whatever its signatures or guardian set) maps to it, and the enrolled emitter never repeats a nonce.
        _receive(domain, address(uint160(uint256(emitter))), envelope, route);
    }

    // ---------------------------------------------------------------------------------------------
    // Protocol hooks
    // ---------------------------------------------------------------------------------------------

    /// @dev The core bridge's `messageFee()`: what `publishMessage` requires, exactly, whatever the message.
    function _quote(uint32 destination, address, bytes memory, uint32) internal view override returns (uint256 fee) {
        _wormholeChainOf(destination);
        return _CORE.messageFee();
    }

    /// @dev `publishMessage{value: fee}(0, destination | remoteAdapter | envelope, consistencyLevel)`: a Wormhole
    /// message goes wherever a relayer takes it, so the payload names its destination domain and adapter, and only that
    /// adapter accepts it (checking the emitter and its chain as well). Returns the emitter sequence. The call data is
    /// written in place around the envelope, without copying it: the base builds the envelope with
    /// `AdapterEnvelope.HEADROOM` free bytes before it and zero padding after it (`encodeWithHeadroom`), so the
    /// selector, the three head words, the payload's length word and the 24-byte destination header fit just before
    /// the envelope's bytes; the envelope's length word, which the header and the new length word cover, is restored
    /// after the call. The same call data as `abi.encodeCall(publishMessage, (0, abi.encodePacked(destination,
    /// remoteAdapter, envelope), consistencyLevel))` (`test_Send_PublishesTheEnvelopeThroughTheCoreBridge` reads the
    /// published payload back from the core's event). A refusal by the core is bubbled up.
    function _send(uint32 destination, address remoteAdapter, bytes memory envelope, uint32, uint256 fee)
        internal
        override
        returns (bytes32 protocolMessageId)
    {
        address core = address(_CORE);
        uint256 consistency = _CONSISTENCY_LEVEL;
        bytes4 selector = IWormholeCore.publishMessage.selector;
        bool ok;
        uint256 returned;
        assembly ("memory-safe") {
            let length := mload(envelope)
            // The header in the envelope length word's low 24 bytes, then the payload's length word, which ends 8
            // bytes into the envelope's (its high bytes are zero): the payload's bytes start 24 before the envelope's.
            mstore(envelope, or(shl(160, and(destination, 0xffffffff)), and(remoteAdapter, _ADDRESS_MASK)))
            let payload := sub(envelope, DESTINATION_HEADER_LENGTH)
            mstore(payload, add(length, DESTINATION_HEADER_LENGTH))
            let start := sub(payload, _PUBLISH_HEAD)
            mstore(start, selector)
            mstore(add(start, 0x04), 0)
            mstore(add(start, 0x24), 0x60)
            mstore(add(start, 0x44), consistency)
            let size := add(add(_PUBLISH_HEAD, 0x20), and(add(add(length, DESTINATION_HEADER_LENGTH), 31), not(31)))
            ok := call(gas(), core, fee, start, size, 0x00, 0x20)
            returned := returndatasize()
            protocolMessageId := mload(0x00)
            mstore(envelope, length)
        }
        if (!ok || returned < 32) {
            assembly ("memory-safe") {
                let p := mload(0x40)
                returndatacopy(p, 0, returndatasize())
                revert(p, returndatasize())
            }
        }
    }

    /// @dev Wormhole chain ids are 16 bits: 32 of the route's other protocol-domain bits carry the authority tag, so a
    /// delivery reads the authority only for a recipient whose low 32 bits are the authority's.
    function _routesCarryAuthorityTag() internal pure override returns (bool) {
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IWormholeAdapter
    function setWormholeChain(uint32 domain, uint16 wormholeChain) external restricted {
        if (domain == 0 || domain == _LOCAL_DOMAIN || wormholeChain == _WORMHOLE_LOCAL_CHAIN) {
            revert WormholeAdapterInvalidChainMapping(domain, wormholeChain);
        }
        if (wormholeChain != 0) {
            uint32 holder = _domains[wormholeChain];
            if (holder != 0 && holder != domain) revert WormholeAdapterWormholeChainTaken(wormholeChain, holder);
        }
        uint16 previous = uint16(_protocolDomainOf(domain));
        if (previous != 0) delete _domains[previous];
        _setProtocolDomain(domain, wormholeChain);
        if (wormholeChain != 0) _domains[wormholeChain] = domain;
        emit WormholeChainSet(domain, wormholeChain);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IWormholeAdapter
    function wormhole() external view returns (IWormholeCore) {
        return _CORE;
    }

    /// @inheritdoc IWormholeAdapter
    function wormholeLocalChain() external view returns (uint16) {
        return _WORMHOLE_LOCAL_CHAIN;
    }

    /// @inheritdoc IWormholeAdapter
    function consistencyLevel() external view returns (uint8) {
        return _CONSISTENCY_LEVEL;
    }

    /// @inheritdoc IWormholeAdapter
    function wormholeChainOf(uint32 domain) external view returns (uint16) {
        return uint16(_protocolDomainOf(domain));
    }

    /// @inheritdoc IWormholeAdapter
    function domainOfWormholeChain(uint16 wormholeChain) external view returns (uint32) {
        return _domains[wormholeChain];
    }

    // ---------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------

    /// @dev The envelope of a VAA payload addressed to this adapter on this domain (reverting otherwise). The envelope
    /// is a view into `payload`'s memory: its length word is written over the header's last bytes, already read, so
    /// `payload` itself must not be used afterwards.
    function _envelopeFor(bytes memory payload) private view returns (bytes memory envelope) {
        uint256 length = payload.length;
        if (length < DESTINATION_HEADER_LENGTH) revert WormholeAdapterMalformedPayload(length);
        uint32 destination;
        address destinationAdapter;
        assembly ("memory-safe") {
            let p := add(payload, 0x20)
            destination := shr(_UINT32_SHIFT, mload(p))
            destinationAdapter := shr(_ADDRESS_SHIFT, mload(add(p, _ADAPTER_OFFSET)))
        }
        if (destination != _LOCAL_DOMAIN || destinationAdapter != address(this)) {
            revert WormholeAdapterWrongDestination(destination, destinationAdapter);
        }
        assembly ("memory-safe") {
            envelope := add(payload, DESTINATION_HEADER_LENGTH)
            mstore(envelope, sub(length, DESTINATION_HEADER_LENGTH))
        }
    }

    /// @dev The origin `envelope` states (reverts `ConcordAdapterMalformedEnvelope` when it has no full header).
    function _statedOrigin(bytes memory envelope) private pure returns (uint32 stated) {
        if (envelope.length < AdapterEnvelope.HEADER_LENGTH) revert ConcordAdapterMalformedEnvelope(envelope.length);
        assembly ("memory-safe") {
            stated := shr(_UINT32_SHIFT, mload(add(add(envelope, 0x20), _ENVELOPE_ORIGIN_OFFSET)))
        }
    }

    function _wormholeChainOf(uint32 domain) private view returns (uint16 wormholeChain) {
        wormholeChain = uint16(_protocolDomainOf(domain));
        if (wormholeChain == 0) revert WormholeAdapterUnknownDomain(domain);
    }
}
