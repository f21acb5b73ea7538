// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAggregationVerifier} from "../../../contracts/interfaces/IAggregationVerifier.sol";
import {IConcordVerifier} from "../../../contracts/interfaces/IConcordVerifier.sol";
import {IMultisigVerifier} from "../../../contracts/interfaces/IMultisigVerifier.sol";
import {AggregationVerifier} from "../../../contracts/isms/AggregationVerifier.sol";
import {MultisigBase, StubVerifier} from "../MultisigBase.t.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

contract AggregationVerifierTest is MultisigBase {
    address internal admin = makeAddr("admin");
    AccessManager internal manager;
    StubVerifier[3] internal stubs;
    AggregationVerifier internal aggregation; // 2 of 3 stubs
    bytes internal message;

    function setUp() public override {
        super.setUp();
        manager = new AccessManager(admin);
        for (uint256 i = 0; i < 3; ++i) {
            stubs[i] = new StubVerifier(66);
        }
        aggregation = new AggregationVerifier(address(manager), ORIGIN, GATEWAY, _stubList(), 2);
        message = _message();
    }

    function _stubList() internal view returns (IConcordVerifier[] memory list) {
        list = new IConcordVerifier[](3);
        for (uint256 i = 0; i < 3; ++i) {
            list[i] = IConcordVerifier(address(stubs[i]));
        }
    }

    /// @dev Range table + concatenated parts; `present[i] == false` encodes (0, 0) = "skip".
    function _pack(bytes[] memory parts, bool[] memory present) internal pure returns (bytes memory table) {
        bytes memory data;
        uint256 cursor = parts.length * 8;
        for (uint256 i = 0; i < parts.length; ++i) {
            if (!present[i]) {
                table = abi.encodePacked(table, uint32(0), uint32(0));
                continue;
            }
            table = abi.encodePacked(table, uint32(cursor), uint32(cursor + parts[i].length));
            data = bytes.concat(data, parts[i]);
            cursor += parts[i].length;
        }
        table = bytes.concat(table, data);
    }

    function _parts() internal pure returns (bytes[] memory parts) {
        parts = new bytes[](3);
        (parts[0], parts[1], parts[2]) = (hex"a0", hex"b1b1", hex"");
    }

    function _present(bool a, bool b, bool c) internal pure returns (bool[] memory p) {
        p = new bool[](3);
        (p[0], p[1], p[2]) = (a, b, c);
    }

    function test_ModuleType_IsAggregation() public view {
        assertEq(aggregation.moduleType(), uint8(IConcordVerifier.ModuleType.AGGREGATION));
    }

    function test_Verify_AcceptsThresholdOfSubVerifiers() public {
        assertTrue(aggregation.verify(_pack(_parts(), _present(true, false, true)), message));
        assertEq(stubs[0].lastMetadata(), hex"a0");
        assertEq(stubs[1].calls(), 0);
        assertEq(stubs[2].calls(), 1);
        assertEq(stubs[2].lastMetadata(), hex"");
    }

    function test_Verify_StopsOnceThresholdMet() public {
        assertTrue(aggregation.verify(_pack(_parts(), _present(true, true, true)), message));
        assertEq(stubs[1].lastMetadata(), hex"b1b1");
        assertEq(stubs[2].calls(), 0);
    }

    function test_Verify_RevertWhen_ThresholdNotMet() public {
        vm.expectRevert(abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierThresholdNotMet.selector, 1, 2));
        aggregation.verify(_pack(_parts(), _present(false, true, false)), message);
    }

    function test_Verify_RevertWhen_NoSubMetadata() public {
        vm.expectRevert(abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierThresholdNotMet.selector, 0, 2));
        aggregation.verify(new bytes(24), message);
    }

    function test_Verify_RevertWhen_SubVerifierRejects() public {
        stubs[0].setMode(StubVerifier.Mode.REJECT);
        vm.expectRevert(abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierRejected.selector, 0));
        aggregation.verify(_pack(_parts(), _present(true, true, true)), message);
    }

    function test_Verify_RevertWhen_SubVerifierReverts() public {
        stubs[1].setMode(StubVerifier.Mode.REVERT);
        vm.expectRevert(StubVerifier.StubVerifierReverted.selector);
        aggregation.verify(_pack(_parts(), _present(true, true, true)), message);
    }

    function test_Verify_RevertWhen_MetadataEmpty() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierMetadataTooShort.selector, 0, 24)
        );
        aggregation.verify("", message);
    }

    function test_Verify_RevertWhen_MetadataTruncated() public {
        bytes memory metadata = _pack(_parts(), _present(true, true, false));
        assembly {
            mstore(metadata, sub(mload(metadata), 1))
        }
        vm.expectRevert(
            abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierInvalidRange.selector, 1, 25, 27)
        );
        aggregation.verify(metadata, message);
    }

    function test_Verify_RevertWhen_RangeOverlapsTable() public {
        bytes memory metadata = abi.encodePacked(uint32(4), uint32(8), new bytes(16));
        vm.expectRevert(abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierInvalidRange.selector, 0, 4, 8));
        aggregation.verify(metadata, message);
    }

    function test_Verify_RevertWhen_RangeReversed() public {
        bytes memory metadata = abi.encodePacked(uint32(25), uint32(24), new bytes(18));
        vm.expectRevert(
            abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierInvalidRange.selector, 0, 25, 24)
        );
        aggregation.verify(metadata, message);
    }

    function test_ModulesAndThreshold_ReturnsConfig() public view {
        (address[] memory modules, uint8 threshold) = aggregation.modulesAndThreshold(message);
        assertEq(modules.length, 3);
        assertEq(modules[2], address(stubs[2]));
        assertEq(threshold, 2);
    }

    // ------------------------------------------------------------------------------- configuration

    function test_Constructor_RevertWhen_ThresholdZero() public {
        vm.expectRevert(abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierInvalidThreshold.selector, 0, 3));
        new AggregationVerifier(address(manager), ORIGIN, GATEWAY, _stubList(), 0);
    }

    function test_Constructor_RevertWhen_ThresholdAboveCount() public {
        vm.expectRevert(abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierInvalidThreshold.selector, 4, 3));
        new AggregationVerifier(address(manager), ORIGIN, GATEWAY, _stubList(), 4);
    }

    function test_Constructor_RevertWhen_DuplicateVerifier() public {
        IConcordVerifier[] memory list = _stubList();
        list[2] = list[0];
        vm.expectRevert(
            abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierDuplicateVerifier.selector, address(list[0]))
        );
        new AggregationVerifier(address(manager), ORIGIN, GATEWAY, list, 2);
    }

    function test_Constructor_RevertWhen_VerifierNotAContract() public {
        IConcordVerifier[] memory list = _stubList();
        list[1] = IConcordVerifier(address(0xdead));
        vm.expectRevert(
            abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierNotAContract.selector, address(0xdead))
        );
        new AggregationVerifier(address(manager), ORIGIN, GATEWAY, list, 2);
    }

    function test_Constructor_RevertWhen_TooManyVerifiers() public {
        IConcordVerifier[] memory list = new IConcordVerifier[](33);
        vm.expectRevert(abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierTooManyVerifiers.selector, 33));
        new AggregationVerifier(address(manager), ORIGIN, GATEWAY, list, 1);
    }

    function test_SetConfig_UpdatesAndEmits() public {
        IConcordVerifier[] memory list = new IConcordVerifier[](1);
        list[0] = IConcordVerifier(address(stubs[1]));
        address[] memory expected = new address[](1);
        expected[0] = address(stubs[1]);
        vm.expectEmit(false, false, false, true);
        emit IAggregationVerifier.AggregationVerifierConfigured(expected, 1);
        vm.prank(admin);
        aggregation.setConfig(list, 1);
        (address[] memory modules, uint8 threshold) = aggregation.modulesAndThreshold("");
        assertEq(modules, expected);
        assertEq(threshold, 1);
    }

    function test_SetConfig_RevertWhen_CallerNotAuthorized() public {
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, address(this)));
        aggregation.setConfig(_stubList(), 1);
    }

    function test_SetConfig_RevertWhen_ThresholdZero() public {
        vm.expectRevert(abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierInvalidThreshold.selector, 0, 3));
        vm.prank(admin);
        aggregation.setConfig(_stubList(), 0);
    }

    // ------------------------------------------------------------------------------- composition

    /// @dev Two independent validator sets (e.g. two operators) must both sign: 2-of-2 over multisig verifiers.
    function test_Verify_AggregatesTwoMultisigVerifiers() public {
        (uint256[] memory keysA, address[] memory setA) = _keys(11, 3);
        (uint256[] memory keysB, address[] memory setB) = _keys(12, 3);
        IConcordVerifier[] memory list = new IConcordVerifier[](2);
        list[0] = _deployMessageId(setA, 2);
        list[1] = _deployMessageId(setB, 2);
        AggregationVerifier both = new AggregationVerifier(address(manager), ORIGIN, GATEWAY, list, 2);

        bytes[] memory parts = new bytes[](2);
        parts[0] = _messageIdMetadata(_prefix(keysA, 2), message);
        parts[1] = _messageIdMetadata(_prefix(keysB, 2), message);
        bool[] memory present = new bool[](2);
        (present[0], present[1]) = (true, true);
        assertTrue(both.verify(_pack(parts, present), message));

        // Set B's slot signed by set A: rejected by the B verifier.
        parts[1] = parts[0];
        vm.expectRevert();
        both.verify(_pack(parts, present), message);
    }

    // ---------------------------------------------------------------- origin gateway and retries (issue 13)

    function test_OriginGatewayFor_OnlyItsOrigin() public view {
        assertEq(aggregation.originGatewayFor(ORIGIN), GATEWAY);
        assertEq(aggregation.originGatewayFor(ORIGIN + 1), bytes32(0));
        assertEq(aggregation.origin(), ORIGIN);
    }

    /// @dev Every sub-verifier must authenticate the aggregation's origin gateway, so what it reports never changes.
    function test_SetConfig_RevertWhen_SubVerifierBoundElsewhere() public {
        stubs[1].setReportedGateway(bytes32(uint256(0xbad)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAggregationVerifier.AggregationVerifierGatewayMismatch.selector,
                address(stubs[1]),
                bytes32(uint256(0xbad))
            )
        );
        vm.prank(admin);
        aggregation.setConfig(_stubList(), 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAggregationVerifier.AggregationVerifierGatewayMismatch.selector,
                address(stubs[1]),
                bytes32(uint256(0xbad))
            )
        );
        new AggregationVerifier(address(manager), ORIGIN, GATEWAY, _stubList(), 2);
    }

    function test_Constructor_RevertWhen_ZeroOriginOrGateway() public {
        vm.expectRevert(IAggregationVerifier.AggregationVerifierZeroOrigin.selector);
        new AggregationVerifier(address(manager), 0, GATEWAY, _stubList(), 2);
        vm.expectRevert(
            abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierZeroOriginGateway.selector, ORIGIN)
        );
        new AggregationVerifier(address(manager), ORIGIN, bytes32(0), _stubList(), 2);
    }

    function test_Verify_RevertWhen_WrongOrigin() public {
        bytes memory other = _message(1, ORIGIN + 1, LOCAL, "x");
        vm.expectRevert(
            abi.encodeWithSelector(IAggregationVerifier.AggregationVerifierWrongOrigin.selector, ORIGIN + 1)
        );
        aggregation.verify(_pack(_parts(), _present(true, true, false)), other);
    }

    /// @dev Which sub-verifiers verified the delivery is not known at retry time: every one must allow it.
    function test_AuthorizeRetry_EverySubVerifierMustAllow() public {
        assertTrue(aggregation.authorizeRetry(message));
        stubs[2].setRetryMode(StubVerifier.Mode.REJECT);
        assertFalse(aggregation.authorizeRetry(message));
        stubs[2].setRetryMode(StubVerifier.Mode.REVERT);
        vm.expectRevert(StubVerifier.StubVerifierReverted.selector);
        aggregation.authorizeRetry(message);
    }
}
