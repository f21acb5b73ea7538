// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBoundVerifier} from "../../../contracts/interfaces/IBoundVerifier.sol";
import {BoundVerifier} from "../../../contracts/isms/BoundVerifier.sol";
import {MultisigBase, StubVerifier} from "../MultisigBase.t.sol";

/// @notice `BoundVerifier`: binds a verify-only module (a Hyperlane ISM) to one (origin, origin gateway).
/// End to end with a real Hyperlane ISM: test/integration/HyperlaneInterop.t.sol.
contract BoundVerifierTest is MultisigBase {
    StubVerifier internal inner;
    BoundVerifier internal boundVerifier;

    function setUp() public override {
        super.setUp();
        inner = new StubVerifier(5);
        boundVerifier = new BoundVerifier(address(inner), ORIGIN, GATEWAY);
    }

    function test_Views() public view {
        assertEq(boundVerifier.moduleType(), 5);
        assertEq(boundVerifier.inner(), address(inner));
        assertEq(boundVerifier.origin(), ORIGIN);
        assertEq(boundVerifier.originGatewayFor(ORIGIN), GATEWAY);
        assertEq(boundVerifier.originGatewayFor(ORIGIN + 1), bytes32(0));
    }

    function test_Verify_ForwardsForItsOrigin() public {
        assertTrue(boundVerifier.verify(hex"beef", _message()));
        assertEq(inner.lastMetadata(), hex"beef");
        inner.setMode(StubVerifier.Mode.REJECT);
        assertFalse(boundVerifier.verify(hex"beef", _message()));
    }

    function test_Verify_RevertWhen_OtherOriginOrMalformed() public {
        vm.expectRevert(abi.encodeWithSelector(IBoundVerifier.BoundVerifierWrongOrigin.selector, ORIGIN + 1));
        boundVerifier.verify("", _message(1, ORIGIN + 1, LOCAL, "x"));
        vm.expectRevert(abi.encodeWithSelector(IBoundVerifier.BoundVerifierWrongOrigin.selector, uint32(0)));
        boundVerifier.verify("", hex"0300");
        assertEq(inner.calls(), 0);
    }

    function test_AuthorizeRetry_Allowed() public view {
        assertTrue(boundVerifier.authorizeRetry(_message()));
    }

    function test_Constructor_RevertWhen_InvalidConfig() public {
        address noCode = makeAddr("no code");
        vm.expectRevert(abi.encodeWithSelector(IBoundVerifier.BoundVerifierInnerNotContract.selector, noCode));
        new BoundVerifier(noCode, ORIGIN, GATEWAY);
        vm.expectRevert(IBoundVerifier.BoundVerifierZeroOrigin.selector);
        new BoundVerifier(address(inner), 0, GATEWAY);
        vm.expectRevert(abi.encodeWithSelector(IBoundVerifier.BoundVerifierZeroOriginGateway.selector, ORIGIN));
        new BoundVerifier(address(inner), ORIGIN, bytes32(0));
    }
}
