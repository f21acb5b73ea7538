// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";

import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {Message} from "../../../contracts/libraries/Message.sol";
import {MockRecipient} from "../../../contracts/mocks/MockRecipient.sol";
import {MockTrustAllVerifier} from "../../../contracts/mocks/MockTrustAllVerifier.sol";
import {MockVerifier} from "../../../contracts/mocks/MockVerifier.sol";

/// @notice Shared fixture: two gateways in one EVM (domains ORIGIN and LOCAL), an AccessManager whose admin is
/// this test, a guardian role for the pause functions, routes both ways verified by a trust-all verifier bound to
/// the other gateway, and a configurable recipient.
abstract contract ConcordGatewayBase is Test {
    uint32 internal constant ORIGIN = 1;
    uint32 internal constant LOCAL = 10;
    uint32 internal constant GAS_LIMIT = 200_000;
    uint256 internal constant MAX_BODY = 4096;
    uint64 internal constant GUARDIAN_ROLE = 1;

    address internal guardian = makeAddr("guardian");
    address internal stranger = makeAddr("stranger");
    address internal relayer = makeAddr("relayer");

    AccessManager internal manager;
    MockTrustAllVerifier internal trustAll;
    MockVerifier internal mockVerifier;
    ConcordGateway internal source; // domain ORIGIN
    ConcordGateway internal gateway; // domain LOCAL
    MockRecipient internal recipient;

    function setUp() public virtual {
        manager = new AccessManager(address(this));
        trustAll = new MockTrustAllVerifier();
        mockVerifier = new MockVerifier();
        source = new ConcordGateway(ORIGIN, address(manager), GAS_LIMIT, MAX_BODY);
        gateway = new ConcordGateway(LOCAL, address(manager), GAS_LIMIT, MAX_BODY);
        recipient = new MockRecipient();
        // Routes: LOCAL accepts ORIGIN's messages from `source`, verified by the trust-all verifier (and back).
        _enroll(gateway, ORIGIN, address(trustAll), address(source));
        _enroll(source, LOCAL, address(trustAll), address(gateway));
        _grantGuardian(address(gateway));
        _grantGuardian(address(source));
    }

    function _grantGuardian(address target) internal {
        bytes4[] memory selectors = new bytes4[](2);
        selectors[0] = IConcordGateway.pause.selector;
        selectors[1] = IConcordGateway.pauseRoute.selector;
        manager.setTargetFunctionRole(target, selectors, GUARDIAN_ROLE);
        manager.grantRole(GUARDIAN_ROLE, guardian, 0);
    }

    /// @dev Enrolls `origin` on `destination` with `verifier`, binding the verifier to `originGateway` first when it is
    /// one of the test verifiers (their reported gateway is set by the test).
    function _enroll(ConcordGateway destination, uint32 origin, address verifier, address originGateway) internal {
        if (verifier == address(trustAll)) trustAll.setOriginGateway(origin, originGateway);
        if (verifier == address(mockVerifier)) mockVerifier.setOriginGateway(origin, originGateway);
        destination.setRoute(origin, verifier, originGateway);
    }

    function _b32(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }

    /// @dev A message as `source` would build it (does not touch `source`).
    function _message(uint32 nonce_, address sender, address to, uint32 gasLimit, bytes memory payload)
        internal
        pure
        returns (bytes memory)
    {
        return Message.format(
            Message.VERSION, nonce_, ORIGIN, _b32(sender), LOCAL, _b32(to), Message.formatBody(gasLimit, payload)
        );
    }

    function _message(uint32 nonce_, bytes memory payload) internal view returns (bytes memory) {
        return _message(nonce_, address(this), address(recipient), GAS_LIMIT, payload);
    }

    /// @dev Sends through `source` and returns the emitted message bytes.
    function _send(address to, bytes memory payload) internal returns (bytes memory message, bytes32 id) {
        vm.recordLogs();
        id = source.dispatch(LOCAL, _b32(to), payload);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == IConcordGateway.Dispatched.selector) {
                message = abi.decode(logs[i].data, (bytes));
            }
        }
    }

    function _sender(address account) internal pure returns (bytes memory) {
        return InteroperableAddress.formatEvmV1(ORIGIN, account);
    }

    function _status(bytes memory message) internal view returns (IConcordGateway.MessageStatus) {
        return gateway.status(message);
    }

    function _assertStatus(bytes memory message, IConcordGateway.MessageStatus expected) internal view {
        assertEq(uint8(gateway.status(message)), uint8(expected), "status");
    }
}
