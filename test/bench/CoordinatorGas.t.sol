// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Vm} from "forge-std/Vm.sol";

import {FlowEscrow} from "../../contracts/coordination/FlowEscrow.sol";
import {FlowExecutor} from "../../contracts/coordination/FlowExecutor.sol";
import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {IFlowTarget} from "../../contracts/interfaces/IFlowTarget.sol";
import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {MultisigVerifierFactory} from "../../contracts/isms/MultisigVerifierFactory.sol";
import {CheckpointDigest} from "../../contracts/libraries/CheckpointDigest.sol";
import {FlowLib} from "../../contracts/libraries/FlowLib.sol";
import {BenchBase, IBenchReceiverEvents} from "../bench/BenchBase.sol";

/// @notice TEST ONLY: the flow target of the coordination bench. Does the same work as every bench receiver (hash the
/// payload, emit `BenchMessageReceived`), accepts the released native value, returns the magic value.
contract BenchFlowTarget is IFlowTarget, IBenchReceiverEvents {
    /// @inheritdoc IFlowTarget
    function onFlowExecute(bytes32, FlowLib.Flow calldata, bytes calldata payload) external payable returns (bytes4) {
        emit BenchMessageReceived(keccak256(payload));
        return IFlowTarget.onFlowExecute.selector;
    }
}

