// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AxelarExecutable} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/executable/AxelarExecutable.sol";
import {IAxelarGasService} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGasService.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {console} from "forge-std/console.sol";

import {AxelarAdapter} from "../../contracts/adapters/axelar/AxelarAdapter.sol";
import {IConcordAdapter} from "../../contracts/interfaces/IConcordAdapter.sol";
import {AxelarFixture} from "../adapters/AxelarAdapter/AxelarFixture.sol";
import {BenchBase} from "./BenchBase.sol";
import {BenchConcordRecipient} from "./BenchReceivers.sol";

/// @title PlainAxelarApp
/// @notice Benchmark application that uses Axelar directly, as Axelar's own samples do: an `AxelarExecutable` that
/// pays the gas service in native gas (`payNativeGasForContractCall`, the caller as refund address) then calls the
/// gateway; on the destination it accepts only its trusted counterpart (source chain and address hashes, as a careful
/// app does) and does the common receiver work (hash the payload, emit `BenchMessageReceived`).
contract PlainAxelarApp is AxelarExecutable {
    /// @notice Emitted like every benchmark receiver's (see {IBenchReceiverEvents}).
    event BenchMessageReceived(bytes32 indexed bodyHash);

    /// @notice Thrown when a message comes from anyone but the trusted counterpart.
    error PlainAxelarAppUntrustedSource(string sourceChain, string sourceAddress);

    IAxelarGasService internal immutable _GAS_SERVICE;
    bytes32 public trustedChainHash;
    bytes32 public trustedAddressHash;

    /// @param gateway_ The local Axelar gateway.
    /// @param gasService_ The local Axelar gas service.
    constructor(address gateway_, address gasService_) AxelarExecutable(gateway_) {
        _GAS_SERVICE = IAxelarGasService(gasService_);
    }

    /// @notice Trusts `sourceAddress` on `sourceChain`.
    function trust(string calldata sourceChain, string calldata sourceAddress) external {
        trustedChainHash = keccak256(bytes(sourceChain));
        trustedAddressHash = keccak256(bytes(sourceAddress));
    }

    /// @notice The gas service's estimate for `send(...)` with `gasLimit` of execution gas.
    function quote(string calldata chain, string calldata to, bytes calldata body, uint256 gasLimit)
        external
        view
        returns (uint256)
    {
        return _GAS_SERVICE.estimateGasFee(chain, to, body, gasLimit, "");
    }

    /// @notice Pays the value sent to the gas service and calls `to` on `chain` with `body`.
    function send(string calldata chain, string calldata to, bytes calldata body) external payable {
        _GAS_SERVICE.payNativeGasForContractCall{value: msg.value}(address(this), chain, to, body, msg.sender);
        gateway().callContract(chain, to, body);
    }

    function _execute(bytes32, string calldata sourceChain, string calldata sourceAddress, bytes calldata payload)
        internal
        override
    {
        if (keccak256(bytes(sourceChain)) != trustedChainHash || keccak256(bytes(sourceAddress)) != trustedAddressHash)
        {
            revert PlainAxelarAppUntrustedSource(sourceChain, sourceAddress);
        }
        emit BenchMessageReceived(keccak256(payload));
    }
}

