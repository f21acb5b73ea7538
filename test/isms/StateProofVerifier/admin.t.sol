// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {IHeaderOracle} from "../../../contracts/interfaces/IHeaderOracle.sol";
import {IStateProofVerifier, STATE_PROOF_MODULE_TYPE} from "../../../contracts/interfaces/IStateProofVerifier.sol";
import {StateProofVerifier} from "../../../contracts/isms/StateProofVerifier.sol";
import {StateProofVerifierBase} from "./Base.t.sol";

/// @notice Module type, constructor and the authority's configuration (`setSource`, `setTreeSource`, gateway binding).
contract StateProofVerifier_admin is StateProofVerifierBase {
    // ---------------------------------------------------------------- happy paths

    function test_ModuleType_IsStateProof() public view {
        assertEq(verifier.moduleType(), STATE_PROOF_MODULE_TYPE);
        assertEq(STATE_PROOF_MODULE_TYPE, 65);
        assertEq(address(verifier.headerOracle()), address(oracle));
    }

    // ---------------------------------------------------------------- configuration and anchors

    function test_Constructor_RevertWhen_ZeroOracle() public {
        vm.expectRevert(IStateProofVerifier.StateProofVerifierZeroOracle.selector);
        new StateProofVerifier(address(manager), IHeaderOracle(address(0)));
    }

    function test_SetSource_EmitsAndStores() public {
        vm.expectEmit(address(verifier));
        emit IStateProofVerifier.SourceSet(
            7, address(0xBEEF), IStateProofVerifier.SourceKind.ROOT_SLOT, bytes32(uint256(3)), 0, 0, 0
        );
        verifier.setSource(7, address(0xBEEF), bytes32(uint256(3)));
        IStateProofVerifier.Source memory source = verifier.sourceOf(7);
        assertEq(uint8(source.kind), uint8(IStateProofVerifier.SourceKind.ROOT_SLOT));
        assertEq(source.gateway, address(0xBEEF));
        assertEq(source.rootSlot, bytes32(uint256(3)));

        verifier.setSource(7, address(0), bytes32(uint256(3)));
        assertEq(uint8(verifier.sourceOf(7).kind), uint8(IStateProofVerifier.SourceKind.NONE));
    }

    function test_SetTreeSource_RevertWhen_CountOffsetTooLarge() public {
        vm.expectRevert(abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierInvalidCountOffset.selector, 225));
        verifier.setTreeSource(7, address(0xBEEF), bytes32(uint256(1)), 225, bytes32(uint256(2)));
    }

    function test_SetTreeSource_EmitsAndStores() public {
        vm.expectEmit(address(verifier));
        emit IStateProofVerifier.SourceSet(
            7, address(0xBEEF), IStateProofVerifier.SourceKind.TREE, 0, bytes32(uint256(1)), 160, bytes32(uint256(2))
        );
        verifier.setTreeSource(7, address(0xBEEF), bytes32(uint256(1)), 160, bytes32(uint256(2)));
        assertEq(verifier.sourceOf(7).countOffset, 160);
        IStateProofVerifier.Source memory source = verifier.sourceOf(7);
        assertEq(uint8(source.kind), uint8(IStateProofVerifier.SourceKind.TREE));
        assertEq(source.countSlot, bytes32(uint256(1)));
        assertEq(source.branchSlot, bytes32(uint256(2)));
        assertEq(source.rootSlot, bytes32(0));
    }

    function test_SetTreeSource_RevertWhen_CallerNotAuthorized() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        verifier.setTreeSource(origin, stranger, bytes32(0), 0, bytes32(0));
    }

    function test_SetSource_RevertWhen_CallerNotAuthorized() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        verifier.setSource(origin, stranger, bytes32(0));
    }

    /// @dev The origin gateway a verifier reports for an origin never changes (a gateway's route relies on it):
    /// another source account is refused; the same one (new slot, kind, or removed then set again) is accepted.
    function test_SetSource_RevertWhen_GatewayRebound() public {
        address otherSource = vm.parseJsonAddress(vm.readFile(LATEST), ".otherSource");
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierGatewayRebound.selector, origin, latest.source, otherSource
            )
        );
        verifier.setSource(origin, otherSource, latest.rootSlot);
        verifier.setSource(origin, address(0), bytes32(0)); // removed
        assertEq(verifier.originGatewayFor(origin), bytes32(uint256(uint160(latest.source))), "binding kept");
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierGatewayRebound.selector, origin, latest.source, otherSource
            )
        );
        verifier.setSource(origin, otherSource, latest.rootSlot);
        verifier.setSource(origin, latest.source, latest.rootSlot);
        assertEq(verifier.originGatewayFor(origin + 1), bytes32(0));
        assertTrue(verifier.authorizeRetry(latest.messages[0]));
    }
}
