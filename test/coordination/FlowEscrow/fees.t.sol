// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {IFlowEndpoint} from "../../../contracts/interfaces/IFlowEndpoint.sol";
import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {IGasOracle} from "../../../contracts/interfaces/IGasOracle.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase} from "../CoordinationBase.t.sol";

/// @notice TEST ONLY: a gas oracle with one wei-per-gas price per domain (the real `GasOracle` adds an exchange
/// rate; the coordinator only sees `IGasOracle`). Reverts without a price, as the interface requires.
contract GasOracleDouble is IGasOracle {
    error NoPrice(uint32 domain);

    mapping(uint32 domain => uint256 weiPerGas) public price;

    function setPrice(uint32 domain, uint256 weiPerGas) external {
        price[domain] = weiPerGas;
    }

    function quoteGasPayment(uint32 remoteDomain, uint256 gasAmount) external view returns (uint256) {
        uint256 p = price[remoteDomain];
        if (p == 0) revert NoPrice(remoteDomain);
        return p * gasAmount;
    }
}

/// @notice Fee terms priced by a gas oracle for B and A's own base fee: `quoteFees` and the floor `open` enforces.
contract FlowEscrow_fees is CoordinationBase {
    GasOracleDouble internal oracle;
    uint256 internal constant PRICE_B = 3 gwei;
    uint256 internal constant BASEFEE_A = 7 gwei;

    function setUp() public override {
        super.setUp();
        oracle = new GasOracleDouble();
        oracle.setPrice(CHAIN_B, PRICE_B);
        vm.fee(BASEFEE_A);
    }

    function _expectedQuote(uint32 executionGas) internal view returns (uint256 exec, uint256 ack, uint256 timeout) {
        exec = PRICE_B * (uint256(executionGas) + cA.EXECUTE_GAS_OVERHEAD());
        ack = BASEFEE_A * cA.ACK_GAS();
        timeout = PRICE_B * cA.TIMEOUT_GAS() + ack;
    }

    function _quotedRequest() internal view returns (FlowLib.Flow memory req) {
        req = _request(uint64(tA + 1 hours));
        (req.executionFee, req.ackFee, req.timeoutFee) = _expectedQuote(EXEC_GAS);
        req.feeRecipient = feeRecipient;
    }

    function test_SetGasOracle_EmitsAndQuotes() public {
        vm.expectEmit(address(cA));
        emit IFlowEscrow.GasOracleSet(address(oracle));
        cA.setGasOracle(oracle);
        assertEq(address(cA.gasOracle()), address(oracle));
        (uint256 exec, uint256 ack, uint256 timeout) = cA.quoteFees(CHAIN_B, EXEC_GAS);
        (uint256 e, uint256 a, uint256 t) = _expectedQuote(EXEC_GAS);
        assertEq(exec, e);
        assertEq(ack, a);
        assertEq(timeout, t);
        assertEq(exec, 3 gwei * 450_000);
        assertEq(ack, 7 gwei * 250_000);
        // A's own gas price moves the acknowledgement leg only
        vm.fee(2 * BASEFEE_A);
        (uint256 exec2, uint256 ack2, uint256 timeout2) = cA.quoteFees(CHAIN_B, EXEC_GAS);
        assertEq(exec2, exec);
        assertEq(ack2, 2 * ack);
        assertEq(timeout2, timeout + ack);
    }

    function test_QuoteFees_RevertWhen_NoOracleOrNoPrice() public {
        vm.expectRevert(IFlowEscrow.FlowEscrowNoGasOracle.selector);
        cA.quoteFees(CHAIN_B, EXEC_GAS);
        cA.setGasOracle(oracle);
        vm.expectRevert(abi.encodeWithSelector(GasOracleDouble.NoPrice.selector, CHAIN_C));
        cA.quoteFees(CHAIN_C, EXEC_GAS);
    }

    function test_SetGasOracle_RevertWhen_NotAuthorityOrNoCode() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.setGasOracle(oracle);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowGasOracleNotContract.selector, stranger));
        cA.setGasOracle(IGasOracle(stranger));
    }

    function test_Open_AtQuote_Succeeds() public {
        cA.setGasOracle(oracle);
        (bytes32 id,,) = _open(_quotedRequest(), "hello");
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
    }

    function test_Open_RevertWhen_FeesBelowQuote() public {
        cA.setGasOracle(oracle);
        (uint256 e, uint256 a, uint256 t) = _expectedQuote(EXEC_GAS);
        for (uint256 which = 0; which < 3; ++which) {
            FlowLib.Flow memory req = _quotedRequest();
            if (which == 0) req.executionFee -= 1;
            if (which == 1) req.ackFee -= 1;
            if (which == 2) req.timeoutFee -= 1;
            uint256 value = AMOUNT + FlowLib.feeEscrow(req);
            vm.expectRevert(
                abi.encodeWithSelector(
                    IFlowEscrow.FlowEscrowFeesTooLow.selector, req.executionFee, req.ackFee, req.timeoutFee, e, a, t
                )
            );
            vm.prank(opener);
            cA.open{value: value}(req, "hello");
        }
    }

    function test_Open_RevertWhen_OracleHasNoPriceForDestination() public {
        cA.setGasOracle(oracle);
        oracle.setPrice(CHAIN_B, 0);
        FlowLib.Flow memory req = _quotedRequest();
        vm.prank(opener);
        vm.expectRevert(abi.encodeWithSelector(GasOracleDouble.NoPrice.selector, CHAIN_B));
        cA.open{value: AMOUNT + FlowLib.feeEscrow(req)}(req, "hello");
    }

    function test_Open_NoOracle_FeesAreFree() public {
        cA.setGasOracle(oracle);
        vm.expectEmit(address(cA));
        emit IFlowEscrow.GasOracleSet(address(0));
        cA.setGasOracle(IGasOracle(address(0)));
        (bytes32 id,,) = _openDefault(); // zero fees
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
    }

    /// @notice `open` succeeds exactly when every fee term covers its quote.
    function testFuzz_Open_FeeFloor(uint256 price, uint256 basefee, uint32 gas, uint256 seed) public {
        price = bound(price, 1, 1000 gwei);
        basefee = bound(basefee, 0, 1000 gwei);
        gas = uint32(bound(gas, 21_000, cA.MAX_EXECUTION_GAS()));
        oracle.setPrice(CHAIN_B, price);
        vm.fee(basefee);
        cA.setGasOracle(oracle);
        uint256 e = price * (uint256(gas) + cA.EXECUTE_GAS_OVERHEAD());
        uint256 a = basefee * cA.ACK_GAS();
        uint256 t = price * cA.TIMEOUT_GAS() + a;
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.executionGas = gas;
        req.feeRecipient = feeRecipient;
        req.executionFee = bound(seed, e - e / 10, e + e / 10);
        req.ackFee = bound(seed >> 80, a - a / 10, a + a / 10);
        req.timeoutFee = bound(seed >> 160, t - t / 10, t + t / 10);
        bool ok = req.executionFee >= e && req.ackFee >= a && req.timeoutFee >= t;
        uint256 value = AMOUNT + FlowLib.feeEscrow(req);
        vm.deal(opener, value);
        vm.prank(opener);
        if (!ok) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IFlowEscrow.FlowEscrowFeesTooLow.selector, req.executionFee, req.ackFee, req.timeoutFee, e, a, t
                )
            );
        }
        cA.open{value: value}(req, "");
        assertEq(cA.nonce(), ok ? 1 : 0);
    }
}

