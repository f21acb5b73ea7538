// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";
import {Test} from "forge-std/Test.sol";

import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {gasLimitOf} from "../harness/GatewayTestLib.sol";
import {HarnessRecipient} from "../harness/HarnessRecipient.sol";
import {MultiDomainHarness} from "../harness/MultiDomainHarness.sol";

/// @notice The multi-domain harness itself: three domains, transport (next / any / all / out of order / twice /
/// never), finality-respecting relayer, validator rotation. These tests pin the harness the invariant suites and the
/// reorg scenarios rely on.
contract MultiDomainTest is Test {
    uint32 internal constant ETH = 1;
    uint32 internal constant OP = 10;
    uint32 internal constant BASE = 8453;
    uint64 internal constant FINALITY = 12;

    MultiDomainHarness internal h;

    function setUp() public {
        vm.warp(1_700_000_000);
        uint32[] memory ids = new uint32[](3);
        (ids[0], ids[1], ids[2]) = (ETH, OP, BASE);
        h = new MultiDomainHarness(ids, FINALITY);
    }

    function _send(uint32 origin, uint32 dest, uint256 salt) internal returns (uint256) {
        return h.dispatch(origin, dest, address(h.domain(dest).recipient), h.payloadOf(0, bytes32(salt)));
    }

    function test_Harness_DeploysDistinctDomains() public view {
        uint32[] memory ids = h.domainIds();
        assertEq(ids.length, 3);
        for (uint256 i = 0; i < ids.length; ++i) {
            assertEq(h.gateway(ids[i]).localDomain(), ids[i]);
            for (uint256 j = i + 1; j < ids.length; ++j) {
                assertTrue(address(h.gateway(ids[i])) != address(h.gateway(ids[j])));
            }
        }
    }

    function test_Capture_RecordsEveryLaneInNonceOrder() public {
        for (uint256 i = 0; i < 3; ++i) {
            _send(ETH, OP, i);
            _send(ETH, BASE, 10 + i);
            _send(BASE, OP, 20 + i);
        }
        assertEq(h.envelopeCount(), 9);
        assertEq(h.laneLength(ETH, OP), 3);
        assertEq(h.laneLength(ETH, BASE), 3);
        assertEq(h.laneLength(BASE, OP), 3);
        // Nonces are per origin: ETH sent 6 (0..5 interleaved over two lanes), BASE 3.
        assertEq(h.gateway(ETH).nonce(), 6);
        assertEq(h.gateway(BASE).nonce(), 3);
        for (uint32 n = 0; n < 6; ++n) {
            assertEq(h.envelope(h.canonicalEnvelope(ETH, n) - 1).nonce, n);
        }
        // The harness's canonical tree is the gateway's tree while no reorg happened.
        assertEq(h.canonicalRoot(ETH, 5), h.gateway(ETH).root());
        assertEq(h.canonicalRoot(BASE, 2), h.gateway(BASE).root());
    }

    function test_Relay_RevertGiven_NotFinal_ValidatorsRefuse() public {
        uint256 i = _send(ETH, OP, 1);
        (, bool signed) = h.metadataFor(i);
        assertFalse(signed);
        (bool ok,) = h.relay(i);
        assertFalse(ok);
        h.mine(ETH, FINALITY - 1);
        (, signed) = h.metadataFor(i);
        assertFalse(signed);
        h.mine(ETH, 1);
        (ok,) = h.relay(i);
        assertTrue(ok);
        assertEq(h.executions(i), 1);
    }

    function test_RelayAllReversed_OutOfOrder_EachExecutedOnce() public {
        uint256[] memory sent = new uint256[](5);
        for (uint256 i = 0; i < 5; ++i) {
            sent[i] = _send(OP, BASE, i);
        }
        h.mineAll(FINALITY);
        assertEq(h.relayAllReversed(OP, BASE), 5);
        for (uint256 i = 0; i < 5; ++i) {
            assertEq(h.executions(sent[i]), 1);
            assertEq(uint8(h.status(sent[i])), uint8(IConcordGateway.MessageStatus.EXECUTED));
        }
        // Everything again: nothing is delivered twice.
        assertEq(h.relayAllReversed(OP, BASE), 0);
        assertEq(h.domain(BASE).recipient.totalExecutions(), 5);
    }

    function test_Deliver_Twice_SecondRevertsAlreadyDelivered() public {
        uint256 i = _send(ETH, BASE, 7);
        h.mineAll(FINALITY);
        (bytes memory metadata,) = h.metadataFor(i);
        (bool ok,) = h.deliver(i, metadata);
        assertTrue(ok);
        bytes memory err;
        (ok, err) = h.deliver(i, metadata);
        assertFalse(ok);
        assertEq(err, abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, h.envelope(i).id));
        assertEq(h.executions(i), 1);
    }

    function test_RelayNext_FollowsQueueOrder_NeverLeavesOthersUndelivered() public {
        uint256 a = _send(BASE, ETH, 1);
        uint256 b = _send(BASE, ETH, 2);
        uint256 c = _send(BASE, ETH, 3); // never delivered
        h.mineAll(FINALITY);
        (uint256 first, bool ok1) = h.relayNext(BASE, ETH);
        (uint256 second, bool ok2) = h.relayNext(BASE, ETH);
        assertTrue(ok1 && ok2);
        assertEq(first, a);
        assertEq(second, b);
        assertEq(h.executions(c), 0);
        assertEq(uint8(h.status(c)), uint8(IConcordGateway.MessageStatus.NONE));
    }

    function test_Deliver_AnyIndex_FailedThenRetried() public {
        uint256 i = _send(ETH, OP, 1);
        h.mineAll(FINALITY);
        HarnessRecipient r = h.domain(OP).recipient;
        vm.prank(address(h));
        r.setFailing(true);
        (bool ok,) = h.relay(i);
        assertTrue(ok, "process succeeds, the recipient failure is recorded");
        assertEq(uint8(h.status(i)), uint8(IConcordGateway.MessageStatus.FAILED));
        assertEq(h.executions(i), 0);
        vm.prank(address(h));
        r.setFailing(false);
        h.gateway(OP).retry(h.message(i), gasLimitOf(h.message(i)));
        assertEq(uint8(h.status(i)), uint8(IConcordGateway.MessageStatus.EXECUTED));
        assertEq(h.executions(i), 1);
    }

    function test_RotateValidators_OldSignaturesRejected_NewAccepted() public {
        uint256 i = _send(ETH, BASE, 1);
        h.mineAll(FINALITY);
        bytes memory oldMetadata = h.metadataUnchecked(i);
        address oldVerifier = h.currentMultisig(ETH, BASE);
        h.rotateValidators(ETH, 42);
        assertTrue(h.currentMultisig(ETH, BASE) != oldVerifier);
        (bool ok,) = h.deliver(i, oldMetadata);
        assertFalse(ok, "retired set");
        (ok,) = h.relay(i);
        assertTrue(ok, "new set");
        (, uint8 threshold) = IMultisigVerifier(h.currentMultisig(ETH, BASE)).validatorsAndThreshold("");
        assertEq(threshold, h.THRESHOLD());
    }

    function test_Governance_RevertWhen_NotAuthority() public {
        address attacker = makeAddr("attacker");
        MultiDomainHarness.Domain memory d = h.domain(OP);
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, attacker));
        d.gateway.setRoute(ETH, address(0), address(0));
    }
}
