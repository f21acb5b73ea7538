// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Executor} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/Executor.sol";
import {ExecutorFeeLib} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/ExecutorFeeLib.sol";
import {PriceFeed} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/PriceFeed.sol";
import {
    ExecutorConfig,
    SetDefaultExecutorConfigParam
} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/SendLibBase.sol";
import {IExecutor} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/interfaces/IExecutor.sol";
import {ILayerZeroPriceFeed} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/interfaces/ILayerZeroPriceFeed.sol";
import {SetDefaultUlnConfigParam, UlnConfig} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/UlnBase.sol";
import {DVN} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/dvn/DVN.sol";
import {DVNFeeLib} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/dvn/DVNFeeLib.sol";
import {IDVN} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/interfaces/IDVN.sol";
import {ReceiveUln302} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/uln302/ReceiveUln302.sol";
import {SendUln302} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/uln302/SendUln302.sol";
import {EndpointV2} from "@layerzerolabs/lz-evm-protocol-v2/contracts/EndpointV2.sol";
import {
    MessagingFee,
    MessagingParams
} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {console} from "forge-std/console.sol";

import {AdapterEnvelope} from "../../contracts/adapters/AdapterEnvelope.sol";
import {LayerZeroAdapter} from "../../contracts/adapters/layerzero/LayerZeroAdapter.sol";
import {FlowEscrow} from "../../contracts/coordination/FlowEscrow.sol";
import {FlowExecutor} from "../../contracts/coordination/FlowExecutor.sol";
import {IConcordAdapter} from "../../contracts/interfaces/IConcordAdapter.sol";
import {IFlowTarget} from "../../contracts/interfaces/IFlowTarget.sol";
import {FlowLib} from "../../contracts/libraries/FlowLib.sol";
import {LayerZeroFixture} from "../adapters/LayerZeroAdapter/LayerZeroFixture.sol";
import {BenchBase} from "./BenchBase.sol";
import {BenchConcordRecipient, BenchOApp} from "./BenchReceivers.sol";

/// @notice A flow target that burns a set amount of gas (then accepts the flow and its value).
contract GasBurnerTarget is IFlowTarget {
    uint256 public burn;

    /// @notice Sets the gas `onFlowExecute` burns.
    function setBurn(uint256 burn_) external {
        burn = burn_;
    }

    /// @inheritdoc IFlowTarget
    function onFlowExecute(bytes32, FlowLib.Flow calldata, bytes calldata) external payable returns (bytes4) {
        uint256 left = gasleft();
        uint256 stop = left > burn ? left - burn : 0;
        while (gasleft() > stop) {}
        return IFlowTarget.onFlowExecute.selector;
    }
}

