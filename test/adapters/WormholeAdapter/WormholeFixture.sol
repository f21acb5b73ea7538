// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {IWormholeCore} from "../../../contracts/adapters/wormhole/IWormholeCore.sol";
import {WormholeAdapter} from "../../../contracts/adapters/wormhole/WormholeAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";

/// @notice TEST ONLY: the core bridge's governance entry points the fixture uses (not called by the adapter).
interface IWormholeGovernance {
    function submitSetMessageFee(bytes memory vaa) external;
    function submitNewGuardianSet(bytes memory vaa) external;
    function getCurrentGuardianSetIndex() external view returns (uint32);
    function getGuardianSetExpiry() external view returns (uint32);
    function quorum(uint256 numGuardians) external pure returns (uint256);
}

/// @title WormholeFixture
/// @notice Wormhole on several simulated chains in one EVM, through its real core bridge only: per chain the core
/// bridge's `Implementation`, `Setup` and `Wormhole` proxy, deployed from the creation bytecode Wormhole ships in
/// the npm package certusone wormhole-sdk 0.10.18 (test/fixtures/wormhole/core-bridge.json, see its README), each with its own
/// Wormhole chain id and EVM chain id (the core's `evmChainId` must equal `block.chainid` when it is set up and when it
/// executes governance; the fixture switches `block.chainid` for those calls only).
///
/// The fixture plays Wormhole's off-chain roles with test keys: the guardians (one guardian set of `whGuardianCount`
/// keys shared by every chain, as Wormhole's is; a quorum of them signs VAA v1 bodies of the messages the core bridges
/// published: `keccak256(keccak256(body))`, no prefix, guardian indices ascending) and governance (VAAs from
/// governance chain 1 / `WH_GOVERNANCE_CONTRACT` that set the message fee or rotate the guardian set). `_whCapture`
/// reads the `LogMessagePublished` events of the recorded logs, checked against each core's `nextSequence`.
abstract contract WormholeFixture is Test {
    /// @notice Thrown when the fixture's shadow state disagrees with the core bridges.
    error WormholeFixtureMismatch(string what);

    uint16 internal constant WH_GOVERNANCE_CHAIN = 1;
    bytes32 internal constant WH_GOVERNANCE_CONTRACT = bytes32(uint256(4));
    /// @dev "Core", left-padded: the core bridge's governance module.
    bytes32 internal constant WH_CORE_MODULE = 0x00000000000000000000000000000000000000000000000000000000436f7265;
    uint256 internal constant _WH_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    struct WhChain {
        uint32 concord;
        uint16 wormhole;
        uint256 evmChainId;
        address core;
    }

    /// @notice A message a fixture core bridge published, as the guardians observed it.
    struct WhSent {
        uint256 origin;
        uint32 timestamp;
        uint32 nonce;
        bytes32 emitter;
        uint64 sequence;
        uint8 consistencyLevel;
        bytes payload;
    }

    WhChain[] internal whChains;
    WhSent[] internal whSent;
    /// @dev The current guardian set (keys in guardian index order) and its index.
    uint256[] internal whGuardianKeys;
    uint32 internal whGuardianSetIndex;
    uint256 internal whGuardianCount = 19;
    uint256 internal _whGovernanceSequence;
    mapping(address core => mapping(address emitter => uint64)) internal _whNextSequence;

    // ------------------------------------------------------------------------------------------ deployment

    /// @dev Deploys a core bridge on a new chain (Concord id `concord`, Wormhole id `wormhole`, EVM chain id
    /// `concord`) with the current guardian set; returns its index.
    function _whDeployChain(uint32 concord, uint16 wormhole) internal returns (uint256 d) {
        if (whGuardianKeys.length == 0) whGuardianKeys = _whKeys("guardian", whGuardianCount);
        string memory json = vm.readFile("test/fixtures/wormhole/core-bridge.json");
        address implementation = _whCreate(vm.parseJsonBytes(json, ".Implementation.bytecode"));
        address setup = _whCreate(vm.parseJsonBytes(json, ".Setup.bytecode"));
        bytes memory init = abi.encodeWithSignature(
            "setup(address,address[],uint16,uint16,bytes32,uint256)",
            implementation,
            _whAddresses(whGuardianKeys),
            wormhole,
            WH_GOVERNANCE_CHAIN,
            WH_GOVERNANCE_CONTRACT,
            uint256(concord)
        );
        uint256 chainBefore = block.chainid;
        vm.chainId(concord);
        address core =
            _whCreate(abi.encodePacked(vm.parseJsonBytes(json, ".Wormhole.bytecode"), abi.encode(setup, init)));
        vm.chainId(chainBefore);
        if (IWormholeCore(core).chainId() != wormhole) revert WormholeFixtureMismatch("chain id");
        d = whChains.length;
        whChains.push(WhChain(concord, wormhole, concord, core));
    }

    /// @dev A Wormhole adapter on chain `d` (consistency level 1: finalized).
    function _whDeployAdapter(uint256 d, AccessManager manager, uint32 defaultGasLimit)
        internal
        returns (WormholeAdapter adapter)
    {
        WhChain storage c = whChains[d];
        adapter = new WormholeAdapter(c.core, c.concord, address(manager), defaultGasLimit, 1);
    }

    /// @dev Enrolls `y` (on chain `dy`) on `x`: remote adapter and the chain map.
    function _whEnroll(WormholeAdapter x, uint256 dy, WormholeAdapter y) internal {
        x.setWormholeChain(whChains[dy].concord, whChains[dy].wormhole);
        x.setRemote(whChains[dy].concord, address(y));
    }

    function _whCore(uint256 d) internal view returns (IWormholeCore) {
        return IWormholeCore(whChains[d].core);
    }

    /// @dev `n` keys from `label`.
    function _whKeys(string memory label, uint256 n) internal pure returns (uint256[] memory keys) {
        keys = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            keys[i] = uint256(keccak256(abi.encode("concord.wormhole.test", label, i))) % _WH_SECP256K1_N;
        }
    }

    function _whAddresses(uint256[] memory keys) internal pure returns (address[] memory addrs) {
        addrs = new address[](keys.length);
        for (uint256 i = 0; i < keys.length; ++i) {
            addrs[i] = vm.addr(keys[i]);
        }
    }

    function _whCreate(bytes memory initcode) private returns (address deployed) {
        assembly ("memory-safe") {
            deployed := create(0, add(initcode, 0x20), mload(initcode))
        }
        if (deployed == address(0)) revert WormholeFixtureMismatch("create");
    }

    // ------------------------------------------------------------------------------------------ governance

    /// @dev Governance sets chain `d`'s message fee (a `Core` action 3 VAA signed by the current guardian set).
    function _whSetMessageFee(uint256 d, uint256 fee) internal {
        bytes memory payload = abi.encodePacked(WH_CORE_MODULE, uint8(3), whChains[d].wormhole, fee);
        _whGovern(d, abi.encodeCall(IWormholeGovernance.submitSetMessageFee, (_whGovernanceVaa(payload))));
        if (_whCore(d).messageFee() != fee) revert WormholeFixtureMismatch("message fee");
    }

    /// @dev Governance rotates every chain's guardian set to `keys` (a `Core` action 2 VAA for all chains, signed by the
    /// current set); the previous set stays valid for the core's expiry (24 hours) from now.
    function _whRotateGuardians(uint256[] memory keys) internal {
        address[] memory addrs = _whAddresses(keys);
        bytes memory payload =
            abi.encodePacked(WH_CORE_MODULE, uint8(2), uint16(0), whGuardianSetIndex + 1, uint8(addrs.length));
        for (uint256 i = 0; i < addrs.length; ++i) {
            payload = abi.encodePacked(payload, addrs[i]);
        }
        bytes memory vaa = _whGovernanceVaa(payload);
        for (uint256 d = 0; d < whChains.length; ++d) {
            _whGovern(d, abi.encodeCall(IWormholeGovernance.submitNewGuardianSet, (vaa)));
        }
        whGuardianKeys = keys;
        ++whGuardianSetIndex;
    }

    function _whGovernanceVaa(bytes memory payload) private returns (bytes memory) {
        bytes memory body = abi.encodePacked(
            uint32(block.timestamp),
            uint32(0),
            WH_GOVERNANCE_CHAIN,
            WH_GOVERNANCE_CONTRACT,
            uint64(_whGovernanceSequence++),
            uint8(32),
            payload
        );
        return _whSignQuorum(body);
    }

    /// @dev Calls chain `d`'s core with `data` under its EVM chain id (governance refuses to run on a fork).
    function _whGovern(uint256 d, bytes memory data) private {
        uint256 chainBefore = block.chainid;
        vm.chainId(whChains[d].evmChainId);
        (bool ok, bytes memory err) = whChains[d].core.call(data);
        vm.chainId(chainBefore);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(err, 0x20), mload(err))
            }
        }
    }

    // ------------------------------------------------------------------------------------------ guardians

    /// @dev Captures the `LogMessagePublished` events of every fixture core in the logs recorded since
    /// `vm.recordLogs()` (consumes them); returns how many messages were captured.
    function _whCapture() internal returns (uint256 captured) {
        return _whCapture(vm.getRecordedLogs());
    }

    /// @dev Same, from logs the test already read. Checks each emitter's sequences against the core's (no gap, no
    /// repeat).
    function _whCapture(Vm.Log[] memory logs) internal returns (uint256 captured) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics.length == 0 || logs[i].topics[0] != IWormholeCore.LogMessagePublished.selector) {
                continue;
            }
            (bool known, uint256 d) = _whChainOfCore(logs[i].emitter);
            if (!known) continue;
            address emitter = address(uint160(uint256(logs[i].topics[1])));
            (uint64 sequence, uint32 nonce, bytes memory payload, uint8 consistencyLevel) =
                abi.decode(logs[i].data, (uint64, uint32, bytes, uint8));
            if (sequence != _whNextSequence[logs[i].emitter][emitter]++) revert WormholeFixtureMismatch("sequence");
            whSent.push(
                WhSent(
                    d,
                    uint32(block.timestamp),
                    nonce,
                    bytes32(uint256(uint160(emitter))),
                    sequence,
                    consistencyLevel,
                    payload
                )
            );
            ++captured;
            if (_whCore(d).nextSequence(emitter) != _whNextSequence[logs[i].emitter][emitter]) {
                revert WormholeFixtureMismatch("missed a message");
            }
        }
    }

    /// @dev The VAA body of captured message `i`, as the guardians observed it.
    function _whBody(uint256 i) internal view returns (bytes memory) {
        WhSent storage s = whSent[i];
        return abi.encodePacked(
            s.timestamp, s.nonce, whChains[s.origin].wormhole, s.emitter, s.sequence, s.consistencyLevel, s.payload
        );
    }

    /// @dev A VAA body from `emitter` on `emitterChain` (what guardians would sign had that emitter published it).
    function _whBodyOf(uint16 emitterChain, bytes32 emitter, uint64 sequence, bytes memory payload)
        internal
        view
        returns (bytes memory)
    {
        return abi.encodePacked(uint32(block.timestamp), uint32(0), emitterChain, emitter, sequence, uint8(1), payload);
    }

    /// @dev The VAA of captured message `i`, signed by a quorum of the current guardian set.
    function _whVaa(uint256 i) internal view returns (bytes memory) {
        return _whSignQuorum(_whBody(i));
    }

    /// @dev `body` signed by the first quorum of the current guardian set.
    function _whSignQuorum(bytes memory body) internal view returns (bytes memory) {
        uint256 q = _whQuorum(whGuardianKeys.length);
        uint8[] memory indices = new uint8[](q);
        for (uint256 k = 0; k < q; ++k) {
            indices[k] = uint8(k);
        }
        return _whSign(body, whGuardianKeys, indices, whGuardianSetIndex);
    }

    /// @dev VAA v1 of `body` naming guardian set `setIndex`, with one signature per entry of `indices` (the guardian
    /// index written into the VAA), made by `keys[index]`.
    function _whSign(bytes memory body, uint256[] memory keys, uint8[] memory indices, uint32 setIndex)
        internal
        pure
        returns (bytes memory vaa)
    {
        bytes32 digest = keccak256(abi.encodePacked(keccak256(body)));
        vaa = abi.encodePacked(uint8(1), setIndex, uint8(indices.length));
        for (uint256 k = 0; k < indices.length; ++k) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[indices[k]], digest);
            vaa = abi.encodePacked(vaa, indices[k], r, s, v - 27);
        }
        vaa = abi.encodePacked(vaa, body);
    }

    /// @dev Wormhole's quorum: floor(2n/3) + 1.
    function _whQuorum(uint256 n) internal pure returns (uint256) {
        return n * 2 / 3 + 1;
    }

    /// @dev Relays captured message `i` to `adapter` (anyone may: this contract is the relayer).
    function _whRelayTo(WormholeAdapter adapter, uint256 i) internal {
        adapter.receiveMessage(_whVaa(i));
    }

    function _whLast() internal view returns (uint256) {
        return whSent.length - 1;
    }

    /// @dev The Concord envelope of captured message `i`: its payload after the adapter's destination header (24
    /// bytes: destination domain, destination adapter).
    function _whPayload(uint256 i) internal view returns (bytes memory envelope) {
        bytes memory raw = whSent[i].payload;
        if (raw.length < 24) return raw;
        envelope = new bytes(raw.length - 24);
        for (uint256 j = 0; j < envelope.length; ++j) {
            envelope[j] = raw[24 + j];
        }
    }

    /// @dev The destination domain and adapter the payload of captured message `i` names.
    function _whDestination(uint256 i) internal view returns (uint32 destination, address adapter) {
        bytes memory raw = whSent[i].payload;
        assembly ("memory-safe") {
            destination := shr(224, mload(add(raw, 0x20)))
            adapter := shr(96, mload(add(raw, 0x24)))
        }
    }

    function _whEnvelope(uint256 i) internal view returns (IConcordAdapter.Envelope memory) {
        return AdapterEnvelope.decode(_whPayload(i));
    }

    /// @dev The body hash the core bridge reports as the VAA's `hash` (what a plain app records as consumed).
    function _whHash(uint256 i) internal view returns (bytes32) {
        return keccak256(abi.encodePacked(keccak256(_whBody(i))));
    }

    function _whChainOfCore(address core) internal view returns (bool known, uint256 d) {
        for (d = 0; d < whChains.length; ++d) {
            if (whChains[d].core == core) return (true, d);
        }
    }
}
