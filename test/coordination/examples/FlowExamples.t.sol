// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {CrossChainCounter} from "../../../contracts/coordination/examples/CrossChainCounter.sol";
import {MiniAMM} from "../../../contracts/coordination/examples/MiniAMM.sol";
import {SwapAndBridge} from "../../../contracts/coordination/examples/SwapAndBridge.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase, FlowTestToken} from "../CoordinationBase.t.sol";

/// @notice The examples end to end over two real gateways: cross-chain counter, swap-and-bridge with refund.
contract FlowExamplesTest is CoordinationBase {
    CrossChainCounter internal counter;
    FlowTestToken internal usdcA; // locked on A
    FlowTestToken internal usdcB; // bridged representation, B-side liquidity of the coordinator
    FlowTestToken internal wethB; // swapped into on B
    MiniAMM internal amm;
    SwapAndBridge internal swapper;
    address internal user = makeAddr("user");
    address internal lp = makeAddr("lp");

    function setUp() public override {
        super.setUp();
        counter = new CrossChainCounter(address(cB), 100);
        usdcA = new FlowTestToken();
        usdcB = new FlowTestToken();
        wethB = new FlowTestToken();
        amm = new MiniAMM(usdcB, wethB);
        usdcB.mint(address(this), 10_000e18);
        wethB.mint(address(this), 10_000e18);
        usdcB.approve(address(amm), type(uint256).max);
        wethB.approve(address(amm), type(uint256).max);
        amm.addLiquidity(10_000e18, 5e18 * 1000); // 1 WETH = 2 USDC (toy numbers)
        swapper = new SwapAndBridge(address(cB), amm);
        usdcB.mint(address(cB), 1000e18); // the LP's bridged liquidity on B
        _lane(cA, CHAIN_B, cB, address(usdcA), address(usdcB), lp);
        usdcA.mint(user, 500e18);
        vm.prank(user);
        usdcA.approve(address(cA), type(uint256).max);
    }

    // ------------------------------------------------------------------ counter

    function _counterFlow(uint256 by, bool abortOnFail) internal returns (bytes32, FlowLib.Flow memory, bytes memory) {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.target = address(counter);
        req.amount = 0.01 ether; // the price of the service, paid to the beneficiary if B executes
        req.maxValue = 0;
        req.abortOnFail = abortOnFail;
        return _open(req, abi.encode(by));
    }

    function test_Counter_EndToEnd() public {
        (bytes32 id,, bytes memory message) = _counterFlow(7, false);
        bytes memory outcome = _deliverB(message);
        assertEq(counter.counts(CHAIN_A, opener), 7);
        assertEq(counter.total(), 7);
        _deliverA(outcome);
        assertEq(cA.owed(beneficiary, address(0)), 0.01 ether);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
    }

    function test_Counter_TooLarge_AbortOnFail_Refunded() public {
        (bytes32 id,, bytes memory message) = _counterFlow(101, true);
        bytes memory outcome = _deliverB(message);
        _assertStatusB(id, FlowLib.Status.FAILED);
        assertEq(counter.total(), 0);
        _deliverA(outcome);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        cA.claim(refundTo, address(0));
        assertEq(refundTo.balance, 0.01 ether);
    }

    function test_Counter_RevertWhen_NotCoordinator() public {
        FlowLib.Flow memory flow;
        vm.expectRevert(abi.encodeWithSelector(CrossChainCounter.CrossChainCounterUnauthorized.selector, stranger));
        vm.prank(stranger);
        counter.onFlowExecute(bytes32(0), flow, abi.encode(1));
    }

    function test_Counter_RevertWhen_ValueReleased() public {
        FlowLib.Flow memory flow;
        vm.deal(address(cB), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(CrossChainCounter.CrossChainCounterValueNotAccepted.selector, 1 ether));
        vm.prank(address(cB));
        counter.onFlowExecute{value: 1 ether}(bytes32(0), flow, abi.encode(1));
    }

    // ------------------------------------------------------------------ swap and bridge

    function _swapFlow(uint256 amount, uint256 minOut) internal returns (bytes32, FlowLib.Flow memory, bytes memory) {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.asset = address(usdcA);
        req.amount = amount;
        req.destinationAsset = address(usdcB);
        req.maxValue = amount;
        req.target = address(swapper);
        req.abortOnFail = true;
        req.refundTo = user;
        req.beneficiary = lp;
        req.executionGas = 300_000;
        bytes memory payload = abi.encode(user, address(wethB), minOut);
        _atA();
        vm.recordLogs();
        vm.prank(user);
        (bytes32 id, FlowLib.Flow memory flow) = cA.open(req, payload);
        return (id, flow, _lastDispatched());
    }

    function test_SwapAndBridge_Success_LpPaidOnA() public {
        uint256 quote = amm.quote(address(usdcB), 100e18);
        (bytes32 id,, bytes memory message) = _swapFlow(100e18, quote);
        assertEq(usdcA.balanceOf(address(cA)), 100e18);
        bytes memory outcome = _deliverB(message);
        _assertStatusB(id, FlowLib.Status.EXECUTED);
        assertEq(wethB.balanceOf(user), quote);
        assertEq(usdcB.balanceOf(address(cB)), 900e18);
        assertEq(IERC20(address(usdcB)).allowance(address(cB), address(swapper)), 0);
        _deliverA(outcome);
        cA.claim(lp, address(usdcA));
        assertEq(usdcA.balanceOf(lp), 100e18);
        assertEq(usdcA.balanceOf(address(cA)), 0);
    }

    function test_SwapAndBridge_Slippage_RefundedOnA() public {
        uint256 quote = amm.quote(address(usdcB), 100e18);
        (bytes32 id,, bytes memory message) = _swapFlow(100e18, quote + 1);
        bytes memory outcome = _deliverB(message);
        _assertStatusB(id, FlowLib.Status.FAILED);
        assertEq(wethB.balanceOf(user), 0);
        assertEq(usdcB.balanceOf(address(cB)), 1000e18, "B liquidity untouched");
        _deliverA(outcome);
        cA.claim(user, address(usdcA));
        assertEq(usdcA.balanceOf(user), 500e18, "user whole again");
    }

    function test_SwapAndBridge_ExecuteLost_ExpiredAndRefunded() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _swapFlow(50e18, 0);
        // the transport never delivers EXECUTE; anyone expires on B after T, which sends the OUTCOME
        tB = flow.deadline + 1;
        vm.prank(stranger);
        bytes memory outcome = _expireB(flow);
        _deliverA(outcome);
        cA.claim(user, address(usdcA));
        assertEq(usdcA.balanceOf(user), 500e18);
        _assertStatusB(id, FlowLib.Status.EXPIRED);
    }
}
