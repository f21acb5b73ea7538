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
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Crosschain} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Crosschain.sol";

import {IWormholeAdapter} from "../../../contracts/adapters/wormhole/IWormholeAdapter.sol";
import {WormholeAdapter} from "../../../contracts/adapters/wormhole/WormholeAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {WormholeAdapterBase} from "./WormholeAdapterBase.sol";

/// @notice TEST ONLY: a plain ERC-20 that predates any bridge (custody on its home chain).
contract WhHomeToken is ERC20 {
    constructor() ERC20("Home", "HOME") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice TEST ONLY: the smallest concrete OpenZeppelin `BridgeERC20` (custody); every path is OpenZeppelin's code.
contract WhCustodyBridge is BridgeERC20 {
    constructor(IERC20 token_, CrosschainLinked.Link[] memory links) BridgeERC20(token_) CrosschainLinked(links) {}
}

/// @notice TEST ONLY: the smallest concrete OpenZeppelin `ERC20Crosschain` (mint and burn); OpenZeppelin's code.
contract WhCrosschainToken is ERC20Crosschain {
    constructor(CrosschainLinked.Link[] memory links) ERC20("Wrapped Home", "wHOME") CrosschainLinked(links) {}
}

/// @notice TEST ONLY: owned by a remote executor; `fill(n)` writes `n` fresh slots (about 22,100 gas each).
contract WhHeavyRegistry is Ownable {
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

/// @notice Issue 16: OpenZeppelin 5.7's crosschain apps, unmodified, end to end over the Wormhole adapters and
/// Wormhole's real core bridge: `BridgeERC20` (custody) on A paired with `ERC20Crosschain` on B, both ways, and a
/// `CrosschainRemoteExecutor` on B driven from A, including a remote call that needs more gas than it was sent with
/// (FAILED, then retried by anyone with more gas) and one that bridges tokens back from inside its delivery.
/// OpenZeppelin's apps send no value and no attributes: they are sponsored senders of their adapter (the default gas
/// limit applies); the executor's controller is an account that pays its own fees.
contract WormholeAdapterOzTest is WormholeAdapterBase {
    address internal bob = makeAddr("bob");
    address internal keeper = makeAddr("keeper");

    WhHomeToken internal home;
    WhCustodyBridge internal bridge;
    WhCrosschainToken internal wrapped;

    function setUp() public override {
        super.setUp();
        aA.fund{value: 10 ether}();
        aB.fund{value: 10 ether}();
    }

    function _link(WormholeAdapter adapter, uint32 chain, address counterpart)
        internal
        pure
        returns (CrosschainLinked.Link[] memory links)
    {
        links = new CrosschainLinked.Link[](1);
        links[0] = CrosschainLinked.Link(address(adapter), _to(chain, counterpart));
    }

    /// @dev Custody bridge on A over `adapterA`, crosschain token on B over `adapterB`, both sponsored.
    function _deployTokens(WormholeAdapter adapterA, WormholeAdapter adapterB) internal {
        home = new WhHomeToken();
        address predictedWrapped = vm.computeCreateAddress(address(this), vm.getNonce(address(this)) + 1);
        bridge = new WhCustodyBridge(home, _link(adapterA, CHAIN_B, predictedWrapped));
        wrapped = new WhCrosschainToken(_link(adapterB, CHAIN_A, address(bridge)));
        assertEq(address(wrapped), predictedWrapped);
        adapterA.setSponsoredSender(address(bridge), true);
        adapterB.setSponsoredSender(address(wrapped), true);
        home.mint(alice, 1000 ether);
    }

    function _bridgeOut(address to, uint256 amount) internal returns (uint256 index) {
        vm.startPrank(alice);
        home.approve(address(bridge), amount);
        vm.recordLogs();
        bridge.crosschainTransfer(_to(CHAIN_B, to), amount);
        vm.stopPrank();
        assertEq(_whCapture(), 1);
        index = _whLast();
    }

    // ------------------------------------------------------------------------------------------ tokens

    function test_BridgeERC20_ToERC20Crosschain_AndBack() public {
        _deployTokens(aA, aB);
        uint256 sponsorBefore = address(aA).balance;
        uint256 out = _bridgeOut(bob, 300 ether);
        assertEq(_whEnvelope(out).gasLimit, DEFAULT_GAS, "OpenZeppelin apps send no attributes: the default gas limit");
        assertEq(home.balanceOf(address(bridge)), 300 ether, "custody");
        assertLt(address(aA).balance, sponsorBefore, "the sponsor balance paid");
        _relay(out);
        assertEq(wrapped.balanceOf(bob), 300 ether);

        vm.recordLogs();
        vm.prank(bob);
        wrapped.crosschainTransfer(_to(CHAIN_A, alice), 120 ether);
        assertEq(_whCapture(), 1);
        uint256 back = _whLast();
        _relay(back);
        assertEq(wrapped.balanceOf(bob), 180 ether);
        assertEq(wrapped.totalSupply(), 180 ether);
        assertEq(home.balanceOf(alice), 820 ether);
        assertEq(home.balanceOf(address(bridge)), wrapped.totalSupply(), "custody == supply");
        _assertStatus(aB, CHAIN_A, address(aA), out, IConcordAdapter.MessageStatus.EXECUTED);
        _assertStatus(aA, CHAIN_B, address(aB), back, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev Adapters whose default gas limit is too small for the mint (the sender's choice, OpenZeppelin sends no
    /// gas attribute): the mint FAILS, the custody stays locked, not lost; anyone retries with more gas, once.
    function test_ERC20Crosschain_MintNeedingMoreGas_RetriedWithMoreGas() public {
        WormholeAdapter lowA = _whDeployAdapter(dA, manager, 30_000);
        WormholeAdapter lowB = _whDeployAdapter(dB, manager, 30_000);
        _whEnroll(lowA, dB, lowB);
        _whEnroll(lowB, dA, lowA);
        lowA.fund{value: 1 ether}();
        _deployTokens(lowA, lowB);
        uint256 out = _bridgeOut(bob, 10 ether);
        // A VAA goes wherever a relayer takes it: B's other adapter refuses one that names another destination.
        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterWrongDestination.selector, CHAIN_B, address(lowB))
        );
        _relay(out);
        _whRelayTo(lowB, out);
        _assertStatus(lowB, CHAIN_A, address(lowA), out, IConcordAdapter.MessageStatus.FAILED);
        assertEq(wrapped.totalSupply(), 0);
        assertEq(home.balanceOf(address(bridge)), 10 ether, "locked, not lost");

        vm.prank(keeper);
        lowB.retry(CHAIN_A, address(lowA), _whPayload(out), 200_000);
        assertEq(wrapped.balanceOf(bob), 10 ether);
        assertEq(wrapped.totalSupply(), home.balanceOf(address(bridge)));
        _assertStatus(lowB, CHAIN_A, address(lowA), out, IConcordAdapter.MessageStatus.EXECUTED);
        bytes32 id = lowB.messageIdOf(CHAIN_A, address(lowA), CHAIN_B, address(lowB), _whPayload(out));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, id));
        lowB.retry(CHAIN_A, address(lowA), _whPayload(out), 200_000);
    }

    /// @dev A message from anyone but the linked counterpart is refused by OpenZeppelin's own check (the adapter
    /// hands it the authenticated ERC-7930 sender): a stranger's "mint" through the genuine adapters FAILS.
    function test_ERC20Crosschain_RefusesAnotherSender() public {
        _deployTokens(aA, aB);
        bytes memory payload = abi.encode(_to(CHAIN_A, stranger), abi.encodePacked(stranger), 1000 ether);
        (, uint256 m) = _send(aA, stranger, CHAIN_B, address(wrapped), payload, _noAttr());
        _relay(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
        assertEq(wrapped.totalSupply(), 0);
    }

    // ------------------------------------------------------------------------------------------ remote executor

    function _single(address target, bytes memory data) internal pure returns (bytes memory payload) {
        Mode mode = ERC7579Utils.encodeMode(
            ERC7579Utils.CALLTYPE_SINGLE, ERC7579Utils.EXECTYPE_DEFAULT, ModeSelector.wrap(0), ModePayload.wrap(0)
        );
        payload = abi.encodePacked(Mode.unwrap(mode), abi.encodePacked(target, uint256(0), data));
    }

    /// @dev alice (an account on A, paying its own fees) controls an executor on B.
    function _executor() internal returns (CrosschainRemoteExecutor executor) {
        executor = new CrosschainRemoteExecutor(address(aB), _to(CHAIN_A, alice));
    }

    /// @dev A remote call that needs more than the default gas (12 fresh slots, about 290,000 against 200,000) FAILS
    /// at delivery; anyone retries it with more gas and it runs once. With a gas attribute it runs at delivery.
    function test_RemoteExecutor_CallNeedingMoreGas_RetriedWithMoreGas() public {
        CrosschainRemoteExecutor executor = _executor();
        WhHeavyRegistry registry = new WhHeavyRegistry(address(executor));
        bytes memory call = _single(address(registry), abi.encodeCall(registry.fill, (12)));
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(executor), call, _noAttr());
        _relay(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
        assertEq(registry.filled(), 0);

        bytes memory body = _whPayload(m);
        bytes32 id = aB.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), body);
        vm.expectEmit(address(aB));
        emit IConcordAdapter.Retried(id, CHAIN_A, keeper, 600_000, true);
        vm.prank(keeper);
        aB.retry(CHAIN_A, address(aA), body, 600_000);
        assertEq(registry.filled(), 12);

        (, m) = _send(aA, alice, CHAIN_B, address(executor), call, _gasAttr(600_000));
        _relay(m);
        assertEq(registry.filled(), 24, "a sender that names enough gas runs at delivery");
    }

    /// @dev Only the controller: the same call from another account on A FAILS (OpenZeppelin's check on the sender).
    function test_RemoteExecutor_RefusesAnotherController() public {
        CrosschainRemoteExecutor executor = _executor();
        WhHeavyRegistry registry = new WhHeavyRegistry(address(executor));
        bytes memory call = _single(address(registry), abi.encodeCall(registry.fill, (1)));
        (, uint256 m) = _send(aA, stranger, CHAIN_B, address(executor), call, _gasAttr(400_000));
        _relay(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
        assertEq(registry.filled(), 0);
    }

    /// @dev The executor on B holds wrapped tokens and, on alice's order, bridges them back to A: the token sends
    /// through B's adapter from inside that adapter's delivery (a recipient may send while being delivered).
    function test_RemoteExecutor_BridgesTokensBackFromInsideItsDelivery() public {
        _deployTokens(aA, aB);
        CrosschainRemoteExecutor executor = _executor();
        _relay(_bridgeOut(address(executor), 50 ether));
        assertEq(wrapped.balanceOf(address(executor)), 50 ether);

        bytes memory call =
            _single(address(wrapped), abi.encodeCall(wrapped.crosschainTransfer, (_to(CHAIN_A, bob), 20 ether)));
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(executor), call, _gasAttr(800_000));
        vm.recordLogs();
        _relay(m);
        assertEq(_whCapture(), 1, "the token's message left B in the delivery");
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
        _relay(_whLast());
        assertEq(home.balanceOf(bob), 20 ether);
        assertEq(wrapped.totalSupply(), 30 ether);
        assertEq(home.balanceOf(address(bridge)), 30 ether);
    }
}
