// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {IMultisigVerifier} from "../../../contracts/interfaces/IMultisigVerifier.sol";
import {MultiDomainHarness} from "../../harness/MultiDomainHarness.sol";
import {GovernanceHandler} from "./GovernanceHandler.sol";
import {GovernanceStore} from "./GovernanceStore.sol";

/// @notice Governance suite: I4 (pauses freeze delivery and retry), I6 (verifier configs and empty signature sets),
/// I7 (configuration changes only through the AccessManager). See README.md.
contract GovernanceInvariantTest is Test {
    MultiDomainHarness internal h;
    GovernanceStore internal store;
    GovernanceHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        uint32[] memory ids = new uint32[](3);
        (ids[0], ids[1], ids[2]) = (1, 10, 8453);
        h = new MultiDomainHarness(ids, 2);
        store = new GovernanceStore();
        handler = new GovernanceHandler(h, store);

        bytes4[] memory selectors = new bytes4[](11);
        selectors[0] = GovernanceHandler.dispatch.selector;
        selectors[1] = GovernanceHandler.mineAll.selector;
        selectors[2] = GovernanceHandler.setFailing.selector;
        selectors[3] = GovernanceHandler.relay.selector;
        selectors[4] = GovernanceHandler.retry.selector;
        selectors[5] = GovernanceHandler.setPause.selector;
        selectors[6] = GovernanceHandler.rotate.selector;
        selectors[7] = GovernanceHandler.attack.selector;
        selectors[8] = GovernanceHandler.badConfig.selector;
        selectors[9] = GovernanceHandler.emptySignatures.selector;
        selectors[10] = GovernanceHandler.relay.selector; // relay twice as often: deliveries are the point
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    function invariant_NoViolationRecorded() public view {
        assertEq(store.violationCount(), 0, store.firstViolation());
    }

    /// @notice I4 / I7: every pause flag on chain is exactly what the authority last set.
    function invariant_I4_PauseStateOnlyFromAuthority() public view {
        uint32[] memory ids = h.domainIds();
        for (uint256 i = 0; i < ids.length; ++i) {
            MultiDomainHarness.Domain memory d = h.domain(ids[i]);
            (bool inbound, bool outbound) = d.gateway.pauseFlags();
            assertEq(inbound, store.inboundPaused(d.id), "inbound flag");
            assertEq(outbound, store.outboundPaused(d.id), "outbound flag");
            assertEq(d.pausable.paused(), store.verifierPaused(d.id), "verifier pause");
            for (uint256 j = 0; j < ids.length; ++j) {
                if (i == j) continue;
                (,, bool routePaused,) = d.gateway.route(ids[j]);
                assertEq(routePaused, store.routePaused(d.id, ids[j]), "route pause");
                assertEq(d.pausable.isOriginPaused(ids[j]), store.verifierOriginPaused(d.id, ids[j]), "origin pause");
            }
        }
    }

    /// @notice I6: every multisig verifier ever routed has 1 <= k <= n and distinct (strictly ascending) signers.
    function invariant_I6_VerifierConfigsWellFormed() public view {
        address[] memory all = h.allMultisigs();
        assertGt(all.length, 0);
        for (uint256 i = 0; i < all.length; ++i) {
            (address[] memory validators, uint8 k) = IMultisigVerifier(all[i]).validatorsAndThreshold("");
            assertGe(k, 1, "I6: threshold 0");
            assertLe(k, validators.length, "I6: threshold > n");
            for (uint256 j = 0; j < validators.length; ++j) {
                assertTrue(validators[j] != address(0), "I6: zero signer");
                if (j > 0) assertGt(uint160(validators[j]), uint160(validators[j - 1]), "I6: signers not distinct");
            }
        }
    }

    /// @notice I7: routes, validator sets, authorities, watchers and roles are exactly what governance set.
    function invariant_I7_ConfigurationOnlyThroughAuthority() public view {
        uint32[] memory ids = h.domainIds();
        address manager = address(h.manager());
        for (uint256 i = 0; i < ids.length; ++i) {
            MultiDomainHarness.Domain memory d = h.domain(ids[i]);
            assertEq(d.gateway.authority(), manager, "gateway authority");
            assertEq(d.routing.authority(), manager, "routing authority");
            assertEq(d.pausable.authority(), manager, "pausable authority");
            assertEq(d.rateLimited.authority(), manager, "rate limiter authority");
            assertEq(d.optimistic.authority(), manager, "optimistic authority");
            assertEq(address(d.optimistic.innerVerifier()), address(d.routing), "optimistic inner");
            for (uint256 j = 0; j < ids.length; ++j) {
                if (i == j) continue;
                uint32 origin = ids[j];
                assertEq(h.validatorSet(origin).version, store.expectedSetVersion(origin), "set version");
                address expected = h.currentMultisig(origin, d.id);
                assertEq(address(d.routing.verifierFor(origin)), expected, "routed validator set");
                (address[] memory validators,) = IMultisigVerifier(expected).validatorsAndThreshold("");
                assertEq(validators, h.validatorSet(origin).addrs, "validators");
                (address verifier,,, address originGateway) = d.gateway.route(origin);
                assertEq(verifier, address(d.rateLimited), "route verifier");
                assertEq(originGateway, address(h.gateway(origin)), "origin gateway");
            }
        }
        address[] memory attackers = store.attackers();
        for (uint256 a = 0; a < attackers.length; ++a) {
            (bool isAdmin,) = h.manager().hasRole(0, attackers[a]);
            assertFalse(isAdmin, "attacker became admin");
            for (uint256 i = 0; i < ids.length; ++i) {
                assertFalse(h.domain(ids[i]).optimistic.isWatcher(attackers[a]), "attacker became watcher");
            }
        }
    }

    /// @notice Non-vacuity: an adversarial action happened in the run; then the end-of-run flush (all pauses lifted,
    /// one message per lane) really delivers, and every invariant still holds afterwards.
    function afterInvariant() external {
        assertGt(store.counters("dispatch"), 0, "no dispatch");
        assertGt(
            store.counters("attack") + store.counters("bad_config") + store.counters("empty_signatures"),
            0,
            "no adversarial action"
        );
        handler.flush();
        handler.logCounters();
        assertGt(store.counters("delivered"), 0, "no delivery");
        invariant_NoViolationRecorded();
        invariant_I4_PauseStateOnlyFromAuthority();
        invariant_I6_VerifierConfigsWellFormed();
        invariant_I7_ConfigurationOnlyThroughAuthority();
    }

    /// @notice The handlers themselves, on a fixed path: every action does what its counter says (pauses refuse
    /// delivery and retry, strangers are refused, bad configs and empty signature sets fail), with no violation.
    function test_Handlers_ExerciseEveryAction() public {
        handler.setFailing(0, true); // recipient on domain 1 fails
        handler.dispatch(1, 0, bytes32(uint256(1))); // 10 -> 1
        handler.dispatch(1, 0, bytes32(uint256(2))); // 10 -> 1
        handler.mineAll(4);
        handler.relay(0); // FAILED
        handler.setFailing(0, false);
        handler.setPause(0, 1, 0, 0); // domain 1 inbound paused
        handler.relay(1); // refused
        handler.retry(0); // refused
        handler.setPause(0, 1, 0, 1);
        handler.setPause(0, 1, 2, 0); // route 10 -> 1 paused at the gateway
        handler.relay(1);
        handler.retry(0);
        handler.setPause(0, 1, 2, 1);
        handler.setPause(0, 1, 3, 0); // verifier paused: delivery refused, retry allowed
        handler.relay(1);
        handler.setPause(0, 1, 3, 1);
        handler.retry(0); // EXECUTED
        handler.relay(1); // EXECUTED
        handler.rotate(1, 77);
        for (uint256 a = 0; a < 12; ++a) {
            handler.attack(uint256(keccak256(abi.encode(a))), a, 0, 1);
        }
        for (uint256 m = 0; m < 7; ++m) {
            handler.badConfig(m, m);
        }
        handler.emptySignatures(1);
        handler.logCounters();

        assertEq(store.violationCount(), 0, store.firstViolation());
        assertEq(store.counters("relay_paused_refused"), 3, "paused deliveries");
        assertEq(store.counters("retry_paused_refused"), 2, "paused retries");
        assertEq(store.counters("retry"), 1, "retry after unpause");
        assertEq(store.counters("delivered"), 2, "deliveries");
        assertEq(store.counters("attack"), 12, "attacks");
        assertEq(store.counters("bad_config"), 7, "bad configs");
        assertEq(store.counters("rotate"), 1, "rotation");
        assertEq(h.executions(0), 1);
        assertEq(h.executions(1), 1);
        invariant_I4_PauseStateOnlyFromAuthority();
        invariant_I6_VerifierConfigsWellFormed();
        invariant_I7_ConfigurationOnlyThroughAuthority();
    }
}
