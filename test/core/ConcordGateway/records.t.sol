// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {Vm} from "forge-std/Vm.sol";

import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IMultisigVerifier} from "../../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {Message} from "../../../contracts/libraries/Message.sol";
import {MockRecipient} from "../../../contracts/mocks/MockRecipient.sol";
import {MockTrustAllVerifier} from "../../../contracts/mocks/MockTrustAllVerifier.sol";
import {MultisigBase} from "../../isms/MultisigBase.t.sol";

/// @dev An attacker's ERC-7786 recipient: names the verifier the attacker chose (a permissive one) and accepts
/// whatever arrives.
contract SquatterRecipient is IERC7786Recipient {
    address internal immutable _VERIFIER;
    uint256 public calls;

    constructor(address verifier_) {
        _VERIFIER = verifier_;
    }

    function interchainSecurityModule() external view returns (address) {
        return _VERIFIER;
    }

    function receiveMessage(bytes32, bytes calldata, bytes calldata) external payable returns (bytes4) {
        ++calls;
        return IERC7786Recipient.receiveMessage.selector;
    }
}

/// @notice Issue 13, findings 1 and 2, reproduced against the real gateway with a real 3-of-5 message-id multisig as
/// the route's verifier: no forged message can consume, replay or re-open a genuine message's delivery record,
/// whatever verifier accepts it (a permissive one its own recipient names) and whatever the route history.
/// The no-collision argument is in `GatewayDelivery`'s NatSpec and docs/gateway.md; `records.fuzz.t.sol`
/// fuzzes it and the Delivery invariant suite runs it with attacking handlers.
contract ConcordGateway_records is MultisigBase {
    uint32 internal constant GAS = 200_000;

    AccessManager internal manager;
    ConcordGateway internal src; // domain ORIGIN (10)
    ConcordGateway internal dst; // domain LOCAL (8453)
    IMultisigVerifier internal multisig; // route verifier of ORIGIN on dst, bound to src
    uint256[] internal signers; // 3 of the 5 keys
    MockRecipient internal victim;
    address internal attacker = makeAddr("attacker");

    function setUp() public override {
        super.setUp();
        manager = new AccessManager(address(this));
        src = new ConcordGateway(ORIGIN, address(manager), GAS, 4096);
        dst = new ConcordGateway(LOCAL, address(manager), GAS, 4096);
        (uint256[] memory keys, address[] memory set) = _keys(13, 5);
        signers = _prefix(keys, 3);
        multisig = _multisigFor(address(src), set);
        dst.setRoute(ORIGIN, address(multisig), address(src));
        victim = new MockRecipient();
    }

    // ------------------------------------------------------------------------------------------ helpers

    function _b32(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }

    function _multisigFor(address originGateway, address[] memory set) internal returns (IMultisigVerifier) {
        return factory.deploy(
            IMultisigVerifierFactory.Variant.MESSAGE_ID,
            IMultisigVerifier.Config({
                origin: ORIGIN, originGateway: _b32(originGateway), localDomain: LOCAL, threshold: 3, validators: set
            })
        );
    }

    /// @dev A genuine message: sent through `from` (a real origin gateway), captured from its event.
    function _sendVia(ConcordGateway from, address to, bytes memory payload) internal returns (bytes memory message) {
        vm.recordLogs();
        from.dispatch(LOCAL, _b32(to), payload);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        message = abi.decode(logs[logs.length - 1].data, (bytes));
    }

    function _send(bytes memory payload) internal returns (bytes memory) {
        return _sendVia(src, address(victim), payload);
    }

    /// @dev Metadata the validators sign for a message of `originGateway`.
    function _signed(address originGateway, bytes memory message) internal view returns (bytes memory) {
        return _signAll(signers, _idDigest(_b32(originGateway), keccak256(message), _nonceOf(message)));
    }

    /// @dev A forged message with a genuine (origin, nonce), to an attacker-chosen recipient.
    function _forge(uint32 nonce_, address to, bytes memory payload) internal view returns (bytes memory) {
        return Message.format(3, nonce_, ORIGIN, _b32(attacker), LOCAL, _b32(to), Message.formatBody(GAS, payload));
    }

    /// @dev The attacker's permissive verifier, lying that it authenticates the enrolled origin gateway.
    function _permissive() internal returns (MockTrustAllVerifier verifier) {
        verifier = new MockTrustAllVerifier();
        verifier.setOriginGateway(ORIGIN, address(src));
    }

    function _status(bytes memory message) internal view returns (IConcordGateway.MessageStatus) {
        return dst.status(message);
    }

    function _alreadyDelivered(bytes memory message) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, keccak256(message));
    }

    // ------------------------------------------------------------------------------ finding 1: squatting

    /// @dev The attack of finding 1: a recipient naming a permissive verifier has a forged message with the victim's
    /// (origin, nonce) processed. It executes at the attacker's own recipient, and the genuine message still
    /// delivers; status answers for each message's own bytes.
    function test_Squat_NamedPermissiveVerifier_GenuineStaysDeliverable() public {
        bytes memory genuine = _send("mint 100 to alice");
        SquatterRecipient squatter = new SquatterRecipient(address(_permissive()));
        bytes memory forged = _forge(_nonceOf(genuine), address(squatter), "anything");

        vm.prank(attacker);
        dst.process("", forged);
        assertEq(squatter.calls(), 1, "the forgery only reaches the attacker's own recipient");
        assertEq(uint8(_status(forged)), uint8(IConcordGateway.MessageStatus.EXECUTED));
        assertEq(uint8(_status(genuine)), uint8(IConcordGateway.MessageStatus.NONE), "genuine not consumed");
        assertTrue(dst.deliveredById(keccak256(forged)));
        assertFalse(dst.delivered(ORIGIN, _nonceOf(genuine)));

        dst.process(_signed(address(src), genuine), genuine);
        assertEq(victim.calls(), 1);
        assertEq(victim.lastPayload(), "mint 100 to alice");
        assertEq(uint8(_status(genuine)), uint8(IConcordGateway.MessageStatus.EXECUTED));
        // Each record was written by its own message only, and neither can run again.
        vm.expectRevert(_alreadyDelivered(genuine));
        dst.process(_signed(address(src), genuine), genuine);
        vm.expectRevert(_alreadyDelivered(forged));
        dst.process("", forged);
    }

    /// @dev Future nonces taken in advance cost the attacker a delivery each and the victims nothing but one storage
    /// read: every genuine message of those nonces still delivers, once.
    function test_Squat_FutureNoncesInAdvance_AllGenuineDeliver() public {
        SquatterRecipient squatter = new SquatterRecipient(address(_permissive()));
        for (uint32 n = 0; n < 10; ++n) {
            dst.process("", _forge(n, address(squatter), abi.encode(n)));
        }
        for (uint256 i = 0; i < 10; ++i) {
            bytes memory genuine = _send(abi.encodePacked("transfer ", uint8(i)));
            dst.process(_signed(address(src), genuine), genuine);
            vm.expectRevert(_alreadyDelivered(genuine));
            dst.process(_signed(address(src), genuine), genuine);
        }
        assertEq(victim.calls(), 10);
        assertEq(squatter.calls(), 10);
    }

    /// @dev Forging a message to the victim itself does not help: the victim names no verifier, so the route's
    /// multisig decides, and signatures by anyone but its validators are refused; nothing is recorded.
    function test_Squat_ForgeryToTheVictim_RefusedByTheRouteVerifier() public {
        bytes memory forged = _forge(0, address(victim), "steal");
        (uint256[] memory strangers,) = _keys(666, 3);
        bytes memory metadata = _signAll(strangers, _idDigest(_b32(address(src)), keccak256(forged), 0));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayVerificationFailed.selector, address(multisig))
        );
        dst.process(metadata, forged);
        assertFalse(dst.delivered(ORIGIN, 0));
        bytes memory genuine = _send("genuine nonce 0");
        dst.process(_signed(address(src), genuine), genuine);
        assertEq(victim.calls(), 1);
    }

    /// @dev A named verifier must authenticate the enrolled origin gateway: one that reports another gateway (or
    /// nothing, like a bare Hyperlane ISM) is refused before anything is recorded.
    function test_Named_RevertWhen_VerifierBoundToAnotherGateway() public {
        MockTrustAllVerifier other = new MockTrustAllVerifier();
        other.setOriginGateway(ORIGIN, makeAddr("another gateway"));
        SquatterRecipient squatter = new SquatterRecipient(address(other));
        bytes memory forged = _forge(0, address(squatter), "x");
        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordGateway.ConcordGatewayVerifierGatewayMismatch.selector,
                address(other),
                ORIGIN,
                _b32(makeAddr("another gateway"))
            )
        );
        dst.process("", forged);

        MockTrustAllVerifier silent = new MockTrustAllVerifier(); // reports nothing
        squatter = new SquatterRecipient(address(silent));
        forged = _forge(0, address(squatter), "x");
        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordGateway.ConcordGatewayVerifierGatewayMismatch.selector, address(silent), ORIGIN, bytes32(0)
            )
        );
        dst.process("", forged);
        assertEq(squatter.calls(), 0);
    }

    // ------------------------------------------------------------------ both paths, one message

    /// @dev Route first, then the recipient names its own (honest) verifier: the same message is refused, its
    /// nonce's DELIVERED bit is read by the named path.
    function test_Paths_RouteThenNamed_NoSecondExecution() public {
        bytes memory genuine = _send("once");
        dst.process(_signed(address(src), genuine), genuine);
        IMultisigVerifier own = _ownVerifier();
        victim.setGetter(MockRecipient.GetterMode.RETURN, address(own));
        assertEq(dst.verifierFor(address(victim), ORIGIN), address(own));
        vm.expectRevert(_alreadyDelivered(genuine));
        dst.process(_signedByTwo(genuine), genuine);
        assertEq(victim.calls(), 1);
    }

    /// @dev Named first, then the recipient stops naming one: the route path finds the CLAIMED hint and reads the
    /// id record.
    function test_Paths_NamedThenRoute_NoSecondExecution() public {
        IMultisigVerifier own = _ownVerifier();
        victim.setGetter(MockRecipient.GetterMode.RETURN, address(own));
        bytes memory genuine = _send("once");
        dst.process(_signedByTwo(genuine), genuine);
        assertTrue(dst.deliveredById(keccak256(genuine)));
        victim.setGetter(MockRecipient.GetterMode.RETURN, address(0));
        vm.expectRevert(_alreadyDelivered(genuine));
        dst.process(_signed(address(src), genuine), genuine);
        assertEq(victim.calls(), 1);
        assertEq(uint8(_status(genuine)), uint8(IConcordGateway.MessageStatus.EXECUTED));
    }

    /// @dev A CLAIMED hint an attacker set on a victim's nonce only sends the genuine message to the id record,
    /// which it does not have: it delivers.
    function test_Paths_HintOnVictimNonce_GenuineDelivers() public {
        SquatterRecipient squatter = new SquatterRecipient(address(_permissive()));
        dst.process("", _forge(0, address(squatter), "hint"));
        bytes memory genuine = _send("after a hint");
        dst.process(_signed(address(src), genuine), genuine);
        assertEq(victim.calls(), 1);
    }

    // ------------------------------------------------------------------ finding 2: route history

    /// @dev A mistaken setRoute (another origin gateway) corrected afterwards: the original gateway gets its instance
    /// back, so every message delivered before stays delivered (the old "epoch 0 -> 1 -> 2" re-opening).
    function test_RouteHistory_MistakeCorrected_PastMessagesStayDelivered() public {
        bytes memory first = _send("before the mistake");
        bytes memory metadata = _signed(address(src), first);
        dst.process(metadata, first);

        address wrong = makeAddr("mistyped gateway");
        (, address[] memory set) = _keys(13, 5);
        dst.setRoute(ORIGIN, address(_multisigFor(wrong, set)), wrong);
        dst.setRoute(ORIGIN, address(multisig), address(src)); // corrected
        vm.expectRevert(_alreadyDelivered(first));
        dst.process(metadata, first);
        assertEq(victim.calls(), 1);
        assertEq(uint8(_status(first)), uint8(IConcordGateway.MessageStatus.EXECUTED));
    }

    /// @dev Rotating the route's verifier (a new validator set for the same origin gateway) keeps the instance:
    /// old messages with the new validators' signatures are still refused.
    function test_RouteHistory_VerifierRotation_NoReplay() public {
        bytes memory first = _send("before rotation");
        dst.process(_signed(address(src), first), first);
        (uint256[] memory newKeys, address[] memory newSet) = _keys(99, 5);
        dst.setRoute(ORIGIN, address(_multisigFor(address(src), newSet)), address(src));
        bytes memory resigned =
            _signAll(_prefix(newKeys, 3), _idDigest(_b32(address(src)), keccak256(first), _nonceOf(first)));
        vm.expectRevert(_alreadyDelivered(first));
        dst.process(resigned, first);
        assertEq(victim.calls(), 1);
    }

    /// @dev The origin gateway is redeployed (nonces restart at 0): its messages get an instance of their own, and a
    /// recipient whose own verifier still accepts the retired gateway's attestations cannot use it (finding 2).
    function test_RouteHistory_OriginRedeployed_OldAttestationsUnusable() public {
        bytes memory old0 = _send("old gateway, nonce 0");
        dst.process(_signed(address(src), old0), old0);

        ConcordGateway redeployed = new ConcordGateway(ORIGIN, address(manager), GAS, 4096);
        (, address[] memory set) = _keys(13, 5);
        dst.setRoute(ORIGIN, address(_multisigFor(address(redeployed), set)), address(redeployed));
        bytes memory new0 = _sendVia(redeployed, address(victim), "new gateway, nonce 0");
        assertEq(_nonceOf(new0), _nonceOf(old0));
        dst.process(_signed(address(redeployed), new0), new0);
        assertEq(victim.calls(), 2);

        // The old message, validly signed for the old gateway: refused by the route (bound to the new gateway) ...
        vm.expectRevert();
        dst.process(_signed(address(src), old0), old0);
        // ... and by a verifier the recipient names that still trusts the old gateway.
        victim.setGetter(MockRecipient.GetterMode.RETURN, address(multisig));
        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordGateway.ConcordGatewayVerifierGatewayMismatch.selector,
                address(multisig),
                ORIGIN,
                _b32(address(src))
            )
        );
        dst.process(_signed(address(src), old0), old0);
        assertEq(victim.calls(), 2);
    }

    /// @dev setRoute refuses a verifier that reports another origin gateway: the old verifier cannot be pointed at
    /// the redeployed gateway (which would re-open every old nonce under the new instance).
    function test_RouteHistory_RevertWhen_VerifierOfOldGatewayForNewOne() public {
        ConcordGateway redeployed = new ConcordGateway(ORIGIN, address(manager), GAS, 4096);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordGateway.ConcordGatewayVerifierGatewayMismatch.selector,
                address(multisig),
                ORIGIN,
                _b32(address(src))
            )
        );
        dst.setRoute(ORIGIN, address(multisig), address(redeployed));
    }

    /// @dev A verifier the victim names: the same validators at threshold 2 (another contract than the route's
    /// 3-of-5), honest about its origin gateway.
    function _ownVerifier() internal returns (IMultisigVerifier) {
        (, address[] memory set) = _keys(13, 5);
        return factory.deploy(
            IMultisigVerifierFactory.Variant.MESSAGE_ID,
            IMultisigVerifier.Config({
                origin: ORIGIN, originGateway: _b32(address(src)), localDomain: LOCAL, threshold: 2, validators: set
            })
        );
    }

    /// @dev Metadata for `_ownVerifier` (two signatures).
    function _signedByTwo(bytes memory message) internal view returns (bytes memory) {
        return _signAll(_prefix(signers, 2), _idDigest(_b32(address(src)), keccak256(message), _nonceOf(message)));
    }
}
