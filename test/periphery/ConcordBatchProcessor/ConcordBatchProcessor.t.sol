// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {MockRecipient} from "../../../contracts/mocks/MockRecipient.sol";
import {ConcordBatchProcessor} from "../../../contracts/periphery/ConcordBatchProcessor.sol";
import {IConcordBatchProcessor} from "../../../contracts/periphery/IConcordBatchProcessor.sol";
import {ConcordGatewayBase} from "../../core/ConcordGateway/Base.t.sol";

/// @dev A "gateway" whose `process` reverts with `size` bytes of revert data (to pin the reason truncation).
contract LongRevertGateway {
    uint256 internal immutable _size;

    constructor(uint256 size) {
        _size = size;
    }

    function process(bytes calldata, bytes calldata) external view {
        uint256 size = _size;
        assembly {
            revert(0, size)
        }
    }
}

/// @dev A "gateway" whose `process` burns all the gas it is given.
contract GasBurningGateway {
    function process(bytes calldata, bytes calldata) external pure {
        while (true) {}
    }
}

contract ConcordBatchProcessorTest is ConcordGatewayBase {
    bytes internal constant PAYLOAD = hex"c0ffee";

    ConcordBatchProcessor internal batch;

    function setUp() public override {
        super.setUp();
        batch = new ConcordBatchProcessor();
    }

    function _batch(uint256 n) internal view returns (bytes[] memory metadata, bytes[] memory messages) {
        metadata = new bytes[](n);
        messages = new bytes[](n);
        for (uint256 i = 0; i < n; ++i) {
            messages[i] = _message(uint32(i), PAYLOAD);
        }
    }

    function test_ProcessBatch_DeliversEveryItem() public {
        (bytes[] memory metadata, bytes[] memory messages) = _batch(5);
        vm.expectEmit(address(batch));
        emit IConcordBatchProcessor.BatchProcessed(address(gateway), 5, 0);
        vm.prank(relayer);
        uint256 mask = batch.processBatch(gateway, metadata, messages);
        assertEq(mask, 0);
        assertEq(recipient.calls(), 5);
        for (uint256 i = 0; i < 5; ++i) {
            _assertStatus(messages[i], IConcordGateway.MessageStatus.EXECUTED);
        }
        // The recipient sees the gateway as its caller, not the batch contract.
        assertEq(recipient.lastCaller(), address(gateway));
    }

    function test_ProcessBatch_SkipsAnItemThatReverts() public {
        (bytes[] memory metadata, bytes[] memory messages) = _batch(3);
        gateway.process("", messages[1]); // item 1 becomes a replay
        bytes memory reason =
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, keccak256(messages[1]));
        vm.expectEmit(address(batch));
        emit IConcordBatchProcessor.BatchItemFailed(address(gateway), keccak256(messages[1]), 1, reason);
        vm.expectEmit(address(batch));
        emit IConcordBatchProcessor.BatchProcessed(address(gateway), 3, 1);
        uint256 mask = batch.processBatch(gateway, metadata, messages);
        assertEq(mask, 2);
        assertEq(recipient.calls(), 3); // one direct delivery + items 0 and 2
        _assertStatus(messages[0], IConcordGateway.MessageStatus.EXECUTED);
        _assertStatus(messages[2], IConcordGateway.MessageStatus.EXECUTED);
    }

    function test_ProcessBatch_RecipientFailureIsDeliveredNotSkipped() public {
        recipient.setMode(MockRecipient.Mode.REVERT);
        (bytes[] memory metadata, bytes[] memory messages) = _batch(2);
        uint256 mask = batch.processBatch(gateway, metadata, messages);
        assertEq(mask, 0, "a FAILED delivery is still a delivery");
        _assertStatus(messages[0], IConcordGateway.MessageStatus.FAILED);
        _assertStatus(messages[1], IConcordGateway.MessageStatus.FAILED);
    }

    function test_ProcessBatch_RevertWhen_LengthMismatch() public {
        (, bytes[] memory messages) = _batch(2);
        bytes[] memory metadata = new bytes[](1);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordBatchProcessor.ConcordBatchProcessorLengthMismatch.selector, 1, 2)
        );
        batch.processBatch(gateway, metadata, messages);
    }

    function test_ProcessBatch_RevertWhen_Empty() public {
        vm.expectRevert(IConcordBatchProcessor.ConcordBatchProcessorEmptyBatch.selector);
        batch.processBatch(gateway, new bytes[](0), new bytes[](0));
    }

    function test_ProcessBatch_RevertWhen_GatewayNotContract() public {
        (bytes[] memory metadata, bytes[] memory messages) = _batch(1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordBatchProcessor.ConcordBatchProcessorGatewayNotContract.selector, address(0xdead)
            )
        );
        batch.processBatch(IConcordGateway(address(0xdead)), metadata, messages);
    }

    /// @dev Too little gas for item 1's recipient: the gateway refuses it (InsufficientGas) and the batch reverts
    /// as a whole, so nothing is delivered and gas estimation never settles on a limit that drops items.
    function test_ProcessBatch_RevertWhen_ItemLacksGas() public {
        bytes[] memory metadata = new bytes[](2);
        bytes[] memory messages = new bytes[](2);
        messages[0] = _message(0, PAYLOAD);
        messages[1] = _message(1, address(this), address(recipient), 2_000_000, PAYLOAD);
        bytes memory data = abi.encodeCall(batch.processBatch, (gateway, metadata, messages));
        (bool ok, bytes memory ret) = address(batch).call{gas: 1_000_000}(data);
        assertFalse(ok);
        assertEq(ret, abi.encodeWithSelector(IConcordBatchProcessor.ConcordBatchProcessorOutOfGas.selector, 1));
        _assertStatus(messages[0], IConcordGateway.MessageStatus.NONE);
        assertEq(recipient.calls(), 0);
    }

    function test_ProcessBatch_RevertWhen_ItemRunsOutOfGas() public {
        GasBurningGateway burner = new GasBurningGateway();
        (bytes[] memory metadata, bytes[] memory messages) = _batch(1);
        vm.expectRevert(abi.encodeWithSelector(IConcordBatchProcessor.ConcordBatchProcessorOutOfGas.selector, 0));
        batch.processBatch{gas: 500_000}(IConcordGateway(address(burner)), metadata, messages);
    }

    function test_ProcessBatch_TruncatesLongReasons() public {
        LongRevertGateway longRevert = new LongRevertGateway(1000);
        (bytes[] memory metadata, bytes[] memory messages) = _batch(1);
        vm.recordLogs();
        uint256 mask = batch.processBatch(IConcordGateway(address(longRevert)), metadata, messages);
        assertEq(mask, 1);
        (, bytes memory reason) = abi.decode(vm.getRecordedLogs()[0].data, (uint256, bytes));
        assertEq(reason.length, batch.MAX_REASON_LENGTH());
    }

    function testFuzz_ProcessBatch_MaskMatchesReplays(uint8 replayed) public {
        (bytes[] memory metadata, bytes[] memory messages) = _batch(8);
        for (uint256 i = 0; i < 8; ++i) {
            if (replayed & (1 << i) != 0) gateway.process("", messages[i]);
        }
        uint256 mask = batch.processBatch(gateway, metadata, messages);
        assertEq(mask, replayed);
        for (uint256 i = 0; i < 8; ++i) {
            _assertStatus(messages[i], IConcordGateway.MessageStatus.EXECUTED);
        }
    }
}
