// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../../../contracts/interfaces/IConcordVerifier.sol";
import {IOptimisticVerifier, OPTIMISTIC_MODULE_TYPE} from "../../../contracts/interfaces/IOptimisticVerifier.sol";
import {OptimisticVerifier} from "../../../contracts/isms/OptimisticVerifier.sol";
import {MerkleTree} from "../../../contracts/libraries/MerkleTree.sol";
import {Message} from "../../../contracts/libraries/Message.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";
import {Test, console} from "forge-std/Test.sol";

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

contract OptimisticVerifierTest is Test {
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

    // ---------------------------------------------------------------- moduleType / constructor

    function test_ModuleType_IsOptimistic() public view {
        assertEq(verifier.moduleType(), OPTIMISTIC_MODULE_TYPE);
        assertEq(OPTIMISTIC_MODULE_TYPE, 64);
    }

    function test_Constructor_SetsInnerVerifierAndAuthority() public view {
        assertEq(address(verifier.innerVerifier()), address(inner));
        assertEq(verifier.authority(), address(manager));
    }

    // ---------------------------------------------------------------- authority

    function test_SetWindow_EmitsAndStores() public {
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.WindowSet(OTHER_ORIGIN, 1 days);
        verifier.setWindow(OTHER_ORIGIN, 1 days);
        assertEq(verifier.window(OTHER_ORIGIN), 1 days);
    }

    function test_SetWindow_RevertWhen_Zero() public {
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierInvalidWindow.selector, 0));
        verifier.setWindow(ORIGIN, 0);
    }

    function test_SetWindow_RevertWhen_AboveMax() public {
        uint64 tooLong = verifier.MAX_WINDOW() + 1;
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierInvalidWindow.selector, tooLong));
        verifier.setWindow(ORIGIN, tooLong);
    }

    function test_SetWindow_RevertWhen_CallerNotAuthorized() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        verifier.setWindow(ORIGIN, 1);
    }

    function test_SetBond_EmitsAndStores() public {
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.BondSet(ORIGIN, 2 ether);
        verifier.setBond(ORIGIN, 2 ether);
        assertEq(verifier.bond(ORIGIN), 2 ether);
    }

    function test_SetBond_RevertWhen_CallerNotAuthorized() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        verifier.setBond(ORIGIN, 1);
    }

    function test_SetWatcher_EmitsAndStores() public {
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.WatcherSet(stranger, true);
        verifier.setWatcher(stranger, true);
        assertTrue(verifier.isWatcher(stranger));
        verifier.setWatcher(stranger, false);
        assertFalse(verifier.isWatcher(stranger));
    }

    function test_SetWatcher_RevertWhen_CallerNotAuthorized() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        verifier.setWatcher(stranger, true);
    }

    function test_SetInnerVerifier_EmitsAndStores() public {
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.InnerVerifierSet(IConcordVerifier(address(0)));
        verifier.setInnerVerifier(IConcordVerifier(address(0)));
        assertEq(address(verifier.innerVerifier()), address(0));
    }

    function test_SetInnerVerifier_RevertWhen_CallerNotAuthorized() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        verifier.setInnerVerifier(IConcordVerifier(address(0)));
    }

    // ---------------------------------------------------------------- commitVerified

    function test_CommitVerified_RecordsAndEmits() public {
        bytes memory message = _message(0);
        bytes32 id = keccak256(message);
        inner.accept(id, true);
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.Committed(
            ORIGIN,
            id,
            IOptimisticVerifier.CommitmentKind.MESSAGE_ID,
            IOptimisticVerifier.CommitmentSource.INNER_VERIFIER,
            address(this),
            uint64(block.timestamp) + WINDOW,
            0
        );
        assertEq(verifier.commitVerified(EMPTY, message), id);
        IOptimisticVerifier.Commitment memory record = verifier.commitmentOf(ORIGIN, id);
        assertEq(record.usableAt, block.timestamp + WINDOW);
        assertEq(uint8(record.kind), uint8(IOptimisticVerifier.CommitmentKind.MESSAGE_ID));
        assertEq(uint8(record.source), uint8(IOptimisticVerifier.CommitmentSource.INNER_VERIFIER));
        assertFalse(record.vetoed);
        assertEq(record.bond, 0);
    }

    function test_CommitVerified_RevertWhen_InnerRejects() public {
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierInnerRejected.selector);
        verifier.commitVerified(EMPTY, _message(0));
    }

    function test_CommitVerified_RevertGiven_NoInnerVerifier() public {
        bytes memory message = _message(0);
        inner.accept(keccak256(message), true);
        verifier.setInnerVerifier(IConcordVerifier(address(0)));
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierInnerRejected.selector);
        verifier.commitVerified(EMPTY, message);
    }

    function test_CommitVerified_RevertWhen_MessageMalformed() public {
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierMalformedMessage.selector);
        verifier.commitVerified(EMPTY, new bytes(76));
    }

    function test_CommitVerified_RevertGiven_UnknownOrigin() public {
        bytes memory message = _message(0, OTHER_ORIGIN, "");
        inner.accept(keccak256(message), true);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierUnknownOrigin.selector, OTHER_ORIGIN)
        );
        verifier.commitVerified(EMPTY, message);
    }

    function test_CommitVerified_RevertGiven_AlreadyCommitted() public {
        bytes memory message = _message(0);
        bytes32 id = _commitVerified(message);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierAlreadyCommitted.selector, ORIGIN, id)
        );
        verifier.commitVerified(EMPTY, message);
    }

    // ---------------------------------------------------------------- commitBonded

    function test_CommitBonded_RecordsAndEmits() public {
        bytes32 root = keccak256("root");
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.Committed(
            ORIGIN,
            root,
            IOptimisticVerifier.CommitmentKind.ROOT,
            IOptimisticVerifier.CommitmentSource.BOND,
            submitter,
            uint64(block.timestamp) + WINDOW,
            BOND
        );
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        IOptimisticVerifier.Commitment memory record = verifier.commitmentOf(ORIGIN, root);
        assertEq(record.submitter, submitter);
        assertEq(record.bond, BOND);
        assertEq(address(verifier).balance, BOND);
    }

    function test_CommitBonded_RevertWhen_KindNone() public {
        vm.prank(submitter);
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierInvalidKind.selector);
        verifier.commitBonded{value: BOND}(ORIGIN, IOptimisticVerifier.CommitmentKind.NONE, keccak256("x"));
    }

    function test_CommitBonded_RevertWhen_ZeroCommitment() public {
        vm.prank(submitter);
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierZeroCommitment.selector);
        verifier.commitBonded{value: BOND}(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, bytes32(0));
    }

    function test_CommitBonded_RevertGiven_BondDisabled() public {
        verifier.setBond(ORIGIN, 0);
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierBondedCommitDisabled.selector, ORIGIN)
        );
        verifier.commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, keccak256("x"));
    }

    function test_CommitBonded_RevertGiven_UnknownOrigin() public {
        verifier.setBond(OTHER_ORIGIN, BOND);
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierUnknownOrigin.selector, OTHER_ORIGIN)
        );
        verifier.commitBonded{value: BOND}(OTHER_ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, keccak256("x"));
    }

    function test_CommitBonded_RevertWhen_BondTooLow() public {
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierWrongBond.selector, BOND, BOND - 1)
        );
        verifier.commitBonded{value: BOND - 1}(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, keccak256("x"));
    }

    function test_CommitBonded_RevertWhen_BondTooHigh() public {
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierWrongBond.selector, BOND, BOND + 1)
        );
        verifier.commitBonded{value: BOND + 1}(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, keccak256("x"));
    }

    function test_CommitBonded_RevertGiven_AlreadyCommitted() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierAlreadyCommitted.selector, ORIGIN, root)
        );
        verifier.commitBonded{value: BOND}(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
    }

    /// @dev A vetoed commitment cannot be reset by committing it again (I9), not even as another kind.
    function test_CommitBonded_RevertGiven_Vetoed() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.prank(watcher);
        verifier.veto(ORIGIN, root);
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierAlreadyCommitted.selector, ORIGIN, root)
        );
        verifier.commitBonded{value: BOND}(ORIGIN, IOptimisticVerifier.CommitmentKind.MESSAGE_ID, root);
    }

    // ---------------------------------------------------------------- verify: message-id path

    function test_Verify_RevertGiven_OneSecondBeforeWindowEnd() public {
        bytes memory message = _message(0);
        bytes32 id = _commitVerified(message);
        uint64 usableAt = uint64(block.timestamp) + WINDOW;
        vm.warp(usableAt - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierWindowNotElapsed.selector, ORIGIN, id, usableAt
            )
        );
        verifier.verify(EMPTY, message);
        assertFalse(verifier.isUsable(ORIGIN, id));
    }

    function test_Verify_AcceptsAtWindowEnd() public {
        bytes memory message = _message(0);
        bytes32 id = _commitVerified(message);
        vm.warp(block.timestamp + WINDOW);
        assertTrue(verifier.verify(EMPTY, message));
        assertTrue(verifier.isUsable(ORIGIN, id));
    }

    function test_Verify_RevertGiven_Vetoed_EvenAfterWindowEnd() public {
        bytes memory message = _message(0);
        bytes32 id = _commitVerified(message);
        vm.warp(block.timestamp + WINDOW - 1);
        vm.prank(watcher);
        verifier.veto(ORIGIN, id);
        for (uint256 dt = 0; dt < 3; ++dt) {
            vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierVetoed.selector, ORIGIN, id));
            verifier.verify(EMPTY, message);
            vm.warp(block.timestamp + 365 days);
        }
        assertFalse(verifier.isUsable(ORIGIN, id));
    }

    function test_Verify_RevertGiven_NotCommitted() public {
        bytes memory message = _message(0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierNotCommitted.selector, ORIGIN, keccak256(message)
            )
        );
        verifier.verify(EMPTY, message);
    }

    /// @dev A commitment is bound to its origin: the same bytes under another origin are another message.
    function test_Verify_RevertWhen_MessageFromOtherOrigin() public {
        bytes memory message = _message(0);
        _commitVerified(message);
        vm.warp(block.timestamp + WINDOW);
        bytes memory forged = _message(0, OTHER_ORIGIN, abi.encode(uint32(0)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierNotCommitted.selector, OTHER_ORIGIN, keccak256(forged)
            )
        );
        verifier.verify(EMPTY, forged);
    }

    /// @dev A root commitment cannot be used as a message id and vice versa.
    function test_Verify_RevertGiven_RootCommittedAsId() public {
        bytes memory message = _message(0);
        bytes32 id = keccak256(message);
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, id);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierWrongKind.selector, ORIGIN, id));
        verifier.verify(EMPTY, message);
    }

    function test_Verify_RevertWhen_MessageMalformed() public {
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierMalformedMessage.selector);
        verifier.verify(EMPTY, new bytes(76));
    }

    function test_Verify_RevertWhen_MetadataTruncated() public {
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierMalformedMetadata.selector, 1027));
        verifier.verify(new bytes(1027), _message(0));
    }

    function test_Verify_RevertWhen_MetadataOverlong() public {
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierMalformedMetadata.selector, 1029));
        verifier.verify(new bytes(1029), _message(0));
    }

    // ---------------------------------------------------------------- verify: root path

    function test_Verify_AcceptsEveryLeafOfUsableRoot() public {
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.warp(block.timestamp + WINDOW);
        for (uint256 i = 0; i < messages.length; ++i) {
            assertTrue(verifier.verify(_rootMetadata(ids, i), messages[i]));
        }
    }

    function test_Verify_RevertGiven_RootBeforeWindowEnd() public {
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        uint64 usableAt = uint64(block.timestamp) + WINDOW;
        vm.warp(usableAt - 1);
        bytes memory metadata = _rootMetadata(ids, 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierWindowNotElapsed.selector, ORIGIN, root, usableAt
            )
        );
        verifier.verify(metadata, messages[2]);
    }

    function test_Verify_RevertGiven_RootVetoed() public {
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.prank(watcher);
        verifier.veto(ORIGIN, root);
        vm.warp(block.timestamp + WINDOW);
        bytes memory metadata = _rootMetadata(ids, 1);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierVetoed.selector, ORIGIN, root));
        verifier.verify(metadata, messages[1]);
    }

    function test_Verify_RevertWhen_RootProofWrongIndex() public {
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.warp(block.timestamp + WINDOW);
        bytes32[32] memory siblings = tree.proof(ids, 1);
        bytes memory metadata = abi.encodePacked(uint32(3), siblings);
        bytes32 wrongRoot = MerkleTreeView.branchRoot(ids[1], siblings, 3);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNotCommitted.selector, ORIGIN, wrongRoot)
        );
        verifier.verify(metadata, messages[1]);
    }

    function test_Verify_RevertWhen_RootProofSiblingFlipped() public {
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.warp(block.timestamp + WINDOW);
        bytes32[32] memory siblings = tree.proof(ids, 4);
        siblings[5] ^= bytes32(uint256(1));
        vm.expectPartialRevert(IOptimisticVerifier.OptimisticVerifierNotCommitted.selector);
        verifier.verify(abi.encodePacked(uint32(4), siblings), messages[4]);
    }

    function test_Verify_RevertGiven_IdCommittedUsedAsRoot() public {
        bytes memory message = _message(0);
        bytes32 id = _commitVerified(message);
        vm.warp(block.timestamp + WINDOW);
        // A proof whose "root" is the id itself cannot exist; the lookup lands on an unknown root.
        bytes32[32] memory siblings;
        vm.expectPartialRevert(IOptimisticVerifier.OptimisticVerifierNotCommitted.selector);
        verifier.verify(abi.encodePacked(uint32(0), siblings), message);
        assertTrue(verifier.verify(EMPTY, message));
        id;
    }

    // ---------------------------------------------------------------- veto

    function test_Veto_SlashesBondToWatcher() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.Vetoed(ORIGIN, root, watcher);
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.BondSlashed(ORIGIN, root, watcher, BOND);
        vm.prank(watcher);
        verifier.veto(ORIGIN, root);
        assertTrue(verifier.commitmentOf(ORIGIN, root).vetoed);
        assertEq(verifier.commitmentOf(ORIGIN, root).bond, 0);
        assertEq(verifier.credit(watcher), BOND);

        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.Withdrawn(watcher, payable(watcher), BOND);
        vm.prank(watcher);
        verifier.withdraw(payable(watcher));
        assertEq(watcher.balance, BOND);
        assertEq(address(verifier).balance, 0);
    }

    function test_Veto_InnerVerifiedCommitment_NoBondMoves() public {
        bytes32 id = _commitVerified(_message(0));
        vm.recordLogs();
        vm.prank(watcher);
        verifier.veto(ORIGIN, id);
        assertEq(vm.getRecordedLogs().length, 1); // Vetoed only, no BondSlashed
        assertEq(verifier.credit(watcher), 0);
    }

    function test_Veto_RevertWhen_CallerNotWatcher() public {
        bytes32 id = _commitVerified(_message(0));
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNotWatcher.selector, stranger));
        verifier.veto(ORIGIN, id);
    }

    function test_Veto_RevertGiven_WatcherRemoved() public {
        bytes32 id = _commitVerified(_message(0));
        verifier.setWatcher(watcher, false);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNotWatcher.selector, watcher));
        verifier.veto(ORIGIN, id);
    }

    function test_Veto_RevertGiven_WindowElapsed() public {
        bytes32 id = _commitVerified(_message(0));
        uint64 usableAt = uint64(block.timestamp) + WINDOW;
        vm.warp(usableAt);
        vm.prank(watcher);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierWindowElapsed.selector, ORIGIN, id, usableAt)
        );
        verifier.veto(ORIGIN, id);
    }

    function test_Veto_RevertGiven_NotCommitted() public {
        vm.prank(watcher);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNotCommitted.selector, ORIGIN, bytes32("x"))
        );
        verifier.veto(ORIGIN, bytes32("x"));
    }

    function test_Veto_RevertGiven_AlreadyVetoed() public {
        bytes32 id = _commitVerified(_message(0));
        vm.startPrank(watcher);
        verifier.veto(ORIGIN, id);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierVetoed.selector, ORIGIN, id));
        verifier.veto(ORIGIN, id);
        vm.stopPrank();
    }

    /// @dev Shortening the window later does not shorten a running commitment's window.
    function test_Veto_StillPossibleAfterWindowShortened() public {
        bytes32 id = _commitVerified(_message(0));
        verifier.setWindow(ORIGIN, 1);
        vm.warp(block.timestamp + WINDOW - 1);
        vm.prank(watcher);
        verifier.veto(ORIGIN, id);
        assertTrue(verifier.commitmentOf(ORIGIN, id).vetoed);
    }

    // ---------------------------------------------------------------- releaseBond / withdraw

    function test_ReleaseBond_ReturnsBondAfterWindow() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.warp(block.timestamp + WINDOW);
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.BondReturned(ORIGIN, root, submitter, BOND);
        vm.prank(stranger); // anyone may release
        verifier.releaseBond(ORIGIN, root);
        assertEq(verifier.credit(submitter), BOND);
        uint256 before = submitter.balance;
        vm.prank(submitter);
        verifier.withdraw(payable(submitter));
        assertEq(submitter.balance, before + BOND);
    }

    function test_ReleaseBond_RevertGiven_WindowNotElapsed() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        uint64 usableAt = uint64(block.timestamp) + WINDOW;
        vm.warp(usableAt - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierWindowNotElapsed.selector, ORIGIN, root, usableAt
            )
        );
        verifier.releaseBond(ORIGIN, root);
    }

    function test_ReleaseBond_RevertGiven_Vetoed() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.prank(watcher);
        verifier.veto(ORIGIN, root);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNoBond.selector, ORIGIN, root));
        verifier.releaseBond(ORIGIN, root);
    }

    function test_ReleaseBond_RevertGiven_AlreadyReleased() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.warp(block.timestamp + WINDOW);
        verifier.releaseBond(ORIGIN, root);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNoBond.selector, ORIGIN, root));
        verifier.releaseBond(ORIGIN, root);
    }

    function test_ReleaseBond_RevertGiven_InnerVerified() public {
        bytes32 id = _commitVerified(_message(0));
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNoBond.selector, ORIGIN, id));
        verifier.releaseBond(ORIGIN, id);
    }

    function test_Withdraw_RevertGiven_NothingToWithdraw() public {
        vm.prank(stranger);
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierNothingToWithdraw.selector);
        verifier.withdraw(payable(stranger));
    }

    /// @dev A watcher that cannot receive value still vetoes; its credit survives a failed transfer and can
    /// be sent elsewhere.
    function test_Withdraw_RevertWhen_TransferFails_CreditKept() public {
        RejectingWatcher rejecting = new RejectingWatcher();
        verifier.setWatcher(address(rejecting), true);
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        rejecting.veto(verifier, ORIGIN, root);

        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierTransferFailed.selector, address(rejecting), BOND
            )
        );
        rejecting.withdrawTo(verifier, payable(address(rejecting)));
        assertEq(verifier.credit(address(rejecting)), BOND);

        rejecting.withdrawTo(verifier, payable(stranger));
        assertEq(stranger.balance, BOND);
        assertEq(verifier.credit(address(rejecting)), 0);
    }

    function test_Withdraw_ReentrancyPaysOnce() public {
        ReenteringWatcher reentering = new ReenteringWatcher();
        verifier.setWatcher(address(reentering), true);
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        reentering.veto(verifier, ORIGIN, root);
        reentering.withdraw();
        assertEq(address(reentering).balance, BOND);
        assertEq(reentering.calls(), 1);
        assertEq(address(verifier).balance, 0);
    }

    // ---------------------------------------------------------------- equivocation (issue 5 (c))

    function test_ProveEquivocation_RefusesNonceForever() public {
        bytes memory canonical = _message(7, ORIGIN, "canonical");
        bytes memory orphan = _message(7, ORIGIN, "orphan");
        bytes32 idA = _commitVerified(canonical);
        bytes32 idB = _commitVerified(orphan);

        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.EquivocationProven(ORIGIN, 7, idA, idB, stranger);
        vm.prank(stranger);
        verifier.proveEquivocation(canonical, orphan);

        assertTrue(verifier.isNonceRefused(ORIGIN, 7));
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierVetoed.selector, ORIGIN, idA));
        verifier.verify(EMPTY, canonical);

        // A third inner-verified message at the same nonce is refused too.
        bytes memory third = _message(7, ORIGIN, "third");
        _commitVerified(third);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNonceRefused.selector, ORIGIN, 7));
        verifier.verify(EMPTY, third);
    }

    /// @dev Evidence counts even after the window: the nonce is refused from then on, including on the root path.
    function test_ProveEquivocation_RefusesNonceOnRootPath() public {
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        _commitVerified(messages[3]);
        _commitVerified(_message(3, ORIGIN, "conflicting"));
        vm.warp(block.timestamp + WINDOW);
        assertTrue(verifier.verify(_rootMetadata(ids, 3), messages[3]));
        verifier.proveEquivocation(messages[3], _message(3, ORIGIN, "conflicting"));
        bytes memory metadata = _rootMetadata(ids, 3);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNonceRefused.selector, ORIGIN, 3));
        verifier.verify(metadata, messages[3]);
        assertTrue(verifier.verify(_rootMetadata(ids, 2), messages[2]));
    }

    function test_ProveEquivocation_RevertWhen_SameMessage() public {
        bytes memory message = _message(1);
        _commitVerified(message);
        bytes32 id = keccak256(message);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierEvidenceNotConflicting.selector, id, id)
        );
        verifier.proveEquivocation(message, message);
    }

    function test_ProveEquivocation_RevertWhen_DifferentNonce() public {
        bytes memory a = _message(1);
        bytes memory b = _message(2);
        _commitVerified(a);
        _commitVerified(b);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierEvidenceNotConflicting.selector, keccak256(a), keccak256(b)
            )
        );
        verifier.proveEquivocation(a, b);
    }

    function test_ProveEquivocation_RevertWhen_DifferentOrigin() public {
        verifier.setWindow(OTHER_ORIGIN, WINDOW);
        bytes memory a = _message(1, ORIGIN, "a");
        bytes memory b = _message(1, OTHER_ORIGIN, "b");
        _commitVerified(a);
        _commitVerified(b);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierEvidenceNotConflicting.selector, keccak256(a), keccak256(b)
            )
        );
        verifier.proveEquivocation(a, b);
    }

    function test_ProveEquivocation_RevertWhen_OneNotCommitted() public {
        bytes memory a = _message(1, ORIGIN, "a");
        bytes memory b = _message(1, ORIGIN, "b");
        _commitVerified(a);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierEvidenceNotInnerVerified.selector, keccak256(b)
            )
        );
        verifier.proveEquivocation(a, b);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierEvidenceNotInnerVerified.selector, keccak256(b)
            )
        );
        verifier.proveEquivocation(b, a);
    }

    /// @dev Bonded ids are claims anyone can make: they are not evidence (else any nonce could be blocked).
    function test_ProveEquivocation_RevertWhen_BondedCommitment() public {
        bytes memory a = _message(1, ORIGIN, "a");
        bytes memory b = _message(1, ORIGIN, "b");
        _commitVerified(a);
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.MESSAGE_ID, keccak256(b));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierEvidenceNotInnerVerified.selector, keccak256(b)
            )
        );
        verifier.proveEquivocation(a, b);
    }

    function test_ProveEquivocation_RevertWhen_MessageMalformed() public {
        bytes memory a = _message(1);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierEvidenceMalformed.selector, a.length, 76)
        );
        verifier.proveEquivocation(a, new bytes(76));
    }

    // ---------------------------------------------------------------- fuzz

    /// @dev I9, first half: usable exactly when `elapsed >= window`.
    function testFuzz_Verify_UsableIffWindowElapsed(uint64 window_, uint256 elapsed, uint32 nonce) public {
        window_ = uint64(bound(window_, 1, verifier.MAX_WINDOW()));
        elapsed = bound(elapsed, 0, 2 * uint256(window_));
        verifier.setWindow(ORIGIN, window_);
        bytes memory message = _message(nonce);
        bytes32 id = _commitVerified(message);
        vm.warp(block.timestamp + elapsed);
        if (elapsed >= window_) {
            assertTrue(verifier.verify(EMPTY, message));
        } else {
            vm.expectPartialRevert(IOptimisticVerifier.OptimisticVerifierWindowNotElapsed.selector);
            verifier.verify(EMPTY, message);
        }
        assertEq(verifier.isUsable(ORIGIN, id), elapsed >= window_);
    }

    /// @dev I9, second half: a veto inside the window makes the commitment unusable at every later time.
    function testFuzz_Verify_VetoedNeverUsable(uint64 window_, uint256 vetoAt, uint256 checkAt) public {
        window_ = uint64(bound(window_, 1, verifier.MAX_WINDOW()));
        vetoAt = bound(vetoAt, 0, window_ - 1);
        checkAt = bound(checkAt, vetoAt, 10 * uint256(window_));
        verifier.setWindow(ORIGIN, window_);
        uint256 start = block.timestamp;
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.MESSAGE_ID, keccak256(_message(1)));
        vm.warp(start + vetoAt);
        vm.prank(watcher);
        verifier.veto(ORIGIN, keccak256(_message(1)));
        vm.warp(start + checkAt);
        vm.expectPartialRevert(IOptimisticVerifier.OptimisticVerifierVetoed.selector);
        verifier.verify(EMPTY, _message(1));
        vm.expectPartialRevert(IOptimisticVerifier.OptimisticVerifierNoBond.selector);
        verifier.releaseBond(ORIGIN, keccak256(_message(1)));
    }

    /// @dev No lost value: held bonds + credits always equal the contract's balance, whatever the sequence.
    function testFuzz_Bonds_Conserved(uint8 commits, uint256 seed) public {
        commits = uint8(bound(commits, 1, 12));
        bytes32[] memory roots = new bytes32[](commits);
        for (uint256 i = 0; i < commits; ++i) {
            roots[i] = keccak256(abi.encode(seed, i));
            _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, roots[i]);
            vm.warp(block.timestamp + uint256(keccak256(abi.encode(seed, i, "dt"))) % WINDOW);
            if (uint256(keccak256(abi.encode(seed, i, "veto"))) % 2 == 0) {
                vm.prank(watcher);
                verifier.veto(ORIGIN, roots[i]);
            }
        }
        vm.warp(block.timestamp + WINDOW);
        uint256 held;
        for (uint256 i = 0; i < commits; ++i) {
            if (verifier.commitmentOf(ORIGIN, roots[i]).bond != 0) verifier.releaseBond(ORIGIN, roots[i]);
            held += verifier.commitmentOf(ORIGIN, roots[i]).bond;
        }
        assertEq(held, 0);
        assertEq(verifier.credit(watcher) + verifier.credit(submitter), address(verifier).balance);
        assertEq(address(verifier).balance, uint256(commits) * BOND);
    }

    // ---------------------------------------------------------------- gas (informational; the lead benchmarks)

    function test_Gas_Verify() public {
        bytes memory message = _message(0, ORIGIN, new bytes(32));
        _commitVerified(message);
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.warp(block.timestamp + WINDOW);
        bytes memory metadata = _rootMetadata(ids, 3);

        // Cold storage, as in a real delivery transaction (the account itself stays warm: call overhead excluded).
        vm.cool(address(verifier));
        uint256 before = gasleft();
        verifier.verify(EMPTY, message);
        uint256 idPath = before - gasleft();
        vm.cool(address(verifier));
        before = gasleft();
        verifier.verify(metadata, messages[3]);
        uint256 rootPath = before - gasleft();
        console.log("OptimisticVerifier.verify gas, message-id path (32-byte body):", idPath);
        console.log("OptimisticVerifier.verify gas, root path (index + 32 siblings):", rootPath);
    }
    // ---------------------------------------------------------------- origin gateway (issue 13)

    function test_SetOriginGateway_SetOnce_ThenFixed() public {
        uint32 fresh = 77;
        assertEq(verifier.originGatewayFor(fresh), bytes32(0));
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.OriginGatewaySet(fresh, bytes32(uint256(0x1)));
        verifier.setOriginGateway(fresh, bytes32(uint256(0x1)));
        verifier.setOriginGateway(fresh, bytes32(uint256(0x1))); // the same again is a no-op
        assertEq(verifier.originGatewayFor(fresh), bytes32(uint256(0x1)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierGatewayRebound.selector,
                fresh,
                bytes32(uint256(0x1)),
                bytes32(uint256(0x2))
            )
        );
        verifier.setOriginGateway(fresh, bytes32(uint256(0x2)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierGatewayRebound.selector, uint32(78), bytes32(0), bytes32(0)
            )
        );
        verifier.setOriginGateway(78, bytes32(0));
    }

    function test_SetOriginGateway_RevertWhen_CallerNotAuthorized() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        verifier.setOriginGateway(77, bytes32(uint256(0x1)));
    }

    /// @dev Only the inner verifier's attestations of this origin's bound gateway enter the window.
    function test_CommitVerified_RevertWhen_InnerBoundElsewhereOrOriginUnbound() public {
        uint32 unbound = 99;
        bytes memory message = _message(0, unbound, abi.encode(uint256(1)));
        inner.accept(keccak256(message), true);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierInnerGatewayMismatch.selector, unbound, bytes32(0), ORIGIN_GATEWAY
            )
        );
        verifier.commitVerified(EMPTY, message);
        verifier.setOriginGateway(unbound, bytes32(uint256(0xbad)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierInnerGatewayMismatch.selector,
                unbound,
                bytes32(uint256(0xbad)),
                ORIGIN_GATEWAY
            )
        );
        verifier.commitVerified(EMPTY, message);
    }

    function test_AuthorizeRetry_AlwaysAllowed() public view {
        assertTrue(verifier.authorizeRetry(_message(0)));
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
