// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";
import {console} from "forge-std/console.sol";

import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {MockNoopRecipient} from "../../contracts/mocks/MockNoopRecipient.sol";
import {MockTrustAllVerifier} from "../../contracts/mocks/MockTrustAllVerifier.sol";

/// @dev A no-op ERC-7786 recipient that names its own verifier (the gateway's named-verifier path).
contract NamedVerifierNoopRecipient is MockNoopRecipient {
    address internal immutable _VERIFIER;

    constructor(address verifier_) {
        _VERIFIER = verifier_;
    }

    function interchainSecurityModule() external view returns (address) {
        return _VERIFIER;
    }
}

/// @dev Calibration target: an empty function, to check what `vm.lastCallGas()` includes.
contract GasCalibration {
    function noop(bytes calldata) external {}
}

/// @notice Full-transaction gas of the gateway's hot paths. Run:
/// `forge test --isolate --match-path test/bench/GatewayGas.t.sol -vv`
/// Method: under `--isolate` every top-level call from the test is its own transaction. `vm.lastCallGas()`
/// reports that call's execution gas only (the calibration test asserts this: an empty function reports
/// < 1,000), so the bench adds the intrinsic part itself:
///   total = 21,000 + max(4 * tokens + execution - refund, 10 * tokens)      (EIP-2028 + EIP-7623 floor)
///   tokens = zeroBytes + 4 * nonZeroBytes of the transaction's calldata,  refund <= gasUsed / 5 (EIP-3529).
/// Figures go to snapshots/ConcordGateway.json (`vm.snapshotValue`), committed and compared in CI.
contract GatewayGasBench is Test {
    uint32 internal constant ORIGIN = 1; // Ethereum
    uint32 internal constant LOCAL = 10; // OP Mainnet
    uint32 internal constant GAS_LIMIT = 200_000;

    AccessManager internal manager;
    MockTrustAllVerifier internal verifier;
    ConcordGateway internal source; // domain ORIGIN
    ConcordGateway internal gateway; // domain LOCAL
    MockNoopRecipient internal recipient;

    function setUp() public {
        manager = new AccessManager(address(this));
        verifier = new MockTrustAllVerifier();
        source = new ConcordGateway(ORIGIN, address(manager), GAS_LIMIT, 64 * 1024);
        gateway = new ConcordGateway(LOCAL, address(manager), GAS_LIMIT, 64 * 1024);
        recipient = new MockNoopRecipient();
        // Production shape: the origin's route is enrolled with its verifier.
        verifier.setOriginGateway(ORIGIN, address(source));
        gateway.setRoute(ORIGIN, address(verifier), address(source));
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    function _payload(uint256 size, uint256 salt) internal pure returns (bytes memory p) {
        p = new bytes(size);
        for (uint256 i = 0; i < size; i += 32) {
            bytes32 word = keccak256(abi.encode(salt, i));
            for (uint256 j = 0; j < 32 && i + j < size; ++j) {
                p[i + j] = word[j];
            }
        }
    }

    function _tokens(bytes memory data) internal pure returns (uint256 tokens) {
        for (uint256 i = 0; i < data.length; ++i) {
            tokens += data[i] == 0 ? 1 : 4;
        }
    }

    /// @dev Full transaction gas of the last call. Under --isolate `gasTotalUsed` already is the transaction's
    /// gas (21,000 + calldata with the EIP-7623 floor + execution - refund), see test_Gas_Calibration; the
    /// execution part is derived by subtracting the intrinsic cost.
    function _txGas(bytes memory callData) internal view returns (uint256 total, uint256 execution) {
        total = vm.lastCallGas().gasTotalUsed;
        uint256 intrinsic = 21_000 + 4 * _tokens(callData);
        execution = total > intrinsic ? total - intrinsic : 0;
    }

    function _record(string memory label, bytes memory callData) internal returns (uint256 total) {
        uint256 execution;
        (total, execution) = _txGas(callData);
        console.log(string.concat(label, ": total / execution"), total, execution);
        vm.snapshotValue("ConcordGateway", label, total);
    }

    function _dispatch(uint256 size, uint256 salt) internal returns (bytes memory callData, bytes memory message) {
        return _dispatchTo(address(recipient), size, salt);
    }

    function _dispatchTo(address target, uint256 size, uint256 salt)
        internal
        returns (bytes memory callData, bytes memory message)
    {
        bytes memory payload = _payload(size, salt);
        bytes32 to = bytes32(uint256(uint160(target)));
        callData = abi.encodeWithSignature("dispatch(uint32,bytes32,bytes)", LOCAL, to, payload);
        vm.recordLogs();
        source.dispatch(LOCAL, to, payload);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        message = abi.decode(logs[logs.length - 1].data, (bytes));
    }

    function _process(bytes memory message) internal returns (bytes memory callData) {
        callData = abi.encodeCall(gateway.process, (bytes(""), message));
        gateway.process("", message);
    }

    // ---------------------------------------------------------------------------------------------
    // Benchmarks
    // ---------------------------------------------------------------------------------------------

    /// @notice Pins what `lastCallGas` reports under --isolate: the full transaction gas. An empty call with 32 zero
    /// bytes costs 21,000 + 4 * tokens + a few hundred; a call with 10,000 zero bytes costs exactly the EIP-7623
    /// floor 21,000 + 10 * tokens. Fails (so the bench is void) when run without --isolate.
    function test_Gas_Calibration() public {
        GasCalibration c = new GasCalibration();
        bytes memory small = new bytes(32);
        c.noop(small);
        uint256 used = vm.lastCallGas().gasTotalUsed;
        uint256 t = _tokens(abi.encodeCall(c.noop, (small)));
        console.log("calibration, 32 zero bytes: gasTotalUsed / 21,000 + 4 * tokens", used, 21_000 + 4 * t);
        assertGt(used, 21_000 + 4 * t, "run the bench with --isolate");
        assertLt(used, 21_000 + 4 * t + 1000, "lastCallGas semantics changed");
        bytes memory big = new bytes(10_000);
        c.noop(big);
        used = vm.lastCallGas().gasTotalUsed;
        t = _tokens(abi.encodeCall(c.noop, (big)));
        console.log("calibration, 10,000 zero bytes: gasTotalUsed / EIP-7623 floor", used, 21_000 + 10 * t);
        assertEq(used, 21_000 + 10 * t, "EIP-7623 floor not applied");
    }

    function test_Gas_Dispatch() public {
        console.log("== ConcordGateway.dispatch (full tx gas: 21,000 + calldata/EIP-7623 floor + execution) ==");
        bytes memory cd;
        (cd,) = _dispatch(32, 0);
        _record("dispatch_32B_first", cd); // nonce slot already non-zero (filter/default verifier bits)
        (cd,) = _dispatch(32, 1);
        _record("dispatch_32B_second_new_tree_level", cd); // index 1: branch[1] written for the first time
        (cd,) = _dispatch(32, 2);
        _record("dispatch_32B_steady", cd); // index 2: writes branch[0], already non-zero
        for (uint256 i = 3; i < 128; ++i) {
            _dispatch(32, i);
        }
        // Amortized over indices 128..254 (tree sizes 129..255): every tree shape below level 8 and no
        // first-time branch write (those happen once per level, at sizes 2**k).
        uint256 sum;
        uint256 maxGas;
        uint256 minGas = type(uint256).max;
        for (uint256 i = 128; i < 255; ++i) {
            (cd,) = _dispatch(32, i);
            (uint256 total,) = _txGas(cd);
            sum += total;
            if (total > maxGas) maxGas = total;
            if (total < minGas) minGas = total;
        }
        console.log("dispatch_32B_amortized mean / min / max", sum / 127, minGas, maxGas);
        vm.snapshotValue("ConcordGateway", "dispatch_32B_amortized_mean", sum / 127);
        vm.snapshotValue("ConcordGateway", "dispatch_32B_amortized_min", minGas);
        vm.snapshotValue("ConcordGateway", "dispatch_32B_amortized_max", maxGas);
        _dispatch(32, 255); // size 256: first write of branch[8], not measured
        (cd,) = _dispatch(1024, 999); // index 256, size 257: writes branch[0] (non-zero), the steady shape
        _record("dispatch_1KiB_steady", cd);
    }

    function test_Gas_Process() public {
        console.log("== ConcordGateway.process, trust-all verifier, no-op recipient (full tx gas) ==");
        bytes[] memory messages = new bytes[](6);
        for (uint256 i = 0; i < 5; ++i) {
            (, messages[i]) = _dispatch(32, i);
        }
        (, messages[5]) = _dispatch(1024, 5);
        // Enrolled route with its verifier (production shape): ONE config slot read.
        _record("process_32B_first", _process(messages[0])); // receipt word 0 -> non-zero (20,000 more)
        _record("process_32B_steady", _process(messages[1]));
        _record("process_1KiB_steady", _process(messages[5]));
    }

    /// @notice The named-verifier path: the recipient names its own verifier (another trust-all instance bound to
    /// the same origin gateway). Its record is keyed by message id (a fresh slot: 22,100) plus the CLAIMED hint in the
    /// receipt word, and the gateway asks the named verifier which origin gateway it authenticates.
    function test_Gas_ProcessNamedVerifier() public {
        console.log("== ConcordGateway.process, verifier named by the recipient (full tx gas) ==");
        MockTrustAllVerifier named = new MockTrustAllVerifier();
        named.setOriginGateway(ORIGIN, address(source));
        NamedVerifierNoopRecipient target = new NamedVerifierNoopRecipient(address(named));
        bytes[] memory messages = new bytes[](3);
        for (uint256 i = 0; i < 3; ++i) {
            (, messages[i]) = _dispatchTo(address(target), 32, i);
        }
        _record("process_named_32B_first", _process(messages[0])); // receipt word 0 -> non-zero as well
        _record("process_named_32B_steady", _process(messages[1]));
        // The route path after a named delivery in the same receipt word: the CLAIMED hint of another nonce is not
        // read (only this nonce's bits matter), so the route path pays nothing for its neighbours' hints.
        (, bytes memory plain) = _dispatch(32, 99);
        _record("process_32B_after_named_neighbour", _process(plain));
    }
}