/// @notice The per-destination EXECUTE overhead: authority only, bounded, evented, and applied to both the EXECUTE's
/// gas limit and the fee floor (execution and timeout legs) of flows toward that destination only.
contract FlowEscrow_executeGasOverhead is CoordinationBase {
    GasOracleDouble internal oracle;
    uint256 internal constant PRICE_B = 3 gwei;
    uint256 internal constant BASEFEE_A = 7 gwei;
    uint32 internal constant OVERHEAD = 310_000;

    function setUp() public override {
        super.setUp();
        oracle = new GasOracleDouble();
        oracle.setPrice(CHAIN_B, PRICE_B);
        oracle.setPrice(CHAIN_C, PRICE_B);
        vm.fee(BASEFEE_A);
        cA.setGasOracle(oracle);
    }

    function test_ExecuteGasOverhead_DefaultsToConstant() public view {
        assertEq(cA.executeGasOverhead(CHAIN_B), cA.EXECUTE_GAS_OVERHEAD());
        assertEq(cA.executeGasOverhead(CHAIN_C), 250_000);
    }

    function test_SetExecuteGasOverhead_EmitsAndApplies() public {
        vm.expectEmit(address(cA));
        emit IFlowEscrow.ExecuteGasOverheadSet(CHAIN_B, OVERHEAD);
        cA.setExecuteGasOverhead(CHAIN_B, OVERHEAD);
        assertEq(cA.executeGasOverhead(CHAIN_B), OVERHEAD);
        assertEq(cA.executeGasOverhead(CHAIN_C), cA.EXECUTE_GAS_OVERHEAD(), "other destinations keep the default");
        // the fee floor prices the destination's overhead on the execution leg and its excess on the timeout leg
        (uint256 exec, uint256 ack, uint256 timeout) = cA.quoteFees(CHAIN_B, EXEC_GAS);
        uint256 excess = OVERHEAD - 250_000;
        assertEq(exec, PRICE_B * (uint256(EXEC_GAS) + OVERHEAD));
        assertEq(ack, BASEFEE_A * cA.ACK_GAS());
        assertEq(timeout, PRICE_B * (cA.TIMEOUT_GAS() + excess) + ack);
        (uint256 execC,, uint256 timeoutC) = cA.quoteFees(CHAIN_C, EXEC_GAS);
        assertEq(execC, PRICE_B * (uint256(EXEC_GAS) + 250_000));
        assertEq(timeoutC, PRICE_B * cA.TIMEOUT_GAS() + ack);
        // a flow opened at that quote carries the overhead in its EXECUTE's gas limit
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        (req.executionFee, req.ackFee, req.timeoutFee) = (exec, ack, timeout);
        req.feeRecipient = feeRecipient;
        (,, bytes memory message) = _open(req, "hello");
        assertEq(_gasLimitOf(message), EXEC_GAS + OVERHEAD);
        // the old (default) quote no longer opens a flow toward B
        req.executionFee = execC;
        vm.prank(opener);
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowFeesTooLow.selector, execC, ack, timeout, exec, ack, timeout)
        );
        cA.open{value: AMOUNT + FlowLib.feeEscrow(req)}(req, "hello");
        // back to the default: the least allowed value
        cA.setExecuteGasOverhead(CHAIN_B, cA.EXECUTE_GAS_OVERHEAD());
        (exec,,) = cA.quoteFees(CHAIN_B, EXEC_GAS);
        assertEq(exec, execC);
    }

    /// @dev The gas limit field of a dispatched message (4 bytes at offset 77, as `FlowEscrow_open` reads it).
    function _gasLimitOf(bytes memory message) internal pure returns (uint32 gasLimit) {
        assembly ("memory-safe") {
            gasLimit := shr(224, mload(add(add(message, 32), 77)))
        }
    }

    function test_SetExecuteGasOverhead_RevertWhen_NotAuthority() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.setExecuteGasOverhead(CHAIN_B, OVERHEAD);
        assertEq(cA.executeGasOverhead(CHAIN_B), cA.EXECUTE_GAS_OVERHEAD());
    }

    function test_SetExecuteGasOverhead_RevertWhen_OutOfBounds() public {
        uint32 min = cA.EXECUTE_GAS_OVERHEAD();
        uint32 max = cA.MAX_EXECUTE_GAS_OVERHEAD();
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidExecuteGasOverhead.selector, min - 1, min, max)
        );
        cA.setExecuteGasOverhead(CHAIN_B, min - 1);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidExecuteGasOverhead.selector, 0, min, max));
        cA.setExecuteGasOverhead(CHAIN_B, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidExecuteGasOverhead.selector, max + 1, min, max)
        );
        cA.setExecuteGasOverhead(CHAIN_B, max + 1);
        cA.setExecuteGasOverhead(CHAIN_B, max); // the bounds themselves are allowed
        assertEq(cA.executeGasOverhead(CHAIN_B), max);
    }

    function test_SetExecuteGasOverhead_RevertWhen_InvalidDomain() public {
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRemoteDomain.selector, CHAIN_A));
        cA.setExecuteGasOverhead(CHAIN_A, OVERHEAD);
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRemoteDomain.selector, uint32(0)));
        cA.setExecuteGasOverhead(0, OVERHEAD);
    }
}
