// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Vm} from "forge-std/Vm.sol";

import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IMultisigVerifier} from "../../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {Message} from "../../../contracts/libraries/Message.sol";
import {MockRecipient} from "../../../contracts/mocks/MockRecipient.sol";
import {MockTrustAllVerifier} from "../../../contracts/mocks/MockTrustAllVerifier.sol";
import {MultisigBase} from "../../isms/MultisigBase.t.sol";
import {SquatterRecipient} from "./records.t.sol";

/// @notice Fuzzes the no-collision argument of the delivery records (GatewayDelivery NatSpec, docs/gateway.md):
/// random interleavings of genuine messages from two instances of the origin gateway (the original and a
/// redeployment whose nonces restart at 0), squats through a permissive verifier a recipient names (current and
/// future nonces), route switches between the two instances (real multisig verifiers bound to each), a victim that
/// starts or stops naming its own honest verifier, and deliveries. Properties: no genuine message ever runs twice,
/// and at the end every genuine message that has not run is delivered once its gateway is enrolled again.
contract ConcordGateway_records_fuzz is MultisigBase {
    uint32 internal constant GAS = 200_000;

    AccessManager internal manager;
    ConcordGateway[2] internal origins; // two instances of the origin domain's gateway
    ConcordGateway internal dst;
    IMultisigVerifier[2] internal routeVerifiers; // 3-of-5, one bound to each instance
    IMultisigVerifier[2] internal ownVerifiers; // 2-of-5, the victim's own, one bound to each instance
    uint256[] internal signers;
    MockRecipient internal victim;
    SquatterRecipient internal squatter;
    MockTrustAllVerifier internal permissive;
    uint256 internal current; // which instance the route names

    bytes[] internal genuine;
    uint256[] internal instanceOf; // genuine[i] was sent by origins[instanceOf[i]]
    mapping(bytes32 id => uint256 runs) internal runs;

    function setUp() public override {
        super.setUp();
        manager = new AccessManager(address(this));
        dst = new ConcordGateway(LOCAL, address(manager), GAS, 4096);
        (uint256[] memory keys, address[] memory set) = _keys(21, 5);
        signers = _prefix(keys, 3);
        for (uint256 i = 0; i < 2; ++i) {
            origins[i] = new ConcordGateway(ORIGIN, address(manager), GAS, 4096);
            routeVerifiers[i] = _multisig(address(origins[i]), set, 3);
            ownVerifiers[i] = _multisig(address(origins[i]), set, 2);
        }
        dst.setRoute(ORIGIN, address(routeVerifiers[0]), address(origins[0]));
        victim = new MockRecipient();
        permissive = new MockTrustAllVerifier();
        squatter = new SquatterRecipient(address(permissive));
    }

    function _multisig(address gateway, address[] memory set, uint8 k) internal returns (IMultisigVerifier) {
        return factory.deploy(
            IMultisigVerifierFactory.Variant.MESSAGE_ID,
            IMultisigVerifier.Config({
                origin: ORIGIN,
                originGateway: bytes32(uint256(uint160(gateway))),
                localDomain: LOCAL,
                threshold: k,
                validators: set
            })
        );
    }

    function _metadata(uint256 instance, bytes memory message, uint256 k) internal view returns (bytes memory) {
        bytes32 gw = bytes32(uint256(uint160(address(origins[instance]))));
        return _signAll(_prefix(signers, k), _idDigest(gw, keccak256(message), _nonceOf(message)));
    }

    /// @dev Delivers `genuine[i]` the way a relayer would: through the verifier that applies to the victim now.
    function _deliver(uint256 i) internal returns (bool ok) {
        bytes memory m = genuine[i];
        bool named = dst.verifierFor(address(victim), ORIGIN) != address(routeVerifiers[current]);
        try dst.process(_metadata(instanceOf[i], m, named ? 2 : 3), m) {
            ok = true;
            if (++runs[keccak256(m)] > 1) revert("a genuine message ran twice");
        } catch {}
    }

    function testFuzz_Records_NoCollisionWhateverTheHistory(uint256[24] memory ops) public {
        for (uint256 s = 0; s < ops.length; ++s) {
            uint256 op = ops[s];
            uint256 kind = op % 6;
            uint256 arg = op >> 8;
            if (kind == 0) {
                // a genuine message from either instance
                uint256 which = arg % 2;
                vm.recordLogs();
                origins[which].dispatch(LOCAL, bytes32(uint256(uint160(address(victim)))), abi.encode(s, op));
                Vm.Log[] memory logs = vm.getRecordedLogs();
                genuine.push(abi.decode(logs[logs.length - 1].data, (bytes)));
                instanceOf.push(which);
            } else if (kind == 1 && genuine.length > 0) {
                _deliver(arg % genuine.length);
            } else if (kind == 2) {
                // squat: a forged (origin, nonce) through a permissive verifier the attacker's recipient names
                permissive.setOriginGateway(ORIGIN, address(origins[current]));
                bytes memory forged = Message.format(
                    3,
                    uint32(arg % 8),
                    ORIGIN,
                    bytes32(uint256(0xbad)),
                    LOCAL,
                    bytes32(uint256(uint160(address(squatter)))),
                    Message.formatBody(GAS, abi.encode(op))
                );
                try dst.process("", forged) {} catch {}
            } else if (kind == 3) {
                // the route switches instance (a redeployment, or a mistake and its correction)
                current = arg % 2;
                dst.setRoute(ORIGIN, address(routeVerifiers[current]), address(origins[current]));
            } else if (kind == 4) {
                // the victim starts naming its own (honest) verifier of the current instance, or stops
                address own = arg % 2 == 0 ? address(0) : address(ownVerifiers[current]);
                victim.setGetter(MockRecipient.GetterMode.RETURN, own);
            } else if (kind == 5 && genuine.length > 0) {
                // a replay attempt of something that ran: never runs again
                _deliver(arg % genuine.length);
            }
        }
        // Every genuine message that has not run is delivered once its gateway is enrolled again.
        victim.setGetter(MockRecipient.GetterMode.RETURN, address(0));
        for (uint256 inst = 0; inst < 2; ++inst) {
            current = inst;
            dst.setRoute(ORIGIN, address(routeVerifiers[inst]), address(origins[inst]));
            for (uint256 i = 0; i < genuine.length; ++i) {
                if (instanceOf[i] != inst || runs[keccak256(genuine[i])] == 1) continue;
                assertTrue(_deliver(i), "a genuine message became undeliverable");
            }
        }
        for (uint256 i = 0; i < genuine.length; ++i) {
            assertEq(runs[keccak256(genuine[i])], 1, "every genuine message ran exactly once");
        }
        assertEq(victim.calls(), genuine.length);
    }
}
