// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Mailbox} from "@hyperlane-xyz/core/contracts/Mailbox.sol";
import {MerkleTreeHook} from "@hyperlane-xyz/core/contracts/hooks/MerkleTreeHook.sol";
import {InterchainGasPaymaster} from "@hyperlane-xyz/core/contracts/hooks/igp/InterchainGasPaymaster.sol";
import {StorageGasOracle} from "@hyperlane-xyz/core/contracts/hooks/igp/StorageGasOracle.sol";
import {IGasOracle} from "@hyperlane-xyz/core/contracts/interfaces/IGasOracle.sol";
import {
    StaticMerkleRootMultisigIsmFactory,
    StaticMessageIdMultisigIsmFactory
} from "@hyperlane-xyz/core/contracts/isms/multisig/StaticMultisigIsm.sol";
import {CheckpointLib} from "@hyperlane-xyz/core/contracts/libs/CheckpointLib.sol";
import {MerkleLib} from "@hyperlane-xyz/core/contracts/libs/Merkle.sol";
import {TestIsm} from "@hyperlane-xyz/core/contracts/test/TestIsm.sol";
import {Executor} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/Executor.sol";
import {ExecutorFeeLib} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/ExecutorFeeLib.sol";
import {PriceFeed} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/PriceFeed.sol";
import {
    ExecutorConfig,
    SetDefaultExecutorConfigParam
} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/SendLibBase.sol";
import {IExecutor} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/interfaces/IExecutor.sol";
import {ILayerZeroPriceFeed} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/interfaces/ILayerZeroPriceFeed.sol";
import {SetDefaultUlnConfigParam, UlnConfig} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/UlnBase.sol";
import {DVN, ExecuteParam} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/dvn/DVN.sol";
import {DVNFeeLib} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/dvn/DVNFeeLib.sol";
import {IDVN} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/interfaces/IDVN.sol";
import {ReceiveUln302} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/uln302/ReceiveUln302.sol";
import {SendUln302} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/uln302/SendUln302.sol";
import {EndpointV2} from "@layerzerolabs/lz-evm-protocol-v2/contracts/EndpointV2.sol";
import {
    MessagingParams,
    MessagingReceipt,
    Origin
} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {Packet} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ISendLib.sol";
import {SimpleMessageLib} from "@layerzerolabs/lz-evm-protocol-v2/contracts/messagelib/SimpleMessageLib.sol";
import {PacketV1Codec} from "@layerzerolabs/lz-evm-protocol-v2/contracts/messagelib/libs/PacketV1Codec.sol";
import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {BenchBase} from "./BenchBase.sol";
import {BenchOApp, BenchRecipient} from "./BenchReceivers.sol";
import {FloorReceiver, FloorSender} from "./FloorContracts.sol";

/// @notice Call target for the method test.
contract MethodProbe {
    uint256 public slot = 1;

    /// @notice Does nothing with its argument.
    function take(bytes calldata) external {}

    /// @notice Clears `slot` (earns a refund).
    function clear() external {
        slot = 0;
    }

    /// @notice Sets `slot` to a non-zero value.
    function set(uint256 v) external {
        slot = v;
    }
}

/// @notice Establishes, on every run, what `vm.lastCallGas()` reports under `forge test --isolate`: the receipt gas of
/// the call's own transaction (21,000 + calldata with the EIP-7623 floor + execution - refund). The benches rely on it.
contract CompetitorsMethodTest is BenchBase {
    function test_Method_LastCallGasIsReceiptGas() public {
        MethodProbe probe = new MethodProbe();

        // Small calldata: the standard cost applies; what is left over is the (small) execution of an empty function.
        bytes memory small = abi.encodeCall(MethodProbe.take, (new bytes(0)));
        probe.take(new bytes(0));
        uint256 gasSmall = vm.lastCallGas().gasTotalUsed;
        assertGe(gasSmall, intrinsicGas(small), "gasTotalUsed includes 21,000 + calldata");
        assertLt(gasSmall - intrinsicGas(small), 1000, "and only a little execution on top");

        // Large non-zero calldata: the EIP-7623 floor dominates and gasTotalUsed equals it exactly.
        bytes memory big = _payload(1024);
        bytes memory bigCall = abi.encodeCall(MethodProbe.take, (big));
        probe.take(big);
        uint256 gasBig = vm.lastCallGas().gasTotalUsed;
        assertGt(floorGas(bigCall), intrinsicGas(bigCall) + 300, "floor dominates for 1 KiB");
        assertEq(gasBig, floorGas(bigCall), "gasTotalUsed applies the EIP-7623 floor");
        assertEq(gasBig, txGas(bigCall, 0), "txGas agrees");
        assertEq(gasSmall, txGas(small, gasSmall - intrinsicGas(small)), "txGas agrees (standard)");

        // Refunds: clearing a slot reports the refund and the total is net of it.
        probe.set(2);
        uint256 gasSet = vm.lastCallGas().gasTotalUsed;
        probe.clear();
        int64 refund = vm.lastCallGas().gasRefunded;
        uint256 gasClear = vm.lastCallGas().gasTotalUsed;
        assertEq(refund, 4800, "SSTORE clear refund (EIP-3529)");
        assertLt(gasClear, gasSet - 4000, "gasTotalUsed is net of the refund");
        console.log("empty call, 68 B calldata:", gasSmall);
        console.log("1 KiB calldata (EIP-7623 floor):", gasBig);
        console.log("set slot / clear slot (net of 4,800 refund):", gasSet, gasClear);
    }
}

