// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAny2EVMMessageReceiver} from "@chainlink/contracts-ccip/contracts/interfaces/IAny2EVMMessageReceiver.sol";
import {IRouterClient} from "@chainlink/contracts-ccip/contracts/interfaces/IRouterClient.sol";
import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";
import {MockCCIPRouter} from "@chainlink/local/src/vendor/chainlink-ccip/test/mocks/MockRouter.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Test} from "forge-std/Test.sol";
import {Vm, VmSafe} from "forge-std/Vm.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";

/// @title CcipFixture
/// @notice CCIP through Chainlink's local simulator (npm chainlink/local 0.2.9: `MockCCIPRouter`, the router that
/// `CCIPLocalSimulator` deploys, over chainlink/contracts-ccip 1.6.2), made asynchronous by hand.
///
/// As shipped, the simulator is one router that is both the source and the destination router: `ccipSend` builds the
/// `Any2EVMMessage` (source selector always Sepolia's, sender = the caller) and delivers it in the same call through
/// `routeMessage`, reverting the sender's transaction when the receiver fails. That hides the network: no delay, no
/// ordering, no second delivery, no other source chain. The fixture takes the delivery apart:
/// - **hold**: `vm.mockCall` makes the router's ERC-165 probe of a held receiver answer "no"; `MockCCIPRouter` then
///   skips the call, as it does for any non-receiver, so `ccipSend` only takes the message and its fee;
/// - **capture**: the `ccipSend` calls are read from a state-diff recording (their exact calldata) and turned into the
///   `Any2EVMMessage` the destination would get: the router's own message id (`keccak256(abi.encode(message))`), the
///   source chain selector of the sender's chain (the fixture's record, where the real OffRamp's lane would give it),
///   the sender `abi.encode(caller)`, the data, and the gas limit of its extra args;
/// - **route**: the OffRamp path: `routeMessage(message, 5_000, gasLimit, receiver)` on the router, from the
///   fixture's OffRamp address, at any later time, in any order, twice, or altered (another sender or selector).
///   The router calls `ccipReceive` with exactly the gas limit (Chainlink's `CallWithExactGas`) and reports the
///   outcome as the real Router reports it to the OffRamp (success, return data), without reverting.
/// The real Router lets only the OffRamp registered for the message's source chain selector call `routeMessage`;
/// the simulator's router lets anyone, which the tests use to play a compromised or replaying lane.
abstract contract CcipFixture is Test {
    /// @notice Thrown when the fixture's reconstruction disagrees with the router.
    error CcipFixtureMismatch(string what);

    /// @dev The source selector the simulator stamps on every synchronous delivery (Ethereum Sepolia).
    uint64 internal constant SIM_SELECTOR = 16_015_286_601_757_825_753;
    /// @dev `MockCCIPRouter.GAS_FOR_CALL_EXACT_CHECK`, what the real OffRamp passes too.
    uint16 internal constant CCIP_GAS_FOR_CALL_EXACT_CHECK = 5000;
    /// @dev Flat native fee of the simulator's router (`setFee`; it prices no gas and no bytes).
    uint256 internal constant CCIP_FEE = 0.001 ether;

    struct CcipSent {
        address receiver;
        uint64 destinationSelector;
        uint256 gasLimit;
        bytes extraArgs;
        Client.Any2EVMMessage message;
    }

    MockCCIPRouter internal ccipRouter;
    address internal ccipOffRamp = makeAddr("ccip.offRamp");
    CcipSent[] internal ccipSent;
    /// @dev The CCIP chain selector of the chain each sending account lives on.
    mapping(address account => uint64 selector) internal ccipChainOf;
    address[] internal _ccipHeld;
    bool internal _ccipRecording;

    function _ccipDeployRouter() internal {
        ccipRouter = new MockCCIPRouter();
        ccipRouter.setFee(CCIP_FEE);
        vm.label(address(ccipRouter), "MockCCIPRouter");
    }

    // ------------------------------------------------------------------------------------------ hold

    /// @dev `receiver`'s messages are no longer delivered inside `ccipSend`; they wait to be routed.
    function _ccipHold(address receiver) internal {
        _ccipHeld.push(receiver);
        _ccipMockProbe(receiver);
    }

    /// @dev Back to the simulator as shipped: every message delivered inside `ccipSend`.
    function _ccipReleaseAll() internal {
        delete _ccipHeld;
        vm.clearMockedCalls();
    }

    function _ccipMockProbe(address receiver) private {
        vm.mockCall(
            receiver,
            abi.encodeCall(IERC165.supportsInterface, (type(IAny2EVMMessageReceiver).interfaceId)),
            abi.encode(false)
        );
    }

    /// @dev Every held receiver but `except` keeps its probe mocked.
    function _ccipRemock(address except) private {
        vm.clearMockedCalls();
        for (uint256 i = 0; i < _ccipHeld.length; ++i) {
            if (_ccipHeld[i] != except) _ccipMockProbe(_ccipHeld[i]);
        }
    }

    // ------------------------------------------------------------------------------------------ capture

    function _ccipRecord() internal {
        if (_ccipRecording) revert CcipFixtureMismatch("already recording");
        _ccipRecording = true;
        vm.startStateDiffRecording();
    }

    /// @dev Captures every `ccipSend` to the router since `_ccipRecord` that did not revert; returns how many.
    function _ccipCapture() internal returns (uint256 captured) {
        _ccipRecording = false;
        Vm.AccountAccess[] memory accesses = vm.stopAndReturnStateDiff();
        for (uint256 i = 0; i < accesses.length; ++i) {
            Vm.AccountAccess memory a = accesses[i];
            if (a.kind != VmSafe.AccountAccessKind.Call || a.account != address(ccipRouter) || a.reverted) continue;
            if (a.data.length < 4 || bytes4(a.data) != IRouterClient.ccipSend.selector) continue;
            (uint64 destinationSelector, Client.EVM2AnyMessage memory m) = this.ccipDecodeSend(a.data);
            uint64 source = ccipChainOf[a.accessor];
            if (source == 0) revert CcipFixtureMismatch("sender on no known chain");
            CcipSent storage s = ccipSent.push();
            s.receiver = address(uint160(abi.decode(m.receiver, (uint256))));
            s.destinationSelector = destinationSelector;
            s.extraArgs = m.extraArgs;
            s.gasLimit = this.ccipDecodeGasLimit(m.extraArgs);
            s.message.messageId = keccak256(abi.encode(m));
            s.message.sourceChainSelector = source;
            s.message.sender = abi.encode(a.accessor);
            s.message.data = m.data;
            if (m.tokenAmounts.length != 0) revert CcipFixtureMismatch("tokens");
            ++captured;
        }
    }

    /// @dev Decodes `ccipSend` calldata (external so it can slice calldata).
    function ccipDecodeSend(bytes calldata data) external pure returns (uint64, Client.EVM2AnyMessage memory) {
        return abi.decode(data[4:], (uint64, Client.EVM2AnyMessage));
    }

    /// @dev The gas limit of `GenericExtraArgsV2` / `EVMExtraArgsV1` (the simulator's default when empty).
    function ccipDecodeGasLimit(bytes calldata extraArgs) external pure returns (uint256) {
        if (extraArgs.length == 0) return 200_000;
        if (bytes4(extraArgs) == Client.GENERIC_EXTRA_ARGS_V2_TAG) {
            return abi.decode(extraArgs[4:], (Client.GenericExtraArgsV2)).gasLimit;
        }
        if (bytes4(extraArgs) == Client.EVM_EXTRA_ARGS_V1_TAG) return abi.decode(extraArgs[4:], (uint256));
        revert CcipFixtureMismatch("extra args");
    }

    // ------------------------------------------------------------------------------------------ route (OffRamp path)

    /// @dev Routes captured message `i` to its receiver; requires the Router to report success. Captures what the
    /// delivery sends.
    function _ccipRoute(uint256 i) internal {
        (bool ok, bytes memory ret) = _ccipTryRoute(i);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }

    /// @dev Routes captured message `i`; returns the Router's report (a failed `ccipReceive` reverts nothing: the
    /// real OffRamp marks the message FAILURE and keeps it for manual execution).
    function _ccipTryRoute(uint256 i) internal returns (bool ok, bytes memory ret) {
        CcipSent storage s = ccipSent[i];
        return _ccipRouteMessage(s.message, s.gasLimit, s.receiver);
    }

    /// @dev Routes `message` to `receiver` with `gasLimit`, as the OffRamp does; captures what the delivery sends.
    function _ccipRouteMessage(Client.Any2EVMMessage memory message, uint256 gasLimit, address receiver)
        internal
        returns (bool ok, bytes memory ret)
    {
        bool wasRecording = _ccipRecording;
        if (!wasRecording) _ccipRecord();
        (ok, ret) = _ccipRouteUncaptured(message, gasLimit, receiver);
        if (!wasRecording) _ccipCapture();
    }

    /// @dev Same, without capturing (for loops over many deliveries: the recording's copies fill memory).
    function _ccipRouteUncaptured(Client.Any2EVMMessage memory message, uint256 gasLimit, address receiver)
        internal
        returns (bool ok, bytes memory ret)
    {
        _ccipRemock(receiver);
        vm.prank(ccipOffRamp);
        (ok, ret,) = ccipRouter.routeMessage(message, CCIP_GAS_FOR_CALL_EXACT_CHECK, gasLimit, receiver);
        _ccipRemock(address(0));
    }

    /// @dev Asserts that routing captured message `i` fails in `ccipReceive` with `expected` (the Router caps the
    /// return data at `Internal.MAX_RET_BYTES`: compared on that prefix).
    function _ccipRouteExpectFail(uint256 i, bytes memory expected) internal {
        (bool ok, bytes memory ret) = _ccipTryRoute(i);
        _ccipAssertFailed(ok, ret, expected);
    }

    function _ccipAssertFailed(bool ok, bytes memory ret, bytes memory expected) internal pure {
        assertFalse(ok, "ccipReceive failed");
        uint256 n = expected.length < 132 ? expected.length : 132;
        bytes memory prefix = new bytes(n);
        for (uint256 j = 0; j < n; ++j) {
            prefix[j] = expected[j];
        }
        assertEq(ret, prefix, "ccipReceive's error");
    }

    // ------------------------------------------------------------------------------------------ views

    function _ccipLast() internal view returns (uint256) {
        return ccipSent.length - 1;
    }

    function _ccipMessage(uint256 i) internal view returns (Client.Any2EVMMessage memory) {
        return ccipSent[i].message;
    }

    /// @dev The Concord envelope (message data) of captured message `i`.
    function _ccipBody(uint256 i) internal view returns (bytes memory) {
        return ccipSent[i].message.data;
    }

    function _ccipEnvelope(uint256 i) internal view returns (IConcordAdapter.Envelope memory) {
        return AdapterEnvelope.decode(ccipSent[i].message.data);
    }

    function _ccipId(uint256 i) internal view returns (bytes32) {
        return ccipSent[i].message.messageId;
    }
}
