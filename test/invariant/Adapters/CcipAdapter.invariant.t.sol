// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {CcipAdapterHandler} from "./CcipAdapterHandler.sol";

/// @notice CCIP adapter suite (properties in CcipInvariants.md): over Chainlink's local simulator with every message
/// held and routed by hand, under any order of routing, replays, random OffRamp gas, recipient failures and retries,
/// an attacker contract sending its own envelopes over CCIP, genuine messages under another source selector and
/// direct calls of `ccipReceive`: only A's adapter's messages execute, each at most once; no working recipient's
/// message is made FAILED; the adapters keep no value; every genuine message can still be executed once.
contract CcipAdapterInvariantTest is Test {
    CcipAdapterHandler internal handler;

    function setUp() public {
        handler = new CcipAdapterHandler();
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = CcipAdapterHandler.send.selector;
        selectors[1] = CcipAdapterHandler.send.selector;
        selectors[2] = CcipAdapterHandler.route.selector;
        selectors[3] = CcipAdapterHandler.route.selector;
        selectors[4] = CcipAdapterHandler.route.selector;
        selectors[5] = CcipAdapterHandler.setFailing.selector;
        selectors[6] = CcipAdapterHandler.retry.selector;
        selectors[7] = CcipAdapterHandler.forgeSender.selector;
        selectors[8] = CcipAdapterHandler.forgeSelector.selector;
        selectors[9] = CcipAdapterHandler.callDirectly.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice I1 and I2: every execution is of a message A's adapter sent, at most once.
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

    function invariant_NoViolationRecorded() public view {
        assertEq(handler.store().violationCount(), 0, handler.store().firstViolation());
    }

    /// @notice No sponsor balance here: what was sent was paid to the Router, nothing stays in the adapters.
    function invariant_NoValueKept() public view {
        assertEq(address(handler.adapterA()).balance, 0);
        assertEq(address(handler.adapterB()).balance, 0);
    }

    /// @notice I11 (flush): every genuine message can still be executed: route the ones never delivered, retry the
    /// FAILED ones with the recipient working; each executes exactly once.
    function afterInvariant() public {
        handler.recipient().setFailing(false);
        IConcordAdapter b = handler.adapterB();
        address a = address(handler.adapterA());
        uint256 n = handler.sentCount();
        for (uint256 i = 0; i < n; ++i) {
            if (!handler.isGenuine(i)) continue;
            bytes memory envelope = handler.sent(i).message.data;
            if (b.status(1, a, envelope) == IConcordAdapter.MessageStatus.NONE) handler.routeOne(i);
            if (b.status(1, a, envelope) == IConcordAdapter.MessageStatus.FAILED) b.retry(1, a, envelope, 2_000_000);
            assertEq(
                uint8(b.status(1, a, envelope)),
                uint8(IConcordAdapter.MessageStatus.EXECUTED),
                "a genuine message could not be executed"
            );
            assertEq(handler.recipient().executions(handler.genuineId(i)), 1);
        }
        bytes32[7] memory names =
            [bytes32("send"), "routeOk", "routeRefused", "retry", "forgeSender", "forgeSelector", "callDirectly"];
        for (uint256 i = 0; i < names.length; ++i) {
            console.log(string(abi.encodePacked(names[i])), handler.store().counters(names[i]));
        }
        assertGt(handler.store().counters("send"), 0, "no message sent");
    }
}
