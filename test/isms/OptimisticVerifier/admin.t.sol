// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {IConcordVerifier} from "../../../contracts/interfaces/IConcordVerifier.sol";
import {IOptimisticVerifier, OPTIMISTIC_MODULE_TYPE} from "../../../contracts/interfaces/IOptimisticVerifier.sol";
import {OptimisticVerifierBase} from "./Base.t.sol";

/// @notice Module type, constructor and the authority's setters (window, bond, watchers, inner verifier, origin
/// gateway set once).
contract OptimisticVerifier_admin is OptimisticVerifierBase {
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
}
