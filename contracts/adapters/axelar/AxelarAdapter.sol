// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAxelarGasService} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGasService.sol";
import {IAxelarGateway} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGateway.sol";

import {ConcordAdapter} from "../ConcordAdapter.sol";
import {IAxelarAdapter} from "./IAxelarAdapter.sol";

/// @title AxelarAdapter
/// @notice Concord's ERC-7786 gateway over Axelar GMP (see {IAxelarAdapter}, {ConcordAdapter}). Sending:
/// `AxelarGasService.payNativeGasForContractCall{value: fee}` then `AxelarGateway.callContract(axelarChain,
/// remoteAdapter, envelope)`, where `fee` is the gas service's own on-chain `estimateGasFee` for the same chain,
/// address and envelope with `destinationGas(gasLimit, envelope.length)` as the execution gas limit. Receiving: any
/// relayer calls `execute(commandId, sourceChain, sourceAddress, payload)`; the adapter maps the Axelar source chain
/// to a Concord domain, parses the EVM source address, has the gateway `validateContractCall` (which consumes the
/// approval Axelar's signers gave for exactly these values and this adapter) and hands the envelope to
/// `ConcordAdapter._receive`, which accepts it only from the adapter enrolled for that domain.
/// @dev What the adapter cannot change: whatever Axelar's signers approve as sent by the enrolled adapter on a mapped
/// chain is delivered. The gateway (its signer set, its owner and operator, its upgrades) is the whole trust root of
/// inbound messages. See docs/adapters.md.
contract AxelarAdapter is IAxelarAdapter, ConcordAdapter {
    /// @notice Gas the `execute` transaction needs besides the recipient's gas limit: the intrinsic 21,000, the fixed
    /// calldata (command id, chain name, source address), the gateway's `validateContractCall` (a cold account, the
    /// approval slot rewritten), the chain map, the address parsing, the checks, the replay bit (possibly a fresh
    /// slot), the message id, the recipient's call data, and the reserve `ConcordAdapter.POST_CALL_GAS` kept across
    /// the call. Measured in test/adapters/AxelarAdapter/AxelarAdapter.gas.t.sol, with a margin.
    uint32 public constant DELIVERY_GAS_OVERHEAD = 115_000;

    /// @notice Destination gas per 32-byte word of the envelope: its calldata (16 per non-zero byte at most), copying
    /// and hashing it.
    uint32 public constant DELIVERY_GAS_PER_WORD = 560;

    /// @notice Divisor of the quadratic part of the destination gas, words * words / divisor: the memory `execute`
    /// expands holds several copies of the envelope (copied from calldata, decoded, hashed, re-encoded).
    uint32 public constant DELIVERY_GAS_MEMORY_DIVISOR = 30;

    /// @notice Longest Axelar chain name the adapter maps (one storage slot).
    uint256 public constant MAX_CHAIN_NAME_LENGTH = 31;

    /// @dev "0123456789abcdef", left-aligned: `byte(i, _HEX_DIGITS)` is the digit of value i.
    uint256 private constant _HEX_DIGITS = 0x3031323334353637383961626364656600000000000000000000000000000000;
    /// @dev Length of an EVM address as Axelar carries it: "0x" and 40 hex digits.
    uint256 private constant _ADDRESS_STRING_LENGTH = 42;
    /// @dev "0x" in the two high bytes of a word.
    uint256 private constant _HEX_PREFIX = 0x3078 << 240;

    IAxelarGateway internal immutable _GATEWAY;
    IAxelarGasService internal immutable _GAS_SERVICE;
    bytes32 internal immutable _AXELAR_LOCAL_CHAIN_HASH;

    string private _axelarLocalChain;
    mapping(uint32 domain => string axelarChain) private _axelarChains;
    mapping(bytes32 axelarChainHash => uint32 domain) private _domains;

    /// @param gateway_ The local Axelar gateway (AxelarAmplifierGateway, behind its proxy).
    /// @param gasService_ The local AxelarGasService (behind its proxy).
    /// @param localDomain_ This Concord domain (the EVM chain id in production).
    /// @param initialAuthority The AccessManager.
    /// @param defaultGasLimit_ Gas a recipient gets when the sender gives no `gasLimit` attribute.
    /// @param axelarLocalChain_ This chain's Axelar name (e.g. "ethereum"), never mapped to a remote domain.
    constructor(
        address gateway_,
        address gasService_,
        uint32 localDomain_,
        address initialAuthority,
        uint32 defaultGasLimit_,
        string memory axelarLocalChain_
    ) ConcordAdapter(localDomain_, initialAuthority, defaultGasLimit_) {
        if (gateway_.code.length == 0) revert AxelarAdapterInvalidGateway(gateway_);
        if (gasService_.code.length == 0) revert AxelarAdapterInvalidGasService(gasService_);
        uint256 length = bytes(axelarLocalChain_).length;
        if (length == 0 || length > MAX_CHAIN_NAME_LENGTH) revert AxelarAdapterInvalidChainName(axelarLocalChain_);
        _GATEWAY = IAxelarGateway(gateway_);
        _GAS_SERVICE = IAxelarGasService(gasService_);
        _AXELAR_LOCAL_CHAIN_HASH = keccak256(bytes(axelarLocalChain_));
        _axelarLocalChain = axelarLocalChain_;
    }

    /// @notice Adds the value to the sponsor balance, like `fund` (the gas service's refunds of sponsored sends land
    /// here: the adapter is their refund address).
    receive() external payable {
        emit SponsorFunded(msg.sender, msg.value);
    }

    // ---------------------------------------------------------------------------------------------
    // Axelar
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IAxelarAdapter
    function execute(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        bytes calldata payload
    ) external {
        uint32 domain = _domains[keccak256(bytes(sourceChain))];
        if (domain == 0) revert AxelarAdapterUnknownAxelarChain(sourceChain);
        address originAdapter = _parseAddress(sourceAddress);
        // The gateway compares keccak256(commandId, sourceChain, sourceAddress, msg.sender, payloadHash) with what
        // the signers approved, then marks the command executed: a second `execute` of it fails here.
        if (!_GATEWAY.validateContractCall(commandId, sourceChain, sourceAddress, keccak256(payload))) {
            revert AxelarAdapterNotApprovedByGateway(commandId);
        }
        _receive(domain, originAdapter, payload);
    }

    // ---------------------------------------------------------------------------------------------
    // Protocol hooks
    // ---------------------------------------------------------------------------------------------

    /// @dev The gas service's `estimateGasFee` of exactly what `_send` pays for: the chain, the remote adapter's
    /// address string, the envelope and `destinationGas` as the execution gas limit.
    function _quote(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit)
        internal
        view
        override
        returns (uint256 fee)
    {
        return _GAS_SERVICE.estimateGasFee(
            _axelarChainOrRevert(destination),
            _toHexString(remoteAdapter),
            envelope,
            destinationGas(gasLimit, envelope.length),
            ""
        );
    }

    /// @dev Pays the gas service exactly `fee` (= `_quote`), then `callContract`; returns the payload hash (the
    /// `ContractCall` event's indexed `payloadHash`, unique per envelope: the envelope carries the nonce). Axelar's
    /// refund address is the paying caller, or the adapter (sponsor balance) when the sponsor balance paid.
    function _send(uint32 destination, address remoteAdapter, bytes memory envelope, uint32, uint256 fee)
        internal
        override
        returns (bytes32 protocolMessageId)
    {
        string memory chain = _axelarChainOrRevert(destination);
        string memory destinationAddress = _toHexString(remoteAdapter);
        address refundAddress = msg.value == 0 ? address(this) : msg.sender;
        _GAS_SERVICE.payNativeGasForContractCall{value: fee}(
            address(this), chain, destinationAddress, envelope, refundAddress
        );
        _GATEWAY.callContract(chain, destinationAddress, envelope);
        return keccak256(envelope);
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IAxelarAdapter
    function setAxelarChain(uint32 domain, string calldata axelarChain) external restricted {
        bytes32 chainHash = keccak256(bytes(axelarChain));
        if (domain == 0 || domain == _LOCAL_DOMAIN || chainHash == _AXELAR_LOCAL_CHAIN_HASH) {
            revert AxelarAdapterInvalidDomainMapping(domain, axelarChain);
        }
        uint256 length = bytes(axelarChain).length;
        if (length > MAX_CHAIN_NAME_LENGTH) revert AxelarAdapterInvalidChainName(axelarChain);
        if (length != 0) {
            uint32 holder = _domains[chainHash];
            if (holder != 0 && holder != domain) revert AxelarAdapterChainTaken(axelarChain, holder);
        }
        bytes memory previous = bytes(_axelarChains[domain]);
        if (previous.length != 0) delete _domains[keccak256(previous)];
        _axelarChains[domain] = axelarChain;
        if (length != 0) _domains[chainHash] = domain;
        emit AxelarChainSet(domain, axelarChain);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IAxelarAdapter
    function gateway() external view returns (IAxelarGateway) {
        return _GATEWAY;
    }

    /// @inheritdoc IAxelarAdapter
    function gasService() external view returns (IAxelarGasService) {
        return _GAS_SERVICE;
    }

    /// @inheritdoc IAxelarAdapter
    function axelarLocalChain() external view returns (string memory) {
        return _axelarLocalChain;
    }

    /// @inheritdoc IAxelarAdapter
    function axelarChainOf(uint32 domain) external view returns (string memory) {
        return _axelarChains[domain];
    }

    /// @inheritdoc IAxelarAdapter
    function domainOfAxelarChain(string calldata axelarChain) external view returns (uint32) {
        return _domains[keccak256(bytes(axelarChain))];
    }

    /// @inheritdoc IAxelarAdapter
    function destinationGas(uint32 gasLimit, uint256 envelopeLength) public pure returns (uint256) {
        // The recipient's limit and the 1/63 the adapter's EIP-150 check adds to it (the relayer's transaction calls
        // `execute` directly: no caller keeps a 1/64), the fixed overhead, and the envelope's words.
        uint256 words = (envelopeLength + 31) / 32;
        return uint256(gasLimit) + uint256(gasLimit) / 63 + DELIVERY_GAS_OVERHEAD + words * DELIVERY_GAS_PER_WORD
            + (words * words) / DELIVERY_GAS_MEMORY_DIVISOR;
    }

    /// @inheritdoc IAxelarAdapter
    function axelarAddressOf(address account) external pure returns (string memory) {
        return _toHexString(account);
    }

    // ---------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------

    function _axelarChainOrRevert(uint32 domain) private view returns (string memory chain) {
        chain = _axelarChains[domain];
        if (bytes(chain).length == 0) revert AxelarAdapterUnknownDomain(domain);
    }

    /// @dev `account` as "0x" and 40 lowercase hex digits (what `callContract` names as the destination).
    function _toHexString(address account) private pure returns (string memory s) {
        assembly ("memory-safe") {
            s := mload(0x40)
            // length word + 42 bytes, rounded up to a whole word: 0x60.
            mstore(0x40, add(s, 0x60))
            mstore(s, _ADDRESS_STRING_LENGTH)
            mstore(add(s, 0x20), _HEX_PREFIX)
            mstore(add(s, 0x40), 0)
            let v := account
            for { let i := add(add(s, 0x20), sub(_ADDRESS_STRING_LENGTH, 1)) } gt(i, add(s, 0x21)) {
                i := sub(i, 1)
            } {
                mstore8(i, byte(and(v, 0xf), _HEX_DIGITS))
                v := shr(4, v)
            }
        }
    }

    /// @dev The EVM address in `s` ("0x" and 40 hex digits, either case); reverts
    /// `AxelarAdapterInvalidSourceAddress` otherwise.
    function _parseAddress(string calldata s) private pure returns (address account) {
        bool valid = bytes(s).length == _ADDRESS_STRING_LENGTH;
        if (valid) {
            uint256 v;
            assembly ("memory-safe") {
                let p := s.offset
                valid := eq(and(calldataload(p), shl(240, 0xffff)), _HEX_PREFIX)
                for { let i := 2 } lt(i, _ADDRESS_STRING_LENGTH) { i := add(i, 1) } {
                    let c := byte(0, calldataload(add(p, i)))
                    // '0'..'9' -> 0..9; otherwise fold to lower case: 'a'..'f' -> 10..15; anything else is invalid.
                    let d := sub(c, 0x30)
                    if gt(d, 9) {
                        let l := sub(or(c, 0x20), 0x61)
                        if gt(l, 5) { valid := 0 }
                        d := add(l, 10)
                    }
                    v := or(shl(4, v), and(d, 0xf))
                }
            }
            account = address(uint160(v));
        }
        if (!valid) revert AxelarAdapterInvalidSourceAddress(s);
    }
}
