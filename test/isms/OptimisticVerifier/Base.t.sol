// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Test} from "forge-std/Test.sol";

import {IConcordVerifier} from "../../../contracts/interfaces/IConcordVerifier.sol";
import {IOptimisticVerifier} from "../../../contracts/interfaces/IOptimisticVerifier.sol";
import {OptimisticVerifier} from "../../../contracts/isms/OptimisticVerifier.sol";
import {MerkleTree} from "../../../contracts/libraries/MerkleTree.sol";
import {Message} from "../../../contracts/libraries/Message.sol";

/// @dev Inner verifier stub: accepts exactly the message ids it was told to accept.
contract MockInnerVerifier is IConcordVerifier {
    mapping(bytes32 id => bool accepted) public accepted;

    function accept(bytes32 id, bool ok) external {
        accepted[id] = ok;
    }

    function moduleType() external pure returns (uint8) {
        return uint8(ModuleType.MESSAGE_ID_MULTISIG);
    }

    function verify(bytes calldata, bytes calldata message) external view returns (bool) {
        return accepted[keccak256(message)];
    }

    /// @dev Authenticates the test's origin gateway for every origin.
    function originGatewayFor(uint32) external pure returns (bytes32) {
        return bytes32(uint256(0x6a7e));
    }

    function authorizeRetry(bytes calldata) external pure returns (bool) {
        return true;
    }
}

/// @dev A watcher whose address refuses native value, to exercise the pull-payment path.
contract RejectingWatcher {
    function veto(IOptimisticVerifier verifier, uint32 origin, bytes32 commitment) external {
        verifier.veto(origin, commitment);
    }

    function withdrawTo(IOptimisticVerifier verifier, address payable to) external {
        verifier.withdraw(to);
    }
}

/// @dev A recipient that re-enters `withdraw` when paid.
contract ReenteringWatcher {
    IOptimisticVerifier internal _verifier;
    uint256 public calls;

    function veto(IOptimisticVerifier verifier, uint32 origin, bytes32 commitment) external {
        _verifier = verifier;
        verifier.veto(origin, commitment);
    }

    function withdraw() external {
        _verifier.withdraw(payable(address(this)));
    }

    receive() external payable {
        ++calls;
        // Second withdraw must find the credit already cleared.
        try _verifier.withdraw(payable(address(this))) {} catch {}
    }
}

/// @dev Builds index-ordered depth-32 proofs in memory and cross-checks them against `MerkleTree`.
contract OptimisticTreeHarness {
    MerkleTree.Tree internal _tree;
    uint256 public count;

    function insert(bytes32 leaf) external {
        MerkleTree.insert(_tree, count, leaf);
        ++count;
    }

    function root() external view returns (bytes32) {
        return MerkleTree.root(_tree, count);
    }

    function proof(bytes32[] memory leaves, uint256 index) external pure returns (bytes32[32] memory siblings) {
        bytes32[] memory layer = leaves;
        bytes32 zero;
        for (uint256 level = 0; level < MerkleTree.DEPTH; ++level) {
            uint256 sibling = index ^ 1;
            siblings[level] = sibling < layer.length ? layer[sibling] : zero;
            bytes32[] memory next = new bytes32[]((layer.length + 1) / 2);
            for (uint256 i = 0; i < next.length; ++i) {
                bytes32 right = 2 * i + 1 < layer.length ? layer[2 * i + 1] : zero;
                next[i] = keccak256(abi.encodePacked(layer[2 * i], right));
            }
            layer = next;
            zero = keccak256(abi.encodePacked(zero, zero));
            index >>= 1;
        }
    }
}

/// @dev The OptimisticVerifier fixture: an AccessManager, an inner verifier stub, the verifier (30-minute window, 1 ether
/// bond, one watcher) and a tree harness for root commitments.
abstract contract OptimisticVerifierBase is Test {
    uint32 internal constant ORIGIN = 10;
    uint32 internal constant OTHER_ORIGIN = 8453;
    uint32 internal constant LOCAL = 1;
    /// @dev What the inner verifier stub reports for every origin.
    bytes32 internal constant ORIGIN_GATEWAY = bytes32(uint256(0x6a7e));
    uint64 internal constant WINDOW = 30 minutes;
    uint128 internal constant BOND = 1 ether;

    AccessManager internal manager;
    MockInnerVerifier internal inner;
    OptimisticVerifier internal verifier;
    OptimisticTreeHarness internal tree;

    address internal watcher = makeAddr("watcher");
    address internal submitter = makeAddr("submitter");
    address internal stranger = makeAddr("stranger");

    bytes internal constant EMPTY = "";

    function setUp() public {
        vm.warp(1_700_000_000);
        manager = new AccessManager(address(this));
        inner = new MockInnerVerifier();
        verifier = new OptimisticVerifier(address(manager), inner);
        verifier.setWindow(ORIGIN, WINDOW);
        verifier.setBond(ORIGIN, BOND);
        verifier.setOriginGateway(ORIGIN, ORIGIN_GATEWAY);
        verifier.setOriginGateway(OTHER_ORIGIN, ORIGIN_GATEWAY);
        verifier.setWatcher(watcher, true);
        tree = new OptimisticTreeHarness();
        vm.deal(submitter, 100 ether);
    }

    // ---------------------------------------------------------------- helpers

    function _message(uint32 nonce, uint32 origin, bytes memory body) internal pure returns (bytes memory) {
        return
            Message.format(Message.VERSION, nonce, origin, bytes32(uint256(0xaa)), LOCAL, bytes32(uint256(0xbb)), body);
    }

    function _message(uint32 nonce) internal pure returns (bytes memory) {
        return _message(nonce, ORIGIN, abi.encode(nonce));
    }

    function _commitVerified(bytes memory message) internal returns (bytes32 id) {
        inner.accept(keccak256(message), true);
        return verifier.commitVerified(EMPTY, message);
    }

    function _commitBonded(uint32 origin, IOptimisticVerifier.CommitmentKind kind, bytes32 commitment) internal {
        vm.prank(submitter);
        verifier.commitBonded{value: BOND}(origin, kind, commitment);
    }

    /// @dev Five messages in a tree; returns the messages, their ids and the root.
    function _tree() internal returns (bytes[] memory messages, bytes32[] memory ids, bytes32 root) {
        messages = new bytes[](5);
        ids = new bytes32[](5);
        for (uint32 i = 0; i < 5; ++i) {
            messages[i] = _message(i);
            ids[i] = keccak256(messages[i]);
            tree.insert(ids[i]);
        }
        root = tree.root();
    }

    function _rootMetadata(bytes32[] memory ids, uint256 index) internal view returns (bytes memory) {
        return abi.encodePacked(uint32(index), tree.proof(ids, index));
    }
}

/// @dev Memory version of `MerkleTree.branchRoot` for building expected values in tests.
library MerkleTreeView {
    function branchRoot(bytes32 leaf, bytes32[32] memory proof, uint256 index) internal pure returns (bytes32 node) {
        node = leaf;
        for (uint256 level = 0; level < 32; ++level) {
            node = (index >> level) & 1 == 1
                ? keccak256(abi.encodePacked(proof[level], node))
                : keccak256(abi.encodePacked(node, proof[level]));
        }
    }
}
