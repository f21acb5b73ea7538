// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CCIPReceiver} from "@chainlink/contracts-ccip/contracts/applications/CCIPReceiver.sol";
import {IRouterClient} from "@chainlink/contracts-ccip/contracts/interfaces/IRouterClient.sol";
import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {console} from "forge-std/console.sol";

import {CcipAdapter} from "../../contracts/adapters/ccip/CcipAdapter.sol";
import {IConcordAdapter} from "../../contracts/interfaces/IConcordAdapter.sol";
import {CcipFixture} from "../adapters/CcipAdapter/CcipFixture.sol";
import {BenchBase, IBenchReceiverEvents} from "./BenchBase.sol";
import {BenchConcordRecipient} from "./BenchReceivers.sol";

/// @title PlainCcipApp
/// @notice Benchmark application that uses CCIP directly, as Chainlink's examples do: a `CCIPReceiver` (Chainlink's own
/// base) that sends its body to its peer with `ccipSend` (native fee, `GenericExtraArgsV2` with the destination gas
/// limit, out of order) and, on receipt, checks the source chain selector and the sender against its peer, then does
/// the common receiver work (hash the body, emit `BenchMessageReceived`).
contract PlainCcipApp is CCIPReceiver, IBenchReceiverEvents {
    /// @notice Thrown when a message comes from another chain or sender than the peer.
    error PlainCcipAppUntrustedSource(uint64 chainSelector, bytes sender);

    uint64 internal immutable _PEER_SELECTOR;
    address internal immutable _PEER;

    /// @param router The local CCIP Router.
    /// @param peerSelector The peer's chain selector (destination of sends, source of receipts).
    /// @param peer The peer app there.
    constructor(address router, uint64 peerSelector, address peer) CCIPReceiver(router) {
        _PEER_SELECTOR = peerSelector;
        _PEER = peer;
    }

    /// @notice The fee of `send(body, gasLimit)`.
    function quote(bytes calldata body, uint256 gasLimit) external view returns (uint256) {
        return IRouterClient(i_ccipRouter).getFee(_PEER_SELECTOR, _message(body, gasLimit));
    }

    /// @notice Sends `body` to the peer, paying the value sent for `gasLimit` of destination gas.
    function send(bytes calldata body, uint256 gasLimit) external payable returns (bytes32) {
        return IRouterClient(i_ccipRouter).ccipSend{value: msg.value}(_PEER_SELECTOR, _message(body, gasLimit));
    }

    function _ccipReceive(Client.Any2EVMMessage memory message) internal override {
        if (message.sourceChainSelector != _PEER_SELECTOR || abi.decode(message.sender, (address)) != _PEER) {
            revert PlainCcipAppUntrustedSource(message.sourceChainSelector, message.sender);
        }
        emit BenchMessageReceived(keccak256(message.data));
    }

    function _message(bytes calldata body, uint256 gasLimit) internal view returns (Client.EVM2AnyMessage memory) {
        return Client.EVM2AnyMessage({
            receiver: abi.encode(_PEER),
            data: body,
            tokenAmounts: new Client.EVMTokenAmount[](0),
            feeToken: address(0),
            extraArgs: Client._argsToBytes(
                Client.GenericExtraArgsV2({gasLimit: gasLimit, allowOutOfOrderExecution: true})
            )
        });
    }
}

