// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Message} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/types/AmplifierGatewayTypes.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {AxelarAdapter} from "../../../contracts/adapters/axelar/AxelarAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {AxelarFixture} from "../../adapters/AxelarAdapter/AxelarFixture.sol";
import {GhostStore} from "../../harness/GhostStore.sol";
import {CountingRecipient} from "./AdapterHandler.sol";

/// @notice TEST ONLY: handlers of the AxelarAdapters suite, over Axelar's real gateways and gas services (see
/// {AxelarFixture}) on three chains: A ("ethereum", domain 1) sends to B ("optimism", domain 10); C ("base") is a
/// chain B's adapter does not map. The handler plays the users, Axelar's signers (they approve whatever a gateway
/// emitted, honestly), the relayers (execute anything approved or not, in any order, twice) and attackers: a forger
/// contract on A calling the gateway with genuine or made-up envelopes, the same address as A's adapter calling from
/// chain C, and a relayer that swaps the source address, the chain name or the payload of an approval.
contract AxelarAdapterHandler is AxelarFixture {
    uint32 public constant A = 1;
    uint32 public constant B = 10;
    uint32 public constant C = 8453;

    AxelarAdapter public immutable adapterA;
    AxelarAdapter public immutable adapterB;
    CountingRecipient public immutable recipient;
    GhostStore public immutable store;
    uint256 public immutable cA;
    uint256 public immutable cB;
    uint256 public immutable cC;
    address public immutable forger;

    /// @dev Adapter message id of each captured call that A's adapter sent (0: not genuine).
    mapping(uint256 index => bytes32 id) public genuineId;
    bytes32[] public genuineIds;
    uint256[] public genuineIndexes;

    constructor() {
        AccessManager manager = new AccessManager(address(this));
        cA = _axDeployChain(A, "ethereum");
        cB = _axDeployChain(B, "optimism");
        cC = _axDeployChain(C, "base");
        _axConnect(cA, cB);
        _axConnect(cB, cA);
        adapterA = _axDeployAdapter(cA, manager, 200_000);
        adapterB = _axDeployAdapter(cB, manager, 200_000);
        _axEnroll(adapterA, cB, adapterB);
        _axEnroll(adapterB, cA, adapterA);
        recipient = new CountingRecipient();
        store = new GhostStore();
        forger = address(uint160(uint256(keccak256("concord.axelar.invariant.forger"))));
        vm.deal(address(this), 1_000_000 ether);
    }

    function send(bytes calldata payload) external {
        bytes memory to = InteroperableAddress.formatEvmV1(B, address(recipient));
        uint256 fee = adapterA.quote(to, payload, new bytes[](0));
        vm.recordLogs();
        bytes32 id = adapterA.sendMessage{value: fee}(to, payload, new bytes[](0));
        if (_axCapture() != 1) store.violate("a send was not one gateway call");
        uint256 index = _axLast();
        genuineId[index] = id;
        genuineIds.push(id);
        genuineIndexes.push(index);
        store.count("send");
    }

    /// @notice Axelar's signers approve a captured call (any, forged ones included: they attest what a gateway
    /// emitted); a second approval of the same message is ignored by the gateway.
    function approve(uint256 seed) external {
        uint256 n = axSent.length;
        if (n == 0) return;
        uint256 index = _bound(seed, 0, n - 1);
        if (_axDestination(index) != cB) return;
        _axApprove(index);
        store.count("approve");
    }

    /// @notice A relayer executes a captured call on B's adapter: usually one not yet executed (progress), else any
    /// (replays, unapproved ones, forged ones).
    function execute(uint256 seed, bool any) external {
        uint256 n = axSent.length;
        if (n == 0) return;
        uint256 index = _bound(seed, 0, n - 1);
        if (!any) {
            for (uint256 k = 0; k < n; ++k) {
                uint256 j = (index + k) % n;
                if (_axDestination(j) == cB && !axChains[cB].gateway.isCommandExecuted(_axCommandId(j))) {
                    index = j;
                    break;
                }
            }
        }
        if (_axDestination(index) != cB) return;
        // An honest relayer has the signers' approval first; `any` executes whatever it picked, approved or not.
        if (!any) _axApprove(index);
        uint256 before = recipient.total();
        bool genuine = genuineId[index] != bytes32(0);
        try this.relay(index) {
            store.count("execute");
        } catch {
            store.count("executeRefused");
        }
        if (!genuine && recipient.total() != before) store.violate("a forged call executed");
    }

    /// @dev External so that `execute` can catch its revert.
    function relay(uint256 index) external {
        _axExecute(index);
    }

    function setFailing(bool failing) external {
        recipient.setFailing(failing);
    }

    /// @notice Anyone retries a message, usually a FAILED one, with random gas.
    function retry(uint256 seed, uint32 gasLimit) external {
        uint256 n = genuineIndexes.length;
        if (n == 0) return;
        uint256 pick = _bound(seed, 0, n - 1);
        for (uint256 k = 0; k < n; ++k) {
            uint256 j = genuineIndexes[(pick + k) % n];
            if (adapterB.status(A, address(adapterA), axSent[j].payload) == IConcordAdapter.MessageStatus.FAILED) {
                pick = (pick + k) % n;
                break;
            }
        }
        bytes memory envelope = axSent[genuineIndexes[pick]].payload;
        try adapterB.retry(A, address(adapterA), envelope, uint32(_bound(gasLimit, 200_000, 1_000_000))) {
            store.count("retry");
        } catch {}
    }

    /// @notice Attacker: a genuine envelope, or a made-up one, sent to B's adapter through A's gateway by a forger
    /// contract, or through C's gateway from A's adapter's own address; the signers approve it and a relayer
    /// executes it. It must never execute.
    function forge(uint256 seed, bytes calldata payload, bool replayGenuine, bool fromC) external {
        bytes memory envelope;
        uint256 g = genuineIndexes.length;
        if (g != 0 && replayGenuine) {
            envelope = axSent[genuineIndexes[_bound(seed, 0, g - 1)]].payload;
        } else {
            // The stated origin is the attacker's: A's domain (the one it impersonates), C's, or anything.
            uint32 statedOrigin = seed % 3 == 0 ? A : (seed % 3 == 1 ? C : uint32(seed >> 8));
            envelope = AdapterEnvelope.encode(
                IConcordAdapter.Envelope({
                    nonce: uint64(seed),
                    origin: statedOrigin,
                    sender: address(this),
                    recipient: address(recipient),
                    gasLimit: 200_000,
                    payload: payload
                })
            );
        }
        uint256 c = fromC ? cC : cA;
        address from = fromC ? address(adapterA) : forger;
        string memory to = Strings.toHexString(address(adapterB));
        vm.recordLogs();
        vm.prank(from);
        axChains[c].gateway.callContract("optimism", to, envelope);
        if (_axCapture() != 1) store.violate("a forged call was not captured");
        uint256 before = recipient.total();
        _axApprove(_axLast());
        try this.relay(_axLast()) {} catch {}
        if (recipient.total() != before) store.violate("a forged source executed");
        store.count("forge");
    }

    /// @notice Attacker relayer: takes a genuine message's approval and presents it with another source address
    /// (another case or another account), another chain name, or another payload. It must never execute.
    function swap(uint256 seed, uint8 what, bytes calldata payload) external {
        uint256 g = genuineIndexes.length;
        if (g == 0) return;
        uint256 index = genuineIndexes[_bound(seed, 0, g - 1)];
        _axApprove(index);
        Message memory m = _axMessage(index);
        bytes memory body = axSent[index].payload;
        what = what % 4;
        if (what == 0) m.sourceAddress = Strings.toChecksumHexString(address(adapterA));
        else if (what == 1) m.sourceAddress = Strings.toHexString(forger);
        else if (what == 2) m.sourceChain = "base";
        else body = payload;
        if (what == 0 && keccak256(bytes(m.sourceAddress)) == keccak256(bytes(_axMessage(index).sourceAddress))) {
            return; // an address with no letters: the checksummed form is the same string
        }
        uint256 before = recipient.total();
        try adapterB.execute(_axCommandId(index), m.sourceChain, m.sourceAddress, body) {} catch {}
        if (recipient.total() != before) store.violate("a swapped approval executed");
        store.count("swap");
    }

    function genuineCount() external view returns (uint256) {
        return genuineIds.length;
    }

    function genuineIndexCount() external view returns (uint256) {
        return genuineIndexes.length;
    }

    /// @notice Whether genuine call `k` reached B's adapter (delivered or FAILED) without its gateway approval having
    /// been consumed.
    function deliveredWithoutApproval(uint256 k) external view returns (bool) {
        uint256 index = genuineIndexes[k];
        if (adapterB.status(A, address(adapterA), axSent[index].payload) == IConcordAdapter.MessageStatus.NONE) {
            return false;
        }
        return !axChains[cB].gateway.isCommandExecuted(_axCommandId(index));
    }

    /// @notice Flush (used by `afterInvariant`): approves, executes or retries genuine call `i` as needed.
    function flush(uint256 k) external returns (IConcordAdapter.MessageStatus) {
        uint256 index = genuineIndexes[k];
        bytes memory envelope = axSent[index].payload;
        if (adapterB.status(A, address(adapterA), envelope) == IConcordAdapter.MessageStatus.NONE) {
            _axApprove(index);
            _axExecute(index);
        }
        if (adapterB.status(A, address(adapterA), envelope) == IConcordAdapter.MessageStatus.FAILED) {
            adapterB.retry(A, address(adapterA), envelope, 500_000);
        }
        return adapterB.status(A, address(adapterA), envelope);
    }

    receive() external payable {}
}
