// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Router} from "@hyperlane-xyz/core/contracts/client/Router.sol";
import {StandardHookMetadata} from "@hyperlane-xyz/core/contracts/hooks/libs/StandardHookMetadata.sol";
import {IMailbox} from "@hyperlane-xyz/core/contracts/interfaces/IMailbox.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {console} from "forge-std/console.sol";

import {HyperlaneAdapter} from "../../contracts/adapters/hyperlane/HyperlaneAdapter.sol";
import {IConcordAdapter} from "../../contracts/interfaces/IConcordAdapter.sol";
import {HyperlaneFixture} from "../adapters/HyperlaneAdapter/HyperlaneFixture.sol";
import {BenchBase, IBenchReceiverEvents} from "./BenchBase.sol";
import {BenchConcordRecipient, BenchRecipient} from "./BenchReceivers.sol";

/// @title PlainHyperlaneSender
/// @notice Benchmark application that uses Hyperlane directly: dispatches its body through the Mailbox with
/// StandardHookMetadata carrying the destination gas limit and a refund address, like any Hyperlane app.
contract PlainHyperlaneSender {
    IMailbox internal immutable _MAILBOX;
    uint32 internal immutable _DESTINATION;
    bytes32 internal immutable _RECIPIENT;

    /// @param mailbox The local Mailbox.
    /// @param destination The destination Hyperlane domain.
    /// @param recipient The recipient there.
    constructor(address mailbox, uint32 destination, address recipient) {
        _MAILBOX = IMailbox(mailbox);
        _DESTINATION = destination;
        _RECIPIENT = bytes32(uint256(uint160(recipient)));
    }

    /// @notice The fee of `send(body, gasLimit)`.
    function quote(bytes calldata body, uint256 gasLimit) external view returns (uint256) {
        return _MAILBOX.quoteDispatch(_DESTINATION, _RECIPIENT, body, _metadata(gasLimit));
    }

    /// @notice Dispatches `body`, paying the value sent for `gasLimit` of destination gas.
    function send(bytes calldata body, uint256 gasLimit) external payable returns (bytes32) {
        return _MAILBOX.dispatch{value: msg.value}(_DESTINATION, _RECIPIENT, body, _metadata(gasLimit));
    }

    function _metadata(uint256 gasLimit) internal view returns (bytes memory) {
        return StandardHookMetadata.format(0, gasLimit, msg.sender);
    }
}

/// @title RouterBenchApp
/// @notice Benchmark application built the way Hyperlane's own apps are (HelloWorld, warp routes, ICA): on
/// Hyperlane core's `Router`, unmodified. Sends to the router enrolled for the destination with its own hook
/// (none set: the Mailbox's default) and StandardHookMetadata; receives through `Router.handle` (only the Mailbox,
/// only the router enrolled for the origin) with the ISM it names, then does the common receiver work. Both sides of
/// a real app: a peer per domain and a settable ISM, as the adapter has.
contract RouterBenchApp is Router, IBenchReceiverEvents {
    /// @param mailbox The local Mailbox.
    constructor(address mailbox) Router(mailbox) {}

    /// @notice The fee of `send(destination, body, gasLimit)`.
    function quote(uint32 destination, bytes calldata body, uint256 gasLimit) external view returns (uint256) {
        return _Router_quoteDispatch(destination, body, _metadata(gasLimit), address(hook));
    }

    /// @notice Dispatches `body` to the router enrolled for `destination`, paying the value sent for `gasLimit`.
    function send(uint32 destination, bytes calldata body, uint256 gasLimit) external payable returns (bytes32) {
        return _Router_dispatch(destination, msg.value, body, _metadata(gasLimit), address(hook));
    }

    function _handle(uint32, bytes32, bytes calldata body) internal override {
        emit BenchMessageReceived(keccak256(body));
    }

    function _metadata(uint256 gasLimit) internal view returns (bytes memory) {
        return StandardHookMetadata.format(0, gasLimit, msg.sender);
    }
}