/// @title AllowlistCcipApp
/// @notice Benchmark application written as Chainlink's CCIP documentation writes one ("Send arbitrary data",
/// `Messenger`): destination chains, source chains and senders allowlisted in storage by the owner; the send quotes
/// `getFee` for the message it builds, refuses less value and pays exactly the fee (refunding the rest, which the
/// Router would otherwise keep); the receipt checks the allowlists, then does the common receiver work. No storage
/// written on either leg (the documentation's example also stores the last message; left out, as in the adapter's
/// recipient).
contract AllowlistCcipApp is CCIPReceiver, IBenchReceiverEvents {
    /// @notice Thrown when sending to a chain that is not allowlisted.
    error AllowlistCcipAppDestinationNotAllowed(uint64 chainSelector);
    /// @notice Thrown when a message comes from a chain or a sender that is not allowlisted.
    error AllowlistCcipAppSourceNotAllowed(uint64 chainSelector, address sender);
    /// @notice Thrown when the value sent is below the fee.
    error AllowlistCcipAppFeeTooLow(uint256 fee, uint256 value);
    /// @notice Thrown when the refund of the value beyond the fee fails.
    error AllowlistCcipAppRefundFailed();

    mapping(uint64 chainSelector => bool) public allowlistedDestinationChains;
    mapping(uint64 chainSelector => bool) public allowlistedSourceChains;
    mapping(address sender => bool) public allowlistedSenders;

    /// @param router The local CCIP Router.
    constructor(address router) CCIPReceiver(router) {}

    /// @notice Allowlists `chainSelector` as a destination and a source, and `sender` as a sender.
    function allow(uint64 chainSelector, address sender) external {
        allowlistedDestinationChains[chainSelector] = true;
        allowlistedSourceChains[chainSelector] = true;
        allowlistedSenders[sender] = true;
    }

    /// @notice The fee of `send(chainSelector, receiver, body, gasLimit)`.
    function quote(uint64 chainSelector, address receiver, bytes calldata body, uint256 gasLimit)
        external
        view
        returns (uint256)
    {
        return IRouterClient(i_ccipRouter).getFee(chainSelector, _message(receiver, body, gasLimit));
    }

    /// @notice Sends `body` to `receiver` on `chainSelector` for `gasLimit` of destination gas, paying the fee out of
    /// the value sent and refunding the rest.
    function send(uint64 chainSelector, address receiver, bytes calldata body, uint256 gasLimit)
        external
        payable
        returns (bytes32 messageId)
    {
        if (!allowlistedDestinationChains[chainSelector]) {
            revert AllowlistCcipAppDestinationNotAllowed(chainSelector);
        }
        Client.EVM2AnyMessage memory message = _message(receiver, body, gasLimit);
        IRouterClient router = IRouterClient(i_ccipRouter);
        uint256 fee = router.getFee(chainSelector, message);
        if (msg.value < fee) revert AllowlistCcipAppFeeTooLow(fee, msg.value);
        messageId = router.ccipSend{value: fee}(chainSelector, message);
        if (msg.value > fee) {
            (bool ok,) = msg.sender.call{value: msg.value - fee}("");
            if (!ok) revert AllowlistCcipAppRefundFailed();
        }
    }

    function _ccipReceive(Client.Any2EVMMessage memory message) internal override {
        address sender = abi.decode(message.sender, (address));
        if (!allowlistedSourceChains[message.sourceChainSelector] || !allowlistedSenders[sender]) {
            revert AllowlistCcipAppSourceNotAllowed(message.sourceChainSelector, sender);
        }
        emit BenchMessageReceived(keccak256(message.data));
    }

    function _message(address receiver, bytes calldata body, uint256 gasLimit)
        internal
        pure
        returns (Client.EVM2AnyMessage memory)
    {
        return Client.EVM2AnyMessage({
            receiver: abi.encode(receiver),
            data: body,
            tokenAmounts: new Client.EVMTokenAmount[](0),
            feeToken: address(0),
            extraArgs: Client._argsToBytes(
                Client.GenericExtraArgsV2({gasLimit: gasLimit, allowOutOfOrderExecution: true})
            )
        });
    }
}

