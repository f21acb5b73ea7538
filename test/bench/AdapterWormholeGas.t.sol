// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {console} from "forge-std/console.sol";

import {IWormholeCore} from "../../contracts/adapters/wormhole/IWormholeCore.sol";
import {WormholeAdapter} from "../../contracts/adapters/wormhole/WormholeAdapter.sol";
import {IConcordAdapter} from "../../contracts/interfaces/IConcordAdapter.sol";
import {WormholeFixture} from "../adapters/WormholeAdapter/WormholeFixture.sol";
import {BenchBase, IBenchReceiverEvents} from "./BenchBase.sol";
import {BenchConcordRecipient} from "./BenchReceivers.sol";

/// @title PlainWormholeApp
/// @notice Benchmark application that uses Wormhole's core bridge directly, built like Wormhole's own example app
/// (wormhole-scaffolding's HelloWorld): sends by `publishMessage`, reading the core's `messageFee()` and requiring exactly
/// that value; receives a VAA from anyone through `receiveMessage(encodedVm)`: `parseAndVerifyVM`, the emitter
/// registered for the VAA's emitter chain (in storage, settable by the owner), the VAA hash recorded as consumed, then
/// the common receiver work (hash the payload, emit one event). The core bridge and the consistency level are
/// immutables here (HelloWorld keeps them in storage: `HelloWorldApp` below).
contract PlainWormholeApp is IBenchReceiverEvents {
    /// @notice Thrown when the core bridge refuses the VAA.
    error PlainWormholeAppInvalidVaa(string reason);
    /// @notice Thrown when the VAA's emitter is not the one registered for its chain.
    error PlainWormholeAppUnknownEmitter(uint16 chain, bytes32 emitter);
    /// @notice Thrown when the VAA was already consumed.
    error PlainWormholeAppConsumed(bytes32 hash);
    /// @notice Thrown when anyone but the owner registers an emitter.
    error PlainWormholeAppNotOwner(address caller);
    /// @notice Thrown when the value sent is not the core's message fee.
    error PlainWormholeAppWrongFee(uint256 fee, uint256 value);

    IWormholeCore internal immutable _CORE;
    address internal immutable _OWNER;
    mapping(uint16 chain => bytes32 emitter) public emitters;
    mapping(bytes32 hash => bool) public consumed;

    /// @param core The local core bridge.
    constructor(address core) {
        _CORE = IWormholeCore(core);
        _OWNER = msg.sender;
    }

    /// @notice Registers the emitter trusted on `chain`.
    function setEmitter(uint16 chain, bytes32 emitter) external {
        if (msg.sender != _OWNER) revert PlainWormholeAppNotOwner(msg.sender);
        emitters[chain] = emitter;
    }

    /// @notice The fee of `send`.
    function quote() external view returns (uint256) {
        return _CORE.messageFee();
    }

    /// @notice Publishes `body` (finalized), paying exactly the message fee.
    function send(bytes calldata body) external payable returns (uint64) {
        uint256 fee = _CORE.messageFee();
        if (msg.value != fee) revert PlainWormholeAppWrongFee(fee, msg.value);
        return _CORE.publishMessage{value: fee}(0, body, 1);
    }

    /// @notice Delivers a VAA (anyone may call).
    function receiveMessage(bytes calldata encodedVm) external {
        (IWormholeCore.VM memory vaa, bool valid, string memory reason) = _CORE.parseAndVerifyVM(encodedVm);
        if (!valid) revert PlainWormholeAppInvalidVaa(reason);
        if (emitters[vaa.emitterChainId] != vaa.emitterAddress) {
            revert PlainWormholeAppUnknownEmitter(vaa.emitterChainId, vaa.emitterAddress);
        }
        if (consumed[vaa.hash]) revert PlainWormholeAppConsumed(vaa.hash);
        consumed[vaa.hash] = true;
        emit BenchMessageReceived(keccak256(vaa.payload));
    }
}

