// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    MessagingFee,
    MessagingParams
} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {LayerZeroAdapter} from "../../../contracts/adapters/layerzero/LayerZeroAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {ProbeRecipient} from "../HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {LayerZeroFixture} from "./LayerZeroFixture.sol";

/// @notice Three LayerZero chains (A: Concord 10 / eid 1; B: Concord 8453 / eid 2; C: Concord 42161 / eid 3) with
/// LayerZero's contracts (see {LayerZeroFixture}), a LayerZero adapter on A and on B enrolled to each other, and a probe
/// recipient on each (the same probe as the Hyperlane adapter's tests). C has no adapter: it is the forger's chain.
/// The AccessManager's admin is this test contract; it is also each adapter's endpoint delegate.
abstract contract LayerZeroAdapterBase is LayerZeroFixture {
    uint32 internal constant CHAIN_A = 10;
    uint32 internal constant CHAIN_B = 8453;
    uint32 internal constant CHAIN_C = 42_161;
    uint32 internal constant EID_A = 1;
    uint32 internal constant EID_B = 2;
    uint32 internal constant EID_C = 3;
    uint32 internal constant DEFAULT_GAS = 200_000;

    AccessManager internal manager;
    LayerZeroAdapter internal aA;
    LayerZeroAdapter internal aB;
    ProbeRecipient internal rA;
    ProbeRecipient internal rB;

    address internal alice = makeAddr("alice");
    address internal stranger = makeAddr("stranger");

    function setUp() public virtual override {
        super.setUp();
        vm.warp(1_700_000_000);
        _lzDeploy(3);
        manager = new AccessManager(address(this));
        aA = _lzDeployAdapter(EID_A, CHAIN_A, manager, DEFAULT_GAS);
        aB = _lzDeployAdapter(EID_B, CHAIN_B, manager, DEFAULT_GAS);
        _lzEnroll(aA, CHAIN_B, EID_B, aB);
        _lzEnroll(aB, CHAIN_A, EID_A, aA);
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
    /// id and the captured packet's index.
    function _send(
        LayerZeroAdapter adapter,
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
        assertEq(_lzCapture(), 1, "one LayerZero packet");
        index = _lzLast();
    }

    /// @dev `from` (any contract or account) sends `message` straight through the endpoint of `srcEid` to `receiver` on
    /// `dstEid` with an lzReceive option of `gas`, paying the quote; returns the captured packet's index. Any account
    /// may send anything to anyone over LayerZero.
    function _rawSend(uint32 srcEid, address from, uint32 dstEid, address receiver, bytes memory message, uint128 gas)
        internal
        returns (uint256 index)
    {
        MessagingParams memory params = MessagingParams({
            dstEid: dstEid,
            receiver: bytes32(uint256(uint160(receiver))),
            message: message,
            options: abi.encodePacked(uint16(3), uint8(1), uint16(17), uint8(1), gas),
            payInLzToken: false
        });
        MessagingFee memory fee = _lzEndpoint(srcEid).quote(params, from);
        vm.deal(from, from.balance + fee.nativeFee);
        vm.recordLogs();
        vm.prank(from);
        _lzEndpoint(srcEid).send{value: fee.nativeFee}(params, from);
        assertEq(_lzCapture(), 1, "one LayerZero packet");
        index = _lzLast();
    }

    /// @dev alice sends `payload` from A to `rB` with the default gas limit.
    function _sendAB(bytes memory payload) internal returns (bytes32 id, uint256 index) {
        return _send(aA, alice, CHAIN_B, address(rB), payload, _noAttr());
    }

    /// @dev The envelope of a send from A (the origin it states).
    function _envelope(uint64 n, address sender, address to, uint32 gasLimit, bytes memory payload)
        internal
        pure
        returns (bytes memory)
    {
        return _envelopeFrom(CHAIN_A, n, sender, to, gasLimit, payload);
    }

    /// @dev The envelope of a send stating `origin` as its source domain.
    function _envelopeFrom(uint32 origin, uint64 n, address sender, address to, uint32 gasLimit, bytes memory payload)
        internal
        pure
        returns (bytes memory)
    {
        return AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: n, origin: origin, sender: sender, recipient: to, gasLimit: gasLimit, payload: payload
            })
        );
    }

    /// @dev The status on `adapter` of captured packet `index` (from the adapter on `origin`).
    function _status(LayerZeroAdapter adapter, uint32 origin, address originAdapter, uint256 index)
        internal
        view
        returns (IConcordAdapter.MessageStatus)
    {
        return adapter.status(origin, originAdapter, _lzBody(index));
    }

    function _assertStatus(
        LayerZeroAdapter adapter,
        uint32 origin,
        address originAdapter,
        uint256 index,
        IConcordAdapter.MessageStatus expected
    ) internal view {
        assertEq(uint8(_status(adapter, origin, originAdapter, index)), uint8(expected), "adapter status");
    }
}
