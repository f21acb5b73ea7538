// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {CcipAdapter} from "../../../contracts/adapters/ccip/CcipAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {CcipFixture} from "../../adapters/CcipAdapter/CcipFixture.sol";
import {GhostStore} from "../../harness/GhostStore.sol";
import {CountingRecipient} from "./AdapterHandler.sol";

/// @notice TEST ONLY: handlers of the CCIP adapter suite, over Chainlink's local simulator with every message held,
/// captured and routed by hand (see {CcipFixture}). A's adapter sends; the OffRamp path routes any captured message in
/// any order, twice, or never, with the message's gas limit or a random one; the recipient fails on demand and anyone
/// retries. Attackers: a contract on A that sends its own (genuine-looking or copied) envelopes to B's adapter over
/// CCIP, a lane that hands a genuine message over with another source selector, and direct calls of `ccipReceive`.
contract CcipAdapterHandler is CcipFixture {
    uint32 public constant A = 1;
    uint32 public constant B = 10;
    uint32 public constant C = 8453;
    uint64 public constant SEL_A = 5_009_297_550_715_157_269;
    uint64 public constant SEL_B = 3_734_403_246_176_062_136;
    uint64 public constant SEL_C = 15_971_525_489_660_198_786;

    CcipAdapter public immutable adapterA;
    CcipAdapter public immutable adapterB;
    CountingRecipient public immutable recipient;
    GhostStore public immutable store;
    address public immutable attacker;

    /// @dev Captured index => message id, for messages A's adapter sent.
    mapping(uint256 index => bytes32 id) public genuineId;
    mapping(uint256 index => bool) public isGenuine;
    bytes32[] public genuineIds;

    constructor() {
        AccessManager manager = new AccessManager(address(this));
        _ccipDeployRouter();
        adapterA = new CcipAdapter(address(ccipRouter), SEL_A, A, address(manager), 200_000);
        adapterB = new CcipAdapter(address(ccipRouter), SEL_B, B, address(manager), 200_000);
        adapterA.setChainSelector(B, SEL_B);
        adapterA.setRemote(B, address(adapterB));
        adapterB.setChainSelector(A, SEL_A);
        adapterB.setRemote(A, address(adapterA));
        // C is a known chain whose enrolled adapter is someone else: a message from A's address there is refused.
        adapterB.setChainSelector(C, SEL_C);
        adapterB.setRemote(C, address(0xC0FFEE));
        ccipChainOf[address(adapterA)] = SEL_A;
        attacker = address(uint160(uint256(keccak256("ccip.invariant.attacker"))));
        ccipChainOf[attacker] = SEL_A;
        _ccipHold(address(adapterA));
        _ccipHold(address(adapterB));
        recipient = new CountingRecipient();
        store = new GhostStore();
        vm.deal(address(this), 1_000_000 ether);
        vm.deal(attacker, 1_000_000 ether);
    }

    function send(bytes calldata payload, uint32 gasLimit) external {
        bytes memory to = InteroperableAddress.formatEvmV1(B, address(recipient));
        bytes[] memory attributes = new bytes[](1);
        attributes[0] = abi.encodeWithSelector(bytes4(0xce296026), bound(gasLimit, 100_000, 1_000_000));
        uint256 fee = adapterA.quote(to, payload, attributes);
        _ccipRecord();
        bytes32 id = adapterA.sendMessage{value: fee}(to, payload, attributes);
        if (_ccipCapture() != 1) store.violate("a send did not reach the router once");
        uint256 index = _ccipLast();
        genuineId[index] = id;
        isGenuine[index] = true;
        genuineIds.push(id);
        store.count("send");
    }

    /// @notice Routes a captured message: usually one not yet delivered (progress), else any (replays, the attacker's,
    /// out of order); with its own gas limit, or (lowGas) a random smaller one, which must never FAIL a working
    /// recipient.
    function route(uint256 seed, bool any, bool lowGas) external {
        uint256 n = ccipSent.length;
        if (n == 0) return;
        uint256 index = bound(seed, 0, n - 1);
        if (!any) {
            for (uint256 k = 0; k < n; ++k) {
                uint256 j = (index + k) % n;
                if (_status(j) == IConcordAdapter.MessageStatus.NONE) {
                    index = j;
                    break;
                }
            }
        }
        uint256 before = recipient.total();
        uint256 gas = ccipSent[index].gasLimit;
        if (lowGas) gas = bound(seed >> 128, 0, gas);
        bool failing = recipient.failing();
        IConcordAdapter.MessageStatus was = _status(index);
        bool ok;
        if (lowGas) (ok,) = _ccipRouteUncaptured(ccipSent[index].message, gas, ccipSent[index].receiver);
        else (ok,) = _ccipTryRoute(index);
        if (!isGenuine[index] && recipient.total() != before) store.violate("a forged source executed");
        if (
            isGenuine[index] && !failing && was == IConcordAdapter.MessageStatus.NONE
                && _status(index) == IConcordAdapter.MessageStatus.FAILED
        ) store.violate("a working recipient's message was made FAILED");
        store.count(ok ? bytes32("routeOk") : bytes32("routeRefused"));
    }

    function setFailing(bool failing) external {
        recipient.setFailing(failing);
    }

    /// @notice Anyone retries a captured message, usually a FAILED one, with random gas.
    function retry(uint256 seed, uint32 gasLimit) external {
        uint256 n = ccipSent.length;
        if (n == 0) return;
        uint256 index = bound(seed, 0, n - 1);
        for (uint256 k = 0; k < n; ++k) {
            if (_status((index + k) % n) == IConcordAdapter.MessageStatus.FAILED) {
                index = (index + k) % n;
                break;
            }
        }
        try adapterB.retry(
            A, address(adapterA), ccipSent[index].message.data, uint32(bound(gasLimit, 100_000, 2_000_000))
        ) {
            store.count("retry");
        } catch {}
    }

    /// @notice Attacker on A: sends over CCIP to B's adapter a copy of a genuine envelope or a made-up one (the sender
    /// CCIP records is the attacker); it is captured and routed like any message, and must never execute.
    function forgeSender(uint256 seed, bytes calldata payload, bool copyGenuine) external {
        bytes memory envelope;
        uint256 n = ccipSent.length;
        if (n != 0 && copyGenuine) {
            envelope = ccipSent[bound(seed, 0, n - 1)].message.data;
        } else {
            // The stated origin is the attacker's choice too: A (its real chain) or C (a domain it does not send from).
            uint32 statedOrigin = seed % 2 == 0 ? A : C;
            envelope =
                AdapterEnvelope.encode(uint64(seed), statedOrigin, attacker, address(recipient), 200_000, payload);
        }
        Client.EVM2AnyMessage memory m;
        m.receiver = abi.encode(address(adapterB));
        m.data = envelope;
        m.tokenAmounts = new Client.EVMTokenAmount[](0);
        m.extraArgs = abi.encodeWithSelector(Client.GENERIC_EXTRA_ARGS_V2_TAG, uint256(500_000), true);
        _ccipRecord();
        vm.prank(attacker);
        ccipRouter.ccipSend{value: CCIP_FEE}(SEL_B, m);
        _ccipCapture();
        store.count("forgeSender");
    }

    /// @notice A lane that hands a genuine message over with another source selector (C: known, another adapter
    /// enrolled; or unknown); must never execute.
    function forgeSelector(uint256 seed, bool knownChain) external {
        uint256 n = ccipSent.length;
        if (n == 0) return;
        CcipSent storage s = ccipSent[bound(seed, 0, n - 1)];
        Client.Any2EVMMessage memory message = s.message;
        message.sourceChainSelector = knownChain ? SEL_C : uint64(uint256(keccak256(abi.encode(seed))));
        if (message.sourceChainSelector == SEL_A) return;
        uint256 before = recipient.total();
        _ccipRouteUncaptured(message, s.gasLimit, s.receiver);
        if (recipient.total() != before) store.violate("a message under another selector executed");
        store.count("forgeSelector");
    }

    /// @notice Anyone but the Router calls `ccipReceive` with a genuine message; must revert.
    function callDirectly(uint256 seed, address caller) external {
        uint256 n = ccipSent.length;
        if (n == 0 || caller == address(ccipRouter)) return;
        Client.Any2EVMMessage memory message = ccipSent[bound(seed, 0, n - 1)].message;
        vm.prank(caller);
        try adapterB.ccipReceive(message) {
            store.violate("ccipReceive accepted a caller other than the Router");
        } catch {}
        store.count("callDirectly");
    }

    function _status(uint256 index) internal view returns (IConcordAdapter.MessageStatus) {
        return adapterB.status(A, address(adapterA), ccipSent[index].message.data);
    }

    function sentCount() external view returns (uint256) {
        return ccipSent.length;
    }

    function sent(uint256 index) external view returns (CcipSent memory) {
        return ccipSent[index];
    }

    function genuineCount() external view returns (uint256) {
        return genuineIds.length;
    }

    /// @notice Routes captured message `index` with its own gas limit (for the flush).
    function routeOne(uint256 index) external returns (bool ok) {
        (ok,) = _ccipTryRoute(index);
    }

    receive() external payable {}
}
