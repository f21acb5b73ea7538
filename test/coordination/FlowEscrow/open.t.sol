// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase, FlowTestToken} from "../CoordinationBase.t.sol";

/// @notice `FlowEscrow.open` (A side): what it escrows, the EXECUTE it sends, and every request it refuses.
contract FlowEscrow_open is CoordinationBase {
    // ------------------------------------------------------------------ open

    function test_Open_EscrowsAndSendsExecute() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.executionFee = 0.06 ether;
        req.ackFee = 0.04 ether;
        req.timeoutFee = 0.03 ether;
        req.feeRecipient = feeRecipient;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "payload");
        assertEq(id, cA.flowId(flow));
        assertEq(id, keccak256(abi.encode(flow)));
        assertEq(flow.originDomain, CHAIN_A);
        assertEq(flow.escrow, address(cA));
        assertEq(flow.nonce, 0);
        assertEq(flow.opener, opener);
        assertEq(flow.payloadHash, keccak256("payload"));
        assertEq(cA.nonce(), 1);
        assertEq(address(cA).balance, AMOUNT + 0.1 ether);
        assertEq(cA.lockedTotal(address(0)), AMOUNT + 0.1 ether);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
        // EXECUTE carries the gas the target needs plus the coordinator's overhead
        assertEq(uint32(bytes4(_slice(message, 77, 4))), EXEC_GAS + cA.EXECUTE_GAS_OVERHEAD());
    }

    function test_Open_SameRequestTwice_DistinctIds() public {
        (bytes32 id1,,) = _openDefault();
        (bytes32 id2,,) = _openDefault();
        assertTrue(id1 != id2);
    }

    function test_Open_Erc20Escrow() public {
        FlowTestToken token = new FlowTestToken();
        token.mint(opener, 5 ether);
        vm.prank(opener);
        token.approve(address(cA), type(uint256).max);
        FlowTestToken tokenOnB = new FlowTestToken();
        _lane(cA, CHAIN_B, cB, address(token), address(tokenOnB), beneficiary);
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.asset = address(token);
        req.destinationAsset = address(tokenOnB);
        (bytes32 id,,) = _open(req, "");
        assertEq(token.balanceOf(address(cA)), AMOUNT);
        assertEq(cA.lockedTotal(address(token)), AMOUNT);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
    }

    /// @notice locked + owed per asset is bounded to 128 bits (one slot holds both): an escrow above the bound is
    /// refused with a typed error, at the bound it is accepted, and a bump can never push past it.
    function test_Open_RevertWhen_TotalsOverflow_AtTheBoundAccepted() public {
        FlowTestToken token = new FlowTestToken();
        uint256 max = type(uint128).max;
        token.mint(opener, max + 1);
        vm.prank(opener);
        token.approve(address(cA), type(uint256).max);
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.asset = address(token);
        req.maxValue = 0; // a pure remote call: no lane needed
        req.amount = max + 1;
        vm.prank(opener);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowTotalsOverflow.selector, address(token), max + 1));
        cA.open(req, "");
        req.amount = max;
        (bytes32 id,,) = _open(req, "");
        assertEq(cA.lockedTotal(address(token)), max);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
        req.amount = 1;
        vm.prank(opener);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowTotalsOverflow.selector, address(token), 1));
        cA.open(req, "");
        // native: a bump that would take the total past the bound is refused too
        FlowLib.Flow memory nativeReq = _request(uint64(tA + 1 hours));
        nativeReq.feeRecipient = feeRecipient;
        (bytes32 nativeId, FlowLib.Flow memory flow,) = _open(nativeReq, "");
        uint256 room = max - cA.lockedTotal(address(0));
        vm.deal(stranger, room + 1);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowTotalsOverflow.selector, address(0), room + 1));
        cA.bumpFees{value: room + 1}(flow);
        vm.prank(stranger);
        cA.bumpFees{value: room}(flow);
        assertEq(cA.record(nativeId).bumped, room);
        assertEq(cA.lockedTotal(address(0)), max);
    }

    function test_Open_RevertWhen_UntrustedDestination() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.executor = stranger;
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowUntrustedExecutor.selector, CHAIN_B, stranger));
        cA.open{value: AMOUNT}(req, "");
        req.executor = address(cB);
        req.destinationDomain = CHAIN_C;
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowUntrustedExecutor.selector, CHAIN_C, address(cB)));
        cA.open{value: AMOUNT}(req, "");
    }

    function test_Open_RevertWhen_DestinationIsLocal() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.destinationDomain = CHAIN_A;
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowSameDomain.selector, CHAIN_A));
        cA.open{value: AMOUNT}(req, "");
    }

    function test_Open_RevertWhen_DeadlineNotInFuture() public {
        FlowLib.Flow memory req = _request(uint64(tA));
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidDeadline.selector, uint64(tA), tA + HORIZON)
        );
        cA.open{value: AMOUNT}(req, "");
    }

    function test_Open_RevertWhen_DeadlineBeyondHorizon() public {
        FlowLib.Flow memory req = _request(uint64(tA + HORIZON + 1));
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidDeadline.selector, tA + HORIZON + 1, tA + HORIZON)
        );
        cA.open{value: AMOUNT}(req, "");
        req.deadline = uint64(tA + HORIZON); // the cap itself is fine
        cA.open{value: AMOUNT}(req, "");
    }

    /// @dev Every invalid field has its own typed error.
    function test_Open_RevertWhen_InvalidFields() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        uint32 maxGas = cA.MAX_EXECUTION_GAS();
        _expectInvalid(
            req,
            abi.encodeWithSelector(
                IFlowEscrow.FlowEscrowNotBeforeAfterDeadline.selector, req.deadline + 1, req.deadline
            ),
            1
        );
        _expectInvalid(req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidTarget.selector, address(0)), 2);
        _expectInvalid(
            req,
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowMaxValueAboveAmount.selector, req.amount + 1, req.amount),
            3
        );
        _expectInvalid(
            req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidExecutionGas.selector, uint32(0), maxGas), 4
        );
        _expectInvalid(
            req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidExecutionGas.selector, maxGas + 1, maxGas), 5
        );
        _expectInvalid(req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowZeroPayee.selector), 6);
        _expectInvalid(req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowZeroPayee.selector), 7);
        _expectInvalid(req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowZeroFeeRecipient.selector), 8);
        _expectInvalid(req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidTarget.selector, address(cB)), 9);
        _expectInvalid(
            req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidGuard.selector, uint32(0), stranger), 10
        );
        _expectInvalid(req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidAckRoutes.selector, uint16(1)), 11);
    }

    function test_Open_RevertWhen_LaneClosed() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.destinationAsset = stranger; // some token on B not paired with native on A
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowLaneClosed.selector, CHAIN_B, address(0), stranger)
        );
        cA.open{value: AMOUNT}(req, "");
        req.destinationAsset = address(0);
        req.beneficiary = opener; // not the lane's liquidity provider: would get the escrow back AND B's release
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowLaneClosed.selector, CHAIN_B, address(0), address(0))
        );
        cA.open{value: AMOUNT}(req, "");
        req.maxValue = 0; // releasing nothing on B needs no lane
        cA.open{value: AMOUNT}(req, "");
    }

    function test_Open_RevertWhen_WrongValue() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongValue.selector, AMOUNT, AMOUNT - 1));
        cA.open{value: AMOUNT - 1}(req, "");
    }

    // ------------------------------------------------------------------ admin

    /// @dev A holds exactly its escrow and credits (B's liquidity lives in B's executor).
    function test_Escrow_HoldsOnlyEscrowAndCredits() public {
        _openDefault();
        assertEq(cA.lockedTotal(address(0)), address(cA).balance);
        assertEq(cA.owedTotal(address(0)), 0);
    }

    // ------------------------------------------------------------------ helpers

    function _expectInvalid(FlowLib.Flow memory base, bytes memory err, uint256 which) internal {
        FlowLib.Flow memory req = _copy(base);
        if (which == 1) req.notBefore = req.deadline + 1;
        if (which == 2) req.target = address(0);
        if (which == 3) req.maxValue = req.amount + 1;
        if (which == 4) req.executionGas = 0;
        if (which == 5) req.executionGas = cA.MAX_EXECUTION_GAS() + 1;
        if (which == 6) req.refundTo = address(0);
        if (which == 7) req.beneficiary = address(0);
        if (which == 8) req.timeoutFee = 1;
        if (which == 9) req.target = address(cB);
        if (which == 10) req.guardEmitter = stranger;
        if (which == 11) req.ackRoutes = 1;
        vm.expectRevert(err);
        cA.open{value: req.amount + FlowLib.feeEscrow(req)}(req, "");
    }

    function _copy(FlowLib.Flow memory f) internal pure returns (FlowLib.Flow memory c) {
        c = abi.decode(abi.encode(f), (FlowLib.Flow));
    }

    function _slice(bytes memory b, uint256 start, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i = 0; i < len; ++i) {
            out[i] = b[start + i];
        }
    }
}