/// @notice Issue 16: the CCIP adapter against CCIP used directly by a plain `CCIPReceiver` app, side by side in one
/// run, full transaction gas (`forge test --isolate --match-path test/bench/AdapterCcipGas.t.sol -vv`). Both sides use
/// the same router (the `MockCCIPRouter` of chainlink/local, flat native fee), the same payload and the same recipient
/// work (hash the payload, emit one event). Send: `adapter.sendMessage` (ERC-7786, paying the quote exactly) against
/// the plain app's `ccipSend`, each with the router's synchronous delivery held (see {CcipFixture}: the router's
/// ERC-165 probe of the destination answers no, so both sends include the same probe and no delivery). Delivery:
/// `routeMessage` from the OffRamp address with the message's own gas limit, to the adapter (-> ERC-7786 recipient)
/// against the plain app. The simulator's router stands for the real Router + OnRamp / OffRamp, whose own costs are the
/// same for both sides and are not measured here. Each pair is measured from the same state (snapshot, measure,
/// revert), steady state: neither the adapter's nonce nor its replay word is fresh. The delivery of the first message
/// of a 256-nonce replay word (a fresh slot) is reported apart. Two baselines: the plain app (`*_direct_*`,
/// `*_overhead_*`: immutables, the caller's value handed to the Router unquoted) and the app as Chainlink's
/// documentation writes it (`*_allowlist_*`, `*_overhead_vs_allowlist_*`: allowlists in storage, `getFee` in the send,
/// exact payment). Snapshot group `AdapterCcip` (snapshots/AdapterCcip.json).
contract AdapterCcipGasBench is BenchBase, CcipFixture {
    /// @notice Thrown when a measured call did not leave the expected state.
    error AdapterCcipBenchFailed(string what);

    uint32 internal constant CHAIN_A = 1;
    uint32 internal constant CHAIN_B = 10;
    uint64 internal constant SEL_A = 5_009_297_550_715_157_269;
    uint64 internal constant SEL_B = 3_734_403_246_176_062_136;
    uint32 internal constant GAS_LIMIT = 200_000;
    string internal constant GROUP = "AdapterCcip";

    AccessManager internal manager;
    CcipAdapter internal aA;
    CcipAdapter internal aB;
    BenchConcordRecipient internal viaAdapter;
    PlainCcipApp internal appA;
    PlainCcipApp internal appB;
    AllowlistCcipApp internal listA;
    AllowlistCcipApp internal listB;

    function setUp() public {
        manager = new AccessManager(address(this));
        _ccipDeployRouter();
        aA = new CcipAdapter(address(ccipRouter), SEL_A, CHAIN_A, address(manager), GAS_LIMIT);
        aB = new CcipAdapter(address(ccipRouter), SEL_B, CHAIN_B, address(manager), GAS_LIMIT);
        aA.setChainSelector(CHAIN_B, SEL_B);
        aA.setRemote(CHAIN_B, address(aB));
        aB.setChainSelector(CHAIN_A, SEL_A);
        aB.setRemote(CHAIN_A, address(aA));
        viaAdapter = new BenchConcordRecipient(address(aB));
        address predictedB = vm.computeCreateAddress(address(this), vm.getNonce(address(this)) + 1);
        appA = new PlainCcipApp(address(ccipRouter), SEL_B, predictedB);
        appB = new PlainCcipApp(address(ccipRouter), SEL_A, address(appA));
        if (address(appB) != predictedB) revert AdapterCcipBenchFailed("app address");
        listA = new AllowlistCcipApp(address(ccipRouter));
        listB = new AllowlistCcipApp(address(ccipRouter));
        listA.allow(SEL_B, address(listB));
        listB.allow(SEL_A, address(listA));
        ccipChainOf[address(listA)] = SEL_A;
        _ccipHold(address(listB));
        ccipChainOf[address(aA)] = SEL_A;
        ccipChainOf[address(appA)] = SEL_A;
        _ccipHold(address(aB));
        _ccipHold(address(appB));
        vm.deal(address(this), 100 ether);
    }

    function _recipient() internal view returns (bytes memory) {
        return InteroperableAddress.formatEvmV1(CHAIN_B, address(viaAdapter));
    }

    /// @dev Sends through the adapter (top-level call, exact quote); returns the captured message index and the gas.
    function _adapterSend(bytes memory payload) internal returns (uint256 index, uint256 gasUsed) {
        uint256 fee = aA.quote(_recipient(), payload, new bytes[](0));
        _ccipRecord();
        aA.sendMessage{value: fee}(_recipient(), payload, new bytes[](0));
        gasUsed = _lastTxGas();
        if (_ccipCapture() != 1) revert AdapterCcipBenchFailed("adapter send");
        index = _ccipLast();
    }

    /// @dev Sends through the plain app (top-level call, exact quote, the recipient's gas limit named).
    function _directSend(bytes memory payload) internal returns (uint256 index, uint256 gasUsed) {
        uint256 fee = appA.quote(payload, GAS_LIMIT);
        _ccipRecord();
        appA.send{value: fee}(payload, GAS_LIMIT);
        gasUsed = _lastTxGas();
        if (_ccipCapture() != 1) revert AdapterCcipBenchFailed("direct send");
        index = _ccipLast();
    }

    /// @dev `routeMessage` of captured message `index` from the OffRamp (top-level call, the message's gas limit),
    /// asserting the recipient saw the payload.
    function _deliver(uint256 index, address recipient, bytes memory payload) internal returns (uint256 gasUsed) {
        CcipSent storage s = ccipSent[index];
        Client.Any2EVMMessage memory message = s.message;
        uint256 gasLimit = s.gasLimit;
        address receiver = s.receiver;
        vm.clearMockedCalls();
        vm.expectEmit(recipient);
        emit BenchMessageReceived(keccak256(payload));
        vm.prank(ccipOffRamp);
        (bool ok,,) = ccipRouter.routeMessage(message, CCIP_GAS_FOR_CALL_EXACT_CHECK, gasLimit, receiver);
        gasUsed = _lastTxGas();
        if (!ok) revert AdapterCcipBenchFailed("routeMessage");
        _ccipHold(address(aB));
        _ccipHold(address(appB));
        _ccipHold(address(listB));
    }

    /// @dev Sends through the allowlist app (top-level call, exact quote, the recipient's gas limit named).
    function _listSend(bytes memory payload) internal returns (uint256 index, uint256 gasUsed) {
        uint256 fee = listA.quote(SEL_B, address(listB), payload, GAS_LIMIT);
        _ccipRecord();
        listA.send{value: fee}(SEL_B, address(listB), payload, GAS_LIMIT);
        gasUsed = _lastTxGas();
        if (_ccipCapture() != 1) revert AdapterCcipBenchFailed("allowlist send");
        index = _ccipLast();
    }

    function test_Bench_CcipAdapter_VsDirect() public {
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
        (uint256 w3,) = _listSend(warm);
        _deliver(w3, address(listB), warm);

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
        (, uint256 sendList) = _listSend(payload);
        vm.revertToState(snapshot);
        // Delivery: each side's message sent, then both routed from the same state.
        (uint256 mAdapter,) = _adapterSend(payload);
        (uint256 mDirect,) = _directSend(payload);
        (uint256 mList,) = _listSend(payload);
        snapshot = vm.snapshotState();
        uint256 deliverAdapter = _deliver(mAdapter, address(viaAdapter), payload);
        if (aB.status(CHAIN_A, address(aA), _ccipBody(mAdapter)) != IConcordAdapter.MessageStatus.EXECUTED) {
            revert AdapterCcipBenchFailed("adapter delivery");
        }
        vm.revertToState(snapshot);
        uint256 deliverDirect = _deliver(mDirect, address(appB), payload);
        if (aB.status(CHAIN_A, address(aA), _ccipBody(mAdapter)) != IConcordAdapter.MessageStatus.NONE) {
            revert AdapterCcipBenchFailed("states");
        }
        vm.revertToState(snapshot);
        uint256 deliverList = _deliver(mList, address(listB), payload);

        _snap(string.concat("send_adapter", suffix), sendAdapter);
        _snap(string.concat("send_direct", suffix), sendDirect);
        _snap(string.concat("send_overhead", suffix), sendAdapter - sendDirect);
        _snap(string.concat("deliver_adapter", suffix), deliverAdapter);
        _snap(string.concat("deliver_direct", suffix), deliverDirect);
        _snap(string.concat("deliver_overhead", suffix), deliverAdapter - deliverDirect);
        _snap(string.concat("send_allowlist", suffix), sendList);
        _snap(string.concat("send_overhead_vs_allowlist", suffix), sendAdapter - sendList);
        _snap(string.concat("deliver_allowlist", suffix), deliverList);
        _snap(string.concat("deliver_overhead_vs_allowlist", suffix), deliverAdapter - deliverList);
    }

    function _snap(string memory name, uint256 value) internal {
        console.log(string.concat(name, ":"), value);
        vm.snapshotValue(GROUP, name, value);
    }
}
