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
import {ERC7786Recipient} from "@openzeppelin/contracts/crosschain/ERC7786Recipient.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Crosschain} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Crosschain.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {Test} from "forge-std/Test.sol";

import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {CheckpointDigest} from "../../contracts/libraries/CheckpointDigest.sol";
import {Message} from "../../contracts/libraries/Message.sol";
import {gasLimitOf} from "../harness/GatewayTestLib.sol";
import {MultiDomainHarness} from "../harness/MultiDomainHarness.sol";

/// @notice TEST ONLY: the smallest concrete instantiation of OpenZeppelin's abstract `ERC20Crosschain` (name, symbol,
/// links, a mint for the initial supply). Every crosschain path is OpenZeppelin's code, unmodified.
contract OzBridgedToken is ERC20Crosschain {
    constructor(CrosschainLinked.Link[] memory links) ERC20("Concord OZ", "COZ") CrosschainLinked(links) {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice TEST ONLY: a registry owned by a `CrosschainRemoteExecutor` (the executor is the controller's identity on
/// its chain); writes fail while the registry is closed, so a remote call can fail and be retried later.
contract OzRemoteRegistry is Ownable {
    error OzRemoteRegistryClosed(bytes32 key);

    bool public open;
    uint256 public writes;
    mapping(bytes32 key => uint256 value) public values;

    constructor(address owner_) Ownable(owner_) {}

    function setOpen(bool open_) external onlyOwner {
        open = open_;
    }

    function set(bytes32 key, uint256 value) external onlyOwner {
        if (!open) revert OzRemoteRegistryClosed(key);
        values[key] = value;
        ++writes;
    }
}

/// @notice Issue 7: OpenZeppelin 5.7's `CrosschainRemoteExecutor` and `ERC20Crosschain`, unmodified, end to end over
/// Concord gateways in the multi-domain harness: three domains, real message-id multisig verifiers behind the
/// rate-limited / pausable / routing stack, validator signatures made with `vm.sign`, messages relayed only once final.
contract OzCrosschainTest is Test {
    uint32 internal constant ETH = 1;
    uint32 internal constant OP = 10;
    uint32 internal constant BASE = 8453;
    uint64 internal constant FINALITY = 12;
    uint256 internal constant SUPPLY = 1_000_000 ether;

    MultiDomainHarness internal h;
    ConcordGateway internal gwEth;
    ConcordGateway internal gwOp;
    ConcordGateway internal gwBase;

    OzBridgedToken internal tokenEth;
    OzBridgedToken internal tokenOp;

    address internal controller = makeAddr("controller");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal mallory = makeAddr("mallory");

    function setUp() public {
        vm.warp(1_700_000_000);
        uint32[] memory ids = new uint32[](3);
        (ids[0], ids[1], ids[2]) = (ETH, OP, BASE);
        h = new MultiDomainHarness(ids, FINALITY);
        gwEth = h.gateway(ETH);
        gwOp = h.gateway(OP);
        gwBase = h.gateway(BASE);

        // The token pair: ETH <-> OP, each linked to the other through its own domain's Concord gateway.
        address predictedOp = vm.computeCreateAddress(address(this), vm.getNonce(address(this)) + 1);
        tokenEth = new OzBridgedToken(_links(gwEth, OP, predictedOp));
        tokenOp = new OzBridgedToken(_links(gwOp, ETH, address(tokenEth)));
        assertEq(address(tokenOp), predictedOp);
        tokenEth.mint(alice, SUPPLY);
    }

    // ------------------------------------------------------------------------------------------ helpers

    function _links(ConcordGateway gw, uint32 chain, address counterpart)
        internal
        pure
        returns (CrosschainLinked.Link[] memory links)
    {
        links = new CrosschainLinked.Link[](1);
        links[0] = CrosschainLinked.Link(address(gw), InteroperableAddress.formatEvmV1(chain, counterpart));
    }

    function _addr(uint32 chain, address account) internal pure returns (bytes memory) {
        return InteroperableAddress.formatEvmV1(chain, account);
    }

    /// @dev Captures the one message the last call(s) dispatched and returns its envelope index.
    function _captureOne() internal returns (uint256 index) {
        assertEq(h.capture(), 1, "exactly one message dispatched");
        index = h.envelopeCount() - 1;
    }

    /// @dev Waits for finality on every domain and relays envelope `index` with honest validator signatures.
    function _relay(uint256 index) internal {
        h.mineAll(FINALITY);
        (bool ok, bytes memory err) = h.relay(index);
        assertTrue(ok, string(err));
    }

    function _status(uint256 index) internal view returns (uint8) {
        return uint8(h.status(index));
    }

    function _failureHash(ConcordGateway gw, uint256 index) internal view returns (bytes32) {
        return gw.failedRevertDataHash(h.envelope(index).id);
    }

    /// @dev ERC-7579 single-call execution data for the remote executor: mode | target | value | calldata.
    function _single(address target, bytes memory data) internal pure returns (bytes memory) {
        Mode mode = ERC7579Utils.encodeMode(
            ERC7579Utils.CALLTYPE_SINGLE, ERC7579Utils.EXECTYPE_DEFAULT, ModeSelector.wrap(0), ModePayload.wrap(0)
        );
        // ERC-7579 single execution calldata (`ERC7579Utils.encodeSingle` layout): target (20) | value (32) | callData
        return abi.encodePacked(Mode.unwrap(mode), target, uint256(0), data);
    }

    /// @dev `from` on `gw` sends `payload` to the executor on OP; returns the captured envelope.
    function _command(ConcordGateway gw, address from, address executor, bytes memory payload)
        internal
        returns (uint256)
    {
        vm.recordLogs();
        vm.prank(from);
        gw.sendMessage(_addr(OP, executor), payload, new bytes[](0));
        return _captureOne();
    }

    function _executor() internal returns (CrosschainRemoteExecutor executor, OzRemoteRegistry registry) {
        executor = new CrosschainRemoteExecutor(address(gwOp), _addr(ETH, controller));
        registry = new OzRemoteRegistry(address(executor));
    }

    function _unauthorized(ConcordGateway gw, bytes memory sender) internal pure returns (bytes32) {
        return keccak256(
            abi.encodeWithSelector(ERC7786Recipient.ERC7786RecipientUnauthorizedGateway.selector, address(gw), sender)
        );
    }

    // ------------------------------------------------------------------------------------------ remote executor

    function test_RemoteExecutor_ControllerOnEth_ExecutesOnOp() public {
        (CrosschainRemoteExecutor executor, OzRemoteRegistry registry) = _executor();
        uint256 openIt = _command(
            gwEth, controller, address(executor), _single(address(registry), abi.encodeCall(registry.setOpen, (true)))
        );
        uint256 write = _command(
            gwEth, controller, address(executor), _single(address(registry), abi.encodeCall(registry.set, ("k", 7)))
        );
        // Not final yet: honest validators refuse to sign, nothing runs.
        (bool ok,) = h.relay(openIt);
        assertFalse(ok);
        assertFalse(registry.open());

        _relay(openIt);
        _relay(write);
        assertTrue(registry.open());
        assertEq(registry.values("k"), 7);
        assertEq(registry.writes(), 1);
        assertEq(_status(openIt), uint8(IConcordGateway.MessageStatus.EXECUTED));
        assertEq(_status(write), uint8(IConcordGateway.MessageStatus.EXECUTED));

        // The same command again is a replay: rejected by the gateway, executed once.
        (bytes memory metadata,) = h.metadataFor(write);
        bytes memory message = h.message(write);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, keccak256(message))
        );
        gwOp.process(metadata, message);
        assertEq(registry.writes(), 1);
    }

    /// @dev A call that fails on OP is recorded FAILED (the lane is not blocked); once its precondition holds
    /// (opened by a later command, delivered first), anyone retries it through the gateway and it runs once.
    function test_RemoteExecutor_FailingCall_RetriedThroughGateway() public {
        (CrosschainRemoteExecutor executor, OzRemoteRegistry registry) = _executor();
        uint256 write = _command(
            gwEth, controller, address(executor), _single(address(registry), abi.encodeCall(registry.set, ("k", 42)))
        );
        _relay(write);
        assertEq(_status(write), uint8(IConcordGateway.MessageStatus.FAILED));
        assertEq(
            _failureHash(gwOp, write),
            keccak256(abi.encodeWithSelector(OzRemoteRegistry.OzRemoteRegistryClosed.selector, bytes32("k")))
        );
        assertEq(registry.values("k"), 0);
        bytes memory message = h.message(write);

        // Retrying while the cause persists fails again and stays retryable.
        vm.prank(mallory);
        gwOp.retry(message, gasLimitOf(message));
        assertEq(_status(write), uint8(IConcordGateway.MessageStatus.FAILED));
        assertEq(registry.writes(), 0);

        // A later command fixes the precondition; it is delivered normally (no head-of-line blocking).
        uint256 openIt = _command(
            gwEth, controller, address(executor), _single(address(registry), abi.encodeCall(registry.setOpen, (true)))
        );
        _relay(openIt);
        assertTrue(registry.open());

        vm.expectEmit(address(gwOp));
        emit IConcordGateway.Retried(keccak256(message), ETH, mallory, gasLimitOf(message), true);
        vm.prank(mallory);
        gwOp.retry(message, gasLimitOf(message));
        assertEq(_status(write), uint8(IConcordGateway.MessageStatus.EXECUTED));
        assertEq(registry.values("k"), 42);
        assertEq(registry.writes(), 1);

        // Executed messages are not retryable.
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayNotFailed.selector, keccak256(message)));
        gwOp.retry(message, gasLimitOf(message));
        assertEq(registry.writes(), 1);
    }

    /// @dev Commands from anyone but the controller (same chain, or the controller's address on another chain) are
    /// verified and delivered by Concord but refused by the executor: FAILED, nothing runs, retries keep failing.
    function test_RemoteExecutor_UnauthorizedController_Rejected() public {
        (CrosschainRemoteExecutor executor, OzRemoteRegistry registry) = _executor();
        // The controller opens the registry, so only authorization can stop the writes below.
        _relay(
            _command(
                gwEth,
                controller,
                address(executor),
                _single(address(registry), abi.encodeCall(registry.setOpen, (true)))
            )
        );
        bytes memory write = _single(address(registry), abi.encodeCall(registry.set, ("k", 666)));

        uint256 fromMallory = _command(gwEth, mallory, address(executor), write);
        // The controller's own address, but on BASE: ERC-7930 senders bind the chain.
        uint256 fromOtherChain = _command(gwBase, controller, address(executor), write);
        _relay(fromMallory);
        _relay(fromOtherChain);

        assertEq(_status(fromMallory), uint8(IConcordGateway.MessageStatus.FAILED));
        assertEq(_status(fromOtherChain), uint8(IConcordGateway.MessageStatus.FAILED));
        assertEq(_failureHash(gwOp, fromMallory), _unauthorized(gwOp, _addr(ETH, mallory)));
        assertEq(_failureHash(gwOp, fromOtherChain), _unauthorized(gwOp, _addr(BASE, controller)));

        gwOp.retry(h.message(fromMallory), gasLimitOf(h.message(fromMallory)));
        gwOp.retry(h.message(fromOtherChain), gasLimitOf(h.message(fromOtherChain)));
        assertEq(_status(fromMallory), uint8(IConcordGateway.MessageStatus.FAILED));
        assertEq(_status(fromOtherChain), uint8(IConcordGateway.MessageStatus.FAILED));
        assertEq(registry.values("k"), 0);
        assertEq(registry.writes(), 0);
    }

    /// @dev The controller hands control to a new controller on BASE (the executor reconfigures itself, as
    /// OpenZeppelin requires); afterwards only the new controller is obeyed.
    function test_RemoteExecutor_Reconfigure_HandsOverControl() public {
        (CrosschainRemoteExecutor executor, OzRemoteRegistry registry) = _executor();
        address successor = makeAddr("successor");
        _relay(
            _command(
                gwEth,
                controller,
                address(executor),
                _single(
                    address(executor), abi.encodeCall(executor.reconfigure, (address(gwOp), _addr(BASE, successor)))
                )
            )
        );
        assertEq(executor.controller(), _addr(BASE, successor));

        uint256 old = _command(
            gwEth, controller, address(executor), _single(address(registry), abi.encodeCall(registry.setOpen, (true)))
        );
        uint256 fresh = _command(
            gwBase, successor, address(executor), _single(address(registry), abi.encodeCall(registry.setOpen, (true)))
        );
        _relay(old);
        assertEq(_status(old), uint8(IConcordGateway.MessageStatus.FAILED));
        assertFalse(registry.open());
        _relay(fresh);
        assertEq(_status(fresh), uint8(IConcordGateway.MessageStatus.EXECUTED));
        assertTrue(registry.open());
    }

    /// @dev Both contracts together: the executor on OP holds bridged tokens for the controller and, on command,
    /// bridges them back to ETH. The executor sends through OP's gateway while that gateway is delivering to it; the
    /// second message is captured after the first delivery, relayed, and supply is conserved throughout.
    function test_RemoteExecutor_BridgesTokensBack_SupplyConserved() public {
        (CrosschainRemoteExecutor executor,) = _executor();
        vm.recordLogs();
        vm.prank(alice);
        tokenEth.crosschainTransfer(_addr(OP, address(executor)), 50 ether);
        _relay(_captureOne());
        assertEq(tokenOp.balanceOf(address(executor)), 50 ether);

        uint256 command = _command(
            gwEth,
            controller,
            address(executor),
            _single(address(tokenOp), abi.encodeCall(tokenOp.crosschainTransfer, (_addr(ETH, bob), 20 ether)))
        );
        vm.recordLogs();
        _relay(command);
        assertEq(_status(command), uint8(IConcordGateway.MessageStatus.EXECUTED));
        uint256 back = _captureOne();
        assertEq(h.envelope(back).origin, OP);
        assertEq(tokenOp.balanceOf(address(executor)), 30 ether);
        assertEq(_supply() + 20 ether, SUPPLY, "in flight");
        _relay(back);
        assertEq(tokenEth.balanceOf(bob), 20 ether);
        assertEq(_supply(), SUPPLY);
    }

    // ------------------------------------------------------------------------------------------ ERC20Crosschain

    function _supply() internal view returns (uint256) {
        return tokenEth.totalSupply() + tokenOp.totalSupply();
    }

    function test_ERC20Crosschain_EthToOpToEth_SupplyConserved() public {
        // ETH -> OP: burnt on ETH at send, minted on OP at delivery.
        vm.recordLogs();
        vm.prank(alice);
        tokenEth.crosschainTransfer(_addr(OP, bob), 300 ether);
        uint256 out = _captureOne();
        assertEq(tokenEth.balanceOf(alice), SUPPLY - 300 ether);
        assertEq(_supply() + 300 ether, SUPPLY, "in flight");
        _relay(out);
        assertEq(tokenOp.balanceOf(bob), 300 ether);
        assertEq(_supply(), SUPPLY);

        // OP -> ETH, in two transfers relayed out of order.
        vm.recordLogs();
        vm.startPrank(bob);
        tokenOp.crosschainTransfer(_addr(ETH, alice), 100 ether);
        tokenOp.crosschainTransfer(_addr(ETH, bob), 50 ether);
        vm.stopPrank();
        assertEq(h.capture(), 2);
        assertEq(_supply() + 150 ether, SUPPLY, "in flight");
        h.mineAll(FINALITY);
        assertEq(h.relayAllReversed(OP, ETH), 2);
        assertEq(tokenOp.balanceOf(bob), 150 ether);
        assertEq(tokenEth.balanceOf(alice), SUPPLY - 200 ether);
        assertEq(tokenEth.balanceOf(bob), 50 ether);
        assertEq(_supply(), SUPPLY);

        // Nothing is delivered twice.
        assertEq(h.relayAllReversed(OP, ETH), 0);
        assertEq(h.relayAllReversed(ETH, OP), 0);
        assertEq(_supply(), SUPPLY);
    }

    /// @dev Fuzzed amounts over the round trip: supply is conserved at every step (in flight counted).
    function testFuzz_ERC20Crosschain_RoundTrip_SupplyConserved(uint256 out, uint256 back) public {
        out = bound(out, 1, SUPPLY);
        back = bound(back, 1, out);
        vm.recordLogs();
        vm.prank(alice);
        tokenEth.crosschainTransfer(_addr(OP, bob), out);
        _relay(_captureOne());
        vm.recordLogs();
        vm.prank(bob);
        tokenOp.crosschainTransfer(_addr(ETH, alice), back);
        uint256 ret = _captureOne();
        assertEq(_supply() + back, SUPPLY);
        _relay(ret);
        assertEq(_supply(), SUPPLY);
        assertEq(tokenOp.balanceOf(bob), out - back);
        assertEq(tokenEth.balanceOf(alice), SUPPLY - out + back);
    }

    /// @dev A mint forged as coming from the ETH token, signed by keys that are not ETH's validator set: the real
    /// multisig rejects it, nothing is minted, and the nonce the forger used stays free for the genuine message.
    function test_ERC20Crosschain_ForgedMessage_RejectedByVerifier() public {
        uint32 nonce = gwEth.nonce();
        bytes memory payload = abi.encode(_addr(ETH, alice), abi.encodePacked(mallory), 1_000_000 ether);
        bytes memory forged = Message.format(
            Message.VERSION,
            nonce,
            ETH,
            bytes32(uint256(uint160(address(tokenEth)))),
            OP,
            bytes32(uint256(uint160(address(tokenOp)))),
            Message.formatBody(h.GAS_LIMIT(), payload)
        );
        (uint256[] memory keys,) = h.keysFor(0xbad, h.VALIDATORS());
        bytes memory metadata =
            h.signWith(ETH, CheckpointDigest.KIND_MESSAGE_ID, keccak256(forged), nonce, keys, h.THRESHOLD());
        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordGateway.ConcordGatewayVerificationFailed.selector, address(h.domain(OP).rateLimited)
            )
        );
        gwOp.process(metadata, forged);
        assertEq(uint8(gwOp.status(forged)), uint8(IConcordGateway.MessageStatus.NONE));
        assertEq(tokenOp.balanceOf(mallory), 0);
        assertEq(tokenOp.totalSupply(), 0);

        // The genuine message with that nonce still goes through.
        vm.recordLogs();
        vm.prank(alice);
        tokenEth.crosschainTransfer(_addr(OP, bob), 1 ether);
        uint256 genuine = _captureOne();
        assertEq(h.envelope(genuine).nonce, nonce);
        _relay(genuine);
        assertEq(tokenOp.balanceOf(bob), 1 ether);
        assertEq(_supply(), SUPPLY);
    }

    /// @dev Genuine, verified messages carrying a mint from senders that are not the linked counterpart: another
    /// contract on ETH, and the token's own address on BASE (address aliasing across chains). OpenZeppelin's link
    /// check refuses both: FAILED, nothing minted, retries keep failing.
    function test_ERC20Crosschain_UnlinkedSenders_RejectedByLink() public {
        bytes memory payload = abi.encode(_addr(ETH, mallory), abi.encodePacked(mallory), 1000 ether);
        vm.recordLogs();
        vm.prank(mallory);
        gwEth.sendMessage(_addr(OP, address(tokenOp)), payload, new bytes[](0));
        uint256 fromMallory = _captureOne();
        vm.recordLogs();
        vm.prank(address(tokenEth));
        gwBase.sendMessage(_addr(OP, address(tokenOp)), payload, new bytes[](0));
        uint256 aliased = _captureOne();
        _relay(fromMallory);
        _relay(aliased);
        assertEq(_status(fromMallory), uint8(IConcordGateway.MessageStatus.FAILED));
        assertEq(_status(aliased), uint8(IConcordGateway.MessageStatus.FAILED));
        assertEq(_failureHash(gwOp, fromMallory), _unauthorized(gwOp, _addr(ETH, mallory)));
        assertEq(_failureHash(gwOp, aliased), _unauthorized(gwOp, _addr(BASE, address(tokenEth))));
        gwOp.retry(h.message(aliased), gasLimitOf(h.message(aliased)));
        assertEq(_status(aliased), uint8(IConcordGateway.MessageStatus.FAILED));
        assertEq(tokenOp.totalSupply(), 0);
        assertEq(_supply(), SUPPLY);
    }

    /// @dev A transfer to a domain the token has no link for reverts at the source (OpenZeppelin calls the zero
    /// gateway of the missing link: a call to an address without code, empty revert data): nothing burnt or sent.
    function test_ERC20Crosschain_RevertWhen_NoLink() public {
        uint32 before = gwEth.nonce();
        vm.prank(alice);
        vm.expectRevert(bytes(""));
        tokenEth.crosschainTransfer(_addr(BASE, bob), 1 ether);
        assertEq(gwEth.nonce(), before);
        assertEq(tokenEth.balanceOf(alice), SUPPLY);
    }
}
