// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {MockRecipient} from "../../../contracts/mocks/MockRecipient.sol";
import {gasLimitOf} from "../../harness/GatewayTestLib.sol";
import {ConcordGatewayBase} from "./Base.t.sol";

/// @notice Red-team cases against delivery: hostile recipients never block or destroy other messages, never make
/// the relayer pay unbounded gas, and cannot re-enter.
contract ConcordGateway_redteam is ConcordGatewayBase {
    bytes internal constant PAYLOAD = "attack";

    function _processExpectFailed(bytes memory message) internal returns (bytes32 id, uint256 gasUsed) {
        id = keccak256(message);
        uint256 before = gasleft();
        gateway.process("", message);
        gasUsed = before - gasleft();
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
        assertTrue(gateway.delivered(ORIGIN, uint32(bytes4(_slice(message, 1, 5)))));
    }

    function _slice(bytes memory b, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) {
            out[i - from] = b[i];
        }
    }

    function test_Redteam_RecipientReverts_Failed_WithRevertDataHash() public {
        recipient.setMode(MockRecipient.Mode.REVERT);
        bytes memory message = _message(0, PAYLOAD);
        bytes32 id = keccak256(message);
        bytes memory revertData = abi.encodeWithSelector(MockRecipient.MockRecipientRejected.selector, id);
        vm.expectEmit(address(gateway));
        emit IConcordGateway.ExecutionFailed(id, ORIGIN, keccak256(revertData), revertData);
        gateway.process("", message);
        assertEq(gateway.failedRevertDataHash(id), keccak256(revertData));
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
    }

    function test_Redteam_RecipientBurnsAllGas_Failed() public {
        recipient.setMode(MockRecipient.Mode.BURN_GAS);
        (bytes32 id, uint256 used) = _processExpectFailed(_message(0, PAYLOAD));
        assertEq(gateway.failedRevertDataHash(id), keccak256(""));
        // The relayer pays the sender's gas limit plus the gateway's overhead, nothing more.
        assertLt(used, GAS_LIMIT + 100_000);
    }

    function test_Redteam_RecipientRevertsWith1MB_FailedAndBounded() public {
        recipient.setMode(MockRecipient.Mode.REVERT_BOMB);
        // The recipient pays for its own 1 MB of memory, within its gas limit: give it enough to produce it.
        bytes memory message = _message(0, address(this), address(recipient), 30_000_000, PAYLOAD);
        uint256 before = gasleft();
        gateway.process{gas: 40_000_000}("", message);
        uint256 used = before - gasleft();
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
        // Only the first 256 bytes were copied and hashed.
        bytes memory first = new bytes(256);
        assembly {
            mstore(add(first, 0x20), 0xdeadbeef)
        }
        assertEq(gateway.failedRevertDataHash(keccak256(message)), keccak256(first));
        // Copying 1 MB would cost > 2,000,000 gas in memory expansion on the gateway's side alone.
        assertLt(used, 5_000_000);
    }

    function test_Redteam_RecipientReturns1MB_GatewayCopiesOneWord() public {
        recipient.setMode(MockRecipient.Mode.RETURN_BOMB);
        bytes memory message = _message(0, address(this), address(recipient), 30_000_000, PAYLOAD);
        gateway.process{gas: 40_000_000}("", message);
        // The first word is the magic value: accepted, and the rest was never copied.
        _assertStatus(message, IConcordGateway.MessageStatus.EXECUTED);
    }

    function test_Redteam_RecipientReturnsWrongValue_Failed() public {
        recipient.setMode(MockRecipient.Mode.WRONG_RETURN);
        (bytes32 id,) = _processExpectFailed(_message(0, PAYLOAD));
        assertEq(gateway.failedRevertDataHash(id), keccak256(abi.encode(bytes4(0xdeadbeef))));
    }

    function test_Redteam_RecipientWithoutCode_Failed() public {
        bytes memory message = _message(0, address(this), makeAddr("nobody"), GAS_LIMIT, PAYLOAD);
        _processExpectFailed(message);
    }

    function test_Redteam_RecipientReentersProcess_Failed_ThenRetryable() public {
        bytes memory inner = _message(1, PAYLOAD);
        recipient.setReentryData(abi.encodeCall(gateway.process, ("", inner)));
        recipient.setMode(MockRecipient.Mode.REENTER_PROCESS);
        bytes memory outer = _message(0, PAYLOAD);
        gateway.process("", outer);
        _assertStatus(outer, IConcordGateway.MessageStatus.FAILED);
        assertEq(
            gateway.failedRevertDataHash(keccak256(outer)),
            keccak256(abi.encodeWithSelector(IConcordGateway.ConcordGatewayReentrantCall.selector))
        );
        _assertStatus(inner, IConcordGateway.MessageStatus.NONE);
        // Retryable once the recipient behaves.
        recipient.setMode(MockRecipient.Mode.ACCEPT);
        gateway.retry(outer, gasLimitOf(outer));
        _assertStatus(outer, IConcordGateway.MessageStatus.EXECUTED);
    }

    function test_Redteam_RecipientReentersRetry_Failed() public {
        // A first FAILED message the attacker tries to retry from inside another delivery.
        recipient.setMode(MockRecipient.Mode.REVERT);
        bytes memory failed = _message(0, PAYLOAD);
        gateway.process("", failed);
        recipient.setReentryData(abi.encodeCall(gateway.retry, (failed, GAS_LIMIT)));
        recipient.setMode(MockRecipient.Mode.REENTER_RETRY);
        bytes memory outer = _message(1, PAYLOAD);
        gateway.process("", outer);
        _assertStatus(outer, IConcordGateway.MessageStatus.FAILED);
        _assertStatus(failed, IConcordGateway.MessageStatus.FAILED);
        assertEq(
            gateway.failedRevertDataHash(keccak256(outer)),
            keccak256(abi.encodeWithSelector(IConcordGateway.ConcordGatewayReentrantCall.selector))
        );
    }

    /// @dev Sending from inside a delivery is allowed (replies, acks, a remote executor bridging): `dispatch` is not
    /// locked and does not touch delivery state.
    function test_Redteam_RecipientDispatchesDuringDelivery_Allowed() public {
        recipient.setMode(MockRecipient.Mode.DISPATCH);
        uint32 nonceBefore = gateway.nonce();
        gateway.process("", _message(0, PAYLOAD));
        assertEq(gateway.nonce(), nonceBefore + 1);
        assertTrue(recipient.lastDispatchId() != bytes32(0));
    }

    /// @dev One bad message never blocks the next ones.
    function test_Redteam_FailingMessageDoesNotBlockOthers() public {
        recipient.setMode(MockRecipient.Mode.BURN_GAS);
        gateway.process("", _message(0, PAYLOAD));
        recipient.setMode(MockRecipient.Mode.ACCEPT);
        gateway.process("", _message(1, PAYLOAD));
        gateway.process("", _message(2, PAYLOAD));
        assertEq(recipient.calls(), 2);
    }
}
