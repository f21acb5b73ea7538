// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FlowEscrow} from "../../../contracts/coordination/FlowEscrow.sol";
import {IFlowExecutor} from "../../../contracts/interfaces/IFlowExecutor.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase, FlowTargetMock, FlowTestToken} from "../CoordinationBase.t.sol";

/// @notice B's liquidity and lanes: what an EXECUTE may release (the lane's provider, at most `maxValue`, only
/// what B holds) and what the authority may withdraw (`withdrawLiquidity`).
contract FlowExecutor_liquidity is CoordinationBase {
    function test_Execute_InsufficientLiquidity_StaysPending_EvenWithAbortOnFail() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.abortOnFail = true;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        vm.deal(address(cB), AMOUNT - 1);
        vm.expectEmit(address(cB));
        emit IFlowExecutor.FlowAttemptFailed(id, true);
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.PENDING);
        vm.deal(address(cB), AMOUNT);
        cB.retryExecution(flow, "x");
        _assertStatusB(id, FlowLib.Status.EXECUTED);
        assertEq(address(cB).balance, 0);
    }

    /// @dev The executor holds only B-side liquidity (escrow lives in A's FlowEscrow): all of it is available, and
    /// the authority can withdraw it, never more.
    function test_Liquidity_IsTheBalance_WithdrawBounded() public {
        assertEq(cB.availableLiquidity(address(0)), LIQUIDITY);
        vm.expectRevert(
            abi.encodeWithSelector(
                IFlowExecutor.FlowExecutorInsufficientLiquidity.selector, address(0), LIQUIDITY + 1, LIQUIDITY
            )
        );
        cB.withdrawLiquidity(address(0), stranger, LIQUIDITY + 1);
        vm.expectEmit(address(cB));
        emit IFlowExecutor.LiquidityWithdrawn(address(0), stranger, 2 ether);
        cB.withdrawLiquidity(address(0), stranger, 2 ether);
        assertEq(stranger.balance, 2 ether);
        assertEq(cB.availableLiquidity(address(0)), LIQUIDITY - 2 ether);
    }

    function test_Execute_Erc20Release_PullsAtMostMaxValue_AllowanceReset() public {
        FlowTestToken token = new FlowTestToken();
        token.mint(address(cB), 10 ether);
        target.setMode(FlowTargetMock.Mode.PULL);
        target.setPull(0.4 ether);
        _lane(cA, CHAIN_B, cB, address(0), address(token), beneficiary);
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.destinationAsset = address(token);
        (bytes32 id,, bytes memory message) = _open(req, "x");
        vm.expectEmit(address(cB));
        emit IFlowExecutor.FlowExecuted(id, 0.4 ether, uint64(tB));
        _deliverB(message);
        assertEq(token.balanceOf(address(target)), 0.4 ether);
        assertEq(token.allowance(address(cB), address(target)), 0);
    }

    /// @dev A lane open on A but not on B: B never releases its liquidity against that escrow.
    function test_Execute_LaneClosedOnB_NeverReleases() public {
        FlowTestToken token = new FlowTestToken();
        token.mint(address(cB), 10 ether);
        cA.setLane(CHAIN_B, address(0), address(token), beneficiary); // A only
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.destinationAsset = address(token);
        req.abortOnFail = true;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        vm.expectEmit(address(cB));
        emit IFlowExecutor.FlowAttemptFailed(id, true);
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.PENDING);
        assertEq(token.balanceOf(address(cB)), 10 ether);
        tB = flow.deadline + 1;
        _expireB(flow);
        _deliverA(_export(flow));
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
    }

    /// @dev B pays only against an escrow credited to B's liquidity provider: an opener naming itself as the
    /// beneficiary (to get the escrow back AND B's release) is refused on B even if A were misconfigured.
    function test_Execute_BeneficiaryNotTheLaneProvider_NeverReleases() public {
        cA.setLane(CHAIN_B, address(0), address(0), opener); // A misconfigured (or compromised)
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.beneficiary = opener;
        (bytes32 id,, bytes memory message) = _open(req, "x");
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.PENDING);
        assertEq(address(cB).balance, LIQUIDITY);
        assertEq(target.executions(id), 0);
    }
}
