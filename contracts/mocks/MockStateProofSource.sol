// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MerkleTree} from "../libraries/MerkleTree.sol";
import {Message} from "../libraries/Message.sol";

/// @title MockStateProofSource
/// @notice Minimal stand-in for an origin gateway, used to produce real `eth_getProof` fixtures for
/// the state-proof verifier (scripts/make-stateproof-fixture.ts). It dispatches Concord messages into
/// the shared depth-32 `MerkleTree` and, like a state-proof-friendly gateway must, keeps the latest
/// tree root in a dedicated storage slot, so one storage proof yields the root.
/// @dev Storage layout (pinned, the fixtures depend on it): slot 0 `latestRoot`, slot 1 `count`,
/// slots 2..33 the tree branch.
contract MockStateProofSource {
    /// @notice Root of the message tree after the latest dispatch (slot 0).
    bytes32 public latestRoot;
    /// @notice Number of messages dispatched; the next message's nonce and leaf index (slot 1).
    uint256 public count;
    MerkleTree.Tree internal _tree;

    /// @notice Emitted for each dispatched message, with its leaf index and the new root.
    event Dispatched(bytes32 indexed messageId, uint256 indexed index, bytes32 root, bytes message);

    /// @notice Dispatches `body` to `recipient` on `destination`, with origin = this chain's id.
    function dispatch(uint32 destination, bytes32 recipient, bytes calldata body) external returns (bytes32 id) {
        uint256 index = count;
        bytes memory message = Message.format(
            Message.VERSION,
            // forge-lint: disable-next-line(unsafe-typecast)
            uint32(index), // the insert below reverts once index reaches 2**32 - 1
            uint32(block.chainid),
            Message.addressToBytes32(msg.sender),
            destination,
            recipient,
            body
        );
        id = keccak256(message);
        MerkleTree.insert(_tree, index, id);
        count = index + 1;
        bytes32 root = MerkleTree.root(_tree, index + 1);
        latestRoot = root;
        emit Dispatched(id, index, root, message);
    }
}
