// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAxelarGasService} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGasService.sol";
import {IAxelarGateway} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGateway.sol";

import {AdapterEnvelope} from "../AdapterEnvelope.sol";
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
    /// @dev The route tag (`_chainTag`) of this chain's own Axelar name.
    uint64 internal immutable _AXELAR_LOCAL_CHAIN_TAG;

    string private _axelarLocalChain;
    mapping(uint32 domain => string axelarChain) private _axelarChains;
    /// @dev Chain tag -> Concord domain (the other direction is the route's protocol domain, in the base): tags are
    /// unique among mapped chains.
    mapping(uint64 chainTag => uint32 domain) private _domains;

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
        _AXELAR_LOCAL_CHAIN_TAG = _tagOf(keccak256(bytes(axelarLocalChain_)));
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
        // The Concord domain of the Axelar source chain, found from the envelope's stated origin and checked against
        // the chain tag kept in that domain's route (one slot, which `_receive` reads next anyway, instead of a
        // reverse-map lookup): the domain is accepted only if it is mapped to exactly this chain name's tag, and tags
        // are unique among mapped chains (`setAxelarChain`).
        uint32 domain = AdapterEnvelope.originOf(payload);
        uint64 tag = _protocolDomainOf(domain);
        if (tag == 0 || tag != _chainTag(sourceChain)) revert AxelarAdapterUnknownAxelarChain(sourceChain);
        address originAdapter = _parseAddress(sourceAddress);
        bytes memory envelope = payload;
        // The gateway compares keccak256(commandId, sourceChain, sourceAddress, msg.sender, payloadHash) with what
        // the signers approved, then marks the command executed: a second `execute` of it fails here.
        if (!_GATEWAY.validateContractCall(commandId, sourceChain, sourceAddress, keccak256(envelope))) {
            revert AxelarAdapterNotApprovedByGateway(commandId);
        }
        _receive(domain, originAdapter, envelope);
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
        return _estimate(_axelarChainOrRevert(destination), _toHexString(remoteAdapter), envelope, gasLimit);
    }

    /// @dev Pays the gas service its estimate, then `callContract`; returns the payload hash (the `ContractCall`
    /// event's indexed `payloadHash`, unique per envelope: the envelope carries the nonce). A sponsored send comes
    /// with `fee` = `_quote` (the base quoted it); a send with value comes with the whole value (`_refundsExcess`):
    /// the estimate is made here, once, from the chain name and address string that the payment and the call use
    /// too, and only it is paid (less than it reverts `ConcordAdapterFeeTooLow`); the rest stays in this adapter
    /// until the base returns it to the caller in the same transaction. Axelar's refund address is the paying
    /// caller, or the adapter (sponsor balance) when the sponsor balance paid.
    function _send(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit, uint256 fee)
        internal
        override
        returns (bytes32 protocolMessageId)
    {
        string memory chain = _axelarChainOrRevert(destination);
        string memory destinationAddress = _toHexString(remoteAdapter);
        address refundAddress = address(this);
        if (msg.value != 0) {
            uint256 price = _estimate(chain, destinationAddress, envelope, gasLimit);
            if (fee < price) revert ConcordAdapterFeeTooLow(price, fee);
            fee = price;
            refundAddress = msg.sender;
        }
        _GAS_SERVICE.payNativeGasForContractCall{value: fee}(
            address(this), chain, destinationAddress, envelope, refundAddress
        );
        _GATEWAY.callContract(chain, destinationAddress, envelope);
        return keccak256(envelope);
    }

    /// @dev Yes, in the base's sense: a send with value hands `_send` the whole value and `_send` pays only the gas
    /// service's estimate out of it, keeping the rest in this adapter, where the base finds it and returns it to the
    /// caller in the same transaction. AxelarGasService itself refunds nothing in the transaction (it keeps whatever
    /// it is paid; Axelar refunds unused gas later, off chain, to the refund address): the adapter never pays it more
    /// than its estimate, so the caller gets the excess back at once, and the base's own quote before `_send` (a
    /// second chain-name read, address string and `estimateGasFee` call) is skipped.
    function _refundsExcess() internal pure override returns (bool) {
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IAxelarAdapter
    function setAxelarChain(uint32 domain, string calldata axelarChain) external restricted {
        uint64 tag = _chainTag(axelarChain);
        if (domain == 0 || domain == _LOCAL_DOMAIN || tag == _AXELAR_LOCAL_CHAIN_TAG) {
            revert AxelarAdapterInvalidDomainMapping(domain, axelarChain);
        }
        uint256 length = bytes(axelarChain).length;
        if (length > MAX_CHAIN_NAME_LENGTH) revert AxelarAdapterInvalidChainName(axelarChain);
        if (length == 0) {
            tag = 0;
        } else {
            uint32 holder = _domains[tag];
            if (holder != 0 && holder != domain) revert AxelarAdapterChainTaken(axelarChain, holder);
        }
        uint64 previous = _protocolDomainOf(domain);
        if (previous != 0) delete _domains[previous];
        _axelarChains[domain] = axelarChain;
        _setProtocolDomain(domain, tag);
        if (tag != 0) _domains[tag] = domain;
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
    function domainOfAxelarChain(string calldata axelarChain) external view returns (uint32 domain) {
        domain = _domains[_chainTag(axelarChain)];
        // A tag is 64 bits of the name's hash: the domain is this name's only if its mapped name is this one.
        if (domain != 0 && keccak256(bytes(_axelarChains[domain])) != keccak256(bytes(axelarChain))) return 0;
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

    /// @dev The estimate `_send` pays: `estimateGasFee` with `destinationGas` as the execution gas limit.
    function _estimate(string memory chain, string memory destinationAddress, bytes memory envelope, uint32 gasLimit)
        private
        view
        returns (uint256)
    {
        return
            _GAS_SERVICE.estimateGasFee(
                chain, destinationAddress, envelope, destinationGas(gasLimit, envelope.length), ""
            );
    }

    /// @dev The route tag of an Axelar chain name: the low 64 bits of its keccak256, never 0 (0 means no chain).
    function _chainTag(string calldata axelarChain) private pure returns (uint64) {
        return _tagOf(keccak256(bytes(axelarChain)));
    }

    function _tagOf(bytes32 chainHash) private pure returns (uint64 tag) {
        tag = uint64(uint256(chainHash));
        if (tag == 0) tag = 1;
    }

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
