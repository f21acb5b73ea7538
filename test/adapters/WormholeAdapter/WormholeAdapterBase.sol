// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {WormholeAdapter} from "../../../contracts/adapters/wormhole/WormholeAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {WormholeFixture} from "./WormholeFixture.sol";

/// @notice TEST ONLY: an ERC-7786 recipient whose behaviour the test chooses; records every delivery, with the gas it
/// had on entry.
contract WhProbeRecipient is IERC7786Recipient {
    enum Mode {
        ACCEPT,
        REVERT,
        WRONG_MAGIC,
        NEED_GAS,
        REENTER,
        REPLY,
        LIGHT
    }

    error WhProbeRecipientRefused(bytes32 receiveId);

    struct Delivery {
        address gateway;
        bytes32 receiveId;
        bytes sender;
        bytes payload;
        uint256 gasAtEntry;
    }

    Mode public mode;
    /// @dev NEED_GAS: fresh slots written per delivery (about 22,100 gas each).
    uint256 public slots;
    uint256 public filled;
    mapping(uint256 => uint256) public cells;
    /// @dev REPLY: where to answer, through the adapter that delivered (paying its quote from this contract's balance).
    bytes public replyTo;
    /// @dev REENTER: the call made back into the delivering adapter, and whether it failed.
    bytes public reentry;
    bool public reentryFailed;
    bytes public reentryError;
    Delivery[] internal _deliveries;
    /// @dev LIGHT: only counted, with the gas at entry (no payload stored).
    uint256 public lightCount;
    uint256 public lastGasAtEntry;

    receive() external payable {}

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function setSlots(uint256 slots_) external {
        slots = slots_;
    }

    function setReplyTo(bytes calldata replyTo_) external {
        replyTo = replyTo_;
    }

    function setReentry(bytes calldata call) external {
        reentry = call;
    }

    function receiveMessage(bytes32 receiveId, bytes calldata sender, bytes calldata payload)
        external
        payable
        returns (bytes4)
    {
        uint256 gasAtEntry = gasleft();
        if (mode == Mode.LIGHT) {
            ++lightCount;
            lastGasAtEntry = gasAtEntry;
            return IERC7786Recipient.receiveMessage.selector;
        }
        if (mode == Mode.REVERT) revert WhProbeRecipientRefused(receiveId);
        if (mode == Mode.NEED_GAS) {
            for (uint256 i = 0; i < slots; ++i) {
                cells[filled + i] = i + 1;
            }
            filled += slots;
        }
        if (mode == Mode.REENTER) {
            (bool ok, bytes memory err) = msg.sender.call(reentry);
            reentryFailed = !ok;
            reentryError = err;
        }
        if (mode == Mode.REPLY) {
            bytes memory reply = abi.encodePacked("re: ", payload);
            uint256 fee = IConcordAdapter(msg.sender).quote(replyTo, reply, new bytes[](0));
            IConcordAdapter(msg.sender).sendMessage{value: fee}(replyTo, reply, new bytes[](0));
        }
        _deliveries.push(Delivery(msg.sender, receiveId, sender, payload, gasAtEntry));
        if (mode == Mode.WRONG_MAGIC) return bytes4(0xdeadbeef);
        return IERC7786Recipient.receiveMessage.selector;
    }

    function count() external view returns (uint256) {
        return _deliveries.length;
    }

    function delivery(uint256 i) external view returns (Delivery memory) {
        return _deliveries[i];
    }
}

/// @notice TEST ONLY: an account that refuses value (a sender whose refund cannot be paid).
contract WhValueRefuser {
    function send(IConcordAdapter adapter, bytes calldata recipient, bytes calldata payload)
        external
        payable
        returns (bytes32)
    {
        return adapter.sendMessage{value: msg.value}(recipient, payload, new bytes[](0));
    }
}

