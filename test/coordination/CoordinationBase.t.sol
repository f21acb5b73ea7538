// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";

import {FlowEscrow} from "../../contracts/coordination/FlowEscrow.sol";
import {FlowExecutor} from "../../contracts/coordination/FlowExecutor.sol";
import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {IFlowEscrow} from "../../contracts/interfaces/IFlowEscrow.sol";
import {IFlowExecutor} from "../../contracts/interfaces/IFlowExecutor.sol";
import {IFlowTarget} from "../../contracts/interfaces/IFlowTarget.sol";
import {FlowLib} from "../../contracts/libraries/FlowLib.sol";
import {Message} from "../../contracts/libraries/Message.sol";
import {MockTrustAllVerifier} from "../../contracts/mocks/MockTrustAllVerifier.sol";

/// @notice TEST ONLY: a mintable ERC-20.
contract FlowTestToken is ERC20 {
    constructor() ERC20("Flow Test", "FLT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice TEST ONLY: a flow target whose behaviour the test chooses; counts executions per flow.
contract FlowTargetMock is IFlowTarget {
    enum Mode {
        ACCEPT,
        REVERT,
        BURN_GAS,
        WRONG_MAGIC,
        REENTER,
        PULL
    }

    Mode public mode;
    uint256 public pullAmount;
    mapping(bytes32 flowId => uint256 count) public executions;
    mapping(bytes32 flowId => uint256 value) public received;
    uint256 public totalExecutions;
    bool public reentryBlocked;

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function setPull(uint256 amount) external {
        pullAmount = amount;
    }

    function onFlowExecute(bytes32 flowId, FlowLib.Flow calldata flow, bytes calldata payload)
        external
        payable
        returns (bytes4)
    {
        if (mode == Mode.REVERT) revert("target failed");
        if (mode == Mode.BURN_GAS) {
            while (true) {}
        }
        if (mode == Mode.WRONG_MAGIC) return bytes4(0xdeadbeef);
        if (mode == Mode.REENTER) {
            // Every status-changing entry point must be locked while the target runs.
            (bool a,) = msg.sender.call(abi.encodeCall(IFlowExecutor.expire, (flow)));
            (bool b,) = msg.sender.call(abi.encodeCall(IFlowExecutor.exportOutcome, (flow, 0)));
            (bool c,) = msg.sender.call(abi.encodeCall(IFlowExecutor.retryExecution, (flow, payload)));
            reentryBlocked = !a && !b && !c;
        }
        if (mode == Mode.PULL && pullAmount != 0) {
            IERC20(flow.destinationAsset).transferFrom(msg.sender, address(this), pullAmount);
            received[flowId] += pullAmount;
        }
        received[flowId] += msg.value;
        ++executions[flowId];
        ++totalExecutions;
        return IFlowTarget.onFlowExecute.selector;
    }
}

/// @notice TEST ONLY: a payee that re-enters the escrow when paid (claim and settle again).
contract ReentrantPayee {
    FlowEscrow public escrow;
    FlowLib.Flow internal _flow;
    bool public armed;
    uint256 public receipts;
    uint256 public reentrySuccesses;

    function arm(FlowEscrow e, FlowLib.Flow memory flow) external {
        escrow = e;
        _flow = flow;
        armed = true;
    }

    receive() external payable {
        ++receipts;
        if (!armed) return;
        (bool a,) = address(escrow).call(abi.encodeCall(IFlowEscrow.claim, (address(this), address(0))));
        (bool b,) = address(escrow).call(abi.encodeCall(IFlowEscrow.settle, (_flow)));
        if (a) ++reentrySuccesses;
        if (b) ++reentrySuccesses;
    }
}

/// @notice TEST ONLY: a payee that rejects native payments.
contract RevertingPayee {
    receive() external payable {
        revert("no");
    }
}

/// @notice Shared fixture of the coordination tests: two real Concord gateways (domains A and B) in one EVM with
/// trust-all verifiers, a FlowEscrow on A (`cA`) and a FlowExecutor on B (`cB`), trusted to each other, B funded with
/// native liquidity. Two clocks: `tA` and `tB`; each helper warps to its domain's clock before touching that domain
/// (the contracts only read `block.timestamp` when called, so this models two independent clocks).
abstract contract CoordinationBase is Test {
    uint32 internal constant CHAIN_A = 1;
    uint32 internal constant CHAIN_B = 10;
    uint32 internal constant CHAIN_C = 8453;
    uint64 internal constant HORIZON = 7 days;
    uint256 internal constant AMOUNT = 1 ether;
    uint256 internal constant LIQUIDITY = 100 ether;
    uint32 internal constant EXEC_GAS = 200_000;
    /// @dev B's route delay (B's routes only carry outcomes towards A, which checks its own delay).
    uint64 internal constant ROUTE_DELAY_B = 2 * HORIZON;

    AccessManager internal manager;
    MockTrustAllVerifier internal trustAll;
    ConcordGateway internal gwA;
    ConcordGateway internal gwB;
    FlowEscrow internal cA;
    FlowExecutor internal cB;
    FlowTargetMock internal target;

    address internal opener = makeAddr("opener");
    address internal refundTo = makeAddr("refundTo");
    address internal beneficiary = makeAddr("beneficiary");
    address internal feeRecipient = makeAddr("feeRecipient");
    address internal stranger = makeAddr("stranger");

    /// @dev Nonces of forged messages (far from the real gateways' nonces).
    uint32 internal _forgeNonce = 1_000_000;

    uint256 internal tA = 1_700_000_000;
    uint256 internal tB = 1_700_000_000;

    function setUp() public virtual {
        vm.warp(tA);
        manager = new AccessManager(address(this));
        trustAll = new MockTrustAllVerifier();
        gwA = new ConcordGateway(CHAIN_A, address(manager), 200_000, 8192);
        gwB = new ConcordGateway(CHAIN_B, address(manager), 200_000, 8192);
        // Routes (trust-all): A <-> B, and CHAIN_C on both for messages forged from a third chain.
        _route(gwB, CHAIN_A, address(gwA));
        _route(gwA, CHAIN_B, address(gwB));
        _route(gwA, CHAIN_C, makeAddr("gwC"));
        _route(gwB, CHAIN_C, makeAddr("gwC"));
        cA = _deployEscrow(gwA, CHAIN_A);
        cB = new FlowExecutor(address(gwB), CHAIN_B, address(manager), ROUTE_DELAY_B);
        cA.setRemote(CHAIN_B, address(cB));
        cB.setRemote(CHAIN_A, address(cA));
        _lane(cA, CHAIN_B, cB, address(0), address(0), beneficiary);
        target = new FlowTargetMock();
        vm.deal(address(cB), LIQUIDITY);
        vm.deal(opener, 1000 ether);
    }

    /// @dev Enrolls `origin` on `destination` with a trust-all verifier bound to `originGateway` (a new one: a
    /// verifier authenticates one origin gateway per origin).
    function _route(ConcordGateway destination, uint32 origin, address originGateway) internal {
        MockTrustAllVerifier verifier = new MockTrustAllVerifier();
        verifier.setOriginGateway(origin, originGateway);
        destination.setRoute(origin, address(verifier), originGateway);
    }

    function _deployEscrow(ConcordGateway gw, uint32 domain) internal virtual returns (FlowEscrow) {
        return new FlowEscrow(address(gw), domain, address(manager), HORIZON);
    }

    /// @dev Opens the lane `assetOnA` (on `a`) -> `assetOnB` (on `b`, domain `domainB`) on both sides, with `lp` (on
    /// A) as the beneficiary of executed flows.
    function _lane(FlowEscrow a, uint32 domainB, FlowExecutor b, address assetOnA, address assetOnB, address lp)
        internal
    {
        a.setLane(domainB, assetOnA, assetOnB, lp);
        b.setLane(a.localDomain(), assetOnB, assetOnA, lp);
    }

    // ------------------------------------------------------------------ clocks

    function _atA() internal {
        vm.warp(tA);
    }

    function _atB() internal {
        vm.warp(tB);
    }

    // ------------------------------------------------------------------ flows

    function _request(uint64 deadline) internal view returns (FlowLib.Flow memory f) {
        f.destinationDomain = CHAIN_B;
        f.executor = address(cB);
        f.target = address(target);
        f.amount = AMOUNT;
        f.maxValue = AMOUNT;
        f.deadline = deadline;
        f.executionGas = EXEC_GAS;
        f.refundTo = refundTo;
        f.beneficiary = beneficiary;
    }

    /// @dev Opens `req` on A at A's clock, as `opener`; returns the id, the opened flow and the EXECUTE message.
    function _open(FlowLib.Flow memory req, bytes memory payload)
        internal
        returns (bytes32 id, FlowLib.Flow memory flow, bytes memory message)
    {
        _atA();
        uint256 value = FlowLib.feeEscrow(req) + (req.asset == address(0) ? req.amount : 0);
        vm.recordLogs();
        vm.prank(opener);
        (id, flow) = cA.open{value: value}(req, payload);
        message = _lastDispatched();
    }

    function _openDefault() internal returns (bytes32 id, FlowLib.Flow memory flow, bytes memory message) {
        return _open(_request(uint64(tA + 1 hours)), "hello");
    }

    /// @dev The last `Dispatched` message in the recorded logs.
    function _lastDispatched() internal returns (bytes memory message) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == IConcordGateway.Dispatched.selector) {
                message = abi.decode(logs[i].data, (bytes));
            }
        }
        require(message.length != 0, "no message dispatched");
    }

    /// @dev Delivers an A -> B message on B at B's clock; returns the OUTCOME B sent in the same transaction (empty
    /// when the flow is not decided yet, e.g. PENDING).
    function _deliverB(bytes memory message) internal returns (bytes memory outcome) {
        _atB();
        vm.recordLogs();
        gwB.process("", message);
        outcome = _dispatchedOrEmpty();
    }

    /// @dev The last `Dispatched` message in the recorded logs, or empty.
    function _dispatchedOrEmpty() internal returns (bytes memory message) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == IConcordGateway.Dispatched.selector) {
                message = abi.decode(logs[i].data, (bytes));
            }
        }
    }

    /// @dev Delivers a B -> A message on A at A's clock.
    function _deliverA(bytes memory message) internal {
        _atA();
        gwA.process("", message);
    }

    /// @dev Exports the outcome again on B at B's clock and returns the OUTCOME message (B already sent one in the
    /// transaction that decided the flow; this is the re-export anyone may do).
    function _export(FlowLib.Flow memory flow) internal returns (bytes memory message) {
        _atB();
        vm.recordLogs();
        cB.exportOutcome(flow, 0);
        message = _lastDispatched();
    }

    /// @dev Expires on B at B's clock; returns the OUTCOME sent in the same transaction.
    function _expireB(FlowLib.Flow memory flow) internal returns (bytes memory outcome) {
        _atB();
        vm.recordLogs();
        cB.expire(flow);
        outcome = _lastDispatched();
    }

    /// @dev Cancels on A (as the opener) and returns the CANCEL message.
    function _cancel(FlowLib.Flow memory flow) internal returns (bytes memory message) {
        _atA();
        vm.recordLogs();
        vm.prank(opener);
        cA.cancel(flow);
        message = _lastDispatched();
    }

    /// @dev A message forged as coming from (`origin`, `sender`) to `recipient` (trust-all verifiers accept
    /// any bytes, so this models a compromised or misrouted transport).
    function _forge(uint32 origin, address sender, uint32 destination, address recipient, bytes memory payload)
        internal
        returns (bytes memory)
    {
        return Message.format(
            Message.VERSION,
            _forgeNonce++,
            origin,
            bytes32(uint256(uint160(sender))),
            destination,
            bytes32(uint256(uint160(recipient))),
            Message.formatBody(500_000, payload)
        );
    }

    function _statusB(bytes32 id) internal view returns (FlowLib.Status) {
        return cB.record(id).status;
    }

    function _phaseA(bytes32 id) internal view returns (FlowLib.Phase) {
        return cA.record(id).phase;
    }

    function _assertStatusB(bytes32 id, FlowLib.Status expected) internal view {
        assertEq(uint8(_statusB(id)), uint8(expected), "B status");
    }

    function _assertPhaseA(bytes32 id, FlowLib.Phase expected) internal view {
        assertEq(uint8(_phaseA(id)), uint8(expected), "A phase");
    }

    function _assertGatewayStatus(ConcordGateway gw, bytes memory message, IConcordGateway.MessageStatus expected)
        internal
        view
    {
        assertEq(uint8(gw.status(message)), uint8(expected), "gateway status");
    }
}
