// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {CheckpointDigest} from "../../contracts/libraries/CheckpointDigest.sol";
import {MultisigBase} from "../isms/MultisigBase.t.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Vm} from "forge-std/Vm.sol";

/// @notice Shared setup of the Concord delivery benches: two gateways (SRC -> DST) in one EVM, messages dispatched for
/// real and captured from the `Dispatched` event, multisig verifiers from the factory, metadata signed with vm.sign.
/// The recipient is chosen by the concrete bench (`_newRecipient`).
abstract contract ConcordBenchBase is MultisigBase {
    uint32 internal constant SRC = 1;
    uint32 internal constant DST = 10;

    AccessManager internal manager;
    ConcordGateway internal source;
    ConcordGateway internal destination;
    address internal recipient;

    bytes[] internal messages;
    bytes32[] internal ids;
    bytes32[] internal roots; // checkpoint root right after each message was dispatched

    function setUp() public override {
        super.setUp();
        manager = new AccessManager(address(this));
        source = new ConcordGateway(SRC, address(manager), 200_000, 64 * 1024);
        destination = new ConcordGateway(DST, address(manager), 200_000, 64 * 1024);
        recipient = _newRecipient();
    }

    // ------------------------------------------------------------------------------------- helpers

    /// @dev The ERC-7786 recipient the bench delivers to.
    function _newRecipient() internal virtual returns (address);

    function _payload(uint256 length, uint256 salt) internal pure returns (bytes memory p) {
        p = new bytes(length);
        for (uint256 i = 0; i < length; i += 32) {
            bytes32 word = keccak256(abi.encode(salt, i));
            for (uint256 j = 0; j < 32 && i + j < length; ++j) {
                p[i + j] = word[j] == 0 ? bytes1(0x01) : word[j];
            }
        }
    }

    function _dispatch(uint256 length) internal returns (uint32 index) {
        vm.recordLogs();
        bytes32 id = source.dispatch(DST, bytes32(uint256(uint160(recipient))), _payload(length, ids.length));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes memory message = abi.decode(logs[logs.length - 1].data, (bytes));
        assertEq(keccak256(message), id);
        (bytes32 root, uint32 checkpointIndex) = source.latestCheckpoint();
        index = uint32(ids.length);
        assertEq(checkpointIndex, index);
        messages.push(message);
        ids.push(id);
        roots.push(root);
    }

    function _verifier(IMultisigVerifierFactory.Variant variant, address[] memory validators, uint256 k)
        internal
        returns (IMultisigVerifier verifier)
    {
        verifier = factory.deploy(
            variant,
            IMultisigVerifier.Config({
                origin: SRC,
                originGateway: bytes32(uint256(uint160(address(source)))),
                localDomain: DST,
                threshold: uint8(k),
                validators: validators
            })
        );
        destination.setRoute(SRC, address(verifier), address(source));
    }

    function _messageIdMetadata(uint256[] memory signers, uint32 index) internal view returns (bytes memory) {
        bytes32 digest = CheckpointDigest.digest(
            SRC, bytes32(uint256(uint160(address(source)))), CheckpointDigest.KIND_MESSAGE_ID, ids[index], index
        );
        return _signAll(signers, digest);
    }

    function _merkleRootMetadata(uint256[] memory signers, uint32 index) internal view returns (bytes memory) {
        uint32 signedIndex = uint32(ids.length - 1);
        (bytes32 root, bytes32[32] memory proof) = _merkleProof(ids, index);
        assertEq(root, roots[signedIndex]);
        bytes32 digest = CheckpointDigest.digest(
            SRC, bytes32(uint256(uint160(address(source)))), CheckpointDigest.KIND_MERKLE_ROOT, root, signedIndex
        );
        return _merkleRootMetadata(index, signedIndex, proof, _signAll(signers, digest));
    }
}
