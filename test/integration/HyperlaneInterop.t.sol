// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {IConcordVerifier} from "../../contracts/interfaces/IConcordVerifier.sol";
import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {BoundVerifier} from "../../contracts/isms/BoundVerifier.sol";
import {MultisigVerifierFactory} from "../../contracts/isms/MultisigVerifierFactory.sol";
import {CheckpointDigest} from "../../contracts/libraries/CheckpointDigest.sol";
import {Message} from "../../contracts/libraries/Message.sol";
import {MultisigBase} from "../isms/MultisigBase.t.sol";
import {Mailbox} from "@hyperlane-xyz/core/contracts/Mailbox.sol";
import {MerkleTreeHook} from "@hyperlane-xyz/core/contracts/hooks/MerkleTreeHook.sol";
import {IInterchainSecurityModule} from "@hyperlane-xyz/core/contracts/interfaces/IInterchainSecurityModule.sol";
import {StaticMessageIdMultisigIsmFactory} from "@hyperlane-xyz/core/contracts/isms/multisig/StaticMultisigIsm.sol";
import {CheckpointLib} from "@hyperlane-xyz/core/contracts/libs/CheckpointLib.sol";
import {TestPostDispatchHook} from "@hyperlane-xyz/core/contracts/test/TestPostDispatchHook.sol";
import {TestRecipient} from "@hyperlane-xyz/core/contracts/test/TestRecipient.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {Vm} from "forge-std/Vm.sol";

/// @dev ERC-7786 recipient recording what the Concord gateway delivered.
contract RecordingRecipient is IERC7786Recipient {
    bytes32 public lastId;
    bytes public lastSender;
    bytes public lastPayload;

    function receiveMessage(bytes32 receiveId, bytes calldata sender, bytes calldata payload)
        external
        payable
        returns (bytes4)
    {
        lastId = receiveId;
        lastSender = sender;
        lastPayload = payload;
        return IERC7786Recipient.receiveMessage.selector;
    }
}

