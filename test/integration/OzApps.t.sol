// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {
    ERC7579Utils,
    Mode,
    ModePayload,
    ModeSelector
} from "@openzeppelin/contracts/account/utils/draft-ERC7579Utils.sol";
import {CrosschainLinked} from "@openzeppelin/contracts/crosschain/CrosschainLinked.sol";
import {CrosschainRemoteExecutor} from "@openzeppelin/contracts/crosschain/CrosschainRemoteExecutor.sol";
import {BridgeERC20} from "@openzeppelin/contracts/crosschain/bridges/BridgeERC20.sol";
import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorCrosschain} from "@openzeppelin/contracts/governance/extensions/GovernorCrosschain.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {Test} from "forge-std/Test.sol";

import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {Message} from "../../contracts/libraries/Message.sol";
import {MockTrustAllVerifier} from "../../contracts/mocks/MockTrustAllVerifier.sol";
import {SquatterRecipient} from "../core/ConcordGateway/records.t.sol";
import {MultiDomainHarness} from "../harness/MultiDomainHarness.sol";
import {OzBridgedToken} from "./OzCrosschain.t.sol";

/// @notice TEST ONLY: a plain ERC-20 that predates any bridge (custody on its home chain).
contract OzHomeToken is ERC20 {
    constructor() ERC20("Home", "HOME") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice TEST ONLY: the smallest concrete OpenZeppelin `BridgeERC20` (custody bridge); every path is OZ's code.
contract OzCustodyBridge is BridgeERC20 {
    constructor(IERC20 token_, CrosschainLinked.Link[] memory links) BridgeERC20(token_) CrosschainLinked(links) {}
}

/// @notice TEST ONLY: voting token for the governor.
contract OzVotesToken is ERC20, ERC20Permit, ERC20Votes {
    constructor() ERC20("Votes", "VOTE") ERC20Permit("Votes") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}

/// @notice TEST ONLY: an OpenZeppelin Governor with `GovernorCrosschain`, unmodified: proposals it executes may relay
/// calls to a `CrosschainRemoteExecutor` on another chain through any ERC-7786 gateway.
contract OzCrosschainGovernor is Governor, GovernorCountingSimple, GovernorVotes, GovernorCrosschain {
    constructor(IVotes token) Governor("Concord DAO") GovernorVotes(token) {}

    function votingDelay() public pure override returns (uint256) {
        return 1;
    }

    function votingPeriod() public pure override returns (uint256) {
        return 10;
    }

    function quorum(uint256) public pure override returns (uint256) {
        return 1 ether;
    }
}

/// @notice TEST ONLY: a registry owned by a remote executor; `fill` writes `n` fresh slots (about 22,100 gas each), so
/// a remote call can need more than the default gas limit its OpenZeppelin sender pays for (OZ apps send no
/// attributes: the gateway's default gas limit applies).
contract OzHeavyRegistry is Ownable {
    uint256 public filled;
    mapping(uint256 => uint256) public cells;

    constructor(address owner_) Ownable(owner_) {}

    function fill(uint256 n) external onlyOwner {
        for (uint256 i = 0; i < n; ++i) {
            cells[filled + i] = i + 1;
        }
        filled += n;
    }
}

/// @notice Issue 13: OpenZeppelin 5.7's crosschain apps, unmodified, end to end over the real gateway with the
/// default gas limit (they send no attributes): `BridgeERC20` (custody) on one chain paired with `ERC20Crosschain` on
/// the other, and `GovernorCrosschain` driving a `CrosschainRemoteExecutor`. A remote call that needs more than the
/// default gas is FAILED at delivery and then delivered by anyone through `retry` with more gas. (`ERC20Crosschain`
/// alone and the remote executor alone: test/integration/OzCrosschain.t.sol.)
contract OzAppsTest is Test {
    uint32 internal constant ETH = 1;
    uint32 internal constant OP = 10;
    uint32 internal constant BASE = 8453;
    uint64 internal constant FINALITY = 12;

    MultiDomainHarness internal h;
    ConcordGateway internal gwEth;
    ConcordGateway internal gwOp;

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal keeper = makeAddr("keeper");

    function setUp() public {
        vm.warp(1_700_000_000);
        uint32[] memory ids = new uint32[](3);
        (ids[0], ids[1], ids[2]) = (ETH, OP, BASE);
        h = new MultiDomainHarness(ids, FINALITY);
        gwEth = h.gateway(ETH);
        gwOp = h.gateway(OP);
    }

    function _link(ConcordGateway gw, uint32 chain, address counterpart)
        internal
        pure
        returns (CrosschainLinked.Link[] memory links)
    {
        links = new CrosschainLinked.Link[](1);
        links[0] = CrosschainLinked.Link(address(gw), InteroperableAddress.formatEvmV1(chain, counterpart));
    }

    function _captureOne() internal returns (uint256 index) {
        assertEq(h.capture(), 1, "exactly one message dispatched");
        index = h.envelopeCount() - 1;
    }

    function _relay(uint256 index) internal {
        h.mineAll(FINALITY);
        (bool ok, bytes memory err) = h.relay(index);
        assertTrue(ok, string(err));
    }

    function _gasLimit(uint256 index) internal view returns (uint32 g) {
        bytes memory m = h.message(index);
        assembly {
            g := shr(224, mload(add(m, 0x6d))) // 0x20 + 77
        }
    }

    // ------------------------------------------------------------------------------------------ BridgeERC20

    /// @dev Custody on ETH (`BridgeERC20` over a pre-existing token), mint/burn on OP (`ERC20Crosschain`), both ways,
    /// supply conserved; the messages carry the gateway's default gas limit.
    function test_BridgeERC20_CustodyToCrosschainToken_AndBack() public {
        OzHomeToken home = new OzHomeToken();
        address predictedOp = vm.computeCreateAddress(address(this), vm.getNonce(address(this)) + 1);
        OzCustodyBridge bridge = new OzCustodyBridge(home, _link(gwEth, OP, predictedOp));
        OzBridgedToken wrapped = new OzBridgedToken(_link(gwOp, ETH, address(bridge)));
        assertEq(address(wrapped), predictedOp);
        home.mint(alice, 1000 ether);

        vm.startPrank(alice);
        home.approve(address(bridge), 300 ether);
        vm.recordLogs();
        bridge.crosschainTransfer(InteroperableAddress.formatEvmV1(OP, bob), 300 ether);
        vm.stopPrank();
        uint256 out = _captureOne();
        assertEq(_gasLimit(out), gwEth.defaultGasLimit(), "OZ apps send no attributes: the default gas limit");
        assertEq(home.balanceOf(address(bridge)), 300 ether, "custody");
        _relay(out);
        assertEq(wrapped.balanceOf(bob), 300 ether);

        vm.recordLogs();
        vm.prank(bob);
        wrapped.crosschainTransfer(InteroperableAddress.formatEvmV1(ETH, alice), 120 ether);
        uint256 back = _captureOne();
        _relay(back);
        assertEq(wrapped.balanceOf(bob), 180 ether);
        assertEq(wrapped.totalSupply(), 180 ether);
        assertEq(home.balanceOf(alice), 820 ether);
        assertEq(home.balanceOf(address(bridge)), 180 ether, "custody == wrapped supply");
        assertEq(uint8(h.status(out)), uint8(IConcordGateway.MessageStatus.EXECUTED));
        assertEq(uint8(h.status(back)), uint8(IConcordGateway.MessageStatus.EXECUTED));
    }

    // ------------------------------------------------------------------------------------------ GovernorCrosschain

    function _single(address target, bytes memory data) internal pure returns (Mode mode, bytes memory execution) {
        mode = ERC7579Utils.encodeMode(
            ERC7579Utils.CALLTYPE_SINGLE, ERC7579Utils.EXECTYPE_DEFAULT, ModeSelector.wrap(0), ModePayload.wrap(0)
        );
        execution = abi.encodePacked(target, uint256(0), data);
    }

    /// @dev A proposal on ETH that relays `call` to the executor on OP; proposed, voted and executed; returns the
    /// captured envelope.
    function _govern(
        OzCrosschainGovernor governor,
        CrosschainRemoteExecutor executor,
        address target,
        bytes memory call
    ) internal returns (uint256 envelope) {
        (Mode mode, bytes memory execution) = _single(target, call);
        address[] memory targets = new address[](1);
        uint256[] memory values = new uint256[](1);
        bytes[] memory calldatas = new bytes[](1);
        targets[0] = address(governor);
        calldatas[0] = abi.encodeCall(
            GovernorCrosschain.relayCrosschain,
            (address(gwEth), InteroperableAddress.formatEvmV1(OP, address(executor)), mode, execution)
        );
        string memory description = string(abi.encode(target, call));
        vm.prank(alice);
        uint256 id = governor.propose(targets, values, calldatas, description);
        vm.roll(block.number + 2);
        vm.prank(alice);
        governor.castVote(id, 1);
        vm.roll(block.number + 11);
        vm.recordLogs();
        governor.execute(targets, values, calldatas, keccak256(bytes(description)));
        envelope = _captureOne();
    }

    function _governor() internal returns (OzCrosschainGovernor governor, CrosschainRemoteExecutor executor) {
        OzVotesToken votes = new OzVotesToken();
        votes.mint(alice, 10 ether);
        vm.prank(alice);
        votes.delegate(alice);
        vm.roll(block.number + 1);
        governor = new OzCrosschainGovernor(votes);
        executor = new CrosschainRemoteExecutor(address(gwOp), InteroperableAddress.formatEvmV1(ETH, address(governor)));
    }

    /// @dev A DAO on ETH governs a contract on OP: its executed proposal is delivered with the default gas limit and
    /// the call runs through the remote executor.
    function test_GovernorCrosschain_ProposalExecutesOnOtherChain() public {
        (OzCrosschainGovernor governor, CrosschainRemoteExecutor executor) = _governor();
        OzHeavyRegistry registry = new OzHeavyRegistry(address(executor));
        uint256 envelope = _govern(governor, executor, address(registry), abi.encodeCall(registry.fill, (2)));
        assertEq(_gasLimit(envelope), gwEth.defaultGasLimit());
        _relay(envelope);
        assertEq(registry.filled(), 2);
        assertEq(uint8(h.status(envelope)), uint8(IConcordGateway.MessageStatus.EXECUTED));
    }

    /// @dev Finding 3: a governed call that needs more than the default gas (here ~290,000 against 200,000) FAILS at
    /// delivery; the tokens or authority behind it are not lost: anyone retries it with more gas and it runs once.
    function test_GovernorCrosschain_CallNeedingMoreThanTheDefault_DeliveredThroughRetry() public {
        (OzCrosschainGovernor governor, CrosschainRemoteExecutor executor) = _governor();
        OzHeavyRegistry registry = new OzHeavyRegistry(address(executor));
        uint256 envelope = _govern(governor, executor, address(registry), abi.encodeCall(registry.fill, (12)));
        _relay(envelope);
        assertEq(uint8(h.status(envelope)), uint8(IConcordGateway.MessageStatus.FAILED));
        assertEq(registry.filled(), 0);

        bytes memory message = h.message(envelope);
        uint32 original = _gasLimit(envelope);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayRetryGasBelowLimit.selector, original, original - 1)
        );
        gwOp.retry(message, original - 1);

        vm.expectEmit(address(gwOp));
        emit IConcordGateway.Retried(keccak256(message), ETH, keeper, 600_000, true);
        vm.prank(keeper);
        gwOp.retry(message, 600_000);
        assertEq(registry.filled(), 12);
        assertEq(uint8(h.status(envelope)), uint8(IConcordGateway.MessageStatus.EXECUTED));
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayNotFailed.selector, keccak256(message)));
        gwOp.retry(message, 600_000);
    }

    /// @dev Tokens: a delivery to the `ERC20Crosschain` side that FAILS (its `receiveMessage` made to revert once with
    /// `vm.mockCallRevert`, standing for any transient failure) leaves the custody locked, not lost: anyone retries
    /// the message later and the supply on OP equals the custody on ETH.
    function test_BridgeERC20_FailedMintDeliveredThroughRetry_SupplyConserved() public {
        OzHomeToken home = new OzHomeToken();
        address predictedOp = vm.computeCreateAddress(address(this), vm.getNonce(address(this)) + 1);
        OzCustodyBridge bridge = new OzCustodyBridge(home, _link(gwEth, OP, predictedOp));
        OzBridgedToken wrapped = new OzBridgedToken(_link(gwOp, ETH, address(bridge)));
        home.mint(alice, 10 ether);
        vm.startPrank(alice);
        home.approve(address(bridge), 10 ether);
        vm.recordLogs();
        bridge.crosschainTransfer(InteroperableAddress.formatEvmV1(OP, bob), 10 ether);
        vm.stopPrank();
        uint256 out = _captureOne();
        h.mineAll(FINALITY);
        vm.mockCallRevert(address(wrapped), abi.encodeWithSelector(wrapped.receiveMessage.selector), "busy");
        (bool ok,) = h.relay(out);
        assertTrue(ok);
        vm.clearMockedCalls();
        assertEq(uint8(h.status(out)), uint8(IConcordGateway.MessageStatus.FAILED));
        assertEq(wrapped.totalSupply(), 0);
        assertEq(home.balanceOf(address(bridge)), 10 ether, "locked, not lost");
        bytes memory message = h.message(out);
        gwOp.retry(message, 300_000);
        assertEq(wrapped.balanceOf(bob), 10 ether);
        assertEq(wrapped.totalSupply(), home.balanceOf(address(bridge)));
    }

    // ------------------------------------------------------------------------------------------ finding 1, OZ

    /// @dev Finding 1 as reported: with OpenZeppelin's token bridge, a squatter taking the transfer's (origin, nonce)
    /// through a permissive verifier its own recipient names used to leave the tokens locked on ETH and never minted
    /// on OP. Now the forgery runs only at the squatter, and the genuine transfer still mints.
    function test_Squat_OzTransfer_StillMinted() public {
        OzHomeToken home = new OzHomeToken();
        address predictedOp = vm.computeCreateAddress(address(this), vm.getNonce(address(this)) + 1);
        OzCustodyBridge bridge = new OzCustodyBridge(home, _link(gwEth, OP, predictedOp));
        OzBridgedToken wrapped = new OzBridgedToken(_link(gwOp, ETH, address(bridge)));
        home.mint(alice, 50 ether);
        vm.startPrank(alice);
        home.approve(address(bridge), 50 ether);
        vm.recordLogs();
        bridge.crosschainTransfer(InteroperableAddress.formatEvmV1(OP, bob), 50 ether);
        vm.stopPrank();
        uint256 out = _captureOne();

        MockTrustAllVerifier permissive = new MockTrustAllVerifier();
        permissive.setOriginGateway(ETH, address(gwEth));
        SquatterRecipient squatter = new SquatterRecipient(address(permissive));
        bytes memory forged = Message.format(
            3,
            h.envelope(out).nonce,
            ETH,
            bytes32(uint256(0xbad)),
            OP,
            bytes32(uint256(uint160(address(squatter)))),
            Message.formatBody(200_000, "squat")
        );
        gwOp.process("", forged);
        assertEq(squatter.calls(), 1);

        _relay(out);
        assertEq(wrapped.balanceOf(bob), 50 ether, "the genuine transfer still mints");
        assertEq(uint8(h.status(out)), uint8(IConcordGateway.MessageStatus.EXECUTED));
    }
}
