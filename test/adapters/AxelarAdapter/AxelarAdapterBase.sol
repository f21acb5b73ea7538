// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {AxelarAdapter} from "../../../contracts/adapters/axelar/AxelarAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {ProbeRecipient} from "../HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {AxelarFixture} from "./AxelarFixture.sol";

/// @notice Two Axelar chains (A: Concord 1 / "ethereum"; B: Concord 10 / "optimism") with their real contracts (see
/// {AxelarFixture}), an Axelar adapter on each, enrolled to each other, and a probe recipient on each (the shared
/// {ProbeRecipient} of the adapter tests). The AccessManager's admin is this test contract.
abstract contract AxelarAdapterBase is AxelarFixture {
    uint32 internal constant CHAIN_A = 1;
    uint32 internal constant CHAIN_B = 10;
    uint32 internal constant CHAIN_C = 8453;
    string internal constant AX_A = "ethereum";
    string internal constant AX_B = "optimism";
    string internal constant AX_C = "base";
    uint32 internal constant DEFAULT_GAS = 200_000;

    AccessManager internal manager;
    uint256 internal cA;
    uint256 internal cB;
    AxelarAdapter internal aA;
    AxelarAdapter internal aB;
    ProbeRecipient internal rA;
    ProbeRecipient internal rB;

    address internal alice = makeAddr("alice");
    address internal stranger = makeAddr("stranger");

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        manager = new AccessManager(address(this));
        cA = _axDeployChain(CHAIN_A, AX_A);
        cB = _axDeployChain(CHAIN_B, AX_B);
        _axConnect(cA, cB);
        _axConnect(cB, cA);
        aA = _axDeployAdapter(cA, manager, DEFAULT_GAS);
        aB = _axDeployAdapter(cB, manager, DEFAULT_GAS);
        _axEnroll(aA, cB, aB);
        _axEnroll(aB, cA, aA);
        rA = new ProbeRecipient();
        rB = new ProbeRecipient();
        vm.deal(alice, 100 ether);
        vm.deal(stranger, 100 ether);
    }

    function _to(uint32 chain, address account) internal pure returns (bytes memory) {
        return InteroperableAddress.formatEvmV1(chain, account);
    }

    function _gasAttr(uint256 gasLimit) internal pure returns (bytes[] memory attributes) {
        attributes = new bytes[](1);
        attributes[0] = abi.encodeWithSelector(bytes4(0xce296026), gasLimit);
    }

    function _noAttr() internal pure returns (bytes[] memory) {
        return new bytes[](0);
    }

    /// @dev `from` sends `payload` to `to` on `chain` through `adapter`, paying exactly its quote; returns the message
    /// id and the captured Axelar call's index.
    function _send(
        AxelarAdapter adapter,
        address from,
        uint32 chain,
        address to,
        bytes memory payload,
        bytes[] memory attributes
    ) internal returns (bytes32 id, uint256 index) {
        bytes memory recipient = _to(chain, to);
        uint256 fee = adapter.quote(recipient, payload, attributes);
        vm.deal(from, from.balance + fee);
        vm.recordLogs();
        vm.prank(from);
        id = adapter.sendMessage{value: fee}(recipient, payload, attributes);
        assertEq(_axCapture(), 1, "one Axelar call");
        index = _axLast();
    }

    /// @dev `from` calls chain `c`'s gateway directly: `payload` to `destinationAddress` on `destinationChain`; returns
    /// the captured call's index. Any account may call the gateway with anything.
    function _rawCall(
        uint256 c,
        address from,
        string memory destinationChain,
        address destinationAddress,
        bytes memory payload
    ) internal returns (uint256 index) {
        string memory to = aA.axelarAddressOf(destinationAddress);
        vm.recordLogs();
        vm.prank(from);
        axChains[c].gateway.callContract(destinationChain, to, payload);
        assertEq(_axCapture(), 1, "one Axelar call");
        index = _axLast();
    }

    /// @dev alice sends `payload` from A to `rB` with the default gas limit.
    function _sendAB(bytes memory payload) internal returns (bytes32 id, uint256 index) {
        return _send(aA, alice, CHAIN_B, address(rB), payload, _noAttr());
    }

    /// @dev The status on `adapter` of captured call `index` (from the adapter on `origin`).
    function _status(AxelarAdapter adapter, uint32 origin, address originAdapter, uint256 index)
        internal
        view
        returns (IConcordAdapter.MessageStatus)
    {
        return adapter.status(origin, originAdapter, _axBody(index));
    }

    function _assertStatus(
        AxelarAdapter adapter,
        uint32 origin,
        address originAdapter,
        uint256 index,
        IConcordAdapter.MessageStatus expected
    ) internal view {
        assertEq(uint8(_status(adapter, origin, originAdapter, index)), uint8(expected), "adapter status");
    }
}
