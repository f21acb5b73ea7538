// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {console} from "forge-std/console.sol";

import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {LayerZeroAdapterBase} from "../../adapters/LayerZeroAdapter/LayerZeroAdapterBase.sol";
import {ILayerZeroSuiteOps, LayerZeroHandler} from "./LayerZeroHandler.sol";

/// @notice LayerZero adapter suite: I1 (at most once per message id), I2 (only what A's enrolled adapter sent
/// executes) and I11 (nothing genuine made undeliverable) for the LayerZero adapter over LayerZero's contracts (the
/// test kit's EndpointV2, ULN302, DVN; see {LayerZeroFixture}), under any order of verification and execution,
/// starved executions, replays, failures and retries, forged peers, a forged eid and duplicate packets from the
/// enrolled adapter. The suite performs the LayerZero operations for the handler (`op*`); only the handler is fuzzed.
contract LayerZeroAdapterInvariantTest is LayerZeroAdapterBase, ILayerZeroSuiteOps {
    LayerZeroHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new LayerZeroHandler(this, aA, aB);
        vm.deal(address(this), 1_000_000 ether);

        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = LayerZeroHandler.send.selector;
        selectors[1] = LayerZeroHandler.send.selector;
        selectors[2] = LayerZeroHandler.verify.selector;
        selectors[3] = LayerZeroHandler.verify.selector;
        selectors[4] = LayerZeroHandler.execute.selector;
        selectors[5] = LayerZeroHandler.execute.selector;
        selectors[6] = LayerZeroHandler.setFailing.selector;
        selectors[7] = LayerZeroHandler.retry.selector;
        selectors[8] = LayerZeroHandler.forge.selector;
        selectors[9] = LayerZeroHandler.duplicate.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    // ------------------------------------------------------------------------------------------ operations

    function opSend(bytes calldata payload, address to) external returns (bytes32 id, uint256 index) {
        return _send(aA, alice, CHAIN_B, to, payload, _noAttr());
    }

    function opRawSend(uint32 srcEid, address from, bytes calldata envelope) external returns (uint256 index) {
        return _rawSend(srcEid, from, EID_B, address(aB), envelope, 1_000_000);
    }

    function opVerify(uint256 index) external {
        _lzVerify(index);
    }

    function opExecute(uint256 index, uint256 gas) external {
        _lzExecuteWithGas(index, gas);
    }

    function opPacketCount() external view returns (uint256) {
        return lzSent.length;
    }

    function opOptionGas(uint256 index) external view returns (uint256) {
        return _lzGasOf(index);
    }

    function opEnvelope(uint256 index) external view returns (bytes memory) {
        return _lzBody(index);
    }

    function opPending(uint256 index) external view returns (bool) {
        return _lzPending(index);
    }

    /// @notice Whether packet `index` is on A's adapter's path and neither verified nor executed at B's endpoint.
    function opAwaitingVerification(uint256 index) external view returns (bool) {
        bytes memory packet = _lzPacket(index);
        if (!this.opFromAdapterA(index) || _lzPending(index)) return false;
        return _lzNonce(packet) > _lzEndpoint(EID_B).lazyInboundNonce(address(aB), EID_A, _lzSender(packet));
    }

    /// @notice Whether packet `index` was sent by A's adapter on A's endpoint (its genuine sends and their duplicates).
    function opFromAdapterA(uint256 index) external view returns (bool) {
        bytes memory packet = _lzPacket(index);
        return _lzSrcEid(packet) == EID_A && _lzSender(packet) == bytes32(uint256(uint160(address(aA))));
    }

    /// @notice The handlers can make progress (the properties are not held vacuously): a send, verified and executed,
    /// runs once; a forged one never does.
    function test_Handlers_HappyPath() public {
        handler.send("hello");
        handler.verify(0, false);
        handler.execute(0, 0, false);
        assertEq(handler.recipient().total(), 1);
        handler.forge(7, "x", true, false);
        handler.forge(8, "y", false, true);
        assertEq(handler.recipient().total(), 1);
        assertEq(handler.store().violationCount(), 0);
        // Progress modes: verify the next undelivered packet of A's adapter, execute a verified one.
        handler.send("a");
        handler.duplicate(0);
        handler.send("b");
        for (uint256 i = 0; i < 3; ++i) {
            handler.verify(0, true);
        }
        for (uint256 i = 0; i < 3; ++i) {
            handler.execute(i, 0, false);
        }
        assertEq(handler.recipient().total(), 3);
    }

    // ------------------------------------------------------------------------------------------ properties

    /// @notice I1 and I2: every execution is of a message id A's adapter sent, at most once.
    function invariant_ExecutedOnlyGenuine_AtMostOnce() public view {
        uint256 sum;
        uint256 n = handler.genuineCount();
        for (uint256 i = 0; i < n; ++i) {
            uint256 count = handler.recipient().executions(handler.genuineIds(i));
            assertLe(count, 1, "executed twice");
            sum += count;
        }
        assertEq(sum, handler.recipient().total(), "an execution of a message A's adapter never sent");
    }

    function invariant_NoViolationRecorded() public view {
        assertEq(handler.store().violationCount(), 0, handler.store().firstViolation());
    }

    /// @notice The adapters keep no value (no sponsor balance here): fees went to the send library.
    function invariant_NoValueKept() public view {
        assertEq(address(aA).balance, 0);
        assertEq(address(aB).balance, 0);
    }

    /// @notice I11 (flush): every genuine message can still be executed once: verify every packet of A's adapter's
    /// path (the endpoint executes a nonce only when the lower ones are verified), execute each one whose envelope is
    /// not delivered yet, retry the FAILED ones with the recipient working.
    function afterInvariant() public {
        handler.recipient().setFailing(false);
        uint256 n = lzSent.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_lzSrcEid(_lzPacket(i)) != EID_A || address(uint160(uint256(_lzSender(_lzPacket(i))))) != address(aA)) {
                continue;
            }
            if (!_lzPending(i)) try this.opVerify(i) {} catch {}
        }
        for (uint256 i = 0; i < n; ++i) {
            if (!handler.isGenuinePacket(i)) continue;
            bytes memory envelope = _lzBody(i);
            if (aB.status(CHAIN_A, address(aA), envelope) == IConcordAdapter.MessageStatus.NONE) {
                _lzExecute(i);
            }
            if (aB.status(CHAIN_A, address(aA), envelope) == IConcordAdapter.MessageStatus.FAILED) {
                aB.retry(CHAIN_A, address(aA), envelope, 500_000);
            }
            assertEq(
                uint8(aB.status(CHAIN_A, address(aA), envelope)),
                uint8(IConcordAdapter.MessageStatus.EXECUTED),
                "a genuine message could not be executed"
            );
        }
        for (uint256 i = 0; i < handler.genuineCount(); ++i) {
            assertEq(handler.recipient().executions(handler.genuineIds(i)), 1, "not exactly once");
        }
        bytes32[9] memory names = [
            bytes32("send"), "verify", "verifyRefused", "execute", "executeRefused", "retry", "forge", "duplicate", ""
        ];
        for (uint256 i = 0; i + 1 < names.length; ++i) {
            console.log(string(abi.encodePacked(names[i])), handler.store().counters(names[i]));
        }
        assertGt(handler.store().counters("send"), 0, "no message sent");
    }
}
