// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Router} from "@chainlink/contracts-ccip/contracts/Router.sol";
import {IRMN} from "@chainlink/contracts-ccip/contracts/interfaces/IRMN.sol";
import {IRouter} from "@chainlink/contracts-ccip/contracts/interfaces/IRouter.sol";
import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";
import {RMNRemote} from "@chainlink/contracts-ccip/contracts/rmn/RMNRemote.sol";

import {CcipAdapter} from "../../../contracts/adapters/ccip/CcipAdapter.sol";
import {ICcipAdapter} from "../../../contracts/adapters/ccip/ICcipAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {CcipAdapterBase} from "./CcipAdapterBase.sol";

/// @notice Issue 16, CCIP: the receiving side behind Chainlink's real `Router` (contracts-ccip 1.6.2) with a real
/// `RMNRemote`, instead of the simulator's router. A's adapter still sends through the simulator (the real OnRamp,
/// FeeQuoter and NonceManager are not deployed); its message is captured and executed on B by an OffRamp address the
/// real Router registers for A's selector (`applyRampUpdates`), standing for the OffRamp that would have verified the
/// DON's commit. This pins the authentication the adapter relies on and cannot add itself: the Router routes only
/// from the OffRamp registered for the message's source selector, and nothing while the RMN curses the chain.
contract CcipAdapterRealRouterTest is CcipAdapterBase {
    bytes16 internal constant GLOBAL_CURSE = 0x01000000000000000000000000000001;

    Router internal realRouter;
    RMNRemote internal rmn;
    CcipAdapter internal bReal;
    address internal offRampA = makeAddr("offRamp.A->B");
    address internal offRampC = makeAddr("offRamp.C->B");

    function setUp() public override {
        super.setUp();
        rmn = new RMNRemote(SEL_B, IRMN(address(0)));
        realRouter = new Router(makeAddr("wrappedNative"), address(rmn));
        Router.OffRamp[] memory adds = new Router.OffRamp[](2);
        adds[0] = Router.OffRamp(SEL_A, offRampA);
        adds[1] = Router.OffRamp(SEL_C, offRampC);
        realRouter.applyRampUpdates(new Router.OnRamp[](0), new Router.OffRamp[](0), adds);
        bReal = new CcipAdapter(address(realRouter), SEL_B, CHAIN_B, address(manager), DEFAULT_GAS);
        _enroll(bReal, CHAIN_A, SEL_A, aA);
        bReal.setChainSelector(CHAIN_C, SEL_C);
        bReal.setRemote(CHAIN_C, makeAddr("adapterOnC"));
        aA.setRemote(CHAIN_B, address(bReal));
        _ccipHold(address(bReal));
    }

    /// @dev `routeMessage` on the real Router from `caller` (its report, or its revert).
    function _realRoute(address caller, Client.Any2EVMMessage memory message, uint256 gasLimit)
        internal
        returns (bool ok, bytes memory ret)
    {
        vm.prank(caller);
        (ok, ret,) = realRouter.routeMessage(message, CCIP_GAS_FOR_CALL_EXACT_CHECK, gasLimit, address(bReal));
    }

    function test_RealRouter_DeliversFromTheRegisteredOffRamp() public {
        (bytes32 id, uint256 m) = _send(aA, alice, CHAIN_B, address(rB), "via the real Router", _noAttr());
        (bool ok,) = _realRoute(offRampA, _ccipMessage(m), ccipSent[m].gasLimit);
        assertTrue(ok);
        assertEq(rB.count(), 1);
        assertEq(rB.delivery(0).receiveId, id);
        assertEq(rB.delivery(0).sender, _to(CHAIN_A, alice));
        assertEq(uint8(bReal.status(CHAIN_A, address(aA), _ccipBody(m))), uint8(IConcordAdapter.MessageStatus.EXECUTED));
        // Executed twice by the OffRamp (the real OffRamp would not): the adapter refuses the second.
        (bool again, bytes memory ret) = _realRoute(offRampA, _ccipMessage(m), ccipSent[m].gasLimit);
        _ccipAssertFailed(
            again, ret, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, id)
        );
        assertEq(rB.count(), 1);
    }

    /// @dev The real Router refuses `routeMessage` from anyone but the OffRamp registered for the message's source
    /// selector: a stranger, the simulator's router, A's OffRamp claiming C, C's OffRamp claiming A.
    function test_RealRouter_RefusesAnyoneButTheLanesOffRamp() public {
        (, uint256 m) = _sendAB("x");
        Client.Any2EVMMessage memory message = _ccipMessage(m);
        uint256 gas = ccipSent[m].gasLimit;
        address[2] memory callers = [stranger, address(ccipRouter)];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.expectRevert(IRouter.OnlyOffRamp.selector);
            _realRoute(callers[i], message, gas);
        }
        vm.expectRevert(IRouter.OnlyOffRamp.selector);
        _realRoute(offRampC, message, gas);
        message.sourceChainSelector = SEL_C;
        vm.expectRevert(IRouter.OnlyOffRamp.selector);
        _realRoute(offRampA, message, gas);
        // C's OffRamp with C's selector reaches the adapter, which refuses A's envelope as not coming from C.
        (bool ok, bytes memory ret) = _realRoute(offRampC, message, gas);
        _ccipAssertFailed(
            ok, ret, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterOriginMismatch.selector, CHAIN_C, CHAIN_A)
        );
        assertEq(rB.count(), 0);
    }

    /// @dev While the RMN curses the chain the Router routes nothing; the message waits and is delivered once the
    /// curse is lifted.
    function test_RealRouter_Cursed_RoutesNothingUntilLifted() public {
        (, uint256 m) = _sendAB("x");
        rmn.curse(GLOBAL_CURSE);
        vm.expectRevert(Router.BadARMSignal.selector);
        _realRoute(offRampA, _ccipMessage(m), ccipSent[m].gasLimit);
        rmn.uncurse(GLOBAL_CURSE);
        (bool ok,) = _realRoute(offRampA, _ccipMessage(m), ccipSent[m].gasLimit);
        assertTrue(ok);
        assertEq(rB.count(), 1);
    }

    /// @dev The simulator's router is not this adapter's Router: its deliveries are refused.
    function test_RealRouter_AdapterRefusesAnotherRouter() public {
        (, uint256 m) = _sendAB("x");
        (bool ok, bytes memory ret) = _ccipRouteMessage(_ccipMessage(m), ccipSent[m].gasLimit, address(bReal));
        _ccipAssertFailed(
            ok, ret, abi.encodeWithSelector(ICcipAdapter.CcipAdapterNotRouter.selector, address(ccipRouter))
        );
    }
}
