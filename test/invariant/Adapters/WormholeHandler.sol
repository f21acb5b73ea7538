// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {WormholeAdapter} from "../../../contracts/adapters/wormhole/WormholeAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {WormholeFixture} from "../../adapters/WormholeAdapter/WormholeFixture.sol";
import {GhostStore} from "../../harness/GhostStore.sol";

/// @notice TEST ONLY: a recipient that counts executions per message id and fails on demand.
contract WhCountingRecipient is IERC7786Recipient {
    error WhCountingRecipientFailing(bytes32 id);

    mapping(bytes32 id => uint256 count) public executions;
    uint256 public total;
    bool public failing;

    function setFailing(bool failing_) external {
        failing = failing_;
    }

    function receiveMessage(bytes32 id, bytes calldata, bytes calldata) external payable returns (bytes4) {
        if (failing) revert WhCountingRecipientFailing(id);
        ++executions[id];
        ++total;
        return IERC7786Recipient.receiveMessage.selector;
    }
}

/// @notice TEST ONLY: handlers of the Wormhole adapter suite, over Wormhole's real core bridges (three chains: A and B
/// with enrolled adapters, C with none) and a guardian set of test keys (see {WormholeFixture}). A's adapter sends to a
/// counting recipient on B; a relayer brings any VAA to B's adapter in any order, twice, re-signed by another quorum,
/// or never; the recipient fails on demand and anyone retries. Attackers: another emitter on A publishing a genuine or
/// made-up envelope (which the guardians sign: they attest what was published, not who may speak for Concord), the
/// adapter's own address publishing on chain C, and VAAs the guardians never signed (outsider keys, below quorum, a
/// guardian set that does not exist, a body changed after signing).
contract WormholeHandler is WormholeFixture {
    uint32 public constant A = 1;
    uint32 public constant B = 10;
    uint32 public constant C = 8453;

    GhostStore public immutable store;
    WhCountingRecipient public immutable recipient;
    WormholeAdapter public immutable adapterA;
    WormholeAdapter public immutable adapterB;
    /// @dev Adapters that also enroll A's adapter but are not where its messages go: a second one on B, one on C.
    WormholeAdapter public immutable adapterB2;
    WormholeAdapter public immutable adapterC;
    uint256 internal immutable _dA;
    uint256 internal immutable _dC;

    /// @dev Message ids of the genuine sends, and the captured index of each genuine message.
    bytes32[] public genuineIds;
    uint256[] public genuineIndex;
    mapping(bytes32 id => bool) public isGenuine;

    constructor() {
        vm.warp(1_700_000_000);
        whGuardianCount = 7;
        AccessManager manager = new AccessManager(address(this));
        _dA = _whDeployChain(A, 2);
        uint256 dB = _whDeployChain(B, 24);
        _dC = _whDeployChain(C, 30);
        _whSetMessageFee(_dA, 0.001 ether);
        adapterA = _whDeployAdapter(_dA, manager, 200_000);
        adapterB = _whDeployAdapter(dB, manager, 200_000);
        _whEnroll(adapterA, dB, adapterB);
        _whEnroll(adapterB, _dA, adapterA);
        adapterB2 = _whDeployAdapter(dB, manager, 200_000);
        _whEnroll(adapterB2, _dA, adapterA);
        adapterC = _whDeployAdapter(_dC, manager, 200_000);
        _whEnroll(adapterC, _dA, adapterA);
        recipient = new WhCountingRecipient();
        store = new GhostStore();
        vm.deal(address(this), 1_000_000 ether);
    }

    function send(bytes calldata payload) external {
        bytes memory to = InteroperableAddress.formatEvmV1(B, address(recipient));
        uint256 fee = adapterA.quote(to, payload, new bytes[](0));
        vm.recordLogs();
        bytes32 id = adapterA.sendMessage{value: fee}(to, payload, new bytes[](0));
        if (_whCapture() != 1) store.violate("a send published no message");
        genuineIds.push(id);
        genuineIndex.push(_whLast());
        isGenuine[id] = true;
        store.count("send");
    }

    /// @notice A relayer brings a VAA to B's adapter: usually of the next genuine message not yet delivered
    /// (progress), else of any captured message (replays, forgers' messages, out of order); sometimes the same body
    /// re-signed by another quorum of guardians (another VAA of the same message).
    function deliver(uint256 seed, bool any, bool resigned) external {
        uint256 n = whSent.length;
        if (n == 0) return;
        uint256 index = bound(seed, 0, n - 1);
        if (!any && genuineIndex.length != 0) {
            uint256 g = bound(seed, 0, genuineIndex.length - 1);
            index = genuineIndex[g];
            for (uint256 k = 0; k < genuineIndex.length; ++k) {
                uint256 j = genuineIndex[(g + k) % genuineIndex.length];
                if (adapterB.status(A, address(adapterA), _whPayload(j)) == IConcordAdapter.MessageStatus.NONE) {
                    index = j;
                    break;
                }
            }
        }
        bytes memory vaa = resigned ? _lastQuorum(_whBody(index)) : _whVaa(index);
        try adapterB.receiveMessage(vaa) {
            store.count("deliver");
        } catch {
            store.count("deliverRefused");
        }
    }

    function setFailing(bool failing) external {
        recipient.setFailing(failing);
    }

    /// @notice Anyone retries a genuine message, usually a FAILED one, with random gas.
    function retry(uint256 seed, uint32 gasLimit) external {
        uint256 n = genuineIndex.length;
        if (n == 0) return;
        uint256 g = bound(seed, 0, n - 1);
        for (uint256 k = 0; k < n; ++k) {
            bytes memory e = _whPayload(genuineIndex[(g + k) % n]);
            if (adapterB.status(A, address(adapterA), e) == IConcordAdapter.MessageStatus.FAILED) {
                g = (g + k) % n;
                break;
            }
        }
        bytes memory envelope = _whPayload(genuineIndex[g]);
        try adapterB.retry(A, address(adapterA), envelope, uint32(bound(gasLimit, 200_000, 1_000_000))) {
            store.count("retry");
        } catch {}
    }

    /// @notice Attacker: another emitter on A publishes a genuine envelope (a copy) or a made-up one; the guardians
    /// sign it; a relayer brings it to B's adapter. Must never execute.
    function forgeEmitter(uint256 seed, bytes calldata payload, bool copyGenuine) external {
        address forger = address(uint160(uint256(keccak256(abi.encode("forger", seed)))));
        _publishAndRelay(_dA, forger, _forgedEnvelope(seed, payload, copyGenuine, A));
        store.count("forgeEmitter");
    }

    /// @notice Attacker: the adapter's own address publishes on chain C (no adapter enrolled for it on B), stating A or
    /// C as its origin. Must never execute.
    function forgeChain(uint256 seed, bytes calldata payload, bool copyGenuine, bool statesA) external {
        _publishAndRelay(_dC, address(adapterA), _forgedEnvelope(seed, payload, copyGenuine, statesA ? A : C));
        store.count("forgeChain");
    }

    /// @notice Attacker: a VAA the guardian set never signed: a genuine body (or a body with a changed payload) signed
    /// by outsider keys, by one guardian fewer than the quorum, or naming a guardian set that does not exist. Must be
    /// refused and change nothing.
    function forgeSignatures(uint256 seed, uint8 mode) external {
        if (genuineIndex.length == 0) return;
        uint256 index = genuineIndex[bound(seed, 0, genuineIndex.length - 1)];
        bytes memory body = _whBody(index);
        IConcordAdapter.MessageStatus before = adapterB.status(A, address(adapterA), _whPayload(index));
        uint256 total = recipient.total();
        uint256 q = _whQuorum(whGuardianKeys.length);
        bytes memory vaa;
        mode = mode % 4;
        if (mode == 0) {
            vaa = _whSign(body, _whKeys("outsider", whGuardianKeys.length), _indices(0, q), whGuardianSetIndex);
        } else if (mode == 1) {
            vaa = _whSign(body, whGuardianKeys, _indices(0, q - 1), whGuardianSetIndex);
        } else if (mode == 2) {
            vaa = _whSign(body, whGuardianKeys, _indices(0, q), whGuardianSetIndex + 1);
        } else {
            vaa = _whSignQuorum(body);
            vaa[vaa.length - 1] = bytes1(uint8(vaa[vaa.length - 1]) ^ 0x01);
        }
        try adapterB.receiveMessage(vaa) {
            store.violate("a VAA the guardians never signed was accepted");
        } catch {}
        if (adapterB.status(A, address(adapterA), _whPayload(index)) != before || recipient.total() != total) {
            store.violate("a refused VAA changed state");
        }
        store.count("forgeSignatures");
    }

    /// @notice Attacker (a relayer): a genuine VAA taken to an adapter it was not sent to, which also trusts A's adapter:
    /// a second adapter on B, or one on chain C. Must be refused and change nothing (no execution, no record there).
    function misroute(uint256 seed, bool toC) external {
        if (genuineIndex.length == 0) return;
        uint256 index = genuineIndex[bound(seed, 0, genuineIndex.length - 1)];
        WormholeAdapter wrong = toC ? adapterC : adapterB2;
        uint256 total = recipient.total();
        try wrong.receiveMessage(_whVaa(index)) {
            store.violate("a VAA executed on an adapter it was not sent to");
        } catch {}
        if (
            recipient.total() != total
                || wrong.status(A, address(adapterA), _whPayload(index)) != IConcordAdapter.MessageStatus.NONE
        ) store.violate("a misrouted VAA changed state");
        store.count("misroute");
    }

    function genuineCount() external view returns (uint256) {
        return genuineIds.length;
    }

    function payloadOf(uint256 index) external view returns (bytes memory) {
        return _whPayload(index);
    }

    function _publishAndRelay(uint256 d, address emitter, bytes memory envelope) internal {
        uint256 before = recipient.total();
        uint256 fee = _whCore(d).messageFee();
        vm.deal(emitter, emitter.balance + fee);
        vm.recordLogs();
        vm.prank(emitter);
        _whCore(d).publishMessage{value: fee}(0, abi.encodePacked(B, address(adapterB), envelope), 1);
        _whCapture();
        try adapterB.receiveMessage(_whVaa(_whLast())) {
            store.violate("a forged source was accepted");
        } catch {}
        if (recipient.total() != before) store.violate("a forged source executed");
    }

    function _forgedEnvelope(uint256 seed, bytes calldata payload, bool copyGenuine, uint32 origin)
        internal
        view
        returns (bytes memory)
    {
        if (copyGenuine && genuineIndex.length != 0) {
            return _whPayload(genuineIndex[bound(seed, 0, genuineIndex.length - 1)]);
        }
        return AdapterEnvelope.encode(uint64(seed), origin, address(this), address(recipient), 200_000, payload);
    }

    /// @dev `body` signed by the last quorum of the guardian set (another VAA of the same body).
    function _lastQuorum(bytes memory body) internal view returns (bytes memory) {
        uint256 n = whGuardianKeys.length;
        uint256 q = _whQuorum(n);
        return _whSign(body, whGuardianKeys, _indices(n - q, q), whGuardianSetIndex);
    }

    function _indices(uint256 from, uint256 count) internal pure returns (uint8[] memory indices) {
        indices = new uint8[](count);
        for (uint256 k = 0; k < count; ++k) {
            indices[k] = uint8(from + k);
        }
    }

    receive() external payable {}
}
