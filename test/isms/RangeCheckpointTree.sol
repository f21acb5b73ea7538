// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @dev Reference (test-side) implementation of the range tree of `RangeCheckpointMultisigVerifier`, written
/// independently of the contract: level by level with `abi.encodePacked`, no assembly. Leaves are the ids, padded
/// with zero leaves up to the next power of two; inner node = keccak256(left | right).
library RangeCheckpointTree {
    /// @dev ceil(log2(n)), n >= 1.
    function depthOf(uint256 n) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < n) ++d;
    }

    /// @dev The leaves padded to 2^depth with zeros.
    function _padded(bytes32[] memory leaves) private pure returns (bytes32[] memory nodes) {
        uint256 width = uint256(1) << depthOf(leaves.length);
        nodes = new bytes32[](width);
        for (uint256 i = 0; i < leaves.length; ++i) {
            nodes[i] = leaves[i];
        }
    }

    function _up(bytes32[] memory nodes) private pure returns (bytes32[] memory next) {
        next = new bytes32[](nodes.length / 2);
        for (uint256 i = 0; i < next.length; ++i) {
            next[i] = keccak256(abi.encodePacked(nodes[2 * i], nodes[2 * i + 1]));
        }
    }

    /// @dev Root of the range tree over `leaves` (at least one).
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory nodes = _padded(leaves);
        while (nodes.length > 1) nodes = _up(nodes);
        return nodes[0];
    }

    /// @dev Siblings of leaf `position`, leaf level first (`depthOf(leaves.length)` of them).
    function proof(bytes32[] memory leaves, uint256 position) internal pure returns (bytes32[] memory siblings) {
        bytes32[] memory nodes = _padded(leaves);
        siblings = new bytes32[](depthOf(leaves.length));
        for (uint256 level = 0; level < siblings.length; ++level) {
            siblings[level] = nodes[position ^ 1];
            nodes = _up(nodes);
            position >>= 1;
        }
    }

    /// @dev Packs the metadata `first | last | proof | sigs`.
    function metadata(uint32 first, uint32 last, bytes32[] memory siblings, bytes memory sigs)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(first, last, abi.encodePacked(siblings), sigs);
    }
}
