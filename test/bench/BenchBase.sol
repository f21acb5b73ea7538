// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

/// @title IBenchReceiverEvents
/// @notice The one event every benchmark receiver emits (Concord, Hyperlane, LayerZero, floor), so the receiving
/// application does the same work in every system: hash the body and emit one indexed topic. Benches assert it with
/// `vm.expectEmit(receiver)` to prove the message really arrived.
interface IBenchReceiverEvents {
    /// @notice Emitted by a benchmark receiver when it is handed a message.
    /// @param bodyHash keccak256 of the delivered body.
    event BenchMessageReceived(bytes32 indexed bodyHash);
}

/// @title BenchBase
/// @notice Shared helper for every gas benchmark under test/bench: full-transaction gas, one row format, one JSON file
/// per test written to `bench/raw/<name>.json`, which `scripts/bench-report.mjs` merges into `bench/results.json` and
/// `bench/results.md`.
///
/// Usage (run with `forge test --isolate`):
/// ```solidity
/// contract MyBench is BenchBase {
///     function test_Bench_Mine() public {
///         gateway.sendMessage(...);                       // the call to measure, a top-level call of the test
///         _record("concord", "send_steady", "none", 0, 32, _lastTxGas());
///         _writeRows("concord-gateway");                  // -> bench/raw/concord-gateway.json
///     }
/// }
/// ```
///
/// Method (established by `CompetitorsMethodTest` in Competitors.t.sol, which asserts it on every run): under
/// `forge test --isolate` every top-level call of the test contract is its own transaction, and
/// `vm.lastCallGas().gasTotalUsed` is that transaction's receipt gas: 21,000 + calldata (EIP-2028) + execution - refund,
/// with the EIP-7623 calldata floor applied. `_lastTxGas()` returns it and refuses to run without `--isolate`.
/// `txGas(calldata, execGas)` computes the same total from an execution-gas figure, for callers that only have one.
///
/// Row vocabulary (the merge script matches rows on scenario + threshold + payloadBytes):
/// - system: `concord`, `hyperlane`, `layerzero`, `floor`.
/// - scenario: `send_first` (first message of a sender on a fresh deployment), `send_steady` (a later message),
///   `deliver_multisig` (k-of-n signatures over the message id), `deliver_merkle_root` (k-of-n signatures over a
///   Merkle root + inclusion proof), `deliver_trust_all` (verifier that accepts everything: transport overhead),
///   `deliver_batch10_per_message` (a batch of 10, gas divided by 10). Deliveries are steady state (not the first
///   message on the path) unless the scenario says `_first`.
/// - verifier: free text naming the contracts (e.g. `StaticMessageIdMultisigIsm`), `none` for sends.
/// - threshold: k of k-of-n (0 for sends and trust-all). payloadBytes: body length in bytes.
/// - gas: full transaction gas; a delivery that takes several transactions (LayerZero) is their sum.
abstract contract BenchBase is Test, IBenchReceiverEvents {
    /// @notice One measured figure.
    struct Row {
        string system;
        string scenario;
        string verifier;
        uint256 threshold;
        uint256 payloadBytes;
        uint256 gas;
    }

    /// @notice Thrown when a bench runs without `--isolate` (gas figures would miss intrinsic and calldata gas).
    error BenchNotIsolated(uint256 gasTotalUsedOfProbe);
    /// @notice Thrown when `_writeRows` is called with no rows recorded.
    error BenchNoRows(string name);

    /// @dev Intrinsic gas of every transaction.
    uint256 internal constant _TX_BASE_GAS = 21_000;
    /// @dev EIP-2028 calldata gas per zero / non-zero byte.
    uint256 internal constant _ZERO_BYTE_GAS = 4;
    uint256 internal constant _NONZERO_BYTE_GAS = 16;
    /// @dev EIP-7623 floor: gas per calldata token (a zero byte is 1 token, a non-zero byte 4 tokens).
    uint256 internal constant _FLOOR_GAS_PER_TOKEN = 10;
    /// @dev Order of secp256k1.
    uint256 internal constant _SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    Row[] internal _rows;
    bool private _isolationChecked;

    /// @notice Full transaction gas for calldata `calldata_` whose execution (after the intrinsic cost, net of refunds)
    /// used `execGas`: max(21,000 + 4*zero + 16*nonZero + execGas, 21,000 + 10*(zero + 4*nonZero)).
    function txGas(bytes memory calldata_, uint256 execGas) public pure returns (uint256) {
        (uint256 zeros, uint256 nonZeros) = _countBytes(calldata_);
        uint256 standard = _TX_BASE_GAS + _ZERO_BYTE_GAS * zeros + _NONZERO_BYTE_GAS * nonZeros + execGas;
        uint256 floor = _TX_BASE_GAS + _FLOOR_GAS_PER_TOKEN * (zeros + 4 * nonZeros);
        return standard > floor ? standard : floor;
    }

    /// @notice Intrinsic gas without the EIP-7623 floor: 21,000 + 4*zero + 16*nonZero.
    function intrinsicGas(bytes memory calldata_) public pure returns (uint256) {
        (uint256 zeros, uint256 nonZeros) = _countBytes(calldata_);
        return _TX_BASE_GAS + _ZERO_BYTE_GAS * zeros + _NONZERO_BYTE_GAS * nonZeros;
    }

    /// @notice EIP-7623 floor alone: 21,000 + 10*(zero + 4*nonZero).
    function floorGas(bytes memory calldata_) public pure returns (uint256) {
        (uint256 zeros, uint256 nonZeros) = _countBytes(calldata_);
        return _TX_BASE_GAS + _FLOOR_GAS_PER_TOKEN * (zeros + 4 * nonZeros);
    }

    /// @notice The benchmark validator set shared by every system: `n` deterministic keys, sorted by ascending signer
    /// address (the order Hyperlane's multisig ISMs and LayerZero's DVN multisig both require). Sign with the first k.
    function _validatorSet(uint256 n) internal pure returns (uint256[] memory keys, address[] memory signers) {
        keys = new uint256[](n);
        signers = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            keys[i] = uint256(keccak256(abi.encode("concord.bench.validator", i))) % _SECP256K1_N;
            signers[i] = vm.addr(keys[i]);
        }
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && signers[j - 1] > signers[j]; --j) {
                (signers[j - 1], signers[j]) = (signers[j], signers[j - 1]);
                (keys[j - 1], keys[j]) = (keys[j], keys[j - 1]);
            }
        }
    }

    /// @notice The benchmark body of `length` bytes shared by every system: deterministic pseudo-random bytes (almost
    /// all non-zero, like real application payloads), so calldata pricing is the same for every system.
    function _payload(uint256 length) internal pure returns (bytes memory body) {
        body = new bytes(length);
        for (uint256 i = 0; i < length; i += 32) {
            bytes32 word = keccak256(abi.encode("concord.bench.payload", i));
            for (uint256 j = 0; j < 32 && i + j < length; ++j) {
                body[i + j] = word[j];
            }
        }
    }

    /// @notice 65-byte (r, s, v) signature of `digest` by `key`.
    function _sign(uint256 key, bytes32 digest) internal pure virtual returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @notice Full transaction gas of the last top-level call (receipt gas under `--isolate`).
    function _lastTxGas() internal returns (uint256) {
        uint256 gasUsed = vm.lastCallGas().gasTotalUsed;
        _requireIsolated();
        return gasUsed;
    }

    /// @notice Appends one row and logs it.
    function _record(
        string memory system,
        string memory scenario,
        string memory verifier,
        uint256 threshold,
        uint256 payloadBytes,
        uint256 gas
    ) internal {
        _rows.push(Row(system, scenario, verifier, threshold, payloadBytes, gas));
        console.log(
            string.concat(
                system,
                " | ",
                scenario,
                " | ",
                verifier,
                " | k=",
                vm.toString(threshold),
                " | ",
                vm.toString(payloadBytes),
                " B | gas ",
                vm.toString(gas)
            )
        );
    }

    /// @notice Writes every recorded row to `bench/raw/<name>.json` (a JSON array of row objects).
    function _writeRows(string memory name) internal {
        if (_rows.length == 0) revert BenchNoRows(name);
        string memory json = "[\n";
        for (uint256 i = 0; i < _rows.length; ++i) {
            Row storage r = _rows[i];
            json = string.concat(
                json,
                '  {"system": "',
                r.system,
                '", "scenario": "',
                r.scenario,
                '", "verifier": "',
                r.verifier,
                '", "threshold": ',
                vm.toString(r.threshold),
                ', "payloadBytes": ',
                vm.toString(r.payloadBytes),
                ', "gas": ',
                vm.toString(r.gas),
                i + 1 == _rows.length ? "}\n" : "},\n"
            );
        }
        json = string.concat(json, "]\n");
        vm.createDir("bench/raw", true);
        vm.writeFile(string.concat("bench/raw/", name, ".json"), json);
        console.log(string.concat("wrote bench/raw/", name, ".json"));
    }

    /// @dev Checks once per test that top-level calls run as their own transactions (intrinsic gas included): a small
    /// state-changing call under `--isolate` reports > 21,000, without it only its execution gas.
    function _requireIsolated() private {
        if (_isolationChecked) return;
        IsolationProbe probe = new IsolationProbe();
        probe.ping();
        uint256 used = vm.lastCallGas().gasTotalUsed;
        if (used < _TX_BASE_GAS) revert BenchNotIsolated(used);
        _isolationChecked = true;
    }

    function _countBytes(bytes memory data) private pure returns (uint256 zeros, uint256 nonZeros) {
        for (uint256 i = 0; i < data.length; ++i) {
            if (data[i] == 0) ++zeros;
            else ++nonZeros;
        }
    }
}

/// @title IsolationProbe
/// @notice Empty call target used by `BenchBase` to check that the run uses `--isolate`.
contract IsolationProbe {
    uint256 private _pings;

    /// @notice Counts a ping. Not `view`: forge isolates only state-changing top-level calls.
    function ping() external {
        ++_pings;
    }
}
