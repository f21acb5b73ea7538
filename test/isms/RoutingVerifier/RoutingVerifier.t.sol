// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../../../contracts/interfaces/IConcordVerifier.sol";
import {IMultisigVerifier} from "../../../contracts/interfaces/IMultisigVerifier.sol";
import {IRoutingVerifier} from "../../../contracts/interfaces/IRoutingVerifier.sol";
import {RoutingVerifier} from "../../../contracts/isms/RoutingVerifier.sol";
import {MultisigBase, STUB_GATEWAY, StubVerifier} from "../MultisigBase.t.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

contract RoutingVerifierTest is MultisigBase {
    uint64 internal constant ROUTE_ADMIN = 7;
    address internal admin = makeAddr("admin");
    address internal operator = makeAddr("operator");
    address internal stranger = makeAddr("stranger");

    AccessManager internal manager;
    RoutingVerifier internal routing;
    StubVerifier internal stubA;
    StubVerifier internal stubB;

    function setUp() public override {
        super.setUp();
        manager = new AccessManager(admin);
        routing = new RoutingVerifier(address(manager));
        stubA = new StubVerifier(66);
        stubB = new StubVerifier(66);
        // The operator role may set and remove routes; nobody else but the admin.
        bytes4[] memory selectors = new bytes4[](2);
        (selectors[0], selectors[1]) = (RoutingVerifier.setRoute.selector, RoutingVerifier.removeRoute.selector);
        vm.startPrank(admin);
        manager.setTargetFunctionRole(address(routing), selectors, ROUTE_ADMIN);
        manager.grantRole(ROUTE_ADMIN, operator, 0);
        vm.stopPrank();
        vm.startPrank(operator);
        routing.setRoute(ORIGIN, IConcordVerifier(address(stubA)));
        routing.setRoute(ORIGIN + 1, IConcordVerifier(address(stubB)));
        vm.stopPrank();
    }

    function test_ModuleType_IsRouting() public view {
        assertEq(routing.moduleType(), uint8(IConcordVerifier.ModuleType.ROUTING));
    }

    function test_Verify_RoutesByOrigin() public {
        assertTrue(routing.verify(hex"aa", _message(1, ORIGIN, LOCAL, "")));
        assertTrue(routing.verify(hex"bb", _message(1, ORIGIN + 1, LOCAL, "")));
        assertEq(stubA.calls(), 1);
        assertEq(stubB.calls(), 1);
        assertEq(stubA.lastMetadata(), hex"aa");
        assertEq(stubB.lastMetadata(), hex"bb");
        assertEq(address(routing.route(_message(1, ORIGIN + 1, LOCAL, ""))), address(stubB));
        assertEq(address(routing.verifierFor(ORIGIN)), address(stubA));
    }

    function test_Verify_ReturnsFalseWhenRoutedVerifierRejects() public {
        stubA.setMode(StubVerifier.Mode.REJECT);
        assertFalse(routing.verify("", _message(1, ORIGIN, LOCAL, "")));
    }

    function test_Verify_RevertWhen_OriginUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IRoutingVerifier.RoutingVerifierUnknownOrigin.selector, 999));
        routing.verify("", _message(1, 999, LOCAL, ""));
    }

    function test_Route_RevertWhen_OriginUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IRoutingVerifier.RoutingVerifierUnknownOrigin.selector, 0));
        routing.route(_message(1, 0, LOCAL, ""));
    }

    function test_Verify_RevertWhen_RouteRemoved() public {
        vm.expectEmit(true, true, false, false);
        emit IRoutingVerifier.RoutingVerifierRouteRemoved(ORIGIN, address(stubA));
        vm.prank(operator);
        routing.removeRoute(ORIGIN);
        vm.expectRevert(abi.encodeWithSelector(IRoutingVerifier.RoutingVerifierUnknownOrigin.selector, ORIGIN));
        routing.verify("", _message(1, ORIGIN, LOCAL, ""));
    }

    function test_Verify_RevertWhen_MessageMalformed() public {
        vm.expectRevert(IRoutingVerifier.RoutingVerifierMalformedMessage.selector);
        routing.verify("", new bytes(76));
    }

    function test_SetRoute_EmitsRouteSet() public {
        vm.expectEmit(true, true, true, false);
        emit IRoutingVerifier.RoutingVerifierRouteSet(ORIGIN, address(stubA), address(stubB));
        vm.prank(operator);
        routing.setRoute(ORIGIN, IConcordVerifier(address(stubB)));
        assertEq(address(routing.verifierFor(ORIGIN)), address(stubB));
    }

    function test_SetRoute_RevertWhen_CallerNotAuthorized() public {
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        vm.prank(stranger);
        routing.setRoute(ORIGIN, IConcordVerifier(address(stubB)));
    }

    function test_RemoveRoute_RevertWhen_CallerNotAuthorized() public {
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        vm.prank(stranger);
        routing.removeRoute(ORIGIN);
    }

    function test_SetRoute_RevertWhen_VerifierNotAContract() public {
        vm.expectRevert(abi.encodeWithSelector(IRoutingVerifier.RoutingVerifierNotAContract.selector, address(0)));
        vm.prank(operator);
        routing.setRoute(ORIGIN, IConcordVerifier(address(0)));
    }

    /// @dev Validator-set rotation: the authority points the origin at a verifier for the new set; a signature by
    /// the rotated-out validator then fails, the new set's signatures pass.
    function test_Verify_RevertWhen_RotatedOutValidatorSigns() public {
        (uint256[] memory keys, address[] memory addrs) = _keys(5, 4);
        IMultisigVerifier oldSet = _deployMessageId(_slice(addrs, 0, 3), 2); // validators 0, 1, 2
        IMultisigVerifier newSet = _deployMessageId(_slice(addrs, 1, 3), 2); // validators 1, 2, 3
        vm.prank(operator);
        routing.setRoute(ORIGIN, oldSet);

        bytes memory message = _message();
        bytes memory byZeroAndOne = _messageIdMetadata(_sliceKeys(keys, 0, 2), message);
        assertTrue(routing.verify(byZeroAndOne, message));

        vm.prank(operator);
        routing.setRoute(ORIGIN, newSet);
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnknownSigner.selector, 0, addrs[0]));
        routing.verify(byZeroAndOne, message);
        assertTrue(routing.verify(_messageIdMetadata(_sliceKeys(keys, 2, 2), message), message));
    }

    function _slice(address[] memory a, uint256 start, uint256 n) internal pure returns (address[] memory out) {
        out = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            out[i] = a[start + i];
        }
    }

    function _sliceKeys(uint256[] memory a, uint256 start, uint256 n) internal pure returns (uint256[] memory out) {
        out = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            out[i] = a[start + i];
        }
    }

    // ---------------------------------------------------------------- origin gateway and retries (issue 13)

    /// @dev The gateway an origin's first route reported is pinned: a later route must report the same one.
    function test_SetRoute_PinsTheOriginGateway() public {
        assertEq(routing.originGatewayFor(ORIGIN), STUB_GATEWAY);
        assertEq(routing.originGatewayFor(ORIGIN + 7), bytes32(0));
        StubVerifier other = new StubVerifier(66);
        other.setReportedGateway(bytes32(uint256(0xbad)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IRoutingVerifier.RoutingVerifierGatewayMismatch.selector, ORIGIN, STUB_GATEWAY, bytes32(uint256(0xbad))
            )
        );
        vm.prank(operator);
        routing.setRoute(ORIGIN, IConcordVerifier(address(other)));
        // Removing the route keeps the pin.
        vm.prank(operator);
        routing.removeRoute(ORIGIN);
        assertEq(routing.originGatewayFor(ORIGIN), STUB_GATEWAY);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRoutingVerifier.RoutingVerifierGatewayMismatch.selector, ORIGIN, STUB_GATEWAY, bytes32(uint256(0xbad))
            )
        );
        vm.prank(operator);
        routing.setRoute(ORIGIN, IConcordVerifier(address(other)));
    }

    function test_SetRoute_RevertWhen_VerifierReportsNothing() public {
        StubVerifier silent = new StubVerifier(66);
        silent.setReportedGateway(bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IRoutingVerifier.RoutingVerifierGatewayMismatch.selector, ORIGIN + 9, bytes32(0), bytes32(0)
            )
        );
        vm.prank(operator);
        routing.setRoute(ORIGIN + 9, IConcordVerifier(address(silent)));
    }

    function test_AuthorizeRetry_AsksTheRoutedVerifier() public {
        bytes memory message = _message(1, ORIGIN, LOCAL, "x");
        assertTrue(routing.authorizeRetry(message));
        assertEq(stubA.retryCalls(), 1);
        stubA.setRetryMode(StubVerifier.Mode.REJECT);
        assertFalse(routing.authorizeRetry(message));
        vm.expectRevert(abi.encodeWithSelector(IRoutingVerifier.RoutingVerifierUnknownOrigin.selector, ORIGIN + 5));
        routing.authorizeRetry(_message(1, ORIGIN + 5, LOCAL, "x"));
    }
}
