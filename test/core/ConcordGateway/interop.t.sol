// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    CallType,
    ERC7579Utils,
    ExecType,
    Mode,
    ModePayload,
    ModeSelector
} from "@openzeppelin/contracts/account/utils/draft-ERC7579Utils.sol";
import {CrosschainLinked} from "@openzeppelin/contracts/crosschain/CrosschainLinked.sol";
import {CrosschainRemoteExecutor} from "@openzeppelin/contracts/crosschain/CrosschainRemoteExecutor.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Crosschain} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Crosschain.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {Vm} from "forge-std/Vm.sol";

import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {ConcordGatewayBase} from "./Base.t.sol";

/// @dev The minimal concrete instantiation OpenZeppelin's abstract ERC20Crosschain needs (name, symbol, links).
contract InteropToken is ERC20Crosschain {
    constructor(CrosschainLinked.Link[] memory links) ERC20("Interop", "IOP") CrosschainLinked(links) {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

contract Counter {
    uint256 public value;
    address public lastCaller;

    function add(uint256 x) external {
        value += x;
        lastCaller = msg.sender;
    }
}

/// @notice OpenZeppelin 5.7's crosschain contracts, unmodified, over two Concord gateways in one EVM
/// (domains ORIGIN and LOCAL, trust-all verifiers).
contract ConcordGateway_interop is ConcordGatewayBase {
    InteropToken internal tokenA; // on ORIGIN (gateway `source`)
    InteropToken internal tokenB; // on LOCAL (gateway `gateway`)
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public override {
        super.setUp();
        address predictedB = vm.computeCreateAddress(address(this), vm.getNonce(address(this)) + 1);
        CrosschainLinked.Link[] memory linksA = new CrosschainLinked.Link[](1);
        linksA[0] = CrosschainLinked.Link(address(source), InteroperableAddress.formatEvmV1(LOCAL, predictedB));
        tokenA = new InteropToken(linksA);
        CrosschainLinked.Link[] memory linksB = new CrosschainLinked.Link[](1);
        linksB[0] = CrosschainLinked.Link(address(gateway), InteroperableAddress.formatEvmV1(ORIGIN, address(tokenA)));
        tokenB = new InteropToken(linksB);
        assertEq(address(tokenB), predictedB);
        tokenA.mint(alice, 1000);
    }

    /// @dev Relays every message `from` emitted during `fn` to `to` (the transport of this test).
    function _relayAll(ConcordGateway to, Vm.Log[] memory logs) internal {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (
                logs[i].topics[0] == IConcordGateway.Dispatched.selector
                    && uint256(logs[i].topics[2]) == to.localDomain()
            ) {
                to.process("", abi.decode(logs[i].data, (bytes)));
            }
        }
    }

    function test_Interop_ERC20Crosschain_RoundTrip() public {
        vm.recordLogs();
        vm.prank(alice);
        bytes32 sendId = tokenA.crosschainTransfer(InteroperableAddress.formatEvmV1(LOCAL, bob), 300);
        assertTrue(sendId != bytes32(0));
        assertEq(tokenA.balanceOf(alice), 700);
        _relayAll(gateway, vm.getRecordedLogs());
        assertEq(tokenB.balanceOf(bob), 300);

        // back again
        vm.recordLogs();
        vm.prank(bob);
        tokenB.crosschainTransfer(InteroperableAddress.formatEvmV1(ORIGIN, alice), 100);
        _relayAll(source, vm.getRecordedLogs());
        assertEq(tokenB.balanceOf(bob), 200);
        assertEq(tokenA.balanceOf(alice), 800);
    }

    function test_Interop_ERC20Crosschain_TwoIdenticalTransfers_BothDeliver() public {
        vm.recordLogs();
        vm.startPrank(alice);
        tokenA.crosschainTransfer(InteroperableAddress.formatEvmV1(LOCAL, bob), 10);
        tokenA.crosschainTransfer(InteroperableAddress.formatEvmV1(LOCAL, bob), 10);
        vm.stopPrank();
        _relayAll(gateway, vm.getRecordedLogs());
        assertEq(tokenB.balanceOf(bob), 20);
    }

    /// @dev A message forged from another sender on the origin is rejected by OZ's link check (sender bytes are
    /// exactly formatEvmV1(origin, sender)): FAILED at the gateway, nothing minted.
    function test_Interop_ERC20Crosschain_UnlinkedSender_Failed() public {
        bytes memory payload = abi.encode(InteroperableAddress.formatEvmV1(ORIGIN, alice), abi.encodePacked(bob), 5);
        bytes memory message = _message(0, alice, address(tokenB), GAS_LIMIT, payload);
        gateway.process("", message);
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
        assertEq(tokenB.balanceOf(bob), 0);
    }

    function _executorPayload(address target, bytes memory data) internal pure returns (bytes memory) {
        Mode mode = ERC7579Utils.encodeMode(
            ERC7579Utils.CALLTYPE_SINGLE, ERC7579Utils.EXECTYPE_DEFAULT, ModeSelector.wrap(0), ModePayload.wrap(0)
        );
        // ERC-7579 single execution calldata: target (20) | value (32) | callData (same as ERC7579Utils.encodeSingle)
        return abi.encodePacked(Mode.unwrap(mode), target, uint256(0), data);
    }

    function test_Interop_CrosschainRemoteExecutor() public {
        address controller = makeAddr("controller");
        CrosschainRemoteExecutor executor =
            new CrosschainRemoteExecutor(address(gateway), InteroperableAddress.formatEvmV1(ORIGIN, controller));
        Counter counter = new Counter();

        vm.recordLogs();
        vm.prank(controller);
        source.sendMessage(
            InteroperableAddress.formatEvmV1(LOCAL, address(executor)),
            _executorPayload(address(counter), abi.encodeCall(Counter.add, (7))),
            new bytes[](0)
        );
        _relayAll(gateway, vm.getRecordedLogs());
        assertEq(counter.value(), 7);
        assertEq(counter.lastCaller(), address(executor));
    }

    function test_Interop_CrosschainRemoteExecutor_WrongController_Failed() public {
        CrosschainRemoteExecutor executor = new CrosschainRemoteExecutor(
            address(gateway), InteroperableAddress.formatEvmV1(ORIGIN, makeAddr("controller"))
        );
        Counter counter = new Counter();
        vm.recordLogs();
        source.sendMessage(
            InteroperableAddress.formatEvmV1(LOCAL, address(executor)),
            _executorPayload(address(counter), abi.encodeCall(Counter.add, (7))),
            new bytes[](0)
        );
        _relayAll(gateway, vm.getRecordedLogs());
        assertEq(counter.value(), 0);
    }

    /// @dev A remote executor on LOCAL bridging tokens back to ORIGIN: the executor sends through the gateway while
    /// the gateway is delivering to it (dispatch is deliberately not reentrancy-locked).
    function test_Interop_RemoteExecutorBridgesTokensDuringDelivery() public {
        address controller = makeAddr("controller");
        CrosschainRemoteExecutor executor =
            new CrosschainRemoteExecutor(address(gateway), InteroperableAddress.formatEvmV1(ORIGIN, controller));
        // fund the executor on LOCAL
        vm.recordLogs();
        vm.prank(alice);
        tokenA.crosschainTransfer(InteroperableAddress.formatEvmV1(LOCAL, address(executor)), 50);
        _relayAll(gateway, vm.getRecordedLogs());
        assertEq(tokenB.balanceOf(address(executor)), 50);

        vm.recordLogs();
        vm.prank(controller);
        source.sendMessage(
            InteroperableAddress.formatEvmV1(LOCAL, address(executor)),
            _executorPayload(
                address(tokenB),
                abi.encodeCall(tokenB.crosschainTransfer, (InteroperableAddress.formatEvmV1(ORIGIN, bob), 20))
            ),
            new bytes[](0)
        );
        Vm.Log[] memory first = vm.getRecordedLogs();
        vm.recordLogs();
        _relayAll(gateway, first);
        assertEq(tokenB.balanceOf(address(executor)), 30);
        _relayAll(source, vm.getRecordedLogs());
        assertEq(tokenA.balanceOf(bob), 20);
    }
}
