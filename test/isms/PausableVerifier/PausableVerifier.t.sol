// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../../../contracts/interfaces/IConcordVerifier.sol";
import {IPausableVerifier} from "../../../contracts/interfaces/IPausableVerifier.sol";
import {PausableVerifier} from "../../../contracts/isms/PausableVerifier.sol";
import {MultisigBase, STUB_GATEWAY, StubVerifier} from "../MultisigBase.t.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

contract PausableVerifierTest is MultisigBase {
    address internal admin = makeAddr("admin");
    AccessManager internal manager;
    StubVerifier internal stub;
    PausableVerifier internal pausable;
    bytes internal message;

    function setUp() public override {
        super.setUp();
        manager = new AccessManager(admin);
        stub = new StubVerifier(66);
        pausable = new PausableVerifier(address(manager), IConcordVerifier(address(stub)));
        message = _message();
    }

    function test_ModuleType_IsInnerModuleType() public view {
        assertEq(pausable.moduleType(), 66);
        assertEq(address(pausable.inner()), address(stub));
    }

    function test_Verify_ForwardsWhenUnpaused() public {
        assertTrue(pausable.verify(hex"c0de", message));
        assertEq(stub.lastMetadata(), hex"c0de");
        stub.setMode(StubVerifier.Mode.REJECT);
        assertFalse(pausable.verify(hex"c0de", message));
    }

    function test_Verify_RevertGiven_Paused() public {
        vm.expectEmit(false, false, false, true);
        emit Pausable.Paused(admin);
        vm.prank(admin);
        pausable.pause();
        vm.expectRevert(IPausableVerifier.PausableVerifierPaused.selector);
        pausable.verify("", message);
    }

    function test_Verify_AcceptsAfterUnpause() public {
        vm.startPrank(admin);
        pausable.pause();
        pausable.unpause();
        vm.stopPrank();
        assertTrue(pausable.verify("", message));
    }

    function test_Verify_RevertGiven_OriginPaused() public {
        vm.expectEmit(true, false, false, true);
        emit IPausableVerifier.PausableVerifierOriginPauseSet(ORIGIN, true);
        vm.prank(admin);
        pausable.setOriginPaused(ORIGIN, true);
        assertTrue(pausable.isOriginPaused(ORIGIN));
        vm.expectRevert(abi.encodeWithSelector(IPausableVerifier.PausableVerifierOriginPaused.selector, ORIGIN));
        pausable.verify("", message);
        // Other origins are unaffected.
        assertTrue(pausable.verify("", _message(1, ORIGIN + 1, LOCAL, "")));
        vm.prank(admin);
        pausable.setOriginPaused(ORIGIN, false);
        assertTrue(pausable.verify("", message));
    }

    function test_Verify_RevertWhen_MessageMalformed() public {
        vm.expectRevert(IPausableVerifier.PausableVerifierMalformedMessage.selector);
        pausable.verify("", new bytes(10));
    }

    function test_Pause_RevertWhen_CallerNotAuthorized() public {
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, address(this)));
        pausable.pause();
    }

    function test_Unpause_RevertWhen_CallerNotAuthorized() public {
        vm.prank(admin);
        pausable.pause();
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, address(this)));
        pausable.unpause();
    }

    function test_SetOriginPaused_RevertWhen_CallerNotAuthorized() public {
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, address(this)));
        pausable.setOriginPaused(ORIGIN, true);
    }

    function test_Pause_RevertGiven_AlreadyPaused() public {
        vm.startPrank(admin);
        pausable.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        pausable.pause();
        vm.stopPrank();
    }

    function test_Constructor_RevertWhen_InnerNotAContract() public {
        vm.expectRevert(abi.encodeWithSelector(IPausableVerifier.PausableVerifierNotAContract.selector, address(0)));
        new PausableVerifier(address(manager), IConcordVerifier(address(0)));
    }

    // ---------------------------------------------------------------- origin gateway and retries (issue 13)

    function test_OriginGatewayFor_IsTheInnerOne() public view {
        assertEq(pausable.originGatewayFor(ORIGIN), STUB_GATEWAY);
    }

    /// @dev A pause refuses retries as it refuses deliveries (I4 at retry time); unpaused, the inner verifier decides.
    function test_AuthorizeRetry_RevertGiven_PausedOrOriginPaused() public {
        assertTrue(pausable.authorizeRetry(message));
        vm.prank(admin);
        pausable.pause();
        vm.expectRevert(IPausableVerifier.PausableVerifierPaused.selector);
        pausable.authorizeRetry(message);
        vm.prank(admin);
        pausable.unpause();
        vm.prank(admin);
        pausable.setOriginPaused(ORIGIN, true);
        vm.expectRevert(abi.encodeWithSelector(IPausableVerifier.PausableVerifierOriginPaused.selector, ORIGIN));
        pausable.authorizeRetry(message);
        vm.prank(admin);
        pausable.setOriginPaused(ORIGIN, false);
        stub.setRetryMode(StubVerifier.Mode.REJECT);
        assertFalse(pausable.authorizeRetry(message));
    }
}