/// @notice Issue 16: the Hyperlane adapter against the same Hyperlane setup used directly, side by side in one run, full
/// transaction gas (`forge test --isolate --match-path test/bench/AdapterHyperlaneGas.t.sol -vv`). Both sides use the
/// same real contracts (Mailbox + MerkleTreeHook + InterchainGasPaymaster on A; Mailbox + DomainRoutingIsm ->
/// StaticMessageIdMultisigIsm 2-of-3 on B, see {HyperlaneFixture}), the same payload and the same recipient work
/// (hash the payload, emit one event). Send: `adapter.sendMessage` (ERC-7786, paying the quote exactly) against a plain
/// app's `Mailbox.dispatch` with StandardHookMetadata. Delivery: `Mailbox.process` to the adapter (-> ERC-7786
/// recipient) against `Mailbox.process` to a plain `IMessageRecipient`. Each pair is measured from the same state
/// (snapshot, measure, revert), steady state: neither the adapter's nonce nor its replay word is fresh. The
/// delivery of the first message of a 256-nonce replay word (a fresh slot) is reported apart. Two plain apps: the
/// minimal one (`PlainHyperlaneSender` -> `BenchRecipient`: route, hook and ISM in immutables, and a receiver that does
/// not check who sent the message) and `RouterBenchApp` (Hyperlane's `Router`: the enrolled peer and the settable
/// hook and ISM in storage, the sender checked); rows `*_direct_*` / `*_overhead_*` are against the first,
/// `*_router_*` / `*_overhead_vs_router_*` against the second. Snapshot group `AdapterHyperlane`
/// (snapshots/AdapterHyperlane.json).
contract AdapterHyperlaneGasBench is BenchBase, HyperlaneFixture {
    /// @notice Thrown when a measured call did not leave the expected state.
    error AdapterHyperlaneBenchFailed(string what);

    uint32 internal constant CHAIN_A = 1;
    uint32 internal constant CHAIN_B = 10;
    uint32 internal constant HL_A = 11_111;
    uint32 internal constant HL_B = 22_222;
    uint32 internal constant GAS_LIMIT = 200_000;
    string internal constant GROUP = "AdapterHyperlane";

    AccessManager internal manager;
    uint256 internal dA;
    uint256 internal dB;
    HyperlaneAdapter internal aA;
    HyperlaneAdapter internal aB;
    BenchConcordRecipient internal viaAdapter;
    BenchRecipient internal direct;
    PlainHyperlaneSender internal app;
    RouterBenchApp internal routerA;
    RouterBenchApp internal routerB;

    function setUp() public {
        manager = new AccessManager(address(this));
        dA = _hlDeployDomain(CHAIN_A, HL_A);
        dB = _hlDeployDomain(CHAIN_B, HL_B);
        _hlConnect(dA, dB);
        _hlConnect(dB, dA);
        aA = _hlDeployAdapter(dA, manager, GAS_LIMIT);
        aB = _hlDeployAdapter(dB, manager, GAS_LIMIT);
        _hlEnroll(aA, dB, aB);
        _hlEnroll(aB, dA, aA);
        viaAdapter = new BenchConcordRecipient(address(aB));
        direct = new BenchRecipient(address(hlDomains[dB].mailbox), address(hlDomains[dB].ism));
        app = new PlainHyperlaneSender(address(hlDomains[dA].mailbox), HL_B, address(direct));
        routerA = new RouterBenchApp(address(hlDomains[dA].mailbox));
        routerB = new RouterBenchApp(address(hlDomains[dB].mailbox));
        routerA.enrollRemoteRouter(HL_B, bytes32(uint256(uint160(address(routerB)))));
        routerB.enrollRemoteRouter(HL_A, bytes32(uint256(uint160(address(routerA)))));
        routerB.setInterchainSecurityModule(address(hlDomains[dB].ism));
        vm.deal(address(this), 100 ether);
    }

    function _recipient() internal view returns (bytes memory) {
        return InteroperableAddress.formatEvmV1(CHAIN_B, address(viaAdapter));
    }

    /// @dev Sends through the adapter (top-level call, exact quote); returns the captured message index and the gas.
    function _adapterSend(bytes memory payload) internal returns (uint256 index, uint256 gasUsed) {
        uint256 fee = aA.quote(_recipient(), payload, new bytes[](0));
        vm.recordLogs();
        aA.sendMessage{value: fee}(_recipient(), payload, new bytes[](0));
        gasUsed = _lastTxGas();
        if (_hlCapture() != 1) revert AdapterHyperlaneBenchFailed("adapter send");
        index = _hlLast();
    }

    /// @dev Sends through the plain app (top-level call, exact quote, the recipient's gas limit paid for).
    function _directSend(bytes memory payload) internal returns (uint256 index, uint256 gasUsed) {
        uint256 fee = app.quote(payload, GAS_LIMIT);
        vm.recordLogs();
        app.send{value: fee}(payload, GAS_LIMIT);
        gasUsed = _lastTxGas();
        if (_hlCapture() != 1) revert AdapterHyperlaneBenchFailed("direct send");
        index = _hlLast();
    }

    /// @dev Sends through the Router app (top-level call, exact quote, the recipient's gas limit paid for).
    function _routerSend(bytes memory payload) internal returns (uint256 index, uint256 gasUsed) {
        uint256 fee = routerA.quote(HL_B, payload, GAS_LIMIT);
        vm.recordLogs();
        routerA.send{value: fee}(HL_B, payload, GAS_LIMIT);
        gasUsed = _lastTxGas();
        if (_hlCapture() != 1) revert AdapterHyperlaneBenchFailed("router send");
        index = _hlLast();
    }

    /// @dev `Mailbox.process` of captured message `index` (top-level call), asserting the recipient saw the payload.
    function _deliver(uint256 index, address recipient, bytes memory payload) internal returns (uint256 gasUsed) {
        bytes memory metadata = _hlMetadata(index);
        bytes memory message = _hlMessage(index);
        vm.expectEmit(recipient);
        emit BenchMessageReceived(keccak256(payload));
        hlDomains[dB].mailbox.process(metadata, message);
        gasUsed = _lastTxGas();
        if (!hlDomains[dB].mailbox.delivered(keccak256(message))) revert AdapterHyperlaneBenchFailed("process");
    }

    function test_Bench_HyperlaneAdapter_VsDirect() public {
        // The first delivery through the adapter writes a fresh replay word (nonce 0 of its 256).
        bytes memory warm = _payload(32);
        (uint256 first,) = _adapterSend(warm);
        uint256 deliverFirst = _deliver(first, address(viaAdapter), warm);
        (uint256 d0,) = _directSend(warm);
        uint256 directFirst = _deliver(d0, address(direct), warm);
        _snap("deliver_adapter_first_32B", deliverFirst);
        _snap("deliver_direct_first_32B", directFirst);
        // One more of each, so both sides are in their steady state.
        (uint256 w1,) = _adapterSend(warm);
        _deliver(w1, address(viaAdapter), warm);
        (uint256 w2,) = _directSend(warm);
        _deliver(w2, address(direct), warm);
        (uint256 w3,) = _routerSend(warm);
        _deliver(w3, address(routerB), warm);
        (uint256 w4,) = _routerSend(warm);
        _deliver(w4, address(routerB), warm);

        uint256[2] memory sizes = [uint256(32), 1024];
        for (uint256 s = 0; s < sizes.length; ++s) {
            _benchSize(sizes[s]);
        }
    }

    function _benchSize(uint256 size) internal {
        bytes memory payload = _payload(size);
        string memory suffix = string.concat("_", vm.toString(size), "B");
        // Send: both from the same state (same Mailbox nonce and tree index).
        uint256 snapshot = vm.snapshotState();
        (, uint256 sendAdapter) = _adapterSend(payload);
        vm.revertToState(snapshot);
        (, uint256 sendDirect) = _directSend(payload);
        vm.revertToState(snapshot);
        (, uint256 sendRouter) = _routerSend(payload);
        vm.revertToState(snapshot);
        // Delivery: each side's message dispatched, then all processed from the same state.
        (uint256 mAdapter,) = _adapterSend(payload);
        (uint256 mDirect,) = _directSend(payload);
        (uint256 mRouter,) = _routerSend(payload);
        snapshot = vm.snapshotState();
        uint256 deliverAdapter = _deliver(mAdapter, address(viaAdapter), payload);
        vm.revertToState(snapshot);
        uint256 deliverRouter = _deliver(mRouter, address(routerB), payload);
        vm.revertToState(snapshot);
        uint256 deliverDirect = _deliver(mDirect, address(direct), payload);
        if (
            aB.status(CHAIN_A, address(aA), _hlBody(mAdapter)) != IConcordAdapter.MessageStatus.NONE
                || !hlDomains[dB].mailbox.delivered(_hlId(mDirect))
        ) revert AdapterHyperlaneBenchFailed("states");

        _snap(string.concat("send_adapter", suffix), sendAdapter);
        _snap(string.concat("send_direct", suffix), sendDirect);
        _snap(string.concat("send_overhead", suffix), sendAdapter - sendDirect);
        _snap(string.concat("deliver_adapter", suffix), deliverAdapter);
        _snap(string.concat("deliver_direct", suffix), deliverDirect);
        _snap(string.concat("deliver_overhead", suffix), deliverAdapter - deliverDirect);
        _snap(string.concat("send_router", suffix), sendRouter);
        _snap(string.concat("send_overhead_vs_router", suffix), sendAdapter - sendRouter);
        _snap(string.concat("deliver_router", suffix), deliverRouter);
        _snap(string.concat("deliver_overhead_vs_router", suffix), deliverAdapter - deliverRouter);
    }

    function _snap(string memory name, uint256 value) internal {
        console.log(string.concat(name, ":"), value);
        vm.snapshotValue(GROUP, name, value);
    }
}
