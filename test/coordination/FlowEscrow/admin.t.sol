// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {FlowEscrow} from "../../../contracts/coordination/FlowEscrow.sol";
import {IFlowEndpoint} from "../../../contracts/interfaces/IFlowEndpoint.sol";
import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {IGasOracle} from "../../../contracts/interfaces/IGasOracle.sol";
import {CoordinationBase} from "../CoordinationBase.t.sol";

/// @notice The escrow's configuration (remotes, lanes, horizon, gas oracle, constructor): authority only, and every
/// invalid value refused with its typed error.
contract FlowEscrow_admin is CoordinationBase {
    function test_Admin_RevertWhen_NotAuthority() public {
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.setRemote(CHAIN_C, stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.setMaxHorizon(1);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cB.withdrawLiquidity(address(0), stranger, 1);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.setLane(CHAIN_B, address(0), address(0), address(0));
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.setGasOracle(IGasOracle(address(0)));
        vm.stopPrank();
    }

    function test_Admin_RevertWhen_InvalidConfig() public {
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRemoteDomain.selector, CHAIN_A));
        cA.setRemote(CHAIN_A, stranger);
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRemoteDomain.selector, uint32(0)));
        cA.setRemote(0, stranger);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidMaxHorizon.selector, uint64(0)));
        cA.setMaxHorizon(0);
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRemoteDomain.selector, CHAIN_A));
        cA.setLane(CHAIN_A, address(0), address(0), stranger);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowGasOracleNotContract.selector, stranger));
        cA.setGasOracle(IGasOracle(stranger));
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointGatewayNotContract.selector, stranger));
        new FlowEscrow(stranger, CHAIN_A, address(manager), HORIZON);
        vm.expectRevert(IFlowEndpoint.FlowEndpointZeroDomain.selector);
        new FlowEscrow(address(gwA), 0, address(manager), HORIZON);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidMaxHorizon.selector, uint64(0)));
        new FlowEscrow(address(gwA), CHAIN_A, address(manager), 0);
    }
}
