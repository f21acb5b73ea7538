// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {MockNoopRecipient} from "../../contracts/mocks/MockNoopRecipient.sol";
import {ConcordBenchBase} from "./ConcordBenchBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Gas of the multisig verifiers. Run:
/// `forge test --isolate --match-path test/bench/VerifierGas.t.sol -vv`
/// Method (same as test/bench/GatewayGas.t.sol): under `--isolate` every top-level call is its own transaction and
/// `vm.lastCallGas().gasTotalUsed` is that transaction's full gas (21,000 + calldata with the EIP-7623 floor +
/// execution - refund). Figures go to snapshots/VerifierGas.json.
/// - `process_*`: full `ConcordGateway.process` transaction with the multisig verifier as the route's verifier,
///   32-byte (or 1 KiB) payload of non-zero bytes, to a no-op ERC-7786 recipient, in steady state (the replay
///   bitmap word is already non-zero: an earlier message of the route was delivered first).
/// - `verify_*`: a transaction calling `verify` directly (the verifier's own cost plus its calldata).
contract VerifierGasBench is ConcordBenchBase {
    function _newRecipient() internal override returns (address) {
        return address(new MockNoopRecipient());
    }

    function _processAndRecord(string memory label, bytes memory metadata, uint32 index)
        internal
        returns (uint256 gas)
    {
        destination.process(metadata, messages[index]);
        gas = vm.lastCallGas().gasTotalUsed;
        assertTrue(destination.delivered(SRC, index));
        console.log(label, gas);
        vm.snapshotValue("VerifierGas", label, gas);
    }

    function _verifyAndRecord(string memory label, IMultisigVerifier verifier, bytes memory metadata, uint32 index)
        internal
        returns (uint256 gas)
    {
        assertTrue(verifier.verify(metadata, messages[index]));
        gas = vm.lastCallGas().gasTotalUsed;
        console.log(label, gas);
        vm.snapshotValue("VerifierGas", label, gas);
    }

    // ------------------------------------------------------------------------------------ benches

    function test_Gas_ProcessWithMessageIdMultisig() public {
        (uint256[] memory keys1, address[] memory set1) = _keys(101, 1);
        (uint256[] memory keys5, address[] memory set5) = _keys(105, 5);
        (uint256[] memory keys10, address[] memory set10) = _keys(110, 10);
        for (uint256 i = 0; i < 5; ++i) {
            _dispatch(32);
        }
        _dispatch(1024); // 5
        _dispatch(1024); // 6
        _dispatch(1024); // 7

        IMultisigVerifier v1 = _verifier(IMultisigVerifierFactory.Variant.MESSAGE_ID, set1, 1);
        destination.process(_messageIdMetadata(keys1, 0), messages[0]); // warm-up: first bit of the bitmap word
        uint256 one = _processAndRecord("process_messageId_1of1_32B", _messageIdMetadata(keys1, 1), 1);
        _processAndRecord("process_messageId_1of1_1KiB", _messageIdMetadata(keys1, 5), 5);

        IMultisigVerifier v5 = _verifier(IMultisigVerifierFactory.Variant.MESSAGE_ID, set5, 3);
        uint256 three = _processAndRecord("process_messageId_3of5_32B", _messageIdMetadata(_prefix(keys5, 3), 2), 2);
        _processAndRecord("process_messageId_3of5_1KiB", _messageIdMetadata(_prefix(keys5, 3), 6), 6);

        IMultisigVerifier v10 = _verifier(IMultisigVerifierFactory.Variant.MESSAGE_ID, set10, 7);
        uint256 seven = _processAndRecord("process_messageId_7of10_32B", _messageIdMetadata(_prefix(keys10, 7), 3), 3);
        _processAndRecord("process_messageId_7of10_1KiB", _messageIdMetadata(_prefix(keys10, 7), 7), 7);

        console.log("marginal per signature 1->3:", (three - one) / 2);
        console.log("marginal per signature 3->7:", (seven - three) / 4);

        // verify() alone (message 4, never processed), for the per-signature cost without the gateway.
        _verifyAndRecord("verify_messageId_1of1_32B", v1, _messageIdMetadata(keys1, 4), 4);
        _verifyAndRecord("verify_messageId_3of5_32B", v5, _messageIdMetadata(_prefix(keys5, 3), 4), 4);
        _verifyAndRecord("verify_messageId_7of10_32B", v10, _messageIdMetadata(_prefix(keys10, 7), 4), 4);
    }

    function test_Gas_ProcessWithMerkleRootMultisig() public {
        (uint256[] memory keys5, address[] memory set5) = _keys(205, 5);
        for (uint256 i = 0; i < 6; ++i) {
            _dispatch(32);
        }
        _dispatch(1024); // 6
        _dispatch(32); // 7: the signed checkpoint
        IMultisigVerifier v5 = _verifier(IMultisigVerifierFactory.Variant.MERKLE_ROOT, set5, 3);
        uint256[] memory signers = _prefix(keys5, 3);
        destination.process(_merkleRootMetadata(signers, 0), messages[0]); // warm-up
        _processAndRecord("process_merkleRoot_3of5_32B", _merkleRootMetadata(signers, 3), 3);
        _processAndRecord("process_merkleRoot_3of5_1KiB", _merkleRootMetadata(signers, 6), 6);
        _verifyAndRecord("verify_merkleRoot_3of5_32B", v5, _merkleRootMetadata(signers, 4), 4);
    }

    /// @dev Per-signature cost of `verify` over a wide range (1..16 signatures), without the gateway.
    function test_Gas_VerifyPerSignature() public {
        _dispatch(32);
        (uint256[] memory keys16, address[] memory set16) = _keys(116, 16);
        uint256 previous;
        for (uint256 k = 1; k <= 16; k *= 2) {
            IMultisigVerifier v = _verifier(IMultisigVerifierFactory.Variant.MESSAGE_ID, set16, k);
            uint256 gas = _verifyAndRecord(
                string.concat("verify_messageId_", vm.toString(k), "of16_32B"),
                v,
                _messageIdMetadata(_prefix(keys16, k), 0),
                0
            );
            if (k > 1) console.log("  marginal per signature:", (gas - previous) / (k / 2));
            previous = gas;
        }
    }
}