/// @title HelloWorldApp
/// @notice The same application with its configuration where wormhole-scaffolding's HelloWorld keeps it: in storage
/// (owner; core bridge, Wormhole chain id and finality packed in one slot), so a send reads one slot and a delivery one
/// more. The realistic baseline: a deployed app keeps its core bridge and finality configurable or at least in state.
contract HelloWorldApp is IBenchReceiverEvents {
    /// @notice Thrown when the core bridge refuses the VAA.
    error HelloWorldAppInvalidVaa(string reason);
    /// @notice Thrown when the VAA's emitter is not the one registered for its chain.
    error HelloWorldAppUnknownEmitter(uint16 chain, bytes32 emitter);
    /// @notice Thrown when the VAA was already consumed.
    error HelloWorldAppConsumed(bytes32 hash);
    /// @notice Thrown when anyone but the owner registers an emitter.
    error HelloWorldAppNotOwner(address caller);
    /// @notice Thrown when the value sent is not the core's message fee.
    error HelloWorldAppWrongFee(uint256 fee, uint256 value);

    struct Config {
        IWormholeCore core;
        uint16 chainId;
        uint8 finality;
    }

    address public owner;
    Config public config;
    mapping(uint16 chain => bytes32 emitter) public emitters;
    mapping(bytes32 hash => bool) public consumed;

    /// @param core The local core bridge.
    constructor(address core) {
        owner = msg.sender;
        config = Config(IWormholeCore(core), IWormholeCore(core).chainId(), 1);
    }

    /// @notice Registers the emitter trusted on `chain`.
    function setEmitter(uint16 chain, bytes32 emitter) external {
        if (msg.sender != owner) revert HelloWorldAppNotOwner(msg.sender);
        emitters[chain] = emitter;
    }

    /// @notice The fee of `send`.
    function quote() external view returns (uint256) {
        return config.core.messageFee();
    }

    /// @notice Publishes `body`, paying exactly the message fee.
    function send(bytes calldata body) external payable returns (uint64) {
        Config memory c = config;
        uint256 fee = c.core.messageFee();
        if (msg.value != fee) revert HelloWorldAppWrongFee(fee, msg.value);
        return c.core.publishMessage{value: fee}(0, body, c.finality);
    }

    /// @notice Delivers a VAA (anyone may call).
    function receiveMessage(bytes calldata encodedVm) external {
        (IWormholeCore.VM memory vaa, bool valid, string memory reason) = config.core.parseAndVerifyVM(encodedVm);
        if (!valid) revert HelloWorldAppInvalidVaa(reason);
        if (emitters[vaa.emitterChainId] != vaa.emitterAddress) {
            revert HelloWorldAppUnknownEmitter(vaa.emitterChainId, vaa.emitterAddress);
        }
        if (consumed[vaa.hash]) revert HelloWorldAppConsumed(vaa.hash);
        consumed[vaa.hash] = true;
        emit BenchMessageReceived(keccak256(vaa.payload));
    }
}

