// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {MockVerifier} from "../../contracts/mocks/MockVerifier.sol";
import {GatewayBase} from "./GatewayBase.t.sol";

/// @notice Admin surface: one AccessManager for everything, guardian pauses, admin unpauses and configures;
/// route enrollment, epochs and the mirrored pause/filter bits.
contract Gateway_admin is GatewayBase {
    function _unauthorized(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, caller);
    }

    function test_Admin_RevertWhen_CallerNotAuthorized() public {
        vm.startPrank(stranger);
        vm.expectRevert(_unauthorized(stranger));
        gateway.setDefaultVerifier(address(mockVerifier));
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
        gateway.setDefaultVerifier(address(mockVerifier));
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
        gateway.setRoute(ORIGIN, address(trustAll), address(source));
        vm.prank(guardian);
        gateway.pause(true, false);
        gateway.setRoute(2, address(trustAll), makeAddr("gw2"));
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
        gateway.setRoute(ORIGIN, address(trustAll), address(source));
        MockVerifier later = new MockVerifier();
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
        gateway.setRoute(ORIGIN, address(mockVerifier), address(source));
        gateway.setRoute(2, address(mockVerifier), makeAddr("gw2"));
        assertTrue(gateway.isPrivileged(address(mockVerifier)));
        gateway.setRoute(ORIGIN, address(0), address(source));
        assertTrue(gateway.isPrivileged(address(mockVerifier)), "still route 2's verifier");
        gateway.setRoute(2, address(0), makeAddr("gw2"));
        assertFalse(gateway.isPrivileged(address(mockVerifier)));
        // no longer privileged: deliverable again
        gateway.process("", _message(0, address(this), address(mockVerifier), GAS_LIMIT, "x"));
    }

    function test_SetDefaultVerifier_EventAndView() public {
        vm.expectEmit(address(gateway));
        emit IConcordGateway.DefaultVerifierSet(address(trustAll), address(mockVerifier));
        gateway.setDefaultVerifier(address(mockVerifier));
        assertEq(gateway.defaultVerifier(), address(mockVerifier));
        assertFalse(gateway.isPrivileged(address(trustAll)));
        // nonce bits untouched
        assertEq(gateway.nonce(), 0);
    }

    function test_SetDefaultVerifier_RevertWhen_NotContract() public {
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayVerifierNotContract.selector, stranger));
        gateway.setDefaultVerifier(stranger);
    }

    function test_SetRoute_RevertWhen_VerifierNotContract() public {
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayVerifierNotContract.selector, stranger));
        gateway.setRoute(ORIGIN, stranger, address(source));
    }

    function test_SetRoute_EpochBumpsOnlyWhenOriginGatewayChanges() public {
        address gwA = makeAddr("gwA");
        address gwB = makeAddr("gwB");
        vm.expectEmit(address(gateway));
        emit IConcordGateway.RouteSet(ORIGIN, address(trustAll), gwA, 0);
        gateway.setRoute(ORIGIN, address(trustAll), gwA);
        gateway.setRoute(ORIGIN, address(mockVerifier), gwA); // verifier change only
        (address v, uint32 epoch,, address og) = gateway.route(ORIGIN);
        assertEq(v, address(mockVerifier));
        assertEq(epoch, 0);
        assertEq(og, gwA);
        vm.expectEmit(address(gateway));
        emit IConcordGateway.RouteSet(ORIGIN, address(mockVerifier), gwB, 1);
        gateway.setRoute(ORIGIN, address(mockVerifier), gwB);
        (, epoch,,) = gateway.route(ORIGIN);
        assertEq(epoch, 1);
        uint32[] memory enrolled = gateway.enrolledOrigins();
        assertEq(enrolled.length, 1);
        assertEq(enrolled[0], ORIGIN);
    }

    function test_SetRoute_RevertGiven_TooManyRoutes() public {
        uint256 max = gateway.MAX_ROUTES();
        for (uint256 i = 0; i < max; ++i) {
            gateway.setRoute(uint32(1000 + i), address(0), address(0));
        }
        vm.expectRevert(IConcordGateway.ConcordGatewayTooManyRoutes.selector);
        gateway.setRoute(uint32(1000 + max), address(0), address(0));
        // re-configuring an enrolled route still works
        gateway.setRoute(1000, address(trustAll), address(0));
    }

    function test_SetRoute_RouteVerifierIsUsed_AndRoutePauseSurvivesReconfig() public {
        vm.prank(guardian);
        gateway.pauseRoute(ORIGIN);
        gateway.setRoute(ORIGIN, address(mockVerifier), address(source));
        (,, bool paused,) = gateway.route(ORIGIN);
        assertTrue(paused);
        gateway.unpauseRoute(ORIGIN);
        gateway.process("", _message(0, "x"));
        assertEq(mockVerifier.calls(), 1);
    }

    /// @dev Moving to a new AccessManager (through the current one) moves the privileged mark with it.
    function test_SetAuthority_UpdatesPrivileged() public {
        AccessManager next = new AccessManager(address(this));
        manager.updateAuthority(address(gateway), address(next));
        assertEq(gateway.authority(), address(next));
        assertTrue(gateway.isPrivileged(address(next)));
        assertFalse(gateway.isPrivileged(address(manager)));
    }

    function test_Constructor_MarksAuthorityAndDefaultPrivileged() public {
        ConcordGateway fresh = new ConcordGateway(5, address(manager), address(mockVerifier), GAS_LIMIT, MAX_BODY);
        assertTrue(fresh.isPrivileged(address(manager)));
        assertTrue(fresh.isPrivileged(address(mockVerifier)));
        assertTrue(fresh.isPrivileged(address(fresh)));
    }
}
