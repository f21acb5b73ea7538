// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Mailbox} from "@hyperlane-xyz/core/contracts/Mailbox.sol";
import {MerkleTreeHook} from "@hyperlane-xyz/core/contracts/hooks/MerkleTreeHook.sol";
import {InterchainGasPaymaster} from "@hyperlane-xyz/core/contracts/hooks/igp/InterchainGasPaymaster.sol";
import {StorageGasOracle} from "@hyperlane-xyz/core/contracts/hooks/igp/StorageGasOracle.sol";
import {IGasOracle} from "@hyperlane-xyz/core/contracts/interfaces/IGasOracle.sol";
import {IInterchainSecurityModule} from "@hyperlane-xyz/core/contracts/interfaces/IInterchainSecurityModule.sol";
import {IMailbox} from "@hyperlane-xyz/core/contracts/interfaces/IMailbox.sol";
import {StaticMessageIdMultisigIsmFactory} from "@hyperlane-xyz/core/contracts/isms/multisig/StaticMultisigIsm.sol";
import {DomainRoutingIsm} from "@hyperlane-xyz/core/contracts/isms/routing/DomainRoutingIsm.sol";
import {CheckpointLib} from "@hyperlane-xyz/core/contracts/libs/CheckpointLib.sol";
import {MerkleLib} from "@hyperlane-xyz/core/contracts/libs/Merkle.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {HyperlaneAdapter} from "../../../contracts/adapters/hyperlane/HyperlaneAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";