/// @notice Issue 16: the Wormhole adapter against Wormhole's core bridge used directly, side by side in one run, full
/// transaction gas (`forge test --isolate --match-path test/bench/AdapterWormholeGas.t.sol -vv`). Every side uses the
/// same real core bridges (see {WormholeFixture}; 19 guardians, VAAs with a quorum of 13 signatures, a non-zero message
/// fee), the same payload and the same receiver work (hash the payload, emit one event). Send: `adapter.sendMessage`
/// (ERC-7786, paying the quote exactly) against the apps' `send` (`messageFee` + `publishMessage`). Delivery: the
/// adapter's `receiveMessage(vaa)` (-> ERC-7786 recipient) against the apps' `receiveMessage(vaa)` (verify, registered
/// emitter, consumed hash). Each comparison is measured from the same state (snapshot, measure, revert), steady state:
/// neither the emitters' sequences nor the adapter's nonce or replay word are fresh. An app's consumed-hash record is a
/// fresh slot for every VAA by design (that is its replay protection); the adapter's is a bit in a word shared by 256
/// nonces, whose first message is reported apart. Two apps: `HelloWorldApp` (configuration in storage, as Wormhole's
/// HelloWorld example keeps it; rows `*_vs_helloworld_*`) and `PlainWormholeApp` (core bridge and finality in
/// immutables; rows `*_direct_*` / `*_overhead_*`). A delivery that costs the adapter less than an app is recorded as
/// 0 added, and the saving as `*_saving_*`. Snapshot group `AdapterWormhole` (snapshots/AdapterWormhole.json).
contract AdapterWormholeGasBench is BenchBase, WormholeFixture {
    /// @notice Thrown when a measured call did not leave the expected state.
    error AdapterWormholeBenchFailed(string what);

    uint32 internal constant CHAIN_A = 1;
    uint32 internal constant CHAIN_B = 10;
    uint16 internal constant WH_A = 2;
    uint16 internal constant WH_B = 24;
    uint32 internal constant GAS_LIMIT = 200_000;
    string internal constant GROUP = "AdapterWormhole";

    AccessManager internal manager;
    uint256 internal dA;
    uint256 internal dB;
    WormholeAdapter internal aA;
    WormholeAdapter internal aB;
    BenchConcordRecipient internal viaAdapter;
    PlainWormholeApp internal appA;
    PlainWormholeApp internal appB;
    HelloWorldApp internal hwA;
    HelloWorldApp internal hwB;

    function setUp() public {
        vm.warp(1_700_000_000);
        manager = new AccessManager(address(this));
        dA = _whDeployChain(CHAIN_A, WH_A);
        dB = _whDeployChain(CHAIN_B, WH_B);
        _whSetMessageFee(dA, 0.001 ether);
        _whSetMessageFee(dB, 0.001 ether);
        aA = _whDeployAdapter(dA, manager, GAS_LIMIT);
        aB = _whDeployAdapter(dB, manager, GAS_LIMIT);
        _whEnroll(aA, dB, aB);
        _whEnroll(aB, dA, aA);
        viaAdapter = new BenchConcordRecipient(address(aB));
        appA = new PlainWormholeApp(whChains[dA].core);
        appB = new PlainWormholeApp(whChains[dB].core);
        appB.setEmitter(WH_A, bytes32(uint256(uint160(address(appA)))));
        appA.setEmitter(WH_B, bytes32(uint256(uint160(address(appB)))));
        hwA = new HelloWorldApp(whChains[dA].core);
        hwB = new HelloWorldApp(whChains[dB].core);
        hwB.setEmitter(WH_A, bytes32(uint256(uint160(address(hwA)))));
        hwA.setEmitter(WH_B, bytes32(uint256(uint160(address(hwB)))));
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
        if (_whCapture() != 1) revert AdapterWormholeBenchFailed("adapter send");
        index = _whLast();
    }

    /// @dev Sends through the plain app (top-level call, exact fee).
    function _directSend(bytes memory payload) internal returns (uint256 index, uint256 gasUsed) {
        uint256 fee = appA.quote();
        vm.recordLogs();
        appA.send{value: fee}(payload);
        gasUsed = _lastTxGas();
        if (_whCapture() != 1) revert AdapterWormholeBenchFailed("direct send");
        index = _whLast();
    }

    /// @dev Sends through the HelloWorld-style app (top-level call, exact fee).
    function _helloSend(bytes memory payload) internal returns (uint256 index, uint256 gasUsed) {
        uint256 fee = hwA.quote();
        vm.recordLogs();
        hwA.send{value: fee}(payload);
        gasUsed = _lastTxGas();
        if (_whCapture() != 1) revert AdapterWormholeBenchFailed("helloworld send");
        index = _whLast();
    }

    /// @dev Delivers captured message `index`'s VAA to `receiver` (top-level call), asserting that `app` saw the
    /// payload.
    function _deliver(uint256 index, address receiver, address app, bytes memory payload)
        internal
        returns (uint256 gasUsed)
    {
        bytes memory vaa = _whVaa(index);
        vm.expectEmit(app);
        emit BenchMessageReceived(keccak256(payload));
        if (receiver == address(aB)) aB.receiveMessage(vaa);
        else if (receiver == address(appB)) appB.receiveMessage(vaa);
        else hwB.receiveMessage(vaa);
        gasUsed = _lastTxGas();
    }

    function test_Bench_WormholeAdapter_VsDirect() public {
        // The first delivery through the adapter writes a fresh replay word (nonce 0 of its 256); the first publish
        // of each emitter writes its fresh sequence slot.
        bytes memory warm = _payload(32);
        (uint256 first,) = _adapterSend(warm);
        uint256 deliverFirst = _deliver(first, address(aB), address(viaAdapter), warm);
        (uint256 d0,) = _directSend(warm);
        uint256 directFirst = _deliver(d0, address(appB), address(appB), warm);
        _snap("deliver_adapter_first_32B", deliverFirst);
        _snap("deliver_direct_first_32B", directFirst);
        (uint256 w1,) = _adapterSend(warm);
        _deliver(w1, address(aB), address(viaAdapter), warm);
        (uint256 w2,) = _directSend(warm);
        _deliver(w2, address(appB), address(appB), warm);
        (uint256 w3,) = _helloSend(warm);
        _deliver(w3, address(hwB), address(hwB), warm);
        (uint256 w4,) = _helloSend(warm);
        _deliver(w4, address(hwB), address(hwB), warm);

        uint256[2] memory sizes = [uint256(32), 1024];
        for (uint256 s = 0; s < sizes.length; ++s) {
            _benchSize(sizes[s]);
        }
    }

    function _benchSize(uint256 size) internal {
        bytes memory payload = _payload(size);
        string memory suffix = string.concat("_", vm.toString(size), "B");
        uint256 snapshot = vm.snapshotState();
        (, uint256 sendAdapter) = _adapterSend(payload);
        vm.revertToState(snapshot);
        (, uint256 sendDirect) = _directSend(payload);
        vm.revertToState(snapshot);
        (, uint256 sendHello) = _helloSend(payload);
        vm.revertToState(snapshot);
        (uint256 mAdapter,) = _adapterSend(payload);
        (uint256 mDirect,) = _directSend(payload);
        (uint256 mHello,) = _helloSend(payload);
        snapshot = vm.snapshotState();
        uint256 deliverAdapter = _deliver(mAdapter, address(aB), address(viaAdapter), payload);
        if (aB.status(CHAIN_A, address(aA), _whPayload(mAdapter)) != IConcordAdapter.MessageStatus.EXECUTED) {
            revert AdapterWormholeBenchFailed("adapter delivery");
        }
        vm.revertToState(snapshot);
        uint256 deliverHello = _deliver(mHello, address(hwB), address(hwB), payload);
        if (!hwB.consumed(_whHash(mHello))) revert AdapterWormholeBenchFailed("helloworld delivery");
        vm.revertToState(snapshot);
        uint256 deliverDirect = _deliver(mDirect, address(appB), address(appB), payload);
        if (!appB.consumed(_whHash(mDirect))) revert AdapterWormholeBenchFailed("direct delivery");

        _snap(string.concat("send_adapter", suffix), sendAdapter);
        _snap(string.concat("send_direct", suffix), sendDirect);
        _snap(string.concat("send_overhead", suffix), _diff(sendAdapter, sendDirect));
        _snap(string.concat("send_helloworld", suffix), sendHello);
        _snap(string.concat("send_overhead_vs_helloworld", suffix), _diff(sendAdapter, sendHello));
        _snap(string.concat("deliver_adapter", suffix), deliverAdapter);
        _snap(string.concat("deliver_direct", suffix), deliverDirect);
        _snap(string.concat("deliver_overhead", suffix), _diff(deliverAdapter, deliverDirect));
        _snap(string.concat("deliver_saving", suffix), _diff(deliverDirect, deliverAdapter));
        _snap(string.concat("deliver_helloworld", suffix), deliverHello);
        _snap(string.concat("deliver_overhead_vs_helloworld", suffix), _diff(deliverAdapter, deliverHello));
        _snap(string.concat("deliver_saving_vs_helloworld", suffix), _diff(deliverHello, deliverAdapter));
    }

    /// @dev a - b, or 0 when b > a.
    function _diff(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a - b : 0;
    }

    function _snap(string memory name, uint256 value) internal {
        console.log(string.concat(name, ":"), value);
        vm.snapshotValue(GROUP, name, value);
    }
}
