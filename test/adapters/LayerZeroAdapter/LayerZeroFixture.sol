// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {UlnConfig} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/UlnBase.sol";
import {
    ILayerZeroEndpointV2,
    MessagingFee,
    MessagingParams,
    Origin
} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {TestHelperOz5} from "@layerzerolabs/test-devtools-evm-foundry/contracts/TestHelperOz5.sol";
import {DVNMock} from "@layerzerolabs/test-devtools-evm-foundry/contracts/mocks/DVNMock.sol";
import {ExecuteParam} from "@layerzerolabs/test-devtools-evm-foundry/contracts/mocks/DVNMock.sol";
import {ReceiveUln302Mock} from "@layerzerolabs/test-devtools-evm-foundry/contracts/mocks/ReceiveUln302Mock.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Vm} from "forge-std/Vm.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {LayerZeroAdapter} from "../../../contracts/adapters/layerzero/LayerZeroAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";

/// @title LayerZeroFixture
/// @notice LayerZero V2 on several simulated chains in one EVM, through LayerZero's own contracts as the LayerZero
/// test kit (test-devtools-evm-foundry 8.0.1) `TestHelperOz5` deploys them: per chain an `EndpointV2` (eid
/// 1, 2, 3, ...), `SendUln302` + `ReceiveUln302` as default libraries, one `DVN` (threshold 1, test key 1) as the
/// required DVN, an `Executor`, a `PriceFeed` and the DVN and executor fee libraries. (The kit's copies are
/// LayerZero's contracts built against OpenZeppelin 5, whose `SendUln302` also hands every packet to the kit's queue;
/// nothing here reads that queue.)
///
/// The fixture plays LayerZero's off-chain roles with the test key: the DVN (it signs `ReceiveUln302.verify` of the
/// packet header and payload hash, executed through the DVN contract's signature check), anyone's
/// `commitVerification` (permissionless, called directly so that its reverts surface), and the executor
/// (`EndpointV2.lzReceive` with the gas of the packet's lzReceive option; in LayerZero V2 anyone may execute a
/// verified packet). `_lzCapture` reads the endpoints' `PacketSent` events of the recorded logs.
abstract contract LayerZeroFixture is TestHelperOz5 {
    /// @notice Thrown when the fixture's captured state disagrees with LayerZero's contracts.
    error LayerZeroFixtureMismatch(string what);

    /// @dev Packet v1 layout: version(1) nonce(8) srcEid(4) sender(32) dstEid(4) receiver(32) | guid(32) | message.
    uint256 internal constant _LZ_HEADER_LENGTH = 81;
    uint256 internal constant _LZ_GUID_OFFSET = 81;
    uint256 internal constant _LZ_MESSAGE_OFFSET = 113;
    uint8 internal constant _LZ_ULN_CONFIG_TYPE = 2;
    uint64 internal constant _LZ_CONFIRMATIONS = 100;

    /// @notice A packet sent by a fixture endpoint and captured: its encoded bytes, its options and the gas of its
    /// executor lzReceive option (parsed at capture, so that executing it makes no other call first).
    struct LzSent {
        bytes packet;
        bytes options;
        uint256 gas;
    }

    LzSent[] internal lzSent;
    bytes32 internal constant _PACKET_SENT = keccak256("PacketSent(bytes,bytes,address)");

    // ------------------------------------------------------------------------------------------ deployment

    /// @dev LayerZero on `n` chains (eids 1..n), fully wired with default libraries, DVN and executor.
    function _lzDeploy(uint8 n) internal {
        setUpEndpoints(n, LibraryType.UltraLightNode);
    }

    function _lzEndpoint(uint32 eid) internal view returns (ILayerZeroEndpointV2) {
        return ILayerZeroEndpointV2(endpoints[eid]);
    }

    /// @dev A LayerZero adapter on the chain of `eid` (Concord domain `concord`), the AccessManager its authority and
    /// its endpoint delegate.
    function _lzDeployAdapter(uint32 eid, uint32 concord, AccessManager manager, uint32 defaultGasLimit)
        internal
        returns (LayerZeroAdapter adapter)
    {
        adapter = new LayerZeroAdapter(endpoints[eid], concord, address(manager), defaultGasLimit, address(manager));
    }

    /// @dev `x` trusts `y` as the adapter of Concord domain `concordY`, carried over eid `eidY`.
    function _lzEnroll(LayerZeroAdapter x, uint32 concordY, uint32 eidY, LayerZeroAdapter y) internal {
        x.setLayerZeroEid(concordY, eidY);
        x.setRemote(concordY, address(y));
    }

    // ------------------------------------------------------------------------------------------ capture

    /// @dev Captures the `PacketSent` events of the recorded logs; returns how many.
    function _lzCapture() internal returns (uint256 captured) {
        return _lzCapture(vm.getRecordedLogs());
    }

    function _lzCapture(Vm.Log[] memory logs) internal returns (uint256 captured) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics.length == 0 || logs[i].topics[0] != _PACKET_SENT) continue;
            (bytes memory packet, bytes memory options,) = abi.decode(logs[i].data, (bytes, bytes, address));
            if (endpoints[_lzSrcEid(packet)] != logs[i].emitter) revert LayerZeroFixtureMismatch("emitter");
            (uint256 gas,) = _parseExecutorLzReceiveOption(options);
            lzSent.push(LzSent(packet, options, gas));
            ++captured;
        }
    }

    function _lzLast() internal view returns (uint256) {
        return lzSent.length - 1;
    }

    // ------------------------------------------------------------------------------------------ off-chain roles

    /// @dev The DVN of packet `i`'s path signs and submits `ReceiveUln302.verify(header, payloadHash, confirmations)`
    /// through its contract (the signature is checked there).
    function _lzDvnVerify(uint256 i) internal {
        (, DVNMock dvn) = _lzReceiveSide(lzSent[i].packet);
        _lzDvnVerifyWith(i, dvn);
    }

    /// @dev `dvn` (a DVN contract the fixture's key signs for) submits its verification of packet `i`.
    function _lzDvnVerifyWith(uint256 i, DVNMock dvn) internal {
        bytes memory packet = lzSent[i].packet;
        (ReceiveUln302Mock uln,) = _lzReceiveSide(packet);
        uint32 dstEid = _lzDstEid(packet);
        bytes memory callData =
            abi.encodeCall(ReceiveUln302Mock.verify, (_lzHeader(packet), _lzPayloadHash(packet), _LZ_CONFIRMATIONS));
        uint256 expiration = block.timestamp + 1000;
        bytes memory signature = sign(dvn.hashCallData(dstEid, address(uln), callData, expiration));
        ExecuteParam[] memory params = new ExecuteParam[](1);
        params[0] = ExecuteParam(dstEid, address(uln), callData, expiration, signature);
        dvn.execute(params);
    }

    /// @dev Anyone commits packet `i`'s verification to its endpoint (reverts surface).
    function _lzCommit(uint256 i) internal {
        bytes memory packet = lzSent[i].packet;
        (ReceiveUln302Mock uln,) = _lzReceiveSide(packet);
        uln.commitVerification(_lzHeader(packet), _lzPayloadHash(packet));
    }

    /// @dev `_lzCommit(i)`, expecting the commit itself to revert with `err` (the preparation's calls come first).
    function _lzCommitExpectRevert(uint256 i, bytes memory err) internal {
        bytes memory packet = lzSent[i].packet;
        (ReceiveUln302Mock uln,) = _lzReceiveSide(packet);
        bytes memory header = _lzHeader(packet);
        bytes32 payloadHash = _lzPayloadHash(packet);
        vm.expectRevert(err);
        uln.commitVerification(header, payloadHash);
    }

    /// @dev DVN verification and commit of packet `i`.
    function _lzVerify(uint256 i) internal {
        _lzDvnVerify(i);
        _lzCommit(i);
    }

    /// @dev The executor: `EndpointV2.lzReceive` of packet `i` with the gas of its lzReceive option.
    function _lzExecute(uint256 i) internal {
        _lzExecuteWithGas(i, lzSent[i].gas);
    }

    function _lzExecuteWithGas(uint256 i, uint256 gas) internal {
        bytes memory packet = lzSent[i].packet;
        _lzEndpoint(_lzDstEid(packet)).lzReceive{gas: gas}(
            _lzOrigin(packet), _lzReceiver(packet), _lzGuid(packet), _lzMessage(packet), ""
        );
    }

    /// @dev `_lzExecute(i)`, expecting `EndpointV2.lzReceive` to revert with `err` (the option is parsed first).
    function _lzExecuteExpectRevert(uint256 i, bytes memory err) internal {
        uint256 gas = lzSent[i].gas;
        bytes memory packet = lzSent[i].packet;
        ILayerZeroEndpointV2 endpoint = _lzEndpoint(_lzDstEid(packet));
        vm.expectRevert(err);
        endpoint.lzReceive{gas: gas}(_lzOrigin(packet), _lzReceiver(packet), _lzGuid(packet), _lzMessage(packet), "");
    }

    /// @dev Verifies and executes packet `i`.
    function _lzRelay(uint256 i) internal {
        _lzVerify(i);
        _lzExecute(i);
    }

    /// @dev Whether packet `i` is verified and not yet executed at its destination endpoint.
    function _lzPending(uint256 i) internal view returns (bool) {
        bytes memory packet = lzSent[i].packet;
        return _lzEndpoint(_lzDstEid(packet))
                .inboundPayloadHash(_lzReceiver(packet), _lzSrcEid(packet), _lzSender(packet), _lzNonce(packet))
            != bytes32(0);
    }

    function _lzReceiveSide(bytes memory packet) internal view returns (ReceiveUln302Mock uln, DVNMock dvn) {
        (address lib,) = _lzEndpoint(_lzDstEid(packet)).getReceiveLibrary(_lzReceiver(packet), _lzSrcEid(packet));
        uln = ReceiveUln302Mock(lib);
        UlnConfig memory config =
            abi.decode(uln.getConfig(_lzSrcEid(packet), _lzReceiver(packet), _LZ_ULN_CONFIG_TYPE), (UlnConfig));
        dvn = DVNMock(config.requiredDVNs[0]);
    }

    // ------------------------------------------------------------------------------------------ packet fields

    function _lzPacket(uint256 i) internal view returns (bytes memory) {
        return lzSent[i].packet;
    }

    /// @dev The message (the envelope, for an adapter's packet) of packet `i`.
    function _lzBody(uint256 i) internal view returns (bytes memory) {
        return _lzMessage(lzSent[i].packet);
    }

    function _lzEnvelope(uint256 i) internal view returns (IConcordAdapter.Envelope memory) {
        return AdapterEnvelope.decode(_lzBody(i));
    }

    function _lzGuidOf(uint256 i) internal view returns (bytes32) {
        return _lzGuid(lzSent[i].packet);
    }

    function _lzNonceOf(uint256 i) internal view returns (uint64) {
        return _lzNonce(lzSent[i].packet);
    }

    function _lzGasOf(uint256 i) internal view returns (uint256) {
        return lzSent[i].gas;
    }

    function _lzOrigin(bytes memory p) internal pure returns (Origin memory) {
        return Origin(_lzSrcEid(p), _lzSender(p), _lzNonce(p));
    }

    function _lzNonce(bytes memory p) internal pure returns (uint64) {
        return uint64(uint256(_lzWord(p, 1)) >> 192);
    }

    function _lzSrcEid(bytes memory p) internal pure returns (uint32) {
        return uint32(uint256(_lzWord(p, 9)) >> 224);
    }

    function _lzSender(bytes memory p) internal pure returns (bytes32) {
        return _lzWord(p, 13);
    }

    function _lzDstEid(bytes memory p) internal pure returns (uint32) {
        return uint32(uint256(_lzWord(p, 45)) >> 224);
    }

    function _lzReceiver(bytes memory p) internal pure returns (address) {
        return address(uint160(uint256(_lzWord(p, 49))));
    }

    function _lzGuid(bytes memory p) internal pure returns (bytes32) {
        return _lzWord(p, _LZ_GUID_OFFSET);
    }

    function _lzHeader(bytes memory p) internal pure returns (bytes memory) {
        return _lzSlice(p, 0, _LZ_HEADER_LENGTH);
    }

    function _lzMessage(bytes memory p) internal pure returns (bytes memory) {
        return _lzSlice(p, _LZ_MESSAGE_OFFSET, p.length - _LZ_MESSAGE_OFFSET);
    }

    /// @dev The payload the ULN hashes: guid || message.
    function _lzPayloadHash(bytes memory p) internal pure returns (bytes32) {
        return keccak256(_lzSlice(p, _LZ_GUID_OFFSET, p.length - _LZ_GUID_OFFSET));
    }

    function _lzWord(bytes memory p, uint256 offset) internal pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := mload(add(add(p, 0x20), offset))
        }
    }

    function _lzSlice(bytes memory p, uint256 start, uint256 length) internal pure returns (bytes memory out) {
        out = new bytes(length);
        assembly ("memory-safe") {
            mcopy(add(out, 0x20), add(add(p, 0x20), start), length)
        }
    }
}
