// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {IRangeCheckpointMultisigVerifier} from "../../contracts/interfaces/IRangeCheckpointMultisigVerifier.sol";
import {CheckpointDigest} from "../../contracts/libraries/CheckpointDigest.sol";
import {MockNoopRecipient} from "../../contracts/mocks/MockNoopRecipient.sol";
import {ConcordBatchProcessor} from "../../contracts/periphery/ConcordBatchProcessor.sol";
import {RangeCheckpointTree} from "../isms/RangeCheckpointTree.sol";
import {ConcordBenchBase} from "./ConcordBenchBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Gas of a whole range delivered in one transaction. Run:
/// `forge test --isolate --match-path test/bench/RangeCheckpointGas.t.sol -vv`
/// Method (as in VerifierGas.t.sol): under `--isolate` each top-level call is its own transaction and
/// `vm.lastCallGas().gasTotalUsed` its full gas (21,000 + calldata with the EIP-7623 floor + execution - refund).
/// One `ConcordBatchProcessor.processBatch` transaction delivers 100 messages (32-byte payloads of non-zero bytes, to
/// a no-op ERC-7786 recipient) through `ConcordGateway.process`, the route's verifier being:
/// - a range-checkpoint multisig 3-of-5 over the range of those 100 messages: the first item carries the proof and
///   the 3 signatures (checked once, range recorded), the 99 others the proof alone (7 siblings each);
/// - for comparison, a message-id multisig 3-of-5 (3 signatures per message).
/// Steady state for both: the gateway's replay word of the batch's first nonce is already non-zero (one message of
/// that word delivered before). Per-message figure = transaction gas / 100. Figures go to
/// snapshots/RangeCheckpointGas.json.
contract RangeCheckpointGasBench is ConcordBenchBase {
    uint256 internal constant BATCH = 100;

    ConcordBatchProcessor internal batcher;

    function _newRecipient() internal override returns (address) {
        return address(new MockNoopRecipient());
    }

    function _setUpBatch() internal {
        batcher = new ConcordBatchProcessor();
        // Nonces 0..100 (range: 1..100, warm-up 0), 128..228 (message id: 129..228, warm-up 128) and 229..328 (the
        // range of the single-transaction figures).
        for (uint256 i = 0; i <= 328; ++i) {
            _dispatch(32);
        }
    }

    function _batch(uint32 first, bytes[] memory metadata, string memory label) internal returns (uint256 perMessage) {
        bytes[] memory batch = new bytes[](BATCH);
        for (uint256 i = 0; i < BATCH; ++i) {
            batch[i] = messages[first + i];
        }
        uint256 failedMask = batcher.processBatch(IConcordGateway(address(destination)), metadata, batch);
        uint256 gas = vm.lastCallGas().gasTotalUsed;
        assertEq(failedMask, 0);
        for (uint32 i = 0; i < BATCH; ++i) {
            assertTrue(destination.delivered(SRC, first + i));
        }
        perMessage = gas / BATCH;
        console.log(label, "tx:", gas);
        console.log(label, "per message:", perMessage);
        vm.snapshotValue("RangeCheckpointGas", string.concat(label, "_tx"), gas);
        vm.snapshotValue("RangeCheckpointGas", string.concat(label, "_perMessage"), perMessage);
    }

    /// @dev Metadata of the range `first..last` (messages already dispatched): item 0 with the signatures.
    function _rangeMetadata(uint256[] memory signers, uint32 first, uint32 last)
        internal
        view
        returns (bytes[] memory metadata)
    {
        uint256 n = uint256(last) - first + 1;
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            leaves[i] = ids[first + i];
        }
        bytes32 rangeRoot = RangeCheckpointTree.root(leaves);
        bytes memory sigs = _signAll(
            signers,
            CheckpointDigest.rangeDigest(
                CheckpointDigest.domainHash(SRC, bytes32(uint256(uint160(address(source))))), rangeRoot, first, last
            )
        );
        metadata = new bytes[](n);
        for (uint256 i = 0; i < n; ++i) {
            metadata[i] = RangeCheckpointTree.metadata(
                first, last, RangeCheckpointTree.proof(leaves, i), i == 0 ? sigs : bytes("")
            );
        }
    }

    function test_Gas_BatchOf100_RangeVersusMessageId() public {
        (uint256[] memory keys5, address[] memory set5) = _keys(305, 5);
        uint256[] memory signers = _prefix(keys5, 3);
        _setUpBatch();

        // Message-id multisig 3-of-5, messages 129..228; warm-ups of both replay words (nonces 0 and 128).
        _verifier(IMultisigVerifierFactory.Variant.MESSAGE_ID, set5, 3);
        destination.process(_messageIdMetadata(signers, 0), messages[0]);
        destination.process(_messageIdMetadata(signers, 128), messages[128]);
        bytes[] memory idMetadata = new bytes[](BATCH);
        for (uint32 i = 0; i < BATCH; ++i) {
            idMetadata[i] = _messageIdMetadata(signers, 129 + i);
        }
        uint256 messageId = _batch(129, idMetadata, "batch100_messageId_3of5_32B");

        // Range checkpoint 3-of-5 over the range 1..100 (the route now points at the range verifier).
        IMultisigVerifier range = _verifier(IMultisigVerifierFactory.Variant.RANGE_CHECKPOINT, set5, 3);
        uint256 ranged = _batch(1, _rangeMetadata(signers, 1, 100), "batch100_range_3of5_32B");
        assertTrue(IRangeCheckpointMultisigVerifier(address(range)).rangeVerified(1, 100, _rangeRootOf(1, 100)));
        console.log("saved per message vs message id:", messageId - ranged);

        // Single `process` transactions in the range 229..328 (replay word already non-zero), as VerifierGas.t.sol
        // measures message id (process_messageId_3of5_32B): the delivery that carries the signatures and records the
        // range, then a delivery with the proof alone.
        bytes[] memory single = _rangeMetadata(signers, 229, 328);
        destination.process(single[0], messages[229]);
        uint256 withSigs = vm.lastCallGas().gasTotalUsed;
        destination.process(single[1], messages[230]);
        uint256 proofOnly = vm.lastCallGas().gasTotalUsed;
        assertTrue(destination.delivered(SRC, 229) && destination.delivered(SRC, 230));
        console.log("process_range_3of5_32B_withSignatures", withSigs);
        console.log("process_range_3of5_32B_proofOnly", proofOnly);
        vm.snapshotValue("RangeCheckpointGas", "process_range_3of5_32B_withSignatures", withSigs);
        vm.snapshotValue("RangeCheckpointGas", "process_range_3of5_32B_proofOnly", proofOnly);
    }

    function _rangeRootOf(uint32 first, uint32 last) internal view returns (bytes32) {
        bytes32[] memory leaves = new bytes32[](uint256(last) - first + 1);
        for (uint256 i = 0; i < leaves.length; ++i) {
            leaves[i] = ids[first + i];
        }
        return RangeCheckpointTree.root(leaves);
    }
}
