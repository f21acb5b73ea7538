// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {WormholeHandler} from "./WormholeHandler.sol";

/// @notice Wormhole adapter suite (see WormholeREADME.md): over Wormhole's real core bridges with a test guardian set,
/// every execution is of a genuine message (sent by A's enrolled adapter) at most once (I1, I2), whatever the order of
/// VAAs, replays and re-signed VAAs, failures and retries, forged emitters, forged emitter chains and VAAs the guardians
/// never signed, genuine VAAs taken to other adapters that trust the same source; no genuine message is made
/// undeliverable (I11).
contract WormholeInvariantTest is Test {
    WormholeHandler internal handler;

    function setUp() public {
        handler = new WormholeHandler();
        bytes4[] memory selectors = new bytes4[](11);
        selectors[0] = WormholeHandler.send.selector;
        selectors[1] = WormholeHandler.send.selector;
        selectors[2] = WormholeHandler.deliver.selector;
        selectors[3] = WormholeHandler.deliver.selector;
        selectors[4] = WormholeHandler.deliver.selector;
        selectors[5] = WormholeHandler.setFailing.selector;
        selectors[6] = WormholeHandler.retry.selector;
        selectors[7] = WormholeHandler.forgeEmitter.selector;
        selectors[8] = WormholeHandler.forgeChain.selector;
        selectors[9] = WormholeHandler.forgeSignatures.selector;
        selectors[10] = WormholeHandler.misroute.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice I1 and I2: every execution is of a genuine message id, at most once.
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

    /// @notice The adapters keep no value (no sponsor balance here): every fee went to A's core bridge.
    function invariant_NoValueKept() public view {
        assertEq(address(handler.adapterA()).balance, 0);
        assertEq(address(handler.adapterB()).balance, 0);
        assertEq(address(handler.adapterB2()).balance, 0);
        assertEq(address(handler.adapterC()).balance, 0);
    }

    /// @notice I11 (flush): every genuine message can still be executed exactly once: relay its VAA if never
    /// delivered, retry it if FAILED, with the recipient working.
    function afterInvariant() public {
        handler.recipient().setFailing(false);
        uint256 n = handler.genuineCount();
        IConcordAdapter b = handler.adapterB();
        address a = address(handler.adapterA());
        for (uint256 i = 0; i < n; ++i) {
            bytes memory envelope = handler.payloadOf(handler.genuineIndex(i));
            if (b.status(1, a, envelope) == IConcordAdapter.MessageStatus.NONE) handler.deliver(i, false, false);
            if (b.status(1, a, envelope) == IConcordAdapter.MessageStatus.FAILED) b.retry(1, a, envelope, 500_000);
            assertEq(
                uint8(b.status(1, a, envelope)),
                uint8(IConcordAdapter.MessageStatus.EXECUTED),
                "a genuine message could not be executed"
            );
            assertEq(handler.recipient().executions(handler.genuineIds(i)), 1);
        }
        bytes32[8] memory names = [
            bytes32("send"),
            "deliver",
            "retry",
            "forgeEmitter",
            "forgeChain",
            "forgeSignatures",
            "misroute",
            "deliverRefused"
        ];
        for (uint256 i = 0; i < names.length; ++i) {
            console.log(string(abi.encodePacked(names[i])), handler.store().counters(names[i]));
        }
        assertGt(handler.store().counters("send"), 0, "no message sent");
        assertGt(handler.store().counters("deliver"), 0, "nothing delivered");
    }
}