/// @notice Two Wormhole chains (A: Concord 1 / Wormhole 2; B: Concord 10 / Wormhole 24) with their real core bridges
/// and one guardian set of 19 test keys (see {WormholeFixture}), a Wormhole adapter on each, enrolled to each other, and
/// a probe recipient on each. The message fee is non-zero on both chains (set by a governance VAA). The AccessManager's
/// admin is this test contract.
abstract contract WormholeAdapterBase is WormholeFixture {
    uint32 internal constant CHAIN_A = 1;
    uint32 internal constant CHAIN_B = 10;
    uint32 internal constant CHAIN_C = 8453;
    uint16 internal constant WH_A = 2;
    uint16 internal constant WH_B = 24;
    uint16 internal constant WH_C = 30;
    uint32 internal constant DEFAULT_GAS = 200_000;
    uint256 internal constant FEE_A = 0.001 ether;
    uint256 internal constant FEE_B = 0.002 ether;

    AccessManager internal manager;
    uint256 internal dA;
    uint256 internal dB;
    WormholeAdapter internal aA;
    WormholeAdapter internal aB;
    WhProbeRecipient internal rA;
    WhProbeRecipient internal rB;

    address internal alice = makeAddr("alice");
    address internal stranger = makeAddr("stranger");

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        manager = new AccessManager(address(this));
        dA = _whDeployChain(CHAIN_A, WH_A);
        dB = _whDeployChain(CHAIN_B, WH_B);
        _whSetMessageFee(dA, FEE_A);
        _whSetMessageFee(dB, FEE_B);
        aA = _whDeployAdapter(dA, manager, DEFAULT_GAS);
        aB = _whDeployAdapter(dB, manager, DEFAULT_GAS);
        _whEnroll(aA, dB, aB);
        _whEnroll(aB, dA, aA);
        rA = new WhProbeRecipient();
        rB = new WhProbeRecipient();
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
    /// id and the captured Wormhole message's index.
    function _send(
        WormholeAdapter adapter,
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
        assertEq(_whCapture(), 1, "one Wormhole message");
        index = _whLast();
    }

    /// @dev `from` publishes `envelope`, addressed to B's adapter (the adapter's destination header), straight through
    /// chain `d`'s core bridge, paying its fee; returns the captured message's index. Any account may publish anything.
    function _rawPublish(uint256 d, address from, bytes memory envelope) internal returns (uint256 index) {
        return _rawPublishBytes(d, from, abi.encodePacked(CHAIN_B, address(aB), envelope));
    }

    /// @dev Same, publishing `payload` as it is (no destination header).
    function _rawPublishBytes(uint256 d, address from, bytes memory payload) internal returns (uint256 index) {
        uint256 fee = _whCore(d).messageFee();
        vm.deal(from, from.balance + fee);
        vm.recordLogs();
        vm.prank(from);
        _whCore(d).publishMessage{value: fee}(0, payload, 1);
        assertEq(_whCapture(), 1, "one Wormhole message");
        index = _whLast();
    }

    /// @dev alice sends `payload` from A to `rB` with the default gas limit.
    function _sendAB(bytes memory payload) internal returns (bytes32 id, uint256 index) {
        return _send(aA, alice, CHAIN_B, address(rB), payload, _noAttr());
    }

    /// @dev Relays captured message `i` to the adapter on the other chain of the pair (A's messages to B's adapter and
    /// B's to A's).
    function _relay(uint256 i) internal {
        _whRelayTo(whSent[i].origin == dA ? aB : aA, i);
    }

    function _status(WormholeAdapter adapter, uint32 origin, address originAdapter, uint256 index)
        internal
        view
        returns (IConcordAdapter.MessageStatus)
    {
        return adapter.status(origin, originAdapter, _whPayload(index));
    }

    function _assertStatus(
        WormholeAdapter adapter,
        uint32 origin,
        address originAdapter,
        uint256 index,
        IConcordAdapter.MessageStatus expected
    ) internal view {
        assertEq(uint8(_status(adapter, origin, originAdapter, index)), uint8(expected), "adapter status");
    }
}
