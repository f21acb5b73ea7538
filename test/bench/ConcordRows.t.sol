// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMultisigVerifierFactory} from "../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {MockTrustAllVerifier} from "../../contracts/mocks/MockTrustAllVerifier.sol";
import {MultisigBase} from "../isms/MultisigBase.t.sol";
import {BenchBase} from "./BenchBase.sol";
import {BenchConcordRecipient} from "./BenchReceivers.sol";
import {ConcordBenchBase} from "./ConcordBenchBase.sol";

/// @notice Concord's rows of the side-by-side table (bench/results.md): the same scenarios, validator keys, thresholds,
/// payload sizes and receiver work (`BenchMessageReceived`) as the Hyperlane, LayerZero and floor rows of
/// Competitors.t.sol. Run through `npm run bench` (`forge test --isolate`). The gas-target checks of the gateway and
/// verifier issues are GatewayGas.t.sol and VerifierGas.t.sol (no-op recipient); this file is the comparison.
contract ConcordRowsBench is ConcordBenchBase, BenchBase {
    uint256[3] internal _K = [uint256(1), 3, 7];
    uint256[3] internal _N = [uint256(1), 5, 10];

    function _newRecipient() internal override returns (address) {
        // Deployed in ConcordBenchBase.setUp after `destination`.
        return address(new BenchConcordRecipient(address(destination)));
    }

    function _sign(uint256 key, bytes32 digest) internal pure override(MultisigBase, BenchBase) returns (bytes memory) {
        return MultisigBase._sign(key, digest);
    }

    function test_Bench_ConcordSend32() public {
        _bench_send(32);
    }

    function test_Bench_ConcordSend1KiB() public {
        _bench_send(1024);
    }

    /// @dev First message of a fresh deployment, then the steady shape (index 2: branch[0] already non-zero). The
    /// dispatch is the last top-level call before `_lastTxGas` (no view call in between).
    function _bench_send(uint256 size) internal {
        bytes32 to = bytes32(uint256(uint160(recipient)));
        source.dispatch(DST, to, _payload(size, 0));
        _record("concord", "send_first", "none", 0, size, _lastTxGas());
        source.dispatch(DST, to, _payload(size, 1)); // index 1: first write of branch[1]
        source.dispatch(DST, to, _payload(size, 2));
        _record("concord", "send_steady", "none", 0, size, _lastTxGas());
        assertEq(source.nonce(), 3, "three messages sent");
        _writeRows(string.concat("concord-send-", vm.toString(size)));
    }

    function test_Bench_ConcordDeliver() public {
        // Messages: 0 warm-up, then per scenario one 32 B and one 1 KiB message.
        _dispatch(32);
        for (uint256 i = 0; i < 7; ++i) {
            _dispatch(32);
            _dispatch(1024);
        }
        // Trust-all (transport overhead).
        MockTrustAllVerifier trustAll = new MockTrustAllVerifier();
        trustAll.setOriginGateway(SRC, address(source));
        destination.setRoute(SRC, address(trustAll), address(source));
        destination.process("", messages[0]); // warm-up: first bit of the replay word
        _deliver("deliver_trust_all", "MockTrustAllVerifier", 0, "", 1);
        _deliver("deliver_trust_all", "MockTrustAllVerifier", 0, "", 2);
        // Message-id multisig k-of-n, same keys for every system (BenchBase._validatorSet is not used here because the
        // verifiers require ascending signer order, which MultisigBase._keys provides).
        for (uint256 j = 0; j < 3; ++j) {
            (uint256[] memory keys, address[] memory set) = _keys(300 + _N[j], _N[j]);
            _verifier(IMultisigVerifierFactory.Variant.MESSAGE_ID, set, _K[j]);
            uint256[] memory signers = _prefix(keys, _K[j]);
            uint32 i32 = uint32(3 + 2 * j);
            _deliver("deliver_multisig", "MessageIdMultisigVerifier", _K[j], _messageIdMetadata(signers, i32), i32);
            _deliver(
                "deliver_multisig", "MessageIdMultisigVerifier", _K[j], _messageIdMetadata(signers, i32 + 1), i32 + 1
            );
        }
        // Merkle-root multisig k-of-n (the checkpoint signed is the latest one, as a relayer would use).
        for (uint256 j = 0; j < 3; ++j) {
            (uint256[] memory keys, address[] memory set) = _keys(400 + _N[j], _N[j]);
            _verifier(IMultisigVerifierFactory.Variant.MERKLE_ROOT, set, _K[j]);
            uint256[] memory signers = _prefix(keys, _K[j]);
            uint32 i32 = uint32(9 + 2 * j);
            _deliver("deliver_merkle_root", "MerkleRootMultisigVerifier", _K[j], _merkleRootMetadata(signers, i32), i32);
            _deliver(
                "deliver_merkle_root",
                "MerkleRootMultisigVerifier",
                _K[j],
                _merkleRootMetadata(signers, i32 + 1),
                i32 + 1
            );
        }
        _writeRows("concord-deliver");
    }

    function _deliver(
        string memory scenario,
        string memory verifierName,
        uint256 k,
        bytes memory metadata,
        uint32 index
    ) internal {
        bytes memory message = messages[index];
        bytes memory payload = new bytes(message.length - 81);
        for (uint256 i = 0; i < payload.length; ++i) {
            payload[i] = message[81 + i];
        }
        vm.expectEmit(recipient);
        emit BenchMessageReceived(keccak256(payload));
        destination.process(metadata, message);
        uint256 gas = _lastTxGas();
        assertTrue(destination.delivered(SRC, index), "not delivered");
        _record("concord", scenario, verifierName, k, payload.length, gas);
    }
}