/// @notice Interoperability with real Hyperlane 12.1 contracts, both ways:
/// (1) Hyperlane Mailbox + MerkleTreeHook on the origin, Concord multisig verifier as the destination Mailbox's
///     ISM (Concord verifiers are Hyperlane ISMs: same selectors, Hyperlane message v3 bytes);
/// (2) Concord gateway on both sides, Hyperlane's StaticMessageIdMultisigIsm (from its factory) as the Concord
///     destination gateway's verifier for the route (Hyperlane ISMs are Concord verifiers).
contract HyperlaneInteropTest is MultisigBase {
    uint32 internal constant HL_ORIGIN = 10;
    uint32 internal constant HL_DESTINATION = 8453;

    uint256[] internal keys;
    address[] internal validators;

    function setUp() public override {
        super.setUp();
        (keys, validators) = _keys(77, 5);
    }

    function _three() internal view returns (uint256[] memory out) {
        out = new uint256[](3);
        (out[0], out[1], out[2]) = (keys[0], keys[2], keys[3]);
    }

    // --------------------------------------------------------------------------- (1) Hyperlane -> Concord ISM

    struct HyperlanePair {
        Mailbox origin;
        MerkleTreeHook hook;
        Mailbox destination;
        TestRecipient recipient;
    }

    function _hyperlane(IConcordVerifier ism) internal returns (HyperlanePair memory pair) {
        TestPostDispatchHook noopHook = new TestPostDispatchHook();
        pair.origin = new Mailbox(HL_ORIGIN);
        pair.hook = new MerkleTreeHook(address(pair.origin));
        // The origin's default ISM is irrelevant here (it only receives); any contract will do.
        pair.origin.initialize(address(this), address(noopHook), address(noopHook), address(pair.hook));
        pair.destination = new Mailbox(HL_DESTINATION);
        pair.destination.initialize(address(this), address(ism), address(noopHook), address(noopHook));
        pair.recipient = new TestRecipient();
    }

    function _hyperlaneDispatch(HyperlanePair memory pair, bytes memory body) internal returns (bytes memory message) {
        vm.recordLogs();
        pair.origin.dispatch(HL_DESTINATION, bytes32(uint256(uint160(address(pair.recipient)))), body);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 dispatchTopic = keccak256("Dispatch(address,uint32,bytes32,bytes)");
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(pair.origin) && logs[i].topics[0] == dispatchTopic) {
                message = abi.decode(logs[i].data, (bytes));
            }
        }
        assertEq(keccak256(message), pair.origin.latestDispatchedId());
    }

    function _multisigFor(IMultisigVerifierFactory.Variant variant, address originGateway, uint32 origin, uint32 local)
        internal
        returns (IMultisigVerifier)
    {
        return factory.deploy(
            variant,
            IMultisigVerifier.Config({
                origin: origin,
                originGateway: bytes32(uint256(uint160(originGateway))),
                localDomain: local,
                threshold: 3,
                validators: validators
            })
        );
    }

    function test_Interop_HyperlaneMailboxDeliversWithConcordMessageIdVerifier() public {
        // The verifier's "origin gateway" is the hook, so the destination Mailbox starts with a placeholder ISM and
        // is switched to the Concord verifier once the hook exists.
        HyperlanePair memory pair = _hyperlane(IConcordVerifier(address(new TestPostDispatchHook())));
        IMultisigVerifier verifier =
            _multisigFor(IMultisigVerifierFactory.Variant.MESSAGE_ID, address(pair.hook), HL_ORIGIN, HL_DESTINATION);
        pair.destination.setDefaultIsm(address(verifier));
        assertEq(address(pair.destination.recipientIsm(address(pair.recipient))), address(verifier));

        bytes memory message = _hyperlaneDispatch(pair, "hello from hyperlane");
        // Byte-compatible wire format: Concord's codec reads Hyperlane's message.
        assertEq(
            message,
            Message.format(
                3,
                0,
                HL_ORIGIN,
                bytes32(uint256(uint160(address(this)))),
                HL_DESTINATION,
                bytes32(uint256(uint160(address(pair.recipient)))),
                "hello from hyperlane"
            )
        );
        // Message-id metadata: the validators' signatures over (id, nonce) under the hook's domain.
        bytes memory metadata = _signAll(
            _three(),
            CheckpointDigest.digest(
                HL_ORIGIN, verifier.originGateway(), CheckpointDigest.KIND_MESSAGE_ID, keccak256(message), 0
            )
        );

        pair.destination.process(metadata, message);
        assertTrue(pair.destination.delivered(keccak256(message)));
        assertEq(pair.recipient.lastData(), "hello from hyperlane");
        assertEq(pair.recipient.lastSender(), bytes32(uint256(uint160(address(this)))));
    }

    function test_Interop_HyperlaneMailboxDeliversWithConcordMerkleRootVerifier() public {
        HyperlanePair memory pair = _hyperlane(IConcordVerifier(address(new TestPostDispatchHook())));
        IMultisigVerifier verifier =
            _multisigFor(IMultisigVerifierFactory.Variant.MERKLE_ROOT, address(pair.hook), HL_ORIGIN, HL_DESTINATION);
        pair.destination.setDefaultIsm(address(verifier));
        bytes[] memory messages = new bytes[](4);
        bytes32[] memory ids = new bytes32[](4);
        for (uint256 i = 0; i < 4; ++i) {
            messages[i] = _hyperlaneDispatch(pair, abi.encodePacked("msg ", vm.toString(i)));
            ids[i] = keccak256(messages[i]);
        }
        // One checkpoint (the latest) signed once covers every earlier message.
        (bytes32 signedRoot, uint32 signedIndex) = pair.hook.latestCheckpoint();
        assertEq(signedIndex, 3);
        bytes memory sigs = _signAll(
            _three(),
            CheckpointDigest.digest(
                HL_ORIGIN, verifier.originGateway(), CheckpointDigest.KIND_MERKLE_ROOT, signedRoot, signedIndex
            )
        );
        for (uint32 i = 0; i < 4; ++i) {
            (bytes32 root, bytes32[32] memory proof) = _merkleProof(ids, i);
            assertEq(root, signedRoot); // our tree == Hyperlane MerkleTreeHook's tree
            pair.destination.process(_merkleRootMetadata(i, signedIndex, proof, sigs), messages[i]);
            assertTrue(pair.destination.delivered(ids[i]));
        }
        assertEq(pair.recipient.lastData(), "msg 3");
    }

    function test_Interop_HyperlaneMailboxRejectsForgedConcordMetadata() public {
        HyperlanePair memory pair = _hyperlane(IConcordVerifier(address(new TestPostDispatchHook())));
        IMultisigVerifier verifier =
            _multisigFor(IMultisigVerifierFactory.Variant.MESSAGE_ID, address(pair.hook), HL_ORIGIN, HL_DESTINATION);
        pair.destination.setDefaultIsm(address(verifier));
        bytes memory message = _hyperlaneDispatch(pair, "hello");
        (bytes32 root, uint32 index) = pair.hook.latestCheckpoint();
        // Signed with Hyperlane's digest (a Hyperlane validator's checkpoint signature): not a Concord signature.
        bytes32 hyperlaneDigest = CheckpointLib.digest(
            HL_ORIGIN, bytes32(uint256(uint160(address(pair.hook)))), root, index, keccak256(message)
        );
        bytes memory metadata = _signAll(_three(), hyperlaneDigest);
        vm.expectPartialRevert(IMultisigVerifier.MultisigVerifierUnknownSigner.selector);
        pair.destination.process(metadata, message);
        assertFalse(pair.destination.delivered(keccak256(message)));
    }

    // --------------------------------------------------------------------------- (2) Concord -> Hyperlane ISM

    uint32 internal constant CONCORD_ORIGIN = 1;
    uint32 internal constant CONCORD_LOCAL = 10;

    struct ConcordPair {
        ConcordGateway source;
        ConcordGateway destination;
        RecordingRecipient recipient;
        address ism;
        BoundVerifier bound;
    }

    /// @dev Two Concord gateways; the destination's route for CONCORD_ORIGIN is Hyperlane's own
    /// StaticMessageIdMultisigIsm, deployed through Hyperlane's factory (validators in the ISM's order), bound to the
    /// Concord source gateway by a `BoundVerifier` (a Hyperlane ISM does not report the gateway it authenticates).
    function _concordWithHyperlaneIsm() internal returns (ConcordPair memory pair) {
        AccessManager manager = new AccessManager(address(this));
        pair.source = new ConcordGateway(CONCORD_ORIGIN, address(manager), 200_000, 64 * 1024);
        pair.destination = new ConcordGateway(CONCORD_LOCAL, address(manager), 200_000, 64 * 1024);
        pair.recipient = new RecordingRecipient();
        pair.ism = new StaticMessageIdMultisigIsmFactory().deploy(validators, 3);
        assertEq(
            IInterchainSecurityModule(pair.ism).moduleType(), uint8(IInterchainSecurityModule.Types.MESSAGE_ID_MULTISIG)
        );
        // Used as is, the ISM is refused: it does not say which origin gateway its signatures bind.
        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordGateway.ConcordGatewayVerifierGatewayMismatch.selector, pair.ism, CONCORD_ORIGIN, bytes32(0)
            )
        );
        pair.destination.setRoute(CONCORD_ORIGIN, pair.ism, address(pair.source));
        pair.bound = new BoundVerifier(pair.ism, CONCORD_ORIGIN, bytes32(uint256(uint160(address(pair.source)))));
        pair.destination.setRoute(CONCORD_ORIGIN, address(pair.bound), address(pair.source));
    }

    /// @dev Dispatches through the Concord source gateway and reads the message from its compact event.
    function _concordDispatch(ConcordPair memory pair, bytes memory payload)
        internal
        returns (bytes32 id, bytes memory message)
    {
        vm.recordLogs();
        id = pair.source.dispatch(CONCORD_LOCAL, bytes32(uint256(uint160(address(pair.recipient)))), payload);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 topic = keccak256("Dispatched(bytes32,uint32,bytes)");
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(pair.source) && logs[i].topics[0] == topic) {
                message = abi.decode(logs[i].data, (bytes));
            }
        }
        assertEq(keccak256(message), id);
    }

    /// @dev Hyperlane message-id metadata: merkleTreeHook (= the Concord source gateway) | root | index | sigs,
    /// with the gateway's own tree checkpoint; `hyperlaneDigest` picks Hyperlane's digest or (negative case)
    /// Concord's.
    function _hyperlaneMetadata(ConcordPair memory pair, bytes32 id, bool hyperlaneDigest)
        internal
        view
        returns (bytes memory)
    {
        (bytes32 root, uint32 index) = pair.source.latestCheckpoint();
        bytes32 gatewayAsHook = bytes32(uint256(uint160(address(pair.source))));
        bytes32 digest = hyperlaneDigest
            ? CheckpointLib.digest(CONCORD_ORIGIN, gatewayAsHook, root, index, id)
            : CheckpointDigest.digest(CONCORD_ORIGIN, gatewayAsHook, CheckpointDigest.KIND_MERKLE_ROOT, root, index);
        return abi.encodePacked(gatewayAsHook, root, index, _signAll(_three(), digest));
    }

    function test_Interop_ConcordGatewayDeliversWithHyperlaneStaticMessageIdMultisigIsm() public {
        ConcordPair memory pair = _concordWithHyperlaneIsm();
        _concordDispatch(pair, "warm-up"); // the checkpoint below is not the first leaf
        bytes memory payload = abi.encode(uint256(1234), "to a hyperlane-secured route");
        (bytes32 id, bytes memory message) = _concordDispatch(pair, payload);

        pair.destination.process(_hyperlaneMetadata(pair, id, true), message);
        assertEq(pair.recipient.lastId(), id);
        assertEq(pair.recipient.lastPayload(), payload);
        assertTrue(pair.destination.delivered(CONCORD_ORIGIN, 1));
    }

    function test_Interop_ConcordGatewayRejectsHyperlaneIsmWithConcordDigest() public {
        ConcordPair memory pair = _concordWithHyperlaneIsm();
        (bytes32 id, bytes memory message) = _concordDispatch(pair, "x");
        // Concord-digest signatures are not Hyperlane signatures: domain separation holds both ways.
        bytes memory metadata = _hyperlaneMetadata(pair, id, false);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayVerificationFailed.selector, address(pair.bound))
        );
        pair.destination.process(metadata, message);
        assertEq(pair.recipient.lastId(), bytes32(0));
        assertFalse(pair.destination.delivered(CONCORD_ORIGIN, 0));
    }
}