/// @notice Issue 16: the Axelar adapter against the same Axelar setup used directly by a plain `AxelarExecutable` app,
/// side by side in one run, full transaction gas (`forge test --isolate --match-path test/bench/AdapterAxelarGas.t.sol
/// -vv`). Both sides use the same real contracts (AxelarAmplifierGateway behind its proxy + AxelarGasService on each
/// chain, a 2-of-3 weighted signer set, see {AxelarFixture}), the same payload and the same recipient work (hash the
/// payload, emit one event). Send: `adapter.sendMessage` (ERC-7786; quotes on chain and pays exactly that) against the
/// plain app's `send` (the fee quoted off chain beforehand, paid as the value). Delivery: the relayer's `execute` on
/// the adapter (-> ERC-7786 recipient) against `execute` on the plain app; the signers' `approveMessages` transaction
/// before it is the same for both and not counted. Each pair is measured from the same state (snapshot, measure,
/// revert), steady state: neither the adapter's nonce nor its replay word is fresh. The delivery of the first message
/// of a 256-nonce replay word (a fresh slot) is reported apart. Snapshot group `AdapterAxelar`
/// (snapshots/AdapterAxelar.json).
contract AdapterAxelarGasBench is BenchBase, AxelarFixture {
    /// @notice Thrown when a measured call did not leave the expected state.
    error AdapterAxelarBenchFailed(string what);

    uint32 internal constant CHAIN_A = 1;
    uint32 internal constant CHAIN_B = 10;
    uint32 internal constant GAS_LIMIT = 200_000;
    string internal constant GROUP = "AdapterAxelar";

    AccessManager internal manager;
    uint256 internal cA;
    uint256 internal cB;
    AxelarAdapter internal aA;
    AxelarAdapter internal aB;
    BenchConcordRecipient internal viaAdapter;
    PlainAxelarApp internal appA;
    PlainAxelarApp internal appB;
    string internal appBAddress;

    function setUp() public {
        manager = new AccessManager(address(this));
        cA = _axDeployChain(CHAIN_A, "ethereum");
        cB = _axDeployChain(CHAIN_B, "optimism");
        _axConnect(cA, cB);
        _axConnect(cB, cA);
        aA = _axDeployAdapter(cA, manager, GAS_LIMIT);
        aB = _axDeployAdapter(cB, manager, GAS_LIMIT);
        _axEnroll(aA, cB, aB);
        _axEnroll(aB, cA, aA);
        viaAdapter = new BenchConcordRecipient(address(aB));
        appA = new PlainAxelarApp(address(axChains[cA].gateway), address(axChains[cA].gasService));
        appB = new PlainAxelarApp(address(axChains[cB].gateway), address(axChains[cB].gasService));
        appB.trust("ethereum", aA.axelarAddressOf(address(appA)));
        appBAddress = aA.axelarAddressOf(address(appB));
        vm.deal(address(this), 100 ether);
    }

    function _recipient() internal view returns (bytes memory) {
        return InteroperableAddress.formatEvmV1(CHAIN_B, address(viaAdapter));
    }

    /// @dev Sends through the adapter (top-level call, exact quote); returns the captured call index and the gas.
    function _adapterSend(bytes memory payload) internal returns (uint256 index, uint256 gasUsed) {
        uint256 fee = aA.quote(_recipient(), payload, new bytes[](0));
        vm.recordLogs();
        aA.sendMessage{value: fee}(_recipient(), payload, new bytes[](0));
        gasUsed = _lastTxGas();
        if (_axCapture() != 1) revert AdapterAxelarBenchFailed("adapter send");
        index = _axLast();
    }

    /// @dev Sends through the plain app (top-level call, exact quote for the recipient's gas limit).
    function _directSend(bytes memory payload) internal returns (uint256 index, uint256 gasUsed) {
        uint256 fee = appA.quote("optimism", appBAddress, payload, GAS_LIMIT);
        vm.recordLogs();
        appA.send{value: fee}("optimism", appBAddress, payload);
        gasUsed = _lastTxGas();
        if (_axCapture() != 1) revert AdapterAxelarBenchFailed("direct send");
        index = _axLast();
    }

    /// @dev Approves captured call `index` (not measured), then the relayer's `execute` (top-level call, measured),
    /// asserting the recipient saw the payload.
    function _deliver(uint256 index, address recipient, bytes memory payload) internal returns (uint256 gasUsed) {
        _axApprove(index);
        bytes32 commandId = _axCommandId(index);
        string memory source = _axMessage(index).sourceAddress;
        bytes memory body = _axBody(index);
        address target = _axMessage(index).contractAddress;
        vm.expectEmit(recipient);
        emit BenchMessageReceived(keccak256(payload));
        AxelarExecutable(target).execute(commandId, "ethereum", source, body);
        gasUsed = _lastTxGas();
        if (!axChains[cB].gateway.isCommandExecuted(commandId)) revert AdapterAxelarBenchFailed("execute");
    }

    function test_Bench_AxelarAdapter_VsDirect() public {
        // The first delivery through the adapter writes a fresh replay word (nonce 0 of its 256).
        bytes memory warm = _payload(32);
        (uint256 first,) = _adapterSend(warm);
        uint256 deliverFirst = _deliver(first, address(viaAdapter), warm);
        (uint256 d0,) = _directSend(warm);
        uint256 directFirst = _deliver(d0, address(appB), warm);
        _snap("deliver_adapter_first_32B", deliverFirst);
        _snap("deliver_direct_first_32B", directFirst);
        // One more of each, so both sides are in their steady state.
        (uint256 w1,) = _adapterSend(warm);
        _deliver(w1, address(viaAdapter), warm);
        (uint256 w2,) = _directSend(warm);
        _deliver(w2, address(appB), warm);

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
        // Delivery: each side's message sent, then both delivered from the same state.
        (uint256 mAdapter,) = _adapterSend(payload);
        (uint256 mDirect,) = _directSend(payload);
        snapshot = vm.snapshotState();
        uint256 deliverAdapter = _deliver(mAdapter, address(viaAdapter), payload);
        if (aB.status(CHAIN_A, address(aA), _axBody(mAdapter)) != IConcordAdapter.MessageStatus.EXECUTED) {
            revert AdapterAxelarBenchFailed("adapter state");
        }
        vm.revertToState(snapshot);
        uint256 deliverDirect = _deliver(mDirect, address(appB), payload);

        _snap(string.concat("send_adapter", suffix), sendAdapter);
        _snap(string.concat("send_direct", suffix), sendDirect);
        _snap(string.concat("send_overhead", suffix), sendAdapter - sendDirect);
        _snap(string.concat("deliver_adapter", suffix), deliverAdapter);
        _snap(string.concat("deliver_direct", suffix), deliverDirect);
        _snap(string.concat("deliver_overhead", suffix), deliverAdapter - deliverDirect);
    }

    function _snap(string memory name, uint256 value) internal {
        console.log(string.concat(name, ":"), value);
        vm.snapshotValue(GROUP, name, value);
    }
}
