// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {HyperlaneAdapter} from "../../../contracts/adapters/hyperlane/HyperlaneAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {HyperlaneFixture} from "./HyperlaneFixture.sol";

/// @notice TEST ONLY: an ERC-7786 recipient whose behaviour the test chooses; records every delivery, with the gas it
/// had on entry.
contract ProbeRecipient is IERC7786Recipient {
    enum Mode {
        ACCEPT,
        REVERT,
        WRONG_MAGIC,
        NEED_GAS,
        REENTER,
        REPLY,
        LIGHT
    }

    error ProbeRecipientRefused(bytes32 receiveId);

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
        if (mode == Mode.REVERT) revert ProbeRecipientRefused(receiveId);
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
contract ValueRefuser {
    function send(IConcordAdapter adapter, bytes calldata recipient, bytes calldata payload)
        external
        payable
        returns (bytes32)
    {
        return adapter.sendMessage{value: msg.value}(recipient, payload, new bytes[](0));
    }
}

/// @notice Two Hyperlane domains (A: Concord 1 / Hyperlane 11,111; B: Concord 10 / Hyperlane 22,222) with their real
/// contracts (see {HyperlaneFixture}), a Hyperlane adapter on each naming its domain's routing + message-id multisig
/// ISM, enrolled to each other, and a probe recipient on each. The AccessManager's admin is this test contract.
abstract contract HyperlaneAdapterBase is HyperlaneFixture {
    uint32 internal constant CHAIN_A = 1;
    uint32 internal constant CHAIN_B = 10;
    uint32 internal constant CHAIN_C = 8453;
    uint32 internal constant HL_A = 11_111;
    uint32 internal constant HL_B = 22_222;
    uint32 internal constant HL_C = 33_333;
    uint32 internal constant DEFAULT_GAS = 200_000;

    AccessManager internal manager;
    uint256 internal dA;
    uint256 internal dB;
    HyperlaneAdapter internal aA;
    HyperlaneAdapter internal aB;
    ProbeRecipient internal rA;
    ProbeRecipient internal rB;

    address internal alice = makeAddr("alice");
    address internal stranger = makeAddr("stranger");

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        manager = new AccessManager(address(this));
        dA = _hlDeployDomain(CHAIN_A, HL_A);
        dB = _hlDeployDomain(CHAIN_B, HL_B);
        _hlConnect(dA, dB);
        _hlConnect(dB, dA);
        aA = _hlDeployAdapter(dA, manager, DEFAULT_GAS);
        aB = _hlDeployAdapter(dB, manager, DEFAULT_GAS);
        _hlEnroll(aA, dB, aB);
        _hlEnroll(aB, dA, aA);
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
    /// id and the captured Hyperlane message's index.
    function _send(
        HyperlaneAdapter adapter,
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
        assertEq(_hlCapture(), 1, "one Hyperlane message");
        index = _hlLast();
    }

    /// @dev `from` dispatches `body` straight through domain `d`'s Mailbox to `recipient` on `destination` (a
    /// Hyperlane domain), paying the quote; returns the captured message's index. Any account may dispatch anything.
    function _rawDispatch(uint256 d, address from, uint32 destination, address recipient, bytes memory body)
        internal
        returns (uint256 index)
    {
        bytes32 to = bytes32(uint256(uint160(recipient)));
        uint256 fee = hlDomains[d].mailbox.quoteDispatch(destination, to, body);
        vm.deal(from, from.balance + fee);
        vm.recordLogs();
        vm.prank(from);
        hlDomains[d].mailbox.dispatch{value: fee}(destination, to, body);
        assertEq(_hlCapture(), 1, "one Hyperlane message");
        index = _hlLast();
    }

    /// @dev alice sends `payload` from A to `rB` with the default gas limit.
    function _sendAB(bytes memory payload) internal returns (bytes32 id, uint256 index) {
        return _send(aA, alice, CHAIN_B, address(rB), payload, _noAttr());
    }

    /// @dev The adapter message id and the Hyperlane message id of the next send from A's adapter to `to` on B.
    function _nextIdsAB(address sender, address to, uint32 gasLimit, bytes memory payload)
        internal
        view
        returns (bytes32 id, bytes32 hyperlaneId)
    {
        bytes memory envelope = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: aA.nonce(CHAIN_B),
                origin: CHAIN_A,
                sender: sender,
                recipient: to,
                gasLimit: gasLimit,
                payload: payload
            })
        );
        id = aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), envelope);
        hyperlaneId = keccak256(
            abi.encodePacked(
                uint8(3),
                hlDomains[dA].mailbox.nonce(),
                HL_A,
                bytes32(uint256(uint160(address(aA)))),
                HL_B,
                bytes32(uint256(uint160(address(aB)))),
                envelope
            )
        );
    }

    /// @dev The status on `adapter` of captured message `index` (from the adapter on `origin`).
    function _status(HyperlaneAdapter adapter, uint32 origin, address originAdapter, uint256 index)
        internal
        view
        returns (IConcordAdapter.MessageStatus)
    {
        return adapter.status(origin, originAdapter, _hlBody(index));
    }

    function _assertStatus(
        HyperlaneAdapter adapter,
        uint32 origin,
        address originAdapter,
        uint256 index,
        IConcordAdapter.MessageStatus expected
    ) internal view {
        assertEq(uint8(_status(adapter, origin, originAdapter, index)), uint8(expected), "adapter status");
    }
}
