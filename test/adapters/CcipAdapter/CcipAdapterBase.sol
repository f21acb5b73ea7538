// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {CcipAdapter} from "../../../contracts/adapters/ccip/CcipAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {ProbeRecipient, ValueRefuser} from "../HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {CcipFixture} from "./CcipFixture.sol";

/// @notice Two CCIP chains (A: Concord 1 / selector 5009297550715157269; B: Concord 10 / selector
/// 3734403246176062136) over the simulator's router (see {CcipFixture}), a CCIP adapter on each, enrolled to each
/// other, both held (every message waits to be routed by the test, as on the real network), and a probe recipient
/// on each. The AccessManager's admin is this test contract.
abstract contract CcipAdapterBase is CcipFixture {
    uint32 internal constant CHAIN_A = 1;
    uint32 internal constant CHAIN_B = 10;
    uint32 internal constant CHAIN_C = 8453;
    uint64 internal constant SEL_A = 5_009_297_550_715_157_269;
    uint64 internal constant SEL_B = 3_734_403_246_176_062_136;
    uint64 internal constant SEL_C = 15_971_525_489_660_198_786;
    uint32 internal constant DEFAULT_GAS = 200_000;

    AccessManager internal manager;
    CcipAdapter internal aA;
    CcipAdapter internal aB;
    ProbeRecipient internal rA;
    ProbeRecipient internal rB;

    address internal alice = makeAddr("alice");
    address internal stranger = makeAddr("stranger");

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        manager = new AccessManager(address(this));
        _ccipDeployRouter();
        aA = _deployAdapter(SEL_A, CHAIN_A, DEFAULT_GAS);
        aB = _deployAdapter(SEL_B, CHAIN_B, DEFAULT_GAS);
        _enroll(aA, CHAIN_B, SEL_B, aB);
        _enroll(aB, CHAIN_A, SEL_A, aA);
        rA = new ProbeRecipient();
        rB = new ProbeRecipient();
        vm.deal(alice, 100 ether);
        vm.deal(stranger, 100 ether);
    }

    /// @dev A held CCIP adapter on the chain of `selector` (its sends are captured with that source selector).
    function _deployAdapter(uint64 selector, uint32 chain, uint32 defaultGasLimit)
        internal
        returns (CcipAdapter adapter)
    {
        adapter = new CcipAdapter(address(ccipRouter), selector, chain, address(manager), defaultGasLimit);
        ccipChainOf[address(adapter)] = selector;
        _ccipHold(address(adapter));
    }

    /// @dev Enrolls `y` (on `chain`, `selector`) on `x`: the selector map and the remote adapter.
    function _enroll(CcipAdapter x, uint32 chain, uint64 selector, CcipAdapter y) internal {
        x.setChainSelector(chain, selector);
        x.setRemote(chain, address(y));
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
    /// id and the captured CCIP message's index.
    function _send(
        CcipAdapter adapter,
        address from,
        uint32 chain,
        address to,
        bytes memory payload,
        bytes[] memory attrs
    ) internal returns (bytes32 id, uint256 index) {
        bytes memory recipient = _to(chain, to);
        uint256 fee = adapter.quote(recipient, payload, attrs);
        vm.deal(from, from.balance + fee);
        _ccipRecord();
        vm.prank(from);
        id = adapter.sendMessage{value: fee}(recipient, payload, attrs);
        assertEq(_ccipCapture(), 1, "one CCIP message");
        index = _ccipLast();
    }

    /// @dev `from`, an account on the chain of `sourceSelector`, calls `ccipSend` itself to `receiver` with `data`
    /// and `gasLimit`, paying the fee; returns the captured message's index. Any account may send anything.
    function _rawSend(uint64 sourceSelector, address from, uint64 destination, address receiver, bytes memory data)
        internal
        returns (uint256 index)
    {
        ccipChainOf[from] = sourceSelector;
        bytes memory extraArgs = abi.encodeWithSelector(bytes4(0x181dcf10), uint256(300_000), true);
        vm.deal(from, from.balance + CCIP_FEE);
        _ccipRecord();
        vm.prank(from);
        ccipRouter.ccipSend{value: CCIP_FEE}(destination, _evm2Any(receiver, data, extraArgs));
        assertEq(_ccipCapture(), 1, "one CCIP message");
        index = _ccipLast();
    }

    function _evm2Any(address receiver, bytes memory data, bytes memory extraArgs)
        internal
        pure
        returns (Client.EVM2AnyMessage memory m)
    {
        m.receiver = abi.encode(receiver);
        m.data = data;
        m.tokenAmounts = new Client.EVMTokenAmount[](0);
        m.extraArgs = extraArgs;
    }

    /// @dev alice sends `payload` from A to `rB` with the default gas limit.
    function _sendAB(bytes memory payload) internal returns (bytes32 id, uint256 index) {
        return _send(aA, alice, CHAIN_B, address(rB), payload, _noAttr());
    }

    /// @dev An envelope stated as sent from A (the origin of every envelope these tests forge unless they say so).
    function _envelope(uint64 n, address sender, address to, uint32 gasLimit, bytes memory payload)
        internal
        pure
        returns (bytes memory)
    {
        return AdapterEnvelope.encode(n, CHAIN_A, sender, to, gasLimit, payload);
    }

    /// @dev An envelope stated as sent from `origin`.
    function _envelopeFrom(uint32 origin, uint64 n, address sender, address to, uint32 gasLimit, bytes memory payload)
        internal
        pure
        returns (bytes memory)
    {
        return AdapterEnvelope.encode(n, origin, sender, to, gasLimit, payload);
    }

    /// @dev The status on `adapter` of captured message `index` (from the adapter on `origin`).
    function _status(CcipAdapter adapter, uint32 origin, address originAdapter, uint256 index)
        internal
        view
        returns (IConcordAdapter.MessageStatus)
    {
        return adapter.status(origin, originAdapter, _ccipBody(index));
    }

    function _assertStatus(
        CcipAdapter adapter,
        uint32 origin,
        address originAdapter,
        uint256 index,
        IConcordAdapter.MessageStatus expected
    ) internal view {
        assertEq(uint8(_status(adapter, origin, originAdapter, index)), uint8(expected), "adapter status");
    }
}
