// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";
import {Test} from "forge-std/Test.sol";

import {GasOracle} from "../../../contracts/fees/GasOracle.sol";
import {GasPaymaster} from "../../../contracts/fees/GasPaymaster.sol";

/// @dev The GasPaymaster fixture: an AccessManager, the real GasOracle priced for two destinations, the paymaster
/// with an overhead per destination and a treasury as fee beneficiary.
abstract contract GasPaymasterBase is Test {
    uint32 internal constant LOCAL = 1;
    uint32 internal constant DEST = 10;
    uint32 internal constant DEST2 = 8453;
    uint32 internal constant UNKNOWN = 999;
    uint256 internal constant OVERHEAD = 50_000;
    uint256 internal constant OVERHEAD2 = 80_000;
    bytes32 internal constant ID = keccak256("message");

    address internal admin = makeAddr("admin");
    address internal stranger = makeAddr("stranger");
    address internal payer = makeAddr("payer");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal treasury = makeAddr("treasury");

    AccessManager internal manager;
    GasOracle internal oracle;
    GasPaymaster internal paymaster;

    function setUp() public {
        manager = new AccessManager(admin);
        oracle = new GasOracle(address(manager));
        paymaster = new GasPaymaster(address(manager), oracle, treasury);
        // The admin holds ADMIN_ROLE, the default role of every restricted selector.
        vm.startPrank(admin);
        oracle.setRemoteGasData(DEST, 1e10, 1 gwei); // same token, 1 gwei
        oracle.setRemoteGasData(DEST2, 2e10, 2 gwei); // remote token worth 2x, 2 gwei
        paymaster.setGasOverhead(DEST, OVERHEAD);
        paymaster.setGasOverhead(DEST2, OVERHEAD2);
        vm.stopPrank();
        vm.deal(payer, 1000 ether);
    }

    // ---------------------------------------------------------------- helpers

    function _pay(bytes32 id, uint32 destination, uint256 gasLimit, uint256 value, address refundTo) internal {
        vm.prank(payer);
        paymaster.payForGas{value: value}(id, destination, gasLimit, refundTo);
    }

    function _assertConserved() internal view {
        assertEq(
            address(paymaster).balance,
            paymaster.collectedFees() + paymaster.totalRefundsOwed(),
            "balance != fees + refunds"
        );
    }

    function _unauthorized(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, caller);
    }

    // -------------------------------------------------------------------- gas

    function _cool() internal {
        vm.cool(address(paymaster));
        vm.cool(address(oracle));
    }
}
