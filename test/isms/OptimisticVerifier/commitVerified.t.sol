// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../../../contracts/interfaces/IConcordVerifier.sol";
import {IOptimisticVerifier} from "../../../contracts/interfaces/IOptimisticVerifier.sol";
import {OptimisticVerifierBase} from "./Base.t.sol";

/// @notice `commitVerified`: a commitment the inner verifier accepted, for a known and bound origin, once.
contract OptimisticVerifier_commitVerified is OptimisticVerifierBase {
    // ---------------------------------------------------------------- commitVerified

    function test_CommitVerified_RecordsAndEmits() public {
        bytes memory message = _message(0);
        bytes32 id = keccak256(message);
        inner.accept(id, true);
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.Committed(
            ORIGIN,
            id,
            IOptimisticVerifier.CommitmentKind.MESSAGE_ID,
            IOptimisticVerifier.CommitmentSource.INNER_VERIFIER,
            address(this),
            uint64(block.timestamp) + WINDOW,
            0
        );
        assertEq(verifier.commitVerified(EMPTY, message), id);
        IOptimisticVerifier.Commitment memory record = verifier.commitmentOf(ORIGIN, id);
        assertEq(record.usableAt, block.timestamp + WINDOW);
        assertEq(uint8(record.kind), uint8(IOptimisticVerifier.CommitmentKind.MESSAGE_ID));
        assertEq(uint8(record.source), uint8(IOptimisticVerifier.CommitmentSource.INNER_VERIFIER));
        assertFalse(record.vetoed);
        assertEq(record.bond, 0);
    }

    function test_CommitVerified_RevertWhen_InnerRejects() public {
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierInnerRejected.selector);
        verifier.commitVerified(EMPTY, _message(0));
    }

    function test_CommitVerified_RevertGiven_NoInnerVerifier() public {
        bytes memory message = _message(0);
        inner.accept(keccak256(message), true);
        verifier.setInnerVerifier(IConcordVerifier(address(0)));
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierInnerRejected.selector);
        verifier.commitVerified(EMPTY, message);
    }

    function test_CommitVerified_RevertWhen_MessageMalformed() public {
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierMalformedMessage.selector);
        verifier.commitVerified(EMPTY, new bytes(76));
    }

    function test_CommitVerified_RevertGiven_UnknownOrigin() public {
        bytes memory message = _message(0, OTHER_ORIGIN, "");
        inner.accept(keccak256(message), true);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierUnknownOrigin.selector, OTHER_ORIGIN)
        );
        verifier.commitVerified(EMPTY, message);
    }

    function test_CommitVerified_RevertGiven_AlreadyCommitted() public {
        bytes memory message = _message(0);
        bytes32 id = _commitVerified(message);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierAlreadyCommitted.selector, ORIGIN, id)
        );
        verifier.commitVerified(EMPTY, message);
    }

    // ---------------------------------------------------------------- origin gateway (issue 13)

    /// @dev Only the inner verifier's attestations of this origin's bound gateway enter the window.
    function test_CommitVerified_RevertWhen_InnerBoundElsewhereOrOriginUnbound() public {
        uint32 unbound = 99;
        bytes memory message = _message(0, unbound, abi.encode(uint256(1)));
        inner.accept(keccak256(message), true);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierInnerGatewayMismatch.selector, unbound, bytes32(0), ORIGIN_GATEWAY
            )
        );
        verifier.commitVerified(EMPTY, message);
        verifier.setOriginGateway(unbound, bytes32(uint256(0xbad)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierInnerGatewayMismatch.selector,
                unbound,
                bytes32(uint256(0xbad)),
                ORIGIN_GATEWAY
            )
        );
        verifier.commitVerified(EMPTY, message);
    }
}
