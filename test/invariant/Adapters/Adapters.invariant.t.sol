// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {HarnessAdapter, HarnessWire} from "../../adapters/ConcordAdapter/HarnessAdapter.sol";
import {AdapterHandler} from "./AdapterHandler.sol";

/// @notice Adapters suite: the delivery guarantees every transport adapter inherits from `ConcordAdapter` (I1 at most
/// once per message id, I2 only what came from the enrolled adapter, I11 nothing genuine made undeliverable), under
/// any order of delivery, replays, failures and retries, forged sources and a re-enrolled source adapter. The
/// protocol is the harness wire (each real protocol adapter has its own tests against the protocol's contracts).
contract AdaptersInvariantTest is Test {
    HarnessWire internal wire;
    HarnessAdapter internal adapterB;
    AdapterHandler internal handler;

    function setUp() public {
        AccessManager manager = new AccessManager(address(this));
        wire = new HarnessWire(0.001 ether, 1 gwei);
        HarnessAdapter adapterA = new HarnessAdapter(wire, 1, address(manager), 200_000);
        adapterB = new HarnessAdapter(wire, 10, address(manager), 200_000);
        adapterA.setRemote(10, address(adapterB));
        adapterB.setRemote(1, address(adapterA));
        handler = new AdapterHandler(wire, adapterA, adapterB, address(manager));
        manager.grantRole(0, address(handler), 0); // the handler re-enrolls adapters (an administrator's action)

        bytes4[] memory selectors = new bytes4[](9);
        selectors[0] = AdapterHandler.send.selector;
        selectors[1] = AdapterHandler.send.selector;
        selectors[2] = AdapterHandler.deliver.selector;
        selectors[3] = AdapterHandler.deliver.selector;
        selectors[4] = AdapterHandler.deliver.selector;
        selectors[5] = AdapterHandler.setFailing.selector;
        selectors[6] = AdapterHandler.retry.selector;
        selectors[7] = AdapterHandler.forge.selector;
        selectors[8] = AdapterHandler.reenroll.selector;
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
        assertEq(sum, handler.recipient().total(), "an execution of a message the wire never carried genuinely");
    }

    function invariant_NoViolationRecorded() public view {
        assertEq(handler.store().violationCount(), 0, handler.store().firstViolation());
    }

    /// @notice The adapters keep no value (no sponsor balance here): what was sent was paid to the wire.
    function invariant_NoValueKept() public view {
        assertEq(address(adapterB).balance, 0);
        assertEq(address(handler.adapterA()).balance, 0);
    }

    /// @notice I11 (flush): every genuine message of the adapter enrolled now can still be executed: deliver every
    /// packet it sent, retry the FAILED ones with the recipient working, and each executes exactly once.
    function afterInvariant() public {
        handler.recipient().setFailing(false);
        IConcordAdapter current = handler.adapterA();
        uint256 n = wire.count();
        for (uint256 i = 0; i < n; ++i) {
            HarnessWire.Packet memory p = wire.packet(i);
            if (p.originAdapter != address(current)) continue;
            if (adapterB.status(p.origin, p.originAdapter, p.envelope) == IConcordAdapter.MessageStatus.NONE) {
                wire.deliver(i);
            }
            if (adapterB.status(p.origin, p.originAdapter, p.envelope) == IConcordAdapter.MessageStatus.FAILED) {
                adapterB.retry(p.origin, p.originAdapter, p.envelope, 500_000);
            }
            assertEq(
                uint8(adapterB.status(p.origin, p.originAdapter, p.envelope)),
                uint8(IConcordAdapter.MessageStatus.EXECUTED),
                "a genuine message could not be executed"
            );
            assertEq(handler.recipient().executions(handler.genuineId(i)), 1);
        }
        bytes32[5] memory names = [bytes32("send"), "deliver", "retry", "forge", "reenroll"];
        for (uint256 i = 0; i < names.length; ++i) {
            console.log(string(abi.encodePacked(names[i])), handler.store().counters(names[i]));
        }
        assertGt(handler.store().counters("send"), 0, "no message sent");
    }
}