/// @notice Full-transaction gas of a coordinated flow: open on A, execute on B (which sends the OUTCOME in the same
/// transaction), the OUTCOME's arrival on A (which settles the flow), claim on A; the timeout path (expire on B, which
/// sends the OUTCOME; its arrival on A; claim); and the keeper's re-export. Run through `npm run bench`
/// (`forge test --isolate`); figures go to snapshots/Coordination.json (`vm.snapshotValue`, diffed by
/// scripts/bench-check.sh) and to the "Coordination" table of bench/results.md.
///
/// Method (same as the gateway rows, see BenchBase): every measured step is one top-level call of this contract, i.e.
/// its own transaction under `--isolate`, and `vm.lastCallGas().gasTotalUsed` is its receipt gas (21,000 + calldata
/// with the EIP-7623 floor + execution - refund). Setup: two real Concord gateways (A = 1, B = 10), each route
/// verified by a factory-deployed `MessageIdMultisigVerifier` 3-of-5 (bench validator keys, signatures over the
/// `CheckpointDigest` message-id digest), a `FlowEscrow` on A and a `FlowExecutor` on B trusted to each other, a native lane A -> B
/// and native liquidity on B; the flow escrows 1 ether plus fees on A and releases 1 ether to the target on B with a
/// 32-byte payload; no gas oracle (fees as set by the opener, not quoted).
/// Steady state: one unrelated flow stays locked throughout (so `lockedTotal` is already non-zero, as on a busy
/// coordinator), then four full round trips run first (replay-bitmap words warm; the measured messages sit at Merkle
/// tree indexes 5 on A and 4 on B, whose branch slots are already non-zero), payees are existing accounts and claim
/// periodically rather than after every flow (their owed balances are non-zero when a flow settles).
contract CoordinatorGasBench is BenchBase {
    uint32 internal constant CHAIN_A = 1;
    uint32 internal constant CHAIN_B = 10;
    uint8 internal constant THRESHOLD = 3;
    uint256 internal constant VALIDATORS = 5;
    uint256 internal constant AMOUNT = 1 ether;
    uint32 internal constant EXECUTION_GAS = 100_000;
    uint256 internal constant PAYLOAD_BYTES = 32;
    string internal constant GROUP = "Coordination";

    AccessManager internal manager;
    ConcordGateway internal gwA;
    ConcordGateway internal gwB;
    FlowEscrow internal cA;
    FlowExecutor internal cB;
    BenchFlowTarget internal target;
    uint256[] internal keys;

    address internal refundTo = makeAddr("refundTo");
    address internal beneficiary = makeAddr("beneficiary");
    address internal feeRecipient = makeAddr("feeRecipient");

    function setUp() public {
        vm.warp(1_700_000_000);
        manager = new AccessManager(address(this));
        gwA = new ConcordGateway(CHAIN_A, address(manager), 200_000, 64 * 1024);
        gwB = new ConcordGateway(CHAIN_B, address(manager), 200_000, 64 * 1024);
        MultisigVerifierFactory factory = new MultisigVerifierFactory();
        address[] memory signers;
        (keys, signers) = _validatorSet(VALIDATORS);
        _route(factory, gwA, gwB, signers);
        _route(factory, gwB, gwA, signers);
        cA = new FlowEscrow(address(gwA), CHAIN_A, address(manager), 7 days);
        cB = new FlowExecutor(address(gwB), CHAIN_B, address(manager), 14 days);
        cA.setRemote(CHAIN_B, address(cB));
        cB.setRemote(CHAIN_A, address(cA));
        cA.setLane(CHAIN_B, address(0), address(0), beneficiary);
        cB.setLane(CHAIN_A, address(0), address(0), beneficiary);
        target = new BenchFlowTarget();
        vm.deal(address(cB), 100 ether);
        vm.deal(address(this), 1000 ether);
        // Payees are existing accounts (no new-account surcharge on their first payment).
        vm.deal(refundTo, 1 wei);
        vm.deal(beneficiary, 1 wei);
    }

    /// @dev `destination` verifies messages from `origin` with a message-id multisig k-of-n.
    function _route(
        MultisigVerifierFactory factory,
        ConcordGateway origin,
        ConcordGateway destination,
        address[] memory signers
    ) internal {
        IMultisigVerifier verifier = factory.deploy(
            IMultisigVerifierFactory.Variant.MESSAGE_ID,
            IMultisigVerifier.Config({
                origin: origin.localDomain(),
                originGateway: bytes32(uint256(uint160(address(origin)))),
                localDomain: destination.localDomain(),
                threshold: THRESHOLD,
                validators: signers
            })
        );
        destination.setRoute(origin.localDomain(), address(verifier), address(origin));
    }

    // ------------------------------------------------------------------------------------------ helpers

    /// @dev A flow request built field by field (robust to fields appended to `FlowLib.Flow`).
    function _request(uint64 deadline) internal view returns (FlowLib.Flow memory f) {
        f.destinationDomain = CHAIN_B;
        f.executor = address(cB);
        f.target = address(target);
        f.amount = AMOUNT;
        f.maxValue = AMOUNT;
        f.deadline = deadline;
        f.executionGas = EXECUTION_GAS;
        f.refundTo = refundTo;
        f.beneficiary = beneficiary;
        f.feeRecipient = feeRecipient;
        f.executionFee = 0.002 ether;
        f.ackFee = 0.001 ether;
        f.timeoutFee = 0.002 ether;
    }

    /// @dev The one message dispatched by `gw` since `vm.recordLogs()`.
    function _dispatched(ConcordGateway gw) internal returns (bytes memory message) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 found;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(gw) && logs[i].topics[0] == IConcordGateway.Dispatched.selector) {
                message = abi.decode(logs[i].data, (bytes));
                ++found;
            }
        }
        assertEq(found, 1, "one message dispatched");
    }

    /// @dev 3-of-5 message-id metadata for `message` sent by `origin` with nonce `nonce`.
    function _metadata(ConcordGateway origin, bytes memory message, uint32 nonce)
        internal
        view
        returns (bytes memory m)
    {
        bytes32 digest = CheckpointDigest.digest(
            origin.localDomain(),
            bytes32(uint256(uint160(address(origin)))),
            CheckpointDigest.KIND_MESSAGE_ID,
            keccak256(message),
            nonce
        );
        for (uint256 i = 0; i < THRESHOLD; ++i) {
            m = bytes.concat(m, _sign(keys[i], digest));
        }
    }

    /// @dev Records `gas` as `label` in the Coordination snapshot (and logs it).
    function _snap(string memory label, uint256 gas) internal {
        _record("concord", label, "MessageIdMultisigVerifier", THRESHOLD, PAYLOAD_BYTES, gas);
        vm.snapshotValue(GROUP, label, gas);
    }

    /// @dev Opens a flow from this contract; returns the opened flow and the EXECUTE message (and its nonce).
    function _open(FlowLib.Flow memory req, bytes memory payload)
        internal
        returns (FlowLib.Flow memory flow, bytes memory message, uint32 nonce, uint256 gas)
    {
        nonce = gwA.nonce();
        uint256 value = FlowLib.feeEscrow(req) + req.amount;
        vm.recordLogs();
        (, flow) = cA.open{value: value}(req, payload);
        gas = _lastTxGas();
        message = _dispatched(gwA);
    }

    /// @dev Exports `flow`'s outcome again on B (the keeper's re-export); returns the OUTCOME message (and its nonce).
    function _export(FlowLib.Flow memory flow) internal returns (bytes memory message, uint32 nonce, uint256 gas) {
        nonce = gwB.nonce();
        vm.recordLogs();
        cB.exportOutcome(flow, 0);
        gas = _lastTxGas();
        message = _dispatched(gwB);
    }

    /// @dev One executed round trip: open, execute on B (the OUTCOME leaves in the same transaction), the OUTCOME on A
    /// (settles); snapshots the gas of each step when `measure`.
    function _roundTrip(bool measure) internal {
        bytes memory payload = _payload(PAYLOAD_BYTES);
        (FlowLib.Flow memory flow, bytes memory execute, uint32 nonceA, uint256 gasOpen) =
            _open(_request(uint64(block.timestamp + 1 hours)), payload);
        bytes32 id = FlowLib.id(flow);
        bytes memory metadata = _metadata(gwA, execute, nonceA);
        uint256 targetBalance = address(target).balance;

        uint32 nonceB = gwB.nonce();
        vm.expectEmit(address(target));
        emit BenchMessageReceived(keccak256(payload));
        vm.recordLogs();
        gwB.process(metadata, execute);
        uint256 gasExecute = _lastTxGas();
        bytes memory outcome = _dispatched(gwB);
        assertEq(uint8(cB.record(id).status), uint8(FlowLib.Status.EXECUTED), "executed on B");
        assertEq(address(target).balance, targetBalance + AMOUNT, "value released on B");

        uint256 owedBefore = cA.owed(beneficiary, address(0));
        gwA.process(_metadata(gwB, outcome, nonceB), outcome);
        uint256 gasOutcome = _lastTxGas();
        assertEq(uint8(cA.record(id).phase), uint8(FlowLib.Phase.SETTLED), "settled on A");
        assertEq(cA.owed(beneficiary, address(0)), owedBefore + AMOUNT, "beneficiary credited");

        if (!measure) return;
        _snap("open_native", gasOpen);
        _snap("execute", gasExecute);
        _snap("outcome", gasOutcome);
        // The keeper's re-export of a decided flow (A ignores the copy).
        (,, uint256 gasExport) = _export(flow);
        _snap("export_outcome", gasExport);
    }

    /// @dev Four unmeasured round trips after the locked flow: the next messages are A's index 5 and B's index 4.
    function _warmUp() internal {
        for (uint256 i = 0; i < 4; ++i) {
            _roundTrip(false);
        }
        assertEq(gwA.nonce(), 5, "A: next tree index");
        assertEq(gwB.nonce(), 4, "B: next tree index");
    }

    // ------------------------------------------------------------------------------------------ benches

    /// @notice open on A -> execute on B (sends the OUTCOME) -> OUTCOME on A (settles) -> claim on A.
    function test_Gas_Coordination_Executed() public {
        // An unrelated flow that stays locked (steady `lockedTotal`), then two warm-up round trips.
        (FlowLib.Flow memory first,,, uint256 gasFirst) =
            _open(_request(uint64(block.timestamp + 6 hours)), _payload(PAYLOAD_BYTES));
        _snap("open_native_first", gasFirst);
        _warmUp();
        _roundTrip(true);

        uint256 owed = cA.owed(beneficiary, address(0));
        uint256 balance = beneficiary.balance;
        cA.claim(beneficiary, address(0));
        _snap("claim", _lastTxGas());
        assertEq(beneficiary.balance, balance + owed, "beneficiary paid");
        assertEq(uint8(cA.record(FlowLib.id(first)).phase), uint8(FlowLib.Phase.LOCKED));
    }

    /// @notice The timeout path: open -> (EXECUTE never delivered) -> expire on B after T (sends the OUTCOME) ->
    /// OUTCOME EXPIRED on A (settles: refund and timeout fee credited) -> claim the refund on A.
    function test_Gas_Coordination_Expired() public {
        _open(_request(uint64(block.timestamp + 6 hours)), _payload(PAYLOAD_BYTES)); // stays locked
        _warmUp();
        (FlowLib.Flow memory flow,,,) = _open(_request(uint64(block.timestamp + 1 hours)), _payload(PAYLOAD_BYTES));
        bytes32 id = FlowLib.id(flow);
        vm.warp(flow.deadline + 1);

        uint32 nonceB = gwB.nonce();
        vm.recordLogs();
        cB.expire(flow);
        uint256 gasExpire = _lastTxGas();
        bytes memory outcome = _dispatched(gwB);
        assertEq(uint8(cB.record(id).status), uint8(FlowLib.Status.EXPIRED), "expired on B");

        gwA.process(_metadata(gwB, outcome, nonceB), outcome);
        uint256 gasOutcome = _lastTxGas();
        assertEq(uint8(cA.record(id).outcome), uint8(FlowLib.Status.EXPIRED), "outcome recorded on A");
        assertEq(uint8(cA.record(id).phase), uint8(FlowLib.Phase.SETTLED), "settled on A");
        uint256 refund = AMOUNT + FlowLib.feeEscrow(flow) - flow.timeoutFee;
        assertEq(cA.owed(refundTo, address(0)), refund, "refund credited");

        cA.claim(refundTo, address(0));
        uint256 gasClaim = _lastTxGas();
        assertEq(refundTo.balance, 1 wei + refund, "refund paid");

        _snap("expire", gasExpire);
        _snap("outcome_expired", gasOutcome);
        _snap("claim_refund", gasClaim);
    }
}
