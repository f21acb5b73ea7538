// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../../../contracts/interfaces/IConcordVerifier.sol";
import {IRateLimitedVerifier} from "../../../contracts/interfaces/IRateLimitedVerifier.sol";
import {RateLimitedVerifier} from "../../../contracts/isms/RateLimitedVerifier.sol";
import {Message} from "../../../contracts/libraries/Message.sol";
import {MultisigBase, STUB_GATEWAY, StubVerifier} from "../MultisigBase.t.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

contract RateLimitedVerifierTest is MultisigBase {
    uint48 internal constant WINDOW = 1 hours;
    bytes32 internal constant APP = bytes32(uint256(0xb0b)); // recipient used by `_message`
    address internal admin = makeAddr("admin");
    address internal gateway = makeAddr("gateway");

    AccessManager internal manager;
    StubVerifier internal stub;
    RateLimitedVerifier internal limited;

    function setUp() public override {
        super.setUp();
        vm.warp(1_000_000);
        manager = new AccessManager(admin);
        stub = new StubVerifier(66);
        limited = new RateLimitedVerifier(address(manager), IConcordVerifier(address(stub)), gateway);
        vm.prank(admin);
        limited.setMessageLimit(ORIGIN, WINDOW, 3);
    }

    function _valued(uint32 nonce, uint256 value) internal pure returns (bytes memory) {
        return _message(nonce, ORIGIN, LOCAL, abi.encodePacked(value, "transfer"));
    }

    function _deliver(bytes memory message) internal returns (bool) {
        vm.prank(gateway);
        return limited.verify("", message);
    }

    function test_Views_ReturnConfiguration() public view {
        assertEq(limited.moduleType(), 66);
        assertEq(address(limited.inner()), address(stub));
        assertEq(limited.consumer(), gateway);
        assertEq(limited.availableMessages(ORIGIN), 3);
    }

    function test_Verify_AcceptsUpToMessageLimit() public {
        for (uint32 i = 0; i < 3; ++i) {
            assertTrue(_deliver(_message(i, ORIGIN, LOCAL, "")));
        }
        assertEq(limited.availableMessages(ORIGIN), 0);
    }

    function test_Verify_RevertWhen_MessageLimitExceeded() public {
        for (uint32 i = 0; i < 3; ++i) {
            _deliver(_message(i, ORIGIN, LOCAL, ""));
        }
        vm.expectRevert(
            abi.encodeWithSelector(IRateLimitedVerifier.RateLimitedVerifierMessageLimitExceeded.selector, ORIGIN)
        );
        _deliver(_message(3, ORIGIN, LOCAL, ""));
    }

    function test_Verify_WindowRolls() public {
        _deliver(_message(0, ORIGIN, LOCAL, ""));
        vm.warp(block.timestamp + WINDOW / 2);
        _deliver(_message(1, ORIGIN, LOCAL, ""));
        _deliver(_message(2, ORIGIN, LOCAL, ""));
        // The first message leaves the rolling window after WINDOW seconds: one slot frees up, not three.
        vm.warp(block.timestamp + WINDOW / 2 + 1);
        assertEq(limited.availableMessages(ORIGIN), 1);
        _deliver(_message(3, ORIGIN, LOCAL, ""));
        vm.expectRevert(
            abi.encodeWithSelector(IRateLimitedVerifier.RateLimitedVerifierMessageLimitExceeded.selector, ORIGIN)
        );
        _deliver(_message(4, ORIGIN, LOCAL, ""));
    }

    function test_Verify_RevertWhen_OriginUnconfigured() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRateLimitedVerifier.RateLimitedVerifierMessageLimitExceeded.selector, ORIGIN + 1)
        );
        _deliver(_message(0, ORIGIN + 1, LOCAL, ""));
    }

    function test_Verify_RevertWhen_CallerNotConsumer() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRateLimitedVerifier.RateLimitedVerifierUnauthorizedCaller.selector, address(this))
        );
        limited.verify("", _message());
    }

    function test_Verify_RevertWhen_MessageMalformed() public {
        vm.expectRevert(IRateLimitedVerifier.RateLimitedVerifierMalformedMessage.selector);
        _deliver(new bytes(76));
    }

    function test_Verify_InnerRejectionConsumesNothing() public {
        stub.setMode(StubVerifier.Mode.REJECT);
        assertFalse(_deliver(_message()));
        assertEq(limited.availableMessages(ORIGIN), 3);
    }

    function test_Verify_EmitsConsumed() public {
        vm.prank(admin);
        limited.setValueLimit(ORIGIN, APP, WINDOW, 100);
        bytes memory message = _valued(0, 40);
        vm.expectEmit(true, true, false, true);
        emit IRateLimitedVerifier.RateLimitedVerifierConsumed(ORIGIN, keccak256(message), 40);
        _deliver(message);
    }

    // ------------------------------------------------------------------------------------- value

    function test_Verify_AcceptsValueUpToCap() public {
        vm.prank(admin);
        limited.setValueLimit(ORIGIN, APP, WINDOW, 100);
        assertTrue(_deliver(_valued(0, 60)));
        assertTrue(_deliver(_valued(1, 40)));
        (uint256 available, bool enabled) = limited.availableValue(ORIGIN, APP);
        assertEq(available, 0);
        assertTrue(enabled);
    }

    function test_Verify_RevertWhen_ValueCapExceeded() public {
        vm.prank(admin);
        limited.setValueLimit(ORIGIN, APP, WINDOW, 100);
        _deliver(_valued(0, 60));
        vm.expectRevert(
            abi.encodeWithSelector(IRateLimitedVerifier.RateLimitedVerifierValueLimitExceeded.selector, ORIGIN, APP, 41)
        );
        _deliver(_valued(1, 41));
        // The failed delivery consumed neither budget.
        assertEq(limited.availableMessages(ORIGIN), 2);
    }

    function test_Verify_RevertWhen_ValueMissing() public {
        vm.prank(admin);
        limited.setValueLimit(ORIGIN, APP, WINDOW, 100);
        vm.expectRevert(
            abi.encodeWithSelector(IRateLimitedVerifier.RateLimitedVerifierMissingValue.selector, ORIGIN, APP)
        );
        _deliver(_message(0, ORIGIN, LOCAL, hex"0102"));
    }

    function test_Verify_IgnoresValueOfRecipientsThatDoNotDeclare() public {
        assertTrue(_deliver(_valued(0, type(uint256).max)));
        (, bool enabled) = limited.availableValue(ORIGIN, APP);
        assertFalse(enabled);
    }

    function test_RemoveValueLimit_OptsOut() public {
        vm.startPrank(admin);
        limited.setValueLimit(ORIGIN, APP, WINDOW, 10);
        vm.expectEmit(true, true, false, false);
        emit IRateLimitedVerifier.RateLimitedVerifierValueLimitRemoved(ORIGIN, APP);
        limited.removeValueLimit(ORIGIN, APP);
        vm.stopPrank();
        assertTrue(_deliver(_valued(0, 1000)));
    }

    // ------------------------------------------------------------------------------- configuration

    function test_SetMessageLimit_EmitsEvent() public {
        vm.expectEmit(true, false, false, true);
        emit IRateLimitedVerifier.RateLimitedVerifierMessageLimitSet(ORIGIN, 60, 9);
        vm.prank(admin);
        limited.setMessageLimit(ORIGIN, 60, 9);
    }

    function test_SetMessageLimit_ZeroClosesRoute() public {
        vm.prank(admin);
        limited.setMessageLimit(ORIGIN, WINDOW, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IRateLimitedVerifier.RateLimitedVerifierMessageLimitExceeded.selector, ORIGIN)
        );
        _deliver(_message());
    }

    function test_SetMessageLimit_RevertWhen_CallerNotAuthorized() public {
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, address(this)));
        limited.setMessageLimit(ORIGIN, WINDOW, 100);
    }

    function test_SetMessageLimit_RevertWhen_WindowZero() public {
        vm.expectRevert(IRateLimitedVerifier.RateLimitedVerifierZeroWindow.selector);
        vm.prank(admin);
        limited.setMessageLimit(ORIGIN, 0, 100);
    }

    function test_SetValueLimit_RevertWhen_CallerNotAuthorized() public {
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, address(this)));
        limited.setValueLimit(ORIGIN, APP, WINDOW, 100);
    }

    function test_SetValueLimit_RevertWhen_WindowZero() public {
        vm.expectRevert(IRateLimitedVerifier.RateLimitedVerifierZeroWindow.selector);
        vm.prank(admin);
        limited.setValueLimit(ORIGIN, APP, 0, 100);
    }

    function test_RemoveValueLimit_RevertWhen_CallerNotAuthorized() public {
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, address(this)));
        limited.removeValueLimit(ORIGIN, APP);
    }

    function test_Constructor_RevertWhen_InnerNotAContract() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRateLimitedVerifier.RateLimitedVerifierInnerNotContract.selector, address(0))
        );
        new RateLimitedVerifier(address(manager), IConcordVerifier(address(0)), gateway);
    }

    function test_Constructor_RevertWhen_ConsumerZero() public {
        vm.expectRevert(IRateLimitedVerifier.RateLimitedVerifierZeroConsumer.selector);
        new RateLimitedVerifier(address(manager), IConcordVerifier(address(stub)), address(0));
    }

    // ------------------------------------------------------------------------------------- I10

    uint256[] internal _acceptedAt;
    uint256[] internal _acceptedValue;

    /// @dev I10: whatever the sequence of values and delays, the value accepted in any rolling window of
    /// WINDOW seconds never exceeds the cap (checked for the window ending at each acceptance, which is where the
    /// sum peaks), and a request that fits under the cap is never refused.
    function testFuzz_Verify_ValuePerWindowStaysUnderCap(uint256 seed) public {
        uint208 cap = 1000;
        vm.startPrank(admin);
        limited.setMessageLimit(ORIGIN, WINDOW, type(uint208).max);
        limited.setValueLimit(ORIGIN, APP, WINDOW, cap);
        vm.stopPrank();
        uint256 accepted = 0;
        for (uint32 i = 0; i < 40; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            vm.warp(block.timestamp + bound(r, 0, WINDOW / 4));
            uint256 value = bound(r >> 64, 0, 600);
            uint256 inWindow = _sumInWindow();
            vm.prank(gateway);
            try limited.verify("", _valued(i, value)) returns (bool ok) {
                assertTrue(ok);
                _acceptedAt.push(block.timestamp);
                _acceptedValue.push(value);
                assertLe(_sumInWindow(), cap, "I10: value in window above cap");
                ++accepted;
            } catch {
                assertGt(inWindow + value, cap, "refused a value that fit under the cap");
            }
        }
        assertGt(accepted, 0); // not vacuous
    }

    function _sumInWindow() internal view returns (uint256 sum) {
        for (uint256 j = 0; j < _acceptedAt.length; ++j) {
            if (_acceptedAt[j] + WINDOW > block.timestamp) sum += _acceptedValue[j];
        }
    }

    // ---------------------------------------------------------------- origin gateway and retries (issue 13)

    function test_OriginGatewayFor_IsTheInnerOne() public view {
        assertEq(limited.originGatewayFor(ORIGIN), STUB_GATEWAY);
    }

    /// @dev A retry consumes the message budget again, in the retry's window; only the consumer may ask.
    function test_AuthorizeRetry_ConsumesTheBudgetAgain() public {
        bytes memory m = _valued(1, 0);
        assertTrue(_deliver(m));
        assertEq(limited.availableMessages(ORIGIN), 2);
        vm.prank(gateway);
        assertTrue(limited.authorizeRetry(m));
        assertEq(limited.availableMessages(ORIGIN), 1);
        vm.prank(gateway);
        assertTrue(limited.authorizeRetry(m));
        vm.prank(gateway);
        vm.expectRevert(
            abi.encodeWithSelector(IRateLimitedVerifier.RateLimitedVerifierMessageLimitExceeded.selector, ORIGIN)
        );
        limited.authorizeRetry(m);
    }

    function test_AuthorizeRetry_RevertWhen_CallerNotConsumer() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRateLimitedVerifier.RateLimitedVerifierUnauthorizedCaller.selector, address(this))
        );
        limited.authorizeRetry(_valued(1, 0));
    }

    function test_AuthorizeRetry_InnerRefusal_ConsumesNothing() public {
        stub.setRetryMode(StubVerifier.Mode.REJECT);
        vm.prank(gateway);
        assertFalse(limited.authorizeRetry(_valued(1, 0)));
        assertEq(limited.availableMessages(ORIGIN), 3);
    }
}