/// @title HyperlaneFixture
/// @notice Hyperlane on several simulated domains in one EVM, through its real contracts only: per domain a `Mailbox`
/// (its own Hyperlane domain id), a `MerkleTreeHook` (required hook), an `InterchainGasPaymaster` priced by a
/// `StorageGasOracle` (default hook) and, for inbound messages, a `DomainRoutingIsm` that routes each origin to a
/// `StaticMessageIdMultisigIsm` (from Hyperlane's factory) over that origin's validator set. The Mailbox's own default
/// ISM is a multisig over a different validator set, so a delivery only passes through the ISM the recipient names.
///
/// The fixture plays Hyperlane's off-chain roles with test keys: the validators (each origin's n keys sign the
/// checkpoint `(origin, merkle tree hook, root, index, message id)` of every dispatched message, as a Hyperlane
/// validator signs its hook's checkpoints) and the relayer (message-id multisig metadata `hook || root || index ||
/// k signatures`, then `Mailbox.process` on the destination). `_hlCapture` reads the `Dispatch` events of the recorded
/// logs and keeps a shadow Merkle tree per origin, checked against the hook's own root, so the signed roots are the
/// real ones.
abstract contract HyperlaneFixture is Test {
    /// @notice Thrown when the fixture's shadow state disagrees with Hyperlane's contracts.
    error HyperlaneFixtureMismatch(string what);

    /// @dev Destination gas the IGP adds for `Mailbox.process` + the ISM (its per-destination overhead).
    uint96 internal constant HL_IGP_OVERHEAD = 150_000;
    /// @dev Destination gas price (1 gwei) at a 1:1 exchange rate (1e10 = Hyperlane's TOKEN_EXCHANGE_RATE_SCALE).
    uint128 internal constant HL_GAS_PRICE = 1 gwei;
    uint128 internal constant HL_EXCHANGE_RATE = 1e10;
    uint256 internal constant _HL_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    struct HlDomain {
        uint32 concord;
        uint32 hyperlane;
        Mailbox mailbox;
        MerkleTreeHook hook;
        InterchainGasPaymaster igp;
        StorageGasOracle oracle;
        DomainRoutingIsm ism;
        address originMultisig;
        address defaultIsm;
    }

    /// @notice A message dispatched by a fixture Mailbox and captured: origin domain index, bytes, and the checkpoint
    /// (root after its insertion, its leaf index) the origin's validators sign.
    struct HlSent {
        uint256 origin;
        bytes message;
        bytes32 root;
        uint32 index;
    }

    StaticMessageIdMultisigIsmFactory internal hlMultisigFactory;
    HlDomain[] internal hlDomains;
    mapping(uint256 domainIndex => uint256[] keys) internal hlValidatorKeys;
    uint8 internal hlThreshold = 2;
    uint8 internal hlValidatorCount = 3;
    HlSent[] internal hlSent;
    mapping(uint256 domainIndex => MerkleLib.Tree) internal _hlTrees;

    // ------------------------------------------------------------------------------------------ deployment

    /// @dev Deploys Hyperlane on a new domain (Concord id `concord`, Hyperlane id `hyperlane`); returns its index.
    function _hlDeployDomain(uint32 concord, uint32 hyperlane) internal returns (uint256 d) {
        if (address(hlMultisigFactory) == address(0)) hlMultisigFactory = new StaticMessageIdMultisigIsmFactory();
        d = hlDomains.length;
        HlDomain memory h;
        h.concord = concord;
        h.hyperlane = hyperlane;
        h.mailbox = new Mailbox(hyperlane);
        h.hook = new MerkleTreeHook(address(h.mailbox));
        h.igp = new InterchainGasPaymaster();
        h.igp.initialize(address(this), address(this));
        h.oracle = new StorageGasOracle();
        h.ism = new DomainRoutingIsm();
        h.ism.initialize(address(this));
        // This domain's validators (sign what its Mailbox dispatches) and the multisig other domains verify them with.
        (uint256[] memory keys, address[] memory validators) = _hlKeys(string.concat("validator-", vm.toString(d)));
        hlValidatorKeys[d] = keys;
        h.originMultisig = hlMultisigFactory.deploy(validators, hlThreshold);
        // The Mailbox owner's default ISM: a quorum of keys nobody in the tests signs with.
        (, address[] memory others) = _hlKeys(string.concat("default-", vm.toString(d)));
        h.defaultIsm = hlMultisigFactory.deploy(others, hlThreshold);
        h.mailbox.initialize(address(this), h.defaultIsm, address(h.igp), address(h.hook));
        hlDomains.push(h);
    }

    /// @dev Lets messages flow from domain `from` to domain `to`: `to`'s routing ISM verifies `from` with `from`'s
    /// validator multisig, `from`'s IGP prices gas on `to`.
    function _hlConnect(uint256 from, uint256 to) internal {
        HlDomain storage src = hlDomains[from];
        HlDomain storage dst = hlDomains[to];
        dst.ism.set(src.hyperlane, IInterchainSecurityModule(src.originMultisig));
        src.oracle
            .setRemoteGasData(
                StorageGasOracle.RemoteGasDataConfig({
                    remoteDomain: dst.hyperlane, tokenExchangeRate: HL_EXCHANGE_RATE, gasPrice: HL_GAS_PRICE
                })
            );
        InterchainGasPaymaster.GasParam[] memory params = new InterchainGasPaymaster.GasParam[](1);
        params[0] = InterchainGasPaymaster.GasParam(
            dst.hyperlane, InterchainGasPaymaster.DomainGasConfig(IGasOracle(address(src.oracle)), HL_IGP_OVERHEAD)
        );
        src.igp.setDestinationGasConfigs(params);
    }

    /// @dev A Hyperlane adapter on domain `d` naming `d`'s routing ISM.
    function _hlDeployAdapter(uint256 d, AccessManager manager, uint32 defaultGasLimit)
        internal
        returns (HyperlaneAdapter adapter)
    {
        HlDomain storage h = hlDomains[d];
        adapter = new HyperlaneAdapter(address(h.mailbox), h.concord, address(manager), defaultGasLimit, address(h.ism));
    }

    /// @dev Enrolls `y` (on domain `dy`) on `x` (on domain `dx`): remote adapter and the domain map.
    function _hlEnroll(HyperlaneAdapter x, uint256 dy, HyperlaneAdapter y) internal {
        x.setHyperlaneDomain(hlDomains[dy].concord, hlDomains[dy].hyperlane);
        x.setRemote(hlDomains[dy].concord, address(y));
    }

    /// @dev `n` validator keys from `label`, sorted by ascending address (the multisig ISMs' order).
    function _hlKeys(string memory label) internal view returns (uint256[] memory keys, address[] memory addrs) {
        uint256 n = hlValidatorCount;
        keys = new uint256[](n);
        addrs = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            keys[i] = uint256(keccak256(abi.encode("concord.hyperlane.test", label, i))) % _HL_SECP256K1_N;
            addrs[i] = vm.addr(keys[i]);
        }
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && addrs[j - 1] > addrs[j]; --j) {
                (addrs[j - 1], addrs[j]) = (addrs[j], addrs[j - 1]);
                (keys[j - 1], keys[j]) = (keys[j], keys[j - 1]);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ validator + relayer

    /// @dev Captures the `Dispatch` events of every fixture Mailbox in the logs recorded since `vm.recordLogs()`
    /// (consumes them); returns how many messages were captured.
    function _hlCapture() internal returns (uint256 captured) {
        return _hlCapture(vm.getRecordedLogs());
    }

    /// @dev Same, from logs the test already read.
    function _hlCapture(Vm.Log[] memory logs) internal returns (uint256 captured) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics.length == 0 || logs[i].topics[0] != IMailbox.Dispatch.selector) continue;
            (bool known, uint256 d) = _hlDomainOfMailbox(logs[i].emitter);
            if (!known) continue;
            bytes memory message = abi.decode(logs[i].data, (bytes));
            MerkleLib.Tree storage tree = _hlTrees[d];
            if (_hlNonce(message) != tree.count) revert HyperlaneFixtureMismatch("nonce != leaf index");
            MerkleLib.insert(tree, keccak256(message));
            hlSent.push(HlSent(d, message, MerkleLib.root(tree), uint32(tree.count - 1)));
            ++captured;
        }
        // Every dispatch of every domain was seen, and the shadow trees are the hooks' trees.
        for (uint256 d = 0; d < hlDomains.length; ++d) {
            if (_hlTrees[d].count != hlDomains[d].hook.count()) revert HyperlaneFixtureMismatch("missed a dispatch");
            if (MerkleLib.root(_hlTrees[d]) != hlDomains[d].hook.root()) revert HyperlaneFixtureMismatch("root");
        }
    }

    /// @dev Message-id multisig metadata for captured message `i`, signed by the first `signers` keys of its origin's
    /// set (in validator order).
    function _hlMetadata(uint256 i, uint256 signers) internal view returns (bytes memory) {
        return _hlMetadataSignedBy(i, hlValidatorKeys[hlSent[i].origin], signers);
    }

    /// @dev Message-id multisig metadata for captured message `i`: its origin's hook, the checkpoint (root, index) and
    /// the signatures of the first `signers` of `keys` over `CheckpointLib.digest` (what a Hyperlane validator signs).
    function _hlMetadataSignedBy(uint256 i, uint256[] memory keys, uint256 signers)
        internal
        view
        returns (bytes memory metadata)
    {
        HlSent storage s = hlSent[i];
        HlDomain storage origin = hlDomains[s.origin];
        bytes32 hook = bytes32(uint256(uint160(address(origin.hook))));
        bytes32 digest = CheckpointLib.digest(origin.hyperlane, hook, s.root, s.index, keccak256(s.message));
        metadata = abi.encodePacked(hook, s.root, s.index);
        for (uint256 k = 0; k < signers; ++k) {
            (uint8 v, bytes32 r, bytes32 sig) = vm.sign(keys[k], digest);
            metadata = abi.encodePacked(metadata, r, sig, v);
        }
    }

    /// @dev Metadata with the threshold of signatures.
    function _hlMetadata(uint256 i) internal view returns (bytes memory) {
        return _hlMetadata(i, hlThreshold);
    }

    /// @dev Relays captured message `i`: `Mailbox.process` on its destination, from this contract (the relayer).
    function _hlRelay(uint256 i) internal {
        _hlDestinationMailbox(i).process(_hlMetadata(i), hlSent[i].message);
    }

    /// @dev The Mailbox of captured message `i`'s destination.
    function _hlDestinationMailbox(uint256 i) internal view returns (Mailbox) {
        uint32 destination = _hlDestination(hlSent[i].message);
        for (uint256 d = 0; d < hlDomains.length; ++d) {
            if (hlDomains[d].hyperlane == destination) return hlDomains[d].mailbox;
        }
        revert HyperlaneFixtureMismatch("unknown destination");
    }

    /// @dev Index of the last captured message.
    function _hlLast() internal view returns (uint256) {
        return hlSent.length - 1;
    }

    function _hlMessage(uint256 i) internal view returns (bytes memory) {
        return hlSent[i].message;
    }

    function _hlId(uint256 i) internal view returns (bytes32) {
        return keccak256(hlSent[i].message);
    }

    /// @dev The Concord envelope (message body) of captured message `i`.
    function _hlBody(uint256 i) internal view returns (bytes memory body) {
        bytes memory m = hlSent[i].message;
        body = new bytes(m.length - 77);
        for (uint256 j = 0; j < body.length; ++j) {
            body[j] = m[77 + j];
        }
    }

    function _hlEnvelope(uint256 i) internal view returns (IConcordAdapter.Envelope memory) {
        return AdapterEnvelope.decode(_hlBody(i));
    }

    function _hlDomainOfMailbox(address mailbox) internal view returns (bool known, uint256 d) {
        for (d = 0; d < hlDomains.length; ++d) {
            if (address(hlDomains[d].mailbox) == mailbox) return (true, d);
        }
    }

    // Hyperlane message v3: version (1) | nonce (4) | origin (4) | sender (32) | destination (4) | recipient (32) | body

    function _hlNonce(bytes memory m) internal pure returns (uint32 v) {
        assembly ("memory-safe") {
            v := shr(224, mload(add(m, 33)))
        }
    }

    function _hlOrigin(bytes memory m) internal pure returns (uint32 v) {
        assembly ("memory-safe") {
            v := shr(224, mload(add(m, 37)))
        }
    }

    function _hlSender(bytes memory m) internal pure returns (bytes32 v) {
        assembly ("memory-safe") {
            v := mload(add(m, 41))
        }
    }

    function _hlDestination(bytes memory m) internal pure returns (uint32 v) {
        assembly ("memory-safe") {
            v := shr(224, mload(add(m, 73)))
        }
    }

    function _hlRecipient(bytes memory m) internal pure returns (bytes32 v) {
        assembly ("memory-safe") {
            v := mload(add(m, 77))
        }
    }
}
