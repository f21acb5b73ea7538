// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {MockTrustAllVerifier} from "../../../contracts/mocks/MockTrustAllVerifier.sol";
import {MockVerifier} from "../../../contracts/mocks/MockVerifier.sol";
import {ConcordGatewayBase} from "./Base.t.sol";

/// @notice Admin surface: one AccessManager for everything, guardian pauses, admin unpauses and configures; route
/// enrollment, origin-gateway instances, the verifier binding check and the mirrored pause/filter bits.
contract ConcordGateway_admin is ConcordGatewayBase {
    function _unauthorized(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, caller);
    }

    function _mismatch(address verifier, uint32 origin, address reported) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(
            IConcordGateway.ConcordGatewayVerifierGatewayMismatch.selector, verifier, origin, _b32(reported)
        );
    }

    function test_Admin_RevertWhen_CallerNotAuthorized() public {
        vm.startPrank(stranger);
        vm.expectRevert(_unauthorized(stranger));
        gateway.setRoute(ORIGIN, address(mockVerifier), address(source));
        vm.expectRevert(_unauthorized(stranger));
        gateway.pause(true, true);
        vm.expectRevert(_unauthorized(stranger));
        gateway.unpause(true, true);
        vm.expectRevert(_unauthorized(stranger));
        gateway.pauseRoute(ORIGIN);
        vm.expectRevert(_unauthorized(stranger));
        gateway.unpauseRoute(ORIGIN);
        vm.stopPrank();
    }

    function test_Admin_GuardianCanPauseButNotUnpauseOrConfigure() public {
        vm.startPrank(guardian);
        gateway.pause(true, true);
        gateway.pauseRoute(ORIGIN);
        vm.expectRevert(_unauthorized(guardian));
        gateway.unpause(true, true);
        vm.expectRevert(_unauthorized(guardian));
        gateway.unpauseRoute(ORIGIN);
        vm.expectRevert(_unauthorized(guardian));
        gateway.setRoute(ORIGIN, address(trustAll), address(source));
        vm.stopPrank();
    }

    function test_Pause_FlagsAndEvents() public {
        vm.expectEmit(address(gateway));
        emit IConcordGateway.PauseFlagsSet(true, false);
        vm.prank(guardian);
        gateway.pause(true, false);
        (bool inbound, bool outbound) = gateway.pauseFlags();
        assertTrue(inbound);
        assertFalse(outbound);
        vm.prank(guardian);
        gateway.pause(false, true);
        (inbound, outbound) = gateway.pauseFlags();
        assertTrue(inbound && outbound);
        vm.expectEmit(address(gateway));
        emit IConcordGateway.PauseFlagsSet(false, true);
        gateway.unpause(true, false);
        gateway.unpause(false, true);
        (inbound, outbound) = gateway.pauseFlags();
        assertFalse(inbound || outbound);
    }

    function test_PauseRoute_Events() public {
        vm.expectEmit(address(gateway));
        emit IConcordGateway.RoutePauseSet(ORIGIN, true);
        vm.prank(guardian);
        gateway.pauseRoute(ORIGIN);
        (,, bool paused,) = gateway.route(ORIGIN);
        assertTrue(paused);
        vm.expectEmit(address(gateway));
        emit IConcordGateway.RoutePauseSet(ORIGIN, false);
        gateway.unpauseRoute(ORIGIN);
        (,, paused,) = gateway.route(ORIGIN);
        assertFalse(paused);
        gateway.process("", _message(0, "x"));
    }

    /// @dev I4: while paused, process changes nothing; after unpause, the same message delivers.
    function test_Pause_ThenUnpause_MessageDelivers() public {
        bytes memory message = _message(0, "x");
        vm.prank(guardian);
        gateway.pause(true, false);
        vm.expectRevert(IConcordGateway.ConcordGatewayInboundPaused.selector);
        gateway.process("", message);
        gateway.unpause(true, false);
        gateway.process("", message);
        _assertStatus(message, IConcordGateway.MessageStatus.EXECUTED);
    }

    /// @dev The enrolled routes mirror the gateway-wide inbound flag: routes enrolled before and after a pause both
    /// see it, and unpausing clears it everywhere.
    function test_Mirror_InboundPause_AcrossEnrollment() public {
        vm.prank(guardian);
        gateway.pause(true, false);
        address gw2 = makeAddr("gw2");
        _enroll(gateway, 2, address(trustAll), gw2);
        bytes memory fromOrigin2 = _messageFrom(2, 0);
        vm.expectRevert(IConcordGateway.ConcordGatewayInboundPaused.selector);
        gateway.process("", _message(0, "x"));
        vm.expectRevert(IConcordGateway.ConcordGatewayInboundPaused.selector);
        gateway.process("", fromOrigin2);
        gateway.unpause(true, false);
        gateway.process("", _message(0, "x"));
        gateway.process("", fromOrigin2);
    }

    function _messageFrom(uint32 origin, uint32 nonce_) internal view returns (bytes memory) {
        return abi.encodePacked(
            uint8(3), nonce_, origin, _b32(address(this)), LOCAL, _b32(address(recipient)), GAS_LIMIT, "y"
        );
    }

    /// @dev The privileged filter is mirrored too: a verifier configured after a route was enrolled is still
    /// rejected as a recipient on that route.
    function test_Mirror_Filter_NewVerifierAfterEnrollment() public {
        MockVerifier later = new MockVerifier();
        later.setOriginGateway(77, makeAddr("gw77"));
        gateway.setRoute(77, address(later), makeAddr("gw77"));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayPrivilegedRecipient.selector, address(later))
        );
        gateway.process("", _message(0, address(this), address(later), GAS_LIMIT, "x"));
    }

    function test_Privileged_RefCounting() public {
        assertTrue(gateway.isPrivileged(address(gateway)));
        assertTrue(gateway.isPrivileged(address(manager)));
        assertTrue(gateway.isPrivileged(address(trustAll)));
        assertFalse(gateway.isPrivileged(address(mockVerifier)));
        address gw2 = makeAddr("gw2");
        _enroll(gateway, ORIGIN, address(mockVerifier), address(source));
        _enroll(gateway, 2, address(mockVerifier), gw2);
        assertTrue(gateway.isPrivileged(address(mockVerifier)));
        assertFalse(gateway.isPrivileged(address(trustAll)), "no route uses it any more");
        _enroll(gateway, ORIGIN, address(trustAll), address(source));
        assertTrue(gateway.isPrivileged(address(mockVerifier)), "still route 2's verifier");
        _enroll(gateway, 2, address(trustAll), gw2);
        assertFalse(gateway.isPrivileged(address(mockVerifier)));
        // no longer privileged: deliverable again
        gateway.process("", _message(0, address(this), address(mockVerifier), GAS_LIMIT, "x"));
    }

    function test_SetRoute_RevertWhen_VerifierNotContract() public {
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayVerifierNotContract.selector, stranger));
        gateway.setRoute(ORIGIN, stranger, address(source));
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayVerifierNotContract.selector, address(0)));
        gateway.setRoute(ORIGIN, address(0), address(source));
    }

    function test_SetRoute_RevertWhen_ZeroOriginGateway() public {
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayZeroOriginGateway.selector, ORIGIN));
        gateway.setRoute(ORIGIN, address(trustAll), address(0));
    }

    /// @dev The route's verifier must authenticate exactly the origin gateway being enrolled.
    function test_SetRoute_RevertWhen_VerifierReportsAnotherGateway() public {
        address other = makeAddr("other origin gateway");
        vm.expectRevert(_mismatch(address(trustAll), ORIGIN, address(source)));
        gateway.setRoute(ORIGIN, address(trustAll), other);
    }

    /// @dev Instances are never reused: once 2**32 - 1 (origin, origin gateway) pairs were enrolled, a new pair is
    /// refused, while a pair already enrolled keeps its instance. (The counter is set with vm.store: slot 37 in
    /// `forge inspect ConcordGateway storageLayout`, checked here against the count before the write.)
    function test_SetRoute_RevertWhen_InstancesExhausted() public {
        bytes32 slot = bytes32(uint256(37));
        (, uint32 first,,) = gateway.route(ORIGIN);
        assertEq(uint32(uint256(vm.load(address(gateway), slot))), first, "slot 37 holds the instance count");
        vm.store(address(gateway), slot, bytes32(uint256(type(uint32).max)));
        address another = makeAddr("another origin gateway");
        MockTrustAllVerifier forAnother = new MockTrustAllVerifier();
        forAnother.setOriginGateway(ORIGIN, another);
        vm.expectRevert(IConcordGateway.ConcordGatewayInstancesExhausted.selector);
        gateway.setRoute(ORIGIN, address(forAnother), another);
        _enroll(gateway, ORIGIN, address(mockVerifier), address(source)); // an enrolled pair: still fine
        (, uint32 instance,,) = gateway.route(ORIGIN);
        assertEq(instance, first);
    }

    function test_SetRoute_RevertWhen_VerifierReportsNothing() public {
        // mockVerifier is bound to no gateway for origin 9; a contract without the getter reports nothing either.
        vm.expectRevert(_mismatch(address(mockVerifier), 9, address(0)));
        gateway.setRoute(9, address(mockVerifier), address(source));
        vm.expectRevert(_mismatch(address(recipient), 9, address(0)));
        gateway.setRoute(9, address(recipient), address(source));
    }

    /// @dev Each origin gateway keeps its instance for ever: a verifier change keeps it, another gateway gets a new
    /// one, and enrolling the first gateway again (a mistaken route corrected) restores the first instance.
    function test_SetRoute_InstancePerOriginGateway_RestoredOnReEnrollment() public {
        (, uint32 first,, address og) = gateway.route(ORIGIN);
        assertEq(og, address(source));
        assertEq(gateway.instanceOf(ORIGIN, address(source)), first);
        assertGt(first, 0);

        _enroll(gateway, ORIGIN, address(mockVerifier), address(source)); // verifier change only
        (address v, uint32 instance,, address current) = gateway.route(ORIGIN);
        assertEq(v, address(mockVerifier));
        assertEq(instance, first);
        assertEq(current, address(source));

        address mistaken = makeAddr("mistaken");
        MockTrustAllVerifier forMistaken = new MockTrustAllVerifier();
        forMistaken.setOriginGateway(ORIGIN, mistaken);
        vm.expectEmit(address(gateway));
        emit IConcordGateway.RouteSet(ORIGIN, address(forMistaken), mistaken, first + 1);
        gateway.setRoute(ORIGIN, address(forMistaken), mistaken);
        (, instance,,) = gateway.route(ORIGIN);
        assertEq(instance, first + 1);

        vm.expectEmit(address(gateway));
        emit IConcordGateway.RouteSet(ORIGIN, address(trustAll), address(source), first);
        gateway.setRoute(ORIGIN, address(trustAll), address(source));
        (, instance,,) = gateway.route(ORIGIN);
        assertEq(instance, first, "the corrected route restores the first instance");
        assertEq(gateway.instanceOf(ORIGIN, mistaken), first + 1);

        uint32[] memory enrolled = gateway.enrolledOrigins();
        assertEq(enrolled.length, 1);
        assertEq(enrolled[0], ORIGIN);
    }

    function test_SetRoute_RevertGiven_TooManyRoutes() public {
        uint256 max = gateway.MAX_ROUTES(); // ORIGIN is enrolled already
        for (uint256 i = 1; i < max; ++i) {
            _enroll(gateway, uint32(1000 + i), address(trustAll), address(source));
        }
        trustAll.setOriginGateway(uint32(1000 + max), address(source));
        vm.expectRevert(IConcordGateway.ConcordGatewayTooManyRoutes.selector);
        gateway.setRoute(uint32(1000 + max), address(trustAll), address(source));
        // re-configuring an enrolled route still works
        _enroll(gateway, 1001, address(mockVerifier), address(source));
    }

    function test_SetRoute_RouteVerifierIsUsed_AndRoutePauseSurvivesReconfig() public {
        vm.prank(guardian);
        gateway.pauseRoute(ORIGIN);
        _enroll(gateway, ORIGIN, address(mockVerifier), address(source));
        (,, bool paused,) = gateway.route(ORIGIN);
        assertTrue(paused);
        gateway.unpauseRoute(ORIGIN);
        gateway.process("", _message(0, "x"));
        assertEq(mockVerifier.calls(), 1);
    }

    /// @dev A route paused before it is enrolled stays paused once enrolled.
    function test_SetRoute_KeepsAPauseSetBeforeEnrollment() public {
        vm.prank(guardian);
        gateway.pauseRoute(5);
        _enroll(gateway, 5, address(trustAll), makeAddr("gw5"));
        (, uint32 instance, bool paused,) = gateway.route(5);
        assertGt(instance, 0);
        assertTrue(paused);
    }

    /// @dev Moving to a new AccessManager (through the current one) moves the privileged mark with it.
    function test_SetAuthority_UpdatesPrivileged() public {
        AccessManager next = new AccessManager(address(this));
        manager.updateAuthority(address(gateway), address(next));
        assertEq(gateway.authority(), address(next));
        assertTrue(gateway.isPrivileged(address(next)));
        assertFalse(gateway.isPrivileged(address(manager)));
    }

    function test_Constructor_MarksAuthorityPrivileged_NoRoutes() public {
        ConcordGateway fresh = new ConcordGateway(5, address(manager), GAS_LIMIT, MAX_BODY);
        assertTrue(fresh.isPrivileged(address(manager)));
        assertTrue(fresh.isPrivileged(address(fresh)));
        assertFalse(fresh.isPrivileged(address(trustAll)));
        assertEq(fresh.enrolledOrigins().length, 0);
        assertEq(fresh.verifierFor(address(recipient), ORIGIN), address(0));
    }
}