/// @notice Issue 16: the LayerZero adapter against LayerZero used directly by a plain OApp, side by side in one run,
/// full transaction gas (`forge test --isolate --match-path test/bench/AdapterLayerZeroGas.t.sol -vv`). Both sides
/// use the same production LayerZero contracts (the protocol and messagelib packages, not the test kit's copies,
/// whose send library also stores every packet for the kit): EndpointV2 + SendUln302 + Executor and ExecutorFeeLib +
/// DVN and DVNFeeLib + PriceFeed on A; EndpointV2 + ReceiveUln302 + a 1-of-1 DVN on B; the same payload, the same
/// lzReceive gas option and the same recipient work (hash the payload, emit one event). Send: `adapter.sendMessage`
/// (ERC-7786, quoting and paying the quote exactly in the transaction) against an OApp's `_lzSend` paying a fee
/// quoted beforehand. Delivery: `EndpointV2.lzReceive` (the executor's transaction) into the adapter (-> ERC-7786
/// recipient) against `EndpointV2.lzReceive` into a plain OApp receiver; the DVN's `verify` and the
/// `commitVerification` transactions carry only the packet header and payload hash and are measured too. Each pair
/// is measured from the same state (snapshot, measure, revert), steady state: neither the adapter's nonce nor its
/// replay word nor the endpoint's path nonces are fresh. The delivery of the first message of a 256-nonce replay
/// word (a fresh slot) is reported apart. Snapshot group `AdapterLayerZero` (snapshots/AdapterLayerZero.json).
contract AdapterLayerZeroGasBench is BenchBase, LayerZeroFixture {
    /// @notice Thrown when a measured call did not leave the expected state.
    error AdapterLayerZeroBenchFailed(string what);

    uint32 internal constant CHAIN_A = 1;
    uint32 internal constant CHAIN_B = 10;
    uint32 internal constant EID_A = 30_101;
    uint32 internal constant EID_B = 30_111;
    uint32 internal constant GAS_LIMIT = 200_000;
    string internal constant GROUP = "AdapterLayerZero";
    uint32 internal constant FLOW_EXECUTION_GAS = 100_000;
    /// @dev The EXECUTE overhead for flows toward a destination on LayerZero: the measured executor + OUTCOME leg
    /// (279,835) and a margin.
    uint32 internal constant FLOW_LZ_OVERHEAD = 300_000;

    AccessManager internal manager;
    EndpointV2 internal endpointA;
    EndpointV2 internal endpointB;
    LayerZeroAdapter internal aA;
    LayerZeroAdapter internal aB;
    BenchConcordRecipient internal viaAdapter;
    BenchOApp internal app;
    BenchOApp internal direct;
    bytes internal directOptions;

    function setUp() public override {
        super.setUp();
        _deployLayerZero();
        manager = new AccessManager(address(this));
        aA = new LayerZeroAdapter(address(endpointA), CHAIN_A, address(manager), GAS_LIMIT, address(manager));
        aB = new LayerZeroAdapter(address(endpointB), CHAIN_B, address(manager), GAS_LIMIT, address(manager));
        aA.setLayerZeroEid(CHAIN_B, EID_B);
        aA.setRemote(CHAIN_B, address(aB));
        aB.setLayerZeroEid(CHAIN_A, EID_A);
        aB.setRemote(CHAIN_A, address(aA));
        viaAdapter = new BenchConcordRecipient(address(aB));
        app = new BenchOApp(address(endpointA), address(this));
        direct = new BenchOApp(address(endpointB), address(this));
        app.setPeer(EID_B, bytes32(uint256(uint160(address(direct)))));
        direct.setPeer(EID_A, bytes32(uint256(uint160(address(app)))));
        vm.deal(address(this), 100 ether);
    }

    // ------------------------------------------------------------------------------------------ deployment

    /// @dev LayerZero's production contracts, A -> B, the DVN's signer being the fixture's test key (vid = eid B, as
    /// the fixture signs).
    function _deployLayerZero() internal {
        endpointA = new EndpointV2(EID_A, address(this));
        endpointB = new EndpointV2(EID_B, address(this));
        endpoints[EID_A] = address(endpointA);
        endpoints[EID_B] = address(endpointB);
        address receiveLib = address(new ReceiveUln302(address(endpointB)));
        address priceFeed = _priceFeed();
        _deploySendSide(endpointA, EID_A, EID_B, priceFeed);
        DVN dvnB = new DVN(EID_B, EID_B, _one(receiveLib), priceFeed, _one(vm.addr(1)), 1, _one(address(this)));
        SetDefaultUlnConfigParam[] memory ulnCfg = new SetDefaultUlnConfigParam[](1);
        ulnCfg[0] = SetDefaultUlnConfigParam(EID_A, _ulnConfig(address(dvnB)));
        ReceiveUln302(receiveLib).setDefaultUlnConfigs(ulnCfg);
        endpointB.registerLibrary(receiveLib);
        endpointB.setDefaultReceiveLibrary(EID_A, receiveLib, 0);
    }

    /// @dev LayerZero's production send side on `src` toward `dstEid`: SendUln302, an Executor and a DVN with their
    /// fee libraries, the send library made the default for `dstEid`.
    function _deploySendSide(EndpointV2 src, uint32 srcEid, uint32 dstEid, address priceFeed) internal {
        address sendLib = address(new SendUln302(address(src), 0, 0));
        Executor executor = new Executor();
        executor.initialize(address(src), address(0), _one(sendLib), priceFeed, address(this), _one(address(this)));
        executor.setWorkerFeeLib(address(new ExecutorFeeLib(srcEid, 1e18)));
        IExecutor.DstConfigParam[] memory exCfg = new IExecutor.DstConfigParam[](1);
        exCfg[0] = IExecutor.DstConfigParam(dstEid, 5000, 0, 0, 0, 1 ether);
        executor.setDstConfig(exCfg);

        DVN dvn = new DVN(srcEid, dstEid, _one(sendLib), priceFeed, _one(vm.addr(1)), 1, _one(address(this)));
        dvn.setWorkerFeeLib(address(new DVNFeeLib(srcEid, 1e18)));
        IDVN.DstConfigParam[] memory dvnCfg = new IDVN.DstConfigParam[](1);
        dvnCfg[0] = IDVN.DstConfigParam(dstEid, 50_000, 0, 0);
        dvn.setDstConfig(dvnCfg);

        SetDefaultUlnConfigParam[] memory ulnCfg = new SetDefaultUlnConfigParam[](1);
        ulnCfg[0] = SetDefaultUlnConfigParam(dstEid, _ulnConfig(address(dvn)));
        SendUln302(payable(sendLib)).setDefaultUlnConfigs(ulnCfg);
        SetDefaultExecutorConfigParam[] memory exLibCfg = new SetDefaultExecutorConfigParam[](1);
        exLibCfg[0] = SetDefaultExecutorConfigParam(dstEid, ExecutorConfig(10_000, address(executor)));
        SendUln302(payable(sendLib)).setDefaultExecutorConfigs(exLibCfg);
        src.registerLibrary(sendLib);
        src.setDefaultSendLibrary(dstEid, sendLib);
    }

    function _priceFeed() internal returns (address) {
        PriceFeed feed = new PriceFeed();
        feed.initialize(address(this));
        ILayerZeroPriceFeed.UpdatePrice[] memory prices = new ILayerZeroPriceFeed.UpdatePrice[](2);
        prices[0] = ILayerZeroPriceFeed.UpdatePrice(EID_B % 30_000, ILayerZeroPriceFeed.Price(1e20, 1 gwei, 16));
        prices[1] = ILayerZeroPriceFeed.UpdatePrice(EID_A % 30_000, ILayerZeroPriceFeed.Price(1e20, 1 gwei, 16));
        feed.setPrice(prices);
        return address(feed);
    }

    function _one(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }

    function _ulnConfig(address dvn) internal pure returns (UlnConfig memory) {
        return UlnConfig(_LZ_CONFIRMATIONS, 1, 0, 0, _one(dvn), new address[](0));
    }

    // ------------------------------------------------------------------------------------------ measured calls

    function _recipient() internal view returns (bytes memory) {
        return InteroperableAddress.formatEvmV1(CHAIN_B, address(viaAdapter));
    }

    /// @dev Sends through the adapter (top-level call, exact quote); returns the captured packet index and the gas.
    function _adapterSend(bytes memory payload) internal returns (uint256 index, uint256 gasUsed) {
        uint256 fee = aA.quote(_recipient(), payload, new bytes[](0));
        vm.recordLogs();
        aA.sendMessage{value: fee}(_recipient(), payload, new bytes[](0));
        gasUsed = _lastTxGas();
        if (_lzCapture() != 1) revert AdapterLayerZeroBenchFailed("adapter send");
        index = _lzLast();
    }

    /// @dev Sends through the plain OApp (top-level call, the fee quoted beforehand, the same lzReceive gas option
    /// as the adapter's message of the same payload).
    function _directSend(bytes memory payload) internal returns (uint256 index, uint256 gasUsed) {
        bytes memory options = aA.optionsOf(GAS_LIMIT, _envelopeLength(payload.length));
        MessagingFee memory fee = endpointA.quote(
            MessagingParams(EID_B, bytes32(uint256(uint160(address(direct)))), payload, options, false), address(app)
        );
        vm.recordLogs();
        app.send{value: fee.nativeFee}(EID_B, payload, options);
        gasUsed = _lastTxGas();
        if (_lzCapture() != 1) revert AdapterLayerZeroBenchFailed("direct send");
        index = _lzLast();
    }

    /// @dev The adapter's envelope length for a payload of `size` bytes (the packed header, then the payload).
    function _envelopeLength(uint256 size) internal pure returns (uint256) {
        return AdapterEnvelope.HEADER_LENGTH + size;
    }

    /// @dev The DVN's verify and the commit (two top-level calls); returns their gas.
    function _verifyMeasured(uint256 i) internal returns (uint256 dvnGas, uint256 commitGas) {
        _lzDvnVerify(i);
        dvnGas = _lastTxGas();
        _lzCommit(i);
        commitGas = _lastTxGas();
    }

    /// @dev `EndpointV2.lzReceive` of verified packet `i` (top-level call), asserting the recipient saw the payload.
    /// Under `--isolate` a top-level call's gas limit also pays the transaction's intrinsic gas, which LayerZero's
    /// executor does not take out of the option's gas (it calls the endpoint from its own transaction): the call gets
    /// all the gas, and uses what it needs.
    function _deliver(uint256 i, address recipient, bytes memory payload) internal returns (uint256 gasUsed) {
        bytes memory packet = _lzPacket(i);
        vm.expectEmit(recipient);
        emit BenchMessageReceived(keccak256(payload));
        endpointB.lzReceive(_lzOrigin(packet), _lzReceiver(packet), _lzGuid(packet), _lzMessage(packet), "");
        gasUsed = _lastTxGas();
        if (_lzPending(i)) revert AdapterLayerZeroBenchFailed("lzReceive");
    }

    // ------------------------------------------------------------------------------------------ bench

    function test_Bench_LayerZeroAdapter_VsDirect() public {
        // The first delivery through the adapter writes a fresh replay word (nonce 0 of its 256), and the first on
        // each path the endpoint's lazy nonce.
        bytes memory warm = _payload(32);
        (uint256 first,) = _adapterSend(warm);
        _lzVerify(first);
        uint256 deliverFirst = _deliver(first, address(viaAdapter), warm);
        (uint256 d0,) = _directSend(warm);
        _lzVerify(d0);
        uint256 directFirst = _deliver(d0, address(direct), warm);
        _snap("deliver_adapter_first_32B", deliverFirst);
        _snap("deliver_direct_first_32B", directFirst);
        // One more of each, so both sides are in their steady state.
        (uint256 w1,) = _adapterSend(warm);
        _lzRelay(w1);
        (uint256 w2,) = _directSend(warm);
        _lzRelay(w2);

        uint256[2] memory sizes = [uint256(32), 1024];
        for (uint256 s = 0; s < sizes.length; ++s) {
            _benchSize(sizes[s]);
        }
    }

    function _benchSize(uint256 size) internal {
        bytes memory payload = _payload(size);
        string memory suffix = string.concat("_", vm.toString(size), "B");
        // Send: both from the same state.
        uint256 snapshot = vm.snapshotState();
        (, uint256 sendAdapter) = _adapterSend(payload);
        vm.revertToState(snapshot);
        (, uint256 sendDirect) = _directSend(payload);
        vm.revertToState(snapshot);
        // Delivery: each side's packet sent and verified, then both executed from the same state.
        (uint256 mAdapter,) = _adapterSend(payload);
        (uint256 mDirect,) = _directSend(payload);
        (uint256 dvnAdapter, uint256 commitAdapter) = _verifyMeasured(mAdapter);
        (uint256 dvnDirect, uint256 commitDirect) = _verifyMeasured(mDirect);
        snapshot = vm.snapshotState();
        uint256 deliverAdapter = _deliver(mAdapter, address(viaAdapter), payload);
        vm.revertToState(snapshot);
        uint256 deliverDirect = _deliver(mDirect, address(direct), payload);
        if (
            aB.status(CHAIN_A, address(aA), _lzBody(mAdapter)) != IConcordAdapter.MessageStatus.NONE
                || _lzPending(mDirect)
        ) revert AdapterLayerZeroBenchFailed("states");

        _snap(string.concat("send_adapter", suffix), sendAdapter);
        _snap(string.concat("send_direct", suffix), sendDirect);
        _snap(string.concat("send_overhead", suffix), sendAdapter - sendDirect);
        _snap(string.concat("verify_dvn_adapter", suffix), dvnAdapter);
        _snap(string.concat("verify_dvn_direct", suffix), dvnDirect);
        _snap(string.concat("verify_commit_adapter", suffix), commitAdapter);
        _snap(string.concat("verify_commit_direct", suffix), commitDirect);
        _snap(string.concat("deliver_adapter", suffix), deliverAdapter);
        _snap(string.concat("deliver_direct", suffix), deliverDirect);
        _snap(string.concat("deliver_overhead", suffix), deliverAdapter - deliverDirect);
    }

    // ------------------------------------------------------------------------------------------ flow OUTCOME leg

    /// @dev A flow from A's `FlowEscrow` to B's `FlowExecutor` over the two adapters on LayerZero's production
    /// contracts (B's send side toward A deployed too; both flow contracts sponsored senders, so B's OUTCOME is a
    /// sponsored send, quoted inside). B's executor sends the OUTCOME from inside the EXECUTE's delivery, out of the
    /// EXECUTE's gas limit (`executionGas` + `FlowEscrow.EXECUTE_GAS_OVERHEAD`) less what the target used. The target
    /// here burns a set amount of gas; with `executionGas` = 100,000 a binary search finds the most the target may
    /// burn with the OUTCOME still leaving inline (each try from the same state). The overhead covers the executor's
    /// own work and the OUTCOME leg iff a target may burn its whole `executionGas`: the margin is
    /// `flow_outcome_margin` (most burn - executionGas) when it fits, else `flow_outcome_over_overhead`.
    function test_Bench_FlowOutcomeLeg_VsExecuteGasOverhead() public {
        (FlowEscrow escrow, FlowExecutor flowExecutor, GasBurnerTarget target) = _flowSetup();
        // One flow first, so that the measured ones find the executor's and the escrow's state warm (steady state).
        if (!_outcomeInline(escrow, flowExecutor, target, FLOW_EXECUTION_GAS)) {
            revert AdapterLayerZeroBenchFailed("flow");
        }

        (uint256 lo, uint256 hi) = (0, FLOW_EXECUTION_GAS);
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            uint256 snapshot = vm.snapshotState();
            target.setBurn(mid);
            bool sent = _outcomeInline(escrow, flowExecutor, target, FLOW_EXECUTION_GAS);
            vm.revertToState(snapshot);
            if (sent) lo = mid;
            else hi = mid - 1;
        }
        uint256 overhead = escrow.EXECUTE_GAS_OVERHEAD();
        _snap("flow_execute_gas_overhead", overhead);
        _snap("flow_execution_gas", FLOW_EXECUTION_GAS);
        _snap("flow_target_max_burn", lo);
        // What the executor's own work and the OUTCOME leg took out of the EXECUTE's gas limit.
        _snap("flow_outcome_leg_and_executor", FLOW_EXECUTION_GAS + overhead - lo);
        if (lo >= FLOW_EXECUTION_GAS) _snap("flow_outcome_margin", lo - FLOW_EXECUTION_GAS);
        else _snap("flow_outcome_over_overhead", FLOW_EXECUTION_GAS - lo);
    }

    /// @dev Both flow contracts over the two adapters on LayerZero's production contracts (B's send side toward A
    /// deployed too), sponsored senders of their adapters, B's executor funded; a target that burns a set gas.
    function _flowSetup() internal returns (FlowEscrow escrow, FlowExecutor flowExecutor, GasBurnerTarget target) {
        _deploySendSide(endpointB, EID_B, EID_A, address(_priceFeed()));
        escrow = new FlowEscrow(address(aA), CHAIN_A, address(manager), 7 days);
        flowExecutor = new FlowExecutor(address(aB), CHAIN_B, address(manager), 14 days);
        escrow.setRemote(CHAIN_B, address(flowExecutor));
        flowExecutor.setRemote(CHAIN_A, address(escrow));
        escrow.setLane(CHAIN_B, address(0), address(0), address(this));
        flowExecutor.setLane(CHAIN_A, address(0), address(0), address(this));
        aA.setSponsoredSender(address(escrow), true);
        aB.setSponsoredSender(address(flowExecutor), true);
        aA.fund{value: 10 ether}();
        aB.fund{value: 10 ether}();
        target = new GasBurnerTarget();
        vm.deal(address(flowExecutor), 100 ether);
    }

    /// @dev Issue 16, the fix: with the per-destination overhead the escrow sets for a destination on LayerZero
    /// (`FLOW_LZ_OVERHEAD`, above the measured `flow_outcome_leg_and_executor`), a target that burns its whole
    /// `executionGas` still leaves the gas for B's OUTCOME, sent inline; the escrow's own quote prices exactly that
    /// gas limit. Under the default overhead the same flow's OUTCOME does not leave (the bug).
    function test_Flow_LayerZeroOverhead_TargetBurnsAllExecutionGas_OutcomeInline() public {
        (FlowEscrow escrow, FlowExecutor flowExecutor, GasBurnerTarget target) = _flowSetup();
        if (!_outcomeInline(escrow, flowExecutor, target, FLOW_EXECUTION_GAS)) {
            revert AdapterLayerZeroBenchFailed("warm");
        }
        target.setBurn(FLOW_EXECUTION_GAS);
        uint256 snapshot = vm.snapshotState();
        assertFalse(_outcomeInline(escrow, flowExecutor, target, FLOW_EXECUTION_GAS), "default overhead: under-funded");
        vm.revertToState(snapshot);
        escrow.setExecuteGasOverhead(CHAIN_B, FLOW_LZ_OVERHEAD);
        assertEq(escrow.executeGasOverhead(CHAIN_B), FLOW_LZ_OVERHEAD);
        assertTrue(_outcomeInline(escrow, flowExecutor, target, FLOW_EXECUTION_GAS), "LayerZero overhead: OUTCOME sent");
    }

    /// @dev Opens a flow on A with `executionGas`, relays its EXECUTE to B, and tells whether B's executor sent the
    /// OUTCOME of an executed flow inline (one packet B -> A) rather than recording `OutcomeExportFailed`.
    function _outcomeInline(FlowEscrow escrow, FlowExecutor flowExecutor, GasBurnerTarget target, uint32 executionGas)
        internal
        returns (bool)
    {
        FlowLib.Flow memory f;
        f.destinationDomain = CHAIN_B;
        f.executor = address(flowExecutor);
        f.target = address(target);
        f.amount = 1 ether;
        f.maxValue = 1 ether;
        f.deadline = uint64(block.timestamp + 1 hours);
        f.executionGas = executionGas;
        f.refundTo = address(this);
        f.beneficiary = address(this);
        vm.recordLogs();
        (bytes32 id,) = escrow.open{value: 1 ether}(f, "order");
        if (_lzCapture() != 1) revert AdapterLayerZeroBenchFailed("EXECUTE");
        uint256 execute = _lzLast();
        _lzVerify(execute);
        // The executor's call with all the gas (under --isolate a capped top-level call would also pay the
        // transaction's intrinsic gas out of the cap): the adapter still hands the FlowExecutor exactly the EXECUTE's
        // gas limit.
        bytes memory packet = _lzPacket(execute);
        vm.recordLogs();
        endpointB.lzReceive(_lzOrigin(packet), _lzReceiver(packet), _lzGuid(packet), _lzMessage(packet), "");
        uint256 outcomes = _lzCapture();
        // A target out of gas fails the flow (then the OUTCOME is FAILED's, not the one measured).
        return flowExecutor.record(id).status == FlowLib.Status.EXECUTED && outcomes == 1;
    }

    function _snap(string memory name, uint256 value) internal {
        console.log(string.concat(name, ":"), value);
        vm.snapshotValue(GROUP, name, value);
    }
}
