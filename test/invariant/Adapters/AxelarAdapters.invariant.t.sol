// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {AxelarAdapterHandler} from "./AxelarAdapterHandler.sol";

/// @notice AxelarAdapters suite: I1 (at most once per message id), I2 (only what A's enrolled adapter sent) and I11
/// (nothing genuine made undeliverable) for the Axelar adapter over Axelar's real gateways, under any order of
/// approval and execution, replays, failures and retries, forged sources (another contract on A, the adapter's own
/// address on an unmapped chain) and a relayer that swaps an approval's source address, chain name or payload.
contract AxelarAdaptersInvariantTest is Test {
    AxelarAdapterHandler internal handler;

    function setUp() public {
        handler = new AxelarAdapterHandler();
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = AxelarAdapterHandler.send.selector;
        selectors[1] = AxelarAdapterHandler.send.selector;
        selectors[2] = AxelarAdapterHandler.approve.selector;
        selectors[3] = AxelarAdapterHandler.approve.selector;
        selectors[4] = AxelarAdapterHandler.execute.selector;
        selectors[5] = AxelarAdapterHandler.execute.selector;
        selectors[6] = AxelarAdapterHandler.setFailing.selector;
        selectors[7] = AxelarAdapterHandler.retry.selector;
        selectors[8] = AxelarAdapterHandler.forge.selector;
        selectors[9] = AxelarAdapterHandler.swap.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice I1 and I2: every execution is of a message id A's adapter sent, at most once.
    function invariant_ExecutedOnlyGenuine_AtMostOnce() public view {
        uint256 sum;
        uint256 n = handler.genuineCount();
        for (uint256 i = 0; i < n; ++i) {
            uint256 count = handler.recipient().executions(handler.genuineIds(i));
            assertLe(count, 1, "executed twice");
            sum += count;
        }
        assertEq(sum, handler.recipient().total(), "an execution of a message A's adapter never sent");
    }

    /// @notice Nothing reaches B's adapter but through a consumed gateway approval of that very call.
    function invariant_DeliveredOnlyThroughTheGateway() public view {
        uint256 n = handler.genuineIndexCount();
        for (uint256 k = 0; k < n; ++k) {
            assertFalse(handler.deliveredWithoutApproval(k), "delivered without the gateway's approval");
        }
    }

    function invariant_NoViolationRecorded() public view {
        assertEq(handler.store().violationCount(), 0, handler.store().firstViolation());
    }

    /// @notice The adapters keep no value (no sponsor balance here): every fee went to A's gas service.
    function invariant_NoValueKept() public view {
        assertEq(address(handler.adapterA()).balance, 0);
        assertEq(address(handler.adapterB()).balance, 0);
    }

    /// @notice I11 (flush): every genuine message can still be executed, exactly once: approve and execute what was
    /// not, retry what FAILED with the recipient working.
    function afterInvariant() public {
        handler.setFailing(false);
        uint256 n = handler.genuineIndexCount();
        for (uint256 k = 0; k < n; ++k) {
            assertEq(
                uint8(handler.flush(k)), uint8(IConcordAdapter.MessageStatus.EXECUTED), "a genuine message was lost"
            );
            assertEq(handler.recipient().executions(handler.genuineIds(k)), 1);
        }
        bytes32[7] memory names = [bytes32("send"), "approve", "execute", "executeRefused", "retry", "forge", "swap"];
        for (uint256 i = 0; i < names.length; ++i) {
            console.log(string(abi.encodePacked(names[i])), handler.store().counters(names[i]));
        }
        assertGt(handler.store().counters("send"), 0, "no message sent");
    }
}
