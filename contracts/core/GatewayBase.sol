// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";

import {IConcordGateway} from "../interfaces/IConcordGateway.sol";
// Names read only by inline assembly, which solhint's no-unused-import does not see.
// solhint-disable no-unused-import
import {
    GATEWAY_ADDRESS_MASK,
    GATEWAY_FILTER_BITS,
    GATEWAY_FILTER_SHIFT,
    GATEWAY_GETTER_GAS,
    GATEWAY_INSTANCE_SHIFT,
    GATEWAY_RECEIPT_INSTANCE_SHIFT,
    GATEWAY_RECEIPT_ORIGIN_SHIFT,
    GATEWAY_RECEIPT_WORD_SHIFT,
    GATEWAY_UINT32_MASK,
    SELECTOR_ISM_GETTER
} from "../libraries/GatewayLayout.sol";
// solhint-enable no-unused-import
import {MerkleTree} from "../libraries/MerkleTree.sol";

/// @title GatewayBase
/// @notice The ConcordGateway's state and the rules its roles share: immutables, storage (every word's layout is
/// named in `GatewayLayout`), the receipt key, the privileged-recipient rule and the verifier selection rule.
/// The roles are `GatewaySource` (dispatch), `GatewayDelivery` (process, retry, status) and `GatewayConfig`
/// (routes, pauses); `ConcordGateway` puts them together.
/// @dev Storage order is part of the interface: the StateProofVerifier proves `_core` (nonce at bit 160) and the
/// `_tree` branch slots, which follow AccessManaged's slot.
abstract contract GatewayBase is IConcordGateway, AccessManaged {
    uint32 internal immutable _localDomain;
    uint32 internal immutable _defaultGasLimit;
    uint256 internal immutable _maxBodySize;

    /// @dev Nonce, pause flags and privileged filter (`GatewayLayout`, `_core`).
    uint256 internal _core;
    /// @dev Incremental tree of sent message ids; its leaf count is the nonce in `_core`.
    MerkleTree.Tree internal _tree;
    /// @dev Route verifier, instance, pause and mirrored flags per origin (`GatewayLayout`, `_routes`).
    mapping(uint32 origin => uint256 word) internal _routes;
    /// @dev The origin gateway currently enrolled per origin.
    mapping(uint32 origin => address gateway) internal _originGateways;
    /// @dev The delivery-record namespace of each (origin, origin gateway) pair, assigned once (non-zero).
    mapping(uint32 origin => mapping(address gateway => uint32 instance)) internal _instances;
    /// @dev Instances assigned so far (the last one assigned).
    uint32 internal _instanceCount;
    /// @dev Origins with a route, whose words carry the mirrors of the inbound flag and the filter.
    uint32[] internal _enrolled;
    /// @dev Route-path delivery records, two bits per nonce (`GatewayLayout`, receipts; key from `_receiptKey`).
    mapping(bytes32 key => uint256 word) internal _receipts;
    /// @dev Delivery records of messages verified by a verifier their recipient named, by message id.
    mapping(bytes32 messageId => bool delivered) internal _deliveredIds;
    /// @dev Non-zero (revert data hash) only while a message is FAILED.
    mapping(bytes32 messageId => bytes32 revertDataHash) internal _failures;
    /// @dev How many roles (authority, route verifiers) an address currently holds.
    mapping(address account => uint256 refs) internal _privilegedRefs;

    /// @param localDomain_ This chain's domain: its EVM chain id in production.
    /// @param initialAuthority The AccessManager that authorizes every admin function.
    /// @param defaultGasLimit_ Destination gas limit when the sender does not give one.
    /// @param maxBodySize_ Largest message body (4-byte gas limit + payload) accepted at the source.
    constructor(uint32 localDomain_, address initialAuthority, uint32 defaultGasLimit_, uint256 maxBodySize_)
        AccessManaged(initialAuthority)
    {
        if (localDomain_ == 0) revert ConcordGatewayZeroDomain();
        if (defaultGasLimit_ == 0) revert ConcordGatewayZeroDefaultGasLimit();
        if (maxBodySize_ < 4) revert ConcordGatewayMaxBodySizeTooSmall(maxBodySize_, 4);
        _localDomain = localDomain_;
        _defaultGasLimit = defaultGasLimit_;
        _maxBodySize = maxBodySize_;
    }

    /// @dev Receipt key: origin | instance | nonce >> 7 in disjoint bit ranges of one word (injective without a
    /// hash). 128 consecutive nonces share a word, so a steady-state delivery flips bits in a non-zero word.
    function _receiptKey(uint256 origin, uint256 instance, uint256 nonce_) internal pure returns (bytes32) {
        return bytes32(
            (origin << GATEWAY_RECEIPT_ORIGIN_SHIFT) | (instance << GATEWAY_RECEIPT_INSTANCE_SHIFT)
                | (nonce_ >> GATEWAY_RECEIPT_WORD_SHIFT)
        );
    }

    /// @dev The instance (delivery-record namespace) in a route word; zero when the origin has no route.
    function _instanceOf(uint256 routeWord) internal pure returns (uint32) {
        return uint32((routeWord >> GATEWAY_INSTANCE_SHIFT) & GATEWAY_UINT32_MASK);
    }

    /// @dev Whether `recipient` holds a role (the gateway itself, the authority, a route verifier). The filter in
    /// `word` (`_core` or a route word, which mirrors it) rules out almost every ordinary address for free; only a
    /// filter hit reads the exact reference count.
    function _isPrivileged(uint256 word, address recipient) internal view returns (bool) {
        if (recipient == address(this)) return true;
        if ((word >> (GATEWAY_FILTER_SHIFT + uint160(recipient) % GATEWAY_FILTER_BITS)) & 1 == 0) return false;
        return _privilegedRefs[recipient] != 0;
    }

    /// @dev The verifier for a message to `recipient` on the route `routeWord`: the recipient's own
    /// (`interchainSecurityModule()`, read with `GATEWAY_GETTER_GAS`) when it returns a clean address with code
    /// other than the route verifier (`named` = true), else the route verifier (`named` = false).
    /// A staticcall: the recipient cannot change state here, whatever it runs.
    function _selectVerifier(address recipient, uint256 routeWord)
        internal
        view
        returns (address verifier, bool named)
    {
        address routeVerifier = address(uint160(routeWord & GATEWAY_ADDRESS_MASK));
        assembly ("memory-safe") {
            mstore(0x00, shl(224, SELECTOR_ISM_GETTER))
            if staticcall(GATEWAY_GETTER_GAS, recipient, 0x00, 0x04, 0x00, 0x20) {
                if gt(returndatasize(), 0x1f) {
                    let candidate := mload(0x00)
                    if iszero(shr(160, candidate)) {
                        if extcodesize(candidate) {
                            verifier := candidate
                            named := iszero(eq(candidate, routeVerifier))
                        }
                    }
                }
            }
        }
        if (verifier == address(0)) verifier = routeVerifier;
    }
}