/// @notice Hyperlane, LayerZero V2 and physical-floor benchmarks for issue 6 (see docs/benchmark.md). Run with
/// `forge test --isolate --match-path 'test/bench/Competitors*' -vv`; every test writes `bench/raw/<name>.json`.
contract CompetitorsBench is BenchBase {
    using PacketV1Codec for bytes;

    /// @notice Thrown when a deployment or delivery did not leave the expected state.
    error CompetitorsBenchDeliveryFailed(string what);

    uint32 internal constant HL_ORIGIN = 1000;
    uint32 internal constant HL_DEST = 2000;
    uint32 internal constant LZ_ORIGIN = 30_101;
    uint32 internal constant LZ_DEST = 30_102;
    uint32 internal constant DVN_VID = 1;
    uint128 internal constant LZ_RECEIVE_GAS = 200_000;

    /// @dev k-of-n configurations and payload sizes of issue 6.
    function _ks() internal pure returns (uint256[3] memory) {
        return [uint256(1), 3, 7];
    }

    function _ns() internal pure returns (uint256[3] memory) {
        return [uint256(1), 5, 10];
    }

    function _sizes() internal pure returns (uint256[2] memory) {
        return [uint256(32), 1024];
    }

    // =========================================================================================== Hyperlane

    struct Hyperlane {
        Mailbox origin;
        Mailbox dest;
        MerkleTreeHook merkleHook;
        InterchainGasPaymaster igp;
        TestIsm trustAll;
        StaticMessageIdMultisigIsmFactory messageIdFactory;
        StaticMerkleRootMultisigIsmFactory merkleRootFactory;
    }

    /// @dev Message ids dispatched by the current Hyperlane origin, in tree order.
    bytes32[] internal _leaves;

    function _deployHyperlane() internal returns (Hyperlane memory h) {
        delete _leaves;
        h.trustAll = new TestIsm();
        h.origin = new Mailbox(HL_ORIGIN);
        h.dest = new Mailbox(HL_DEST);
        h.merkleHook = new MerkleTreeHook(address(h.origin));

        // InterchainGasPaymaster (upgradeable, deployed bare): initialize(owner, beneficiary), a StorageGasOracle
        // pricing the destination at 1 gwei and a 1:1 exchange rate, and a destination gas overhead.
        h.igp = new InterchainGasPaymaster();
        h.igp.initialize(address(this), address(this));
        StorageGasOracle oracle = new StorageGasOracle();
        oracle.setRemoteGasData(
            StorageGasOracle.RemoteGasDataConfig({remoteDomain: HL_DEST, tokenExchangeRate: 1e10, gasPrice: 1 gwei})
        );
        InterchainGasPaymaster.GasParam[] memory params = new InterchainGasPaymaster.GasParam[](1);
        params[0] = InterchainGasPaymaster.GasParam(
            HL_DEST, InterchainGasPaymaster.DomainGasConfig(IGasOracle(address(oracle)), 50_000)
        );
        h.igp.setDestinationGasConfigs(params);

        h.origin.initialize(address(this), address(h.trustAll), address(h.igp), address(h.merkleHook));
        h.dest.initialize(address(this), address(h.trustAll), address(h.igp), address(h.merkleHook));
        h.messageIdFactory = new StaticMessageIdMultisigIsmFactory();
        h.merkleRootFactory = new StaticMerkleRootMultisigIsmFactory();
        if (h.origin.requiredHook() != h.merkleHook || h.origin.defaultHook() != h.igp) {
            revert CompetitorsBenchDeliveryFailed("hyperlane hooks");
        }
    }

    /// @dev Dispatches `body` to `recipient` paying the quoted IGP fee; returns the message and its gas.
    function _hlDispatch(Hyperlane memory h, address recipient, bytes memory body)
        internal
        returns (bytes memory message, uint256 gasUsed)
    {
        bytes32 to = bytes32(uint256(uint160(recipient)));
        uint256 fee = h.origin.quoteDispatch(HL_DEST, to, body);
        assertGt(fee, 0, "IGP charges");
        uint32 nonce = h.origin.nonce();
        bytes32 id = h.origin.dispatch{value: fee}(HL_DEST, to, body);
        gasUsed = _lastTxGas();
        message = abi.encodePacked(
            h.origin.VERSION(), nonce, HL_ORIGIN, bytes32(uint256(uint160(address(this)))), HL_DEST, to, body
        );
        if (keccak256(message) != id || h.origin.latestDispatchedId() != id) {
            revert CompetitorsBenchDeliveryFailed("hyperlane dispatch id");
        }
        _leaves.push(id);
        if (h.merkleHook.count() != _leaves.length) revert CompetitorsBenchDeliveryFailed("merkle hook count");
    }

    /// @dev Processes `message` with `metadata` on the destination Mailbox, asserting the recipient saw the body.
    function _hlProcess(
        Hyperlane memory h,
        address recipient,
        bytes memory metadata,
        bytes memory message,
        bytes memory body
    ) internal returns (uint256 gasUsed) {
        vm.expectEmit(recipient);
        emit BenchMessageReceived(keccak256(body));
        h.dest.process(metadata, message);
        gasUsed = _lastTxGas();
        if (!h.dest.delivered(keccak256(message))) revert CompetitorsBenchDeliveryFailed("hyperlane process");
    }

    function _hlSignatures(uint256[] memory keys, uint256 k, bytes32 digest) internal pure returns (bytes memory sigs) {
        for (uint256 i = 0; i < k; ++i) {
            sigs = bytes.concat(sigs, _sign(keys[i], digest));
        }
    }

    /// @dev Merkle proof of leaf `index` in the tree of `_leaves` (depth 32, Hyperlane's MerkleLib zero hashes).
    function _merkleProof(uint256 index) internal view returns (bytes32[32] memory proof) {
        bytes32[32] memory zeroes = MerkleLib.zeroHashes();
        bytes32[] memory level = _leaves;
        uint256 idx = index;
        for (uint256 depth = 0; depth < 32; ++depth) {
            uint256 sibling = idx ^ 1;
            proof[depth] = sibling < level.length ? level[sibling] : zeroes[depth];
            bytes32[] memory next = new bytes32[]((level.length + 1) / 2);
            for (uint256 i = 0; i < next.length; ++i) {
                bytes32 left = level[2 * i];
                bytes32 right = 2 * i + 1 < level.length ? level[2 * i + 1] : zeroes[depth];
                next[i] = keccak256(abi.encodePacked(left, right));
            }
            level = next;
            idx >>= 1;
        }
    }

    /// @dev StaticMessageIdMultisigIsm: validators sign the checkpoint (root, index) of the message's id.
    function _hlDeliverMessageId(Hyperlane memory h, address ism, uint256[] memory keys, uint256 k, bytes memory body)
        internal
        returns (uint256)
    {
        bytes32 hook = bytes32(uint256(uint160(address(h.merkleHook))));
        BenchRecipient r = new BenchRecipient(address(h.dest), ism);
        (bytes memory message,) = _hlDispatch(h, address(r), body);
        uint32 index = h.merkleHook.count() - 1;
        bytes32 root = h.merkleHook.root();
        bytes32 digest = CheckpointLib.digest(HL_ORIGIN, hook, root, index, keccak256(message));
        bytes memory metadata = abi.encodePacked(hook, root, index, _hlSignatures(keys, k, digest));
        return _hlProcess(h, address(r), metadata, message, body);
    }

    /// @dev StaticMerkleRootMultisigIsm: validators sign the latest checkpoint; the metadata proves the message's
    /// inclusion under its root (message index = signed index: the message is the latest one).
    function _hlDeliverMerkleRoot(Hyperlane memory h, address ism, uint256[] memory keys, uint256 k, bytes memory body)
        internal
        returns (uint256)
    {
        bytes32 hook = bytes32(uint256(uint160(address(h.merkleHook))));
        BenchRecipient r = new BenchRecipient(address(h.dest), ism);
        (bytes memory message,) = _hlDispatch(h, address(r), body);
        uint32 index = h.merkleHook.count() - 1;
        bytes32 root = h.merkleHook.root();
        bytes memory metadata = _merkleRootMetadata(hook, index, keccak256(message), root, keys, k);
        return _hlProcess(h, address(r), metadata, message, body);
    }

    /// @dev MerkleRootMultisigIsmMetadata layout: hook, message index, signed message id, proof, signed index, sigs.
    function _merkleRootMetadata(bytes32 hook, uint32 index, bytes32 id, bytes32 root, uint256[] memory keys, uint256 k)
        internal
        view
        returns (bytes memory)
    {
        bytes32[32] memory proof = _merkleProof(index);
        if (MerkleLib.branchRoot(id, proof, index) != root) revert CompetitorsBenchDeliveryFailed("merkle proof");
        bytes memory sigs = _hlSignatures(keys, k, CheckpointLib.digest(HL_ORIGIN, hook, root, index, id));
        return abi.encodePacked(hook, index, id, abi.encodePacked(proof), index, sigs);
    }

    function test_Bench_Hyperlane() public {
        uint256[2] memory sizes = _sizes();
        // Dispatch: Mailbox + MerkleTreeHook (required) + InterchainGasPaymaster (default), first and steady state.
        for (uint256 s = 0; s < sizes.length; ++s) {
            _benchHyperlaneDispatch(sizes[s]);
        }
        Hyperlane memory h = _deployHyperlane();
        // Trust-all verifier (Hyperlane's TestIsm).
        for (uint256 s = 0; s < sizes.length; ++s) {
            BenchRecipient r = new BenchRecipient(address(h.dest), address(h.trustAll));
            bytes memory body = _payload(sizes[s]);
            (bytes memory message,) = _hlDispatch(h, address(r), body);
            uint256 g = _hlProcess(h, address(r), "", message, body);
            _record("hyperlane", "deliver_trust_all", "TestIsm", 0, sizes[s], g);
        }
        // Multisig ISMs deployed through their factories, k-of-n.
        for (uint256 c = 0; c < 3; ++c) {
            _benchHyperlaneMultisig(h, _ks()[c], _ns()[c]);
        }
        _writeRows("competitors-hyperlane");
    }

    function _benchHyperlaneDispatch(uint256 size) internal {
        Hyperlane memory fresh = _deployHyperlane();
        BenchRecipient r = new BenchRecipient(address(fresh.dest), address(fresh.trustAll));
        bytes memory body = _payload(size);
        (, uint256 first) = _hlDispatch(fresh, address(r), body);
        (, uint256 second) = _hlDispatch(fresh, address(r), body);
        // Steady state = the third message (tree index 2): index 1 still fills a fresh branch slot of the incremental
        // Merkle tree (a first-time SSTORE), index 2 rewrites branch[0] like most later insertions.
        (, uint256 steady) = _hlDispatch(fresh, address(r), body);
        console.log("  dispatch #2 (tree index 1, fresh branch slot):", second);
        _record("hyperlane", "send_first", "MerkleTreeHook+IGP", 0, size, first);
        _record("hyperlane", "send_steady", "MerkleTreeHook+IGP", 0, size, steady);
    }

    function _benchHyperlaneMultisig(Hyperlane memory h, uint256 k, uint256 n) internal {
        (uint256[] memory keys, address[] memory validators) = _validatorSet(n);
        address messageIdIsm = h.messageIdFactory.deploy(validators, uint8(k));
        address merkleRootIsm = h.merkleRootFactory.deploy(validators, uint8(k));
        assertGt(messageIdIsm.code.length, 0, "messageId ISM deployed");
        assertGt(merkleRootIsm.code.length, 0, "merkleRoot ISM deployed");
        uint256[2] memory sizes = _sizes();
        for (uint256 s = 0; s < sizes.length; ++s) {
            bytes memory body = _payload(sizes[s]);
            uint256 g = _hlDeliverMessageId(h, messageIdIsm, keys, k, body);
            _record("hyperlane", "deliver_multisig", "StaticMessageIdMultisigIsm", k, sizes[s], g);
            g = _hlDeliverMerkleRoot(h, merkleRootIsm, keys, k, body);
            _record("hyperlane", "deliver_merkle_root", "StaticMerkleRootMultisigIsm", k, sizes[s], g);
        }
    }

    // =========================================================================================== LayerZero V2

    struct LayerZero {
        EndpointV2 origin;
        EndpointV2 dest;
        address sendLib;
        address receiveLib;
        DVN dvnDest;
        BenchOApp receiver;
        bytes options;
    }

    function _executorOptions() internal pure returns (bytes memory) {
        // OptionsBuilder.newOptions().addExecutorLzReceiveOption(LZ_RECEIVE_GAS, 0): type 3, worker 1 (executor),
        // length 17, OPTION_TYPE_LZRECEIVE (1), uint128 gas.
        return abi.encodePacked(uint16(3), uint8(1), uint16(17), uint8(1), LZ_RECEIVE_GAS);
    }

    /// @dev Endpoints on LZ_ORIGIN and LZ_DEST with SendUln302 + Executor + DVN (k-of-n signers) + fee libs + PriceFeed
    /// on the origin and ReceiveUln302 + DVN on the destination. The ULN configs are set before the default libraries.
    function _deployLayerZeroUln(address[] memory signers, uint64 k) internal returns (LayerZero memory z) {
        z.origin = new EndpointV2(LZ_ORIGIN, address(this));
        z.dest = new EndpointV2(LZ_DEST, address(this));
        z.sendLib = address(new SendUln302(address(z.origin), 0, 0));
        z.receiveLib = address(new ReceiveUln302(address(z.dest)));
        address priceFeed = _lzPriceFeed();
        address executor = _lzExecutor(z, priceFeed);
        address dvnOrigin = _lzDvn(LZ_ORIGIN, z.sendLib, priceFeed, signers, k);
        IDVN.DstConfigParam[] memory dvnCfg = new IDVN.DstConfigParam[](1);
        dvnCfg[0] = IDVN.DstConfigParam(LZ_DEST, 50_000, 0, 0);
        DVN(dvnOrigin).setWorkerFeeLib(address(new DVNFeeLib(LZ_ORIGIN, 1e18)));
        DVN(dvnOrigin).setDstConfig(dvnCfg);
        z.dvnDest = DVN(_lzDvn(LZ_DEST, z.receiveLib, priceFeed, signers, k));
        _lzConfigureUln(z, dvnOrigin, executor);
        _finishLayerZero(z);
    }

    /// @dev PriceFeed (upgradeable; `initialize` is `proxied initializer`, callable once on a bare deployment).
    function _lzPriceFeed() internal returns (address) {
        PriceFeed priceFeed = new PriceFeed();
        priceFeed.initialize(address(this));
        ILayerZeroPriceFeed.UpdatePrice[] memory prices = new ILayerZeroPriceFeed.UpdatePrice[](1);
        prices[0] = ILayerZeroPriceFeed.UpdatePrice(LZ_DEST % 30_000, ILayerZeroPriceFeed.Price(1e20, 1 gwei, 16));
        priceFeed.setPrice(prices);
        return address(priceFeed);
    }

    /// @dev Executor (upgradeable; initialize(endpoint, receiveUln301, messageLibs, priceFeed, roleAdmin, admins))
    /// with ExecutorFeeLib and a destination config.
    function _lzExecutor(LayerZero memory z, address priceFeed) internal returns (address) {
        Executor executor = new Executor();
        executor.initialize(
            address(z.origin), address(0), _one(z.sendLib), priceFeed, address(this), _one(address(this))
        );
        executor.setWorkerFeeLib(address(new ExecutorFeeLib(LZ_ORIGIN, 1e18)));
        IExecutor.DstConfigParam[] memory exCfg = new IExecutor.DstConfigParam[](1);
        exCfg[0] = IExecutor.DstConfigParam(LZ_DEST, 5000, 0, 0, 0, 1 ether);
        executor.setDstConfig(exCfg);
        return address(executor);
    }

    /// @dev A DVN whose multisig holds the benchmark signers with quorum k, serving message library `lib`.
    function _lzDvn(uint32 eid, address lib, address priceFeed, address[] memory signers, uint64 k)
        internal
        returns (address)
    {
        return address(new DVN(eid, DVN_VID, _one(lib), priceFeed, signers, k, _one(address(this))));
    }

    /// @dev ULN + executor configs first (setDefaultSendLibrary / setDefaultReceiveLibrary require a supported eid),
    /// then the default libraries.
    function _lzConfigureUln(LayerZero memory z, address dvnOrigin, address executor) internal {
        SetDefaultUlnConfigParam[] memory ulnCfg = new SetDefaultUlnConfigParam[](1);
        ulnCfg[0] = SetDefaultUlnConfigParam(LZ_DEST, _ulnConfig(dvnOrigin));
        SendUln302(payable(z.sendLib)).setDefaultUlnConfigs(ulnCfg);
        SetDefaultExecutorConfigParam[] memory exLibCfg = new SetDefaultExecutorConfigParam[](1);
        exLibCfg[0] = SetDefaultExecutorConfigParam(LZ_DEST, ExecutorConfig(10_000, executor));
        SendUln302(payable(z.sendLib)).setDefaultExecutorConfigs(exLibCfg);
        ulnCfg[0] = SetDefaultUlnConfigParam(LZ_ORIGIN, _ulnConfig(address(z.dvnDest)));
        ReceiveUln302(z.receiveLib).setDefaultUlnConfigs(ulnCfg);

        z.origin.registerLibrary(z.sendLib);
        z.origin.setDefaultSendLibrary(LZ_DEST, z.sendLib);
        z.dest.registerLibrary(z.receiveLib);
        z.dest.setDefaultReceiveLibrary(LZ_ORIGIN, z.receiveLib, 0);
    }

    function _one(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }

    function _ulnConfig(address dvn) internal pure returns (UlnConfig memory config) {
        address[] memory required = new address[](1);
        required[0] = dvn;
        config = UlnConfig(1, 1, 0, 0, required, new address[](0));
    }

    /// @dev Same endpoints with SimpleMessageLib (no signatures, anyone may `validatePacket`) on both sides.
    function _deployLayerZeroSimple() internal returns (LayerZero memory z) {
        z.origin = new EndpointV2(LZ_ORIGIN, address(this));
        z.dest = new EndpointV2(LZ_DEST, address(this));
        z.sendLib = address(new SimpleMessageLib(address(z.origin), address(this)));
        z.receiveLib = address(new SimpleMessageLib(address(z.dest), address(this)));
        z.origin.registerLibrary(z.sendLib);
        z.origin.setDefaultSendLibrary(LZ_DEST, z.sendLib);
        z.dest.registerLibrary(z.receiveLib);
        z.dest.setDefaultReceiveLibrary(LZ_ORIGIN, z.receiveLib, 0);
        _finishLayerZero(z);
    }

    /// @dev The receiving OApp on the destination, with this test contract (the sending app) as its peer.
    function _finishLayerZero(LayerZero memory z) internal {
        z.receiver = new BenchOApp(address(z.dest), address(this));
        z.receiver.setPeer(LZ_ORIGIN, bytes32(uint256(uint160(address(this)))));
        z.options = _executorOptions();
    }

    /// @dev The sending app (this contract) calls EndpointV2.send with exactly the quoted fee.
    function _lzSend(LayerZero memory z, bytes memory body) internal returns (Packet memory packet, uint256 gasUsed) {
        MessagingParams memory params =
            MessagingParams(LZ_DEST, bytes32(uint256(uint160(address(z.receiver)))), body, z.options, false);
        uint256 fee = z.origin.quote(params, address(this)).nativeFee;
        assertGt(fee, 0, "LayerZero charges");
        MessagingReceipt memory receipt = z.origin.send{value: fee}(params, address(this));
        gasUsed = _lastTxGas();
        packet = Packet(receipt.nonce, LZ_ORIGIN, address(this), LZ_DEST, params.receiver, receipt.guid, body);
        if (receipt.nonce == 0 || z.origin.outboundNonce(address(this), LZ_DEST, params.receiver) != receipt.nonce) {
            revert CompetitorsBenchDeliveryFailed("layerzero send");
        }
    }

    /// @dev Executor step: EndpointV2.lzReceive into the OApp, asserting the OApp saw the body.
    function _lzReceive(LayerZero memory z, Packet memory packet) internal returns (uint256 gasUsed) {
        Origin memory origin = Origin(LZ_ORIGIN, bytes32(uint256(uint160(packet.sender))), packet.nonce);
        vm.expectEmit(address(z.receiver));
        emit BenchMessageReceived(keccak256(packet.message));
        z.dest.lzReceive(origin, address(z.receiver), packet.guid, packet.message, "");
        gasUsed = _lastTxGas();
        if (z.dest.inboundPayloadHash(address(z.receiver), LZ_ORIGIN, origin.sender, packet.nonce) != bytes32(0)) {
            revert CompetitorsBenchDeliveryFailed("layerzero lzReceive");
        }
    }

    /// @dev DVN execute (k-of-n signatures over the DVN's call hash) + ReceiveUln302.commitVerification + lzReceive.
    function _lzDeliverUln(LayerZero memory z, Packet memory packet, uint256[] memory keys, uint256 k)
        internal
        returns (uint256 dvnGas, uint256 commitGas, uint256 receiveGas)
    {
        bytes memory header = PacketV1Codec.encodePacketHeader(packet);
        bytes32 payloadHash = keccak256(PacketV1Codec.encodePayload(packet));
        dvnGas = _lzDvnExecute(z, header, payloadHash, keys, k);
        commitGas = _lzCommit(z, header, payloadHash, packet.nonce);
        receiveGas = _lzReceive(z, packet);
    }

    /// @dev DVN.execute of a signed ReceiveUln302.verify instruction (the DVN swallows failures: check the result).
    function _lzDvnExecute(
        LayerZero memory z,
        bytes memory header,
        bytes32 payloadHash,
        uint256[] memory keys,
        uint256 k
    ) internal returns (uint256 gasUsed) {
        z.dvnDest.execute(_dvnParams(z.receiveLib, header, payloadHash, keys, k));
        gasUsed = _lastTxGas();
        (bool submitted,) = ReceiveUln302(z.receiveLib).hashLookup(keccak256(header), payloadHash, address(z.dvnDest));
        if (!submitted) revert CompetitorsBenchDeliveryFailed("layerzero DVN execute");
    }

    /// @dev ReceiveUln302.commitVerification (permissionless), which verifies the packet on the destination endpoint.
    function _lzCommit(LayerZero memory z, bytes memory header, bytes32 payloadHash, uint64 nonce)
        internal
        returns (uint256 gasUsed)
    {
        ReceiveUln302(z.receiveLib).commitVerification(header, payloadHash);
        gasUsed = _lastTxGas();
        bytes32 sender = bytes32(uint256(uint160(address(this))));
        if (z.dest.inboundPayloadHash(address(z.receiver), LZ_ORIGIN, sender, nonce) != payloadHash) {
            revert CompetitorsBenchDeliveryFailed("layerzero commitVerification");
        }
    }

    /// @dev The DVN instruction to call ReceiveUln302.verify, signed by the first k signers over the DVN's call hash
    /// (keccak256(vid, target, expiration, callData), eth-signed-message prefixed; signers in ascending order).
    function _dvnParams(address receiveLib, bytes memory header, bytes32 payloadHash, uint256[] memory keys, uint256 k)
        internal
        view
        returns (ExecuteParam[] memory params)
    {
        params = new ExecuteParam[](1);
        params[0].vid = DVN_VID;
        params[0].target = receiveLib;
        params[0].callData = abi.encodeCall(ReceiveUln302.verify, (header, payloadHash, 1));
        params[0].expiration = block.timestamp + 1 hours;
        bytes32 hash = keccak256(abi.encodePacked(DVN_VID, receiveLib, params[0].expiration, params[0].callData));
        bytes32 ethHash = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", hash));
        for (uint256 i = 0; i < k; ++i) {
            params[0].signatures = bytes.concat(params[0].signatures, _sign(keys[i], ethHash));
        }
    }

    /// @dev SimpleMessageLib.validatePacket (no signatures) + lzReceive.
    function _lzDeliverSimple(LayerZero memory z, Packet memory packet)
        internal
        returns (uint256 validateGas, uint256 receiveGas)
    {
        SimpleMessageLib(payable(z.receiveLib)).validatePacket(PacketV1Codec.encode(packet));
        validateGas = _lastTxGas();
        receiveGas = _lzReceive(z, packet);
    }

    function test_Bench_LayerZeroUln() public {
        uint256[2] memory sizes = _sizes();
        // Send: EndpointV2 + SendUln302 + Executor/ExecutorFeeLib + DVN/DVNFeeLib + PriceFeed (1-of-1 DVN).
        for (uint256 s = 0; s < sizes.length; ++s) {
            _benchLzUlnSend(sizes[s]);
        }
        // Delivery, steady state (the first message on the path is delivered before the measured one).
        for (uint256 c = 0; c < 3; ++c) {
            _benchLzUlnDeliver(_ks()[c], _ns()[c]);
        }
        _writeRows("competitors-layerzero-uln");
    }

    function _benchLzUlnSend(uint256 size) internal {
        (, address[] memory signers) = _validatorSet(1);
        LayerZero memory fresh = _deployLayerZeroUln(signers, 1);
        bytes memory body = _payload(size);
        (, uint256 first) = _lzSend(fresh, body);
        (, uint256 steady) = _lzSend(fresh, body);
        (, uint256 third) = _lzSend(fresh, body);
        assertEq(steady, third, "steady state reached");
        _record("layerzero", "send_first", "SendUln302+Executor+DVN", 0, size, first);
        _record("layerzero", "send_steady", "SendUln302+Executor+DVN", 0, size, steady);
    }

    function _benchLzUlnDeliver(uint256 k, uint256 n) internal {
        (uint256[] memory keys, address[] memory signers) = _validatorSet(n);
        LayerZero memory z = _deployLayerZeroUln(signers, uint64(k));
        (Packet memory warm,) = _lzSend(z, _payload(32));
        _lzDeliverUln(z, warm, keys, k);
        uint256[2] memory sizes = _sizes();
        for (uint256 s = 0; s < sizes.length; ++s) {
            (Packet memory packet,) = _lzSend(z, _payload(sizes[s]));
            (uint256 dvnGas, uint256 commitGas, uint256 receiveGas) = _lzDeliverUln(z, packet, keys, k);
            console.log("  DVN.execute / commitVerification / lzReceive:", dvnGas, commitGas, receiveGas);
            _record("layerzero", "deliver_multisig", "DVN+ReceiveUln302", k, sizes[s], dvnGas + commitGas + receiveGas);
        }
    }

    function test_Bench_LayerZeroSimpleMessageLib() public {
        uint256[2] memory sizes = _sizes();
        for (uint256 s = 0; s < sizes.length; ++s) {
            LayerZero memory z = _deployLayerZeroSimple();
            bytes memory body = _payload(sizes[s]);
            (Packet memory first, uint256 firstGas) = _lzSend(z, body);
            (Packet memory second, uint256 steadyGas) = _lzSend(z, body);
            _record("layerzero", "send_first", "SimpleMessageLib", 0, sizes[s], firstGas);
            _record("layerzero", "send_steady", "SimpleMessageLib", 0, sizes[s], steadyGas);
            _lzDeliverSimple(z, first);
            (uint256 validateGas, uint256 receiveGas) = _lzDeliverSimple(z, second);
            console.log("  validatePacket / lzReceive:", validateGas, receiveGas);
            _record("layerzero", "deliver_trust_all", "SimpleMessageLib", 0, sizes[s], validateGas + receiveGas);
        }
        _writeRows("competitors-layerzero-simple");
    }

    // =========================================================================================== Physical floor

    function _floorDeliver(
        FloorReceiver receiver,
        BenchRecipient recipient,
        uint256 nonce,
        bytes memory body,
        uint256[] memory keys,
        uint256 k
    ) internal returns (uint256 gasUsed) {
        bytes32 sender = bytes32(uint256(uint160(address(this))));
        bytes32 digest = receiver.digest(nonce, sender, address(recipient), body);
        bytes memory sigs;
        for (uint256 i = 0; i < k; ++i) {
            sigs = bytes.concat(sigs, _sign(keys[i], digest));
        }
        uint256 bitmap = k == 0 ? 0 : (1 << k) - 1;
        vm.expectEmit(address(recipient));
        emit BenchMessageReceived(keccak256(body));
        receiver.deliver(nonce, sender, address(recipient), body, bitmap, sigs);
        gasUsed = _lastTxGas();
        if (receiver.deliveredBits(nonce >> 8) & (1 << (nonce & 0xff)) == 0) {
            revert CompetitorsBenchDeliveryFailed("floor deliver");
        }
    }

    function test_Bench_Floor() public {
        uint256[2] memory sizes = _sizes();
        for (uint256 s = 0; s < sizes.length; ++s) {
            _benchFloorDispatch(sizes[s]);
        }
        // Trust-all floor (threshold 0): replay guard + call.
        _benchFloorDeliver(0, 0);
        // k ecrecovers + bitmap replay guard + one call, steady state (the bitmap word is already non-zero).
        for (uint256 c = 0; c < 3; ++c) {
            _benchFloorDeliver(_ks()[c], _ns()[c]);
        }
        _writeRows("competitors-floor");
    }

    function _benchFloorDispatch(uint256 size) internal {
        FloorSender sender = new FloorSender();
        bytes memory body = _payload(size);
        bytes32 to = bytes32(uint256(uint160(address(this))));
        sender.dispatch(HL_DEST, to, body);
        uint256 first = _lastTxGas();
        sender.dispatch(HL_DEST, to, body);
        uint256 steady = _lastTxGas();
        if (sender.nonce() != 2) revert CompetitorsBenchDeliveryFailed("floor dispatch");
        _record("floor", "send_first", "none", 0, size, first);
        _record("floor", "send_steady", "none", 0, size, steady);
    }

    function _benchFloorDeliver(uint256 k, uint256 n) internal {
        (uint256[] memory keys, address[] memory signers) = _validatorSet(n);
        FloorReceiver receiver = new FloorReceiver(HL_ORIGIN, signers, k);
        BenchRecipient recipient = new BenchRecipient(address(receiver), address(0));
        _floorDeliver(receiver, recipient, 1, _payload(32), keys, k);
        uint256[2] memory sizes = _sizes();
        for (uint256 s = 0; s < sizes.length; ++s) {
            uint256 g = _floorDeliver(receiver, recipient, 2 + s, _payload(sizes[s]), keys, k);
            if (k == 0) _record("floor", "deliver_trust_all", "FloorReceiver", 0, sizes[s], g);
            else _record("floor", "deliver_multisig", "FloorReceiver", k, sizes[s], g);
        }
    }
}
