// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {RangeCheckpointHandler, RangeInvariantRecipient} from "./RangeCheckpointHandler.sol";

/// @notice Invariants of `RangeCheckpointMultisigVerifier` behind a real `ConcordGateway` (see README.md): only ids
/// that a quorum signed in a range at their own position are ever delivered, each at most once, and no range is
/// recorded without a quorum.
contract RangeCheckpointInvariantTest is Test {
    RangeCheckpointHandler internal handler;

    function setUp() public {
        handler = new RangeCheckpointHandler();
        bytes4[] memory selectors = new bytes4[](11);
        selectors[0] = RangeCheckpointHandler.dispatch.selector;
        selectors[1] = RangeCheckpointHandler.signRange.selector;
        selectors[2] = RangeCheckpointHandler.signRange.selector;
        selectors[3] = RangeCheckpointHandler.deliver.selector;
        selectors[4] = RangeCheckpointHandler.deliver.selector;
        selectors[5] = RangeCheckpointHandler.deliver.selector;
        selectors[6] = RangeCheckpointHandler.forgeRange.selector;
        selectors[7] = RangeCheckpointHandler.wrongPosition.selector;
        selectors[8] = RangeCheckpointHandler.wrongPosition.selector;
        selectors[9] = RangeCheckpointHandler.replay.selector;
        selectors[10] = RangeCheckpointHandler.flipBit.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev Every id the recipient received is a message the handler built, that a quorum signed in some range at
    /// position `nonce - first` (its own nonce), delivered once; and no two delivered ids share a nonce.
    function invariant_OnlyQuorumSignedIdsAtTheirPosition_DeliveredOnce() public view {
        RangeInvariantRecipient recipient = handler.recipient();
        uint256 delivered = recipient.deliveredCount();
        uint256[] memory nonces = new uint256[](delivered);
        for (uint256 i = 0; i < delivered; ++i) {
            bytes32 id = recipient.deliveredIds(i);
            assertTrue(handler.known(id), "an id the handler never built");
            uint32 nonce = handler.nonceOf(id);
            assertTrue(handler.signedAt(keccak256(abi.encode(id, uint256(nonce)))), "an id no quorum signed there");
            assertEq(recipient.count(id), 1, "an id delivered twice");
            assertTrue(handler.destination().delivered(handler.SRC(), nonce), "the gateway's record is missing");
            for (uint256 j = 0; j < i; ++j) {
                assertTrue(nonces[j] != nonce, "two ids delivered for one nonce");
            }
            nonces[i] = nonce;
        }
    }

    /// @dev A range presented with forged signatures is recorded only if a quorum signed the same range.
    function invariant_NoRecordWithoutQuorum() public view {
        for (uint256 i = 0; i < handler.forgedCount(); ++i) {
            (uint32 first, uint32 last, bytes32 root) = handler.forgedAt(i);
            if (handler.verifier().rangeVerified(first, last, root)) {
                assertTrue(
                    handler.quorumSigned(handler.verifier().rangeDigest(first, last, root)), "recorded without quorum"
                );
            }
        }
    }

    /// @dev No attack the handler expected to fail succeeded, and no honest delivery was refused.
    function invariant_NoViolation() public view {
        for (uint256 i = 0; i < handler.violationCount(); ++i) {
            console.log(handler.violations(i));
        }
        assertEq(handler.violationCount(), 0, "violations (logged above)");
    }

    function afterInvariant() public view {
        bytes32[12] memory names = [
            bytes32("dispatch"),
            "signHonest",
            "signConflicting",
            "signSwapped",
            "deliver.ok",
            "deliver.refused",
            "deliverBatch",
            "forgeRange",
            "wrongPosition",
            "replay",
            "flipBit",
            ""
        ];
        for (uint256 i = 0; i < 11; ++i) {
            console.log(string(abi.encodePacked(names[i])), handler.counters(names[i]));
        }
        console.log("delivered", handler.recipient().deliveredCount());
    }
}
