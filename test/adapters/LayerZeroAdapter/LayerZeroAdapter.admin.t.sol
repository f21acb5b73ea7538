// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReceiveUlnBase} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/ReceiveUlnBase.sol";
import {UlnConfig} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/UlnBase.sol";
import {ILayerZeroEndpointV2} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {
    IMessageLibManager,
    SetConfigParam
} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/IMessageLibManager.sol";
import {Errors} from "@layerzerolabs/lz-evm-protocol-v2/contracts/libs/Errors.sol";
import {DVNMock} from "@layerzerolabs/test-devtools-evm-foundry/contracts/mocks/DVNMock.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {ILayerZeroAdapter} from "../../../contracts/adapters/layerzero/ILayerZeroAdapter.sol";
import {LayerZeroAdapter} from "../../../contracts/adapters/layerzero/LayerZeroAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {ValueRefuser} from "../HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {LayerZeroAdapterBase} from "./LayerZeroAdapterBase.sol";

/// @notice Issue 16, LayerZero adapter configuration: constructor checks, the eid map (both directions, one to one),
/// the endpoint delegate (who configures the adapter's libraries and DVNs), remotes, sponsors and withdrawals, each
/// restricted to the AccessManager and evented.
contract LayerZeroAdapterAdminTest is LayerZeroAdapterBase {
    function _unauthorized(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, caller);
    }

    // ------------------------------------------------------------------------------------------ constructor

    function test_Constructor_ReadsTheEndpoint_SetsTheDelegate() public view {
        assertEq(address(aA.endpoint()), address(_lzEndpoint(EID_A)));
        assertEq(aA.layerZeroLocalEid(), EID_A);
        assertEq(aA.localDomain(), CHAIN_A);
        assertEq(aA.defaultGasLimit(), DEFAULT_GAS);
        assertEq(aA.authority(), address(manager));
        assertEq(_delegateOf(aA), address(manager));
        assertEq(aA.eidOf(CHAIN_B), EID_B);
        assertEq(aA.domainOfEid(EID_B), CHAIN_B);
    }

    function _delegateOf(LayerZeroAdapter a) internal view returns (address delegate) {
        (bool ok, bytes memory ret) =
            address(a.endpoint()).staticcall(abi.encodeWithSignature("delegates(address)", address(a)));
        assertTrue(ok);
        delegate = abi.decode(ret, (address));
    }

    function test_Constructor_RevertWhen_InvalidArguments() public {
        address endpointA = address(_lzEndpoint(EID_A));
        address eoa = makeAddr("eoa");
        vm.expectRevert(abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterInvalidEndpoint.selector, eoa));
        new LayerZeroAdapter(eoa, CHAIN_A, address(manager), DEFAULT_GAS, address(0));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidConstructorArgs.selector, 0, DEFAULT_GAS)
        );
        new LayerZeroAdapter(endpointA, 0, address(manager), DEFAULT_GAS, address(0));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidConstructorArgs.selector, CHAIN_A, 0)
        );
        new LayerZeroAdapter(endpointA, CHAIN_A, address(manager), 0, address(0));
        // address(0) as the delegate: none (the endpoint owner's defaults apply; only the adapter could configure).
        vm.expectEmit();
        emit ILayerZeroAdapter.LayerZeroDelegateSet(address(0));
        LayerZeroAdapter a = new LayerZeroAdapter(endpointA, CHAIN_A, address(manager), DEFAULT_GAS, address(0));
        assertEq(_delegateOf(a), address(0));
    }

    // ------------------------------------------------------------------------------------------ eid map

    function test_SetLayerZeroEid_BothDirections_Evented() public {
        vm.expectEmit(address(aA));
        emit ILayerZeroAdapter.LayerZeroEidSet(CHAIN_C, EID_C);
        aA.setLayerZeroEid(CHAIN_C, EID_C);
        assertEq(aA.eidOf(CHAIN_C), EID_C);
        assertEq(aA.domainOfEid(EID_C), CHAIN_C);
        // Re-mapping frees the previous eid.
        aA.setLayerZeroEid(CHAIN_C, 30_110);
        assertEq(aA.eidOf(CHAIN_C), 30_110);
        assertEq(aA.domainOfEid(30_110), CHAIN_C);
        assertEq(aA.domainOfEid(EID_C), 0, "the old eid no longer maps");
        // Setting the same mapping again is a no-op that still emits.
        aA.setLayerZeroEid(CHAIN_C, 30_110);
        assertEq(aA.domainOfEid(30_110), CHAIN_C);
        // Unmapping.
        vm.expectEmit(address(aA));
        emit ILayerZeroAdapter.LayerZeroEidSet(CHAIN_C, 0);
        aA.setLayerZeroEid(CHAIN_C, 0);
        assertEq(aA.eidOf(CHAIN_C), 0);
        assertEq(aA.domainOfEid(30_110), 0);
        assertEq(aA.domainOfEid(0), 0);
    }

    /// @dev One to one: an eid carries one Concord domain (otherwise two LayerZero origins would deliver as the same
    /// Concord origin, and the same adapter address on both would pass as the enrolled one).
    function test_SetLayerZeroEid_RevertWhen_EidTaken() public {
        vm.expectRevert(abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterEidTaken.selector, EID_B, CHAIN_B));
        aA.setLayerZeroEid(CHAIN_C, EID_B);
        assertEq(aA.eidOf(CHAIN_C), 0);
    }

    function test_SetLayerZeroEid_RevertWhen_ZeroOrLocal() public {
        vm.expectRevert(abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterInvalidEidMapping.selector, 0, EID_C));
        aA.setLayerZeroEid(0, EID_C);
        vm.expectRevert(
            abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterInvalidEidMapping.selector, CHAIN_A, EID_C)
        );
        aA.setLayerZeroEid(CHAIN_A, EID_C);
        vm.expectRevert(
            abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterInvalidEidMapping.selector, CHAIN_C, EID_A)
        );
        aA.setLayerZeroEid(CHAIN_C, EID_A);
    }

    function test_SetLayerZeroEid_RevertWhen_Unauthorized() public {
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        aA.setLayerZeroEid(CHAIN_C, EID_C);
    }

    /// @dev Unmapping the eid of an enrolled origin stops both directions: the packet stays at the endpoint until the
    /// map is restored.
    function test_Unmapped_StopsSendAndDelivery() public {
        (, uint256 m) = _sendAB("x");
        _lzVerify(m);
        aB.setLayerZeroEid(CHAIN_A, 0);
        _lzExecuteExpectRevert(m, abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterUnknownEid.selector, EID_A));
        vm.expectRevert(abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterUnknownDomain.selector, CHAIN_A));
        aB.quote(_to(CHAIN_A, address(rA)), "x", _noAttr());
        aB.setLayerZeroEid(CHAIN_A, EID_A);
        _lzExecute(m);
        assertEq(rB.count(), 1);
    }

    // ------------------------------------------------------------------------------------------ delegate

    function test_SetDelegate_Evented_RevertWhen_Unauthorized() public {
        address ops = makeAddr("ops");
        vm.expectEmit(address(aA));
        emit ILayerZeroAdapter.LayerZeroDelegateSet(ops);
        aA.setDelegate(ops);
        assertEq(_delegateOf(aA), ops);
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        aA.setDelegate(stranger);
    }

    /// @dev The receive library's DVN configuration is the adapter's whole inbound trust root, and the delegate (here
    /// the AccessManager, through `execute`) sets it: requiring a DVN that has not verified the packet stops its
    /// commit; requiring the DVN that did lets it through. Nobody else may configure the adapter's path.
    function test_Delegate_ConfiguresTheDvns_DecidesDelivery() public {
        (, uint256 m) = _sendAB("x");
        ILayerZeroEndpointV2 endpointB = _lzEndpoint(EID_B);
        (address lib,) = endpointB.getReceiveLibrary(address(aB), EID_A);
        (, DVNMock dvn) = _lzReceiveSide(_lzPacket(m));
        manager.execute(
            address(endpointB),
            abi.encodeCall(IMessageLibManager.setConfig, (address(aB), lib, _dvnConfig(makeAddr("otherDvn"))))
        );

        _lzDvnVerifyWith(m, dvn);
        _lzCommitExpectRevert(m, abi.encodeWithSelector(ReceiveUlnBase.LZ_ULN_Verifying.selector));

        SetConfigParam[] memory back = _dvnConfig(address(dvn));
        vm.expectRevert(Errors.LZ_Unauthorized.selector);
        vm.prank(stranger);
        endpointB.setConfig(address(aB), lib, back);

        manager.execute(address(endpointB), abi.encodeCall(IMessageLibManager.setConfig, (address(aB), lib, back)));
        _lzCommit(m);
        _lzExecute(m);
        assertEq(rB.count(), 1);
    }

    /// @dev The ULN config (type 2) of the path from A: `dvn` as the one required DVN.
    function _dvnConfig(address dvn) internal pure returns (SetConfigParam[] memory params) {
        address[] memory required = new address[](1);
        required[0] = dvn;
        UlnConfig memory config = UlnConfig({
            confirmations: _LZ_CONFIRMATIONS,
            requiredDVNCount: 1,
            optionalDVNCount: 0,
            optionalDVNThreshold: 0,
            requiredDVNs: required,
            optionalDVNs: new address[](0)
        });
        params = new SetConfigParam[](1);
        params[0] = SetConfigParam(EID_A, _LZ_ULN_CONFIG_TYPE, abi.encode(config));
    }

    // ------------------------------------------------------------------------------------------ base admin

    function test_SetRemote_Evented_RevertWhen_ZeroOrLocal_OrUnauthorized() public {
        vm.expectEmit(address(aA));
        emit IConcordAdapter.RemoteSet(CHAIN_C, address(0xC));
        aA.setRemote(CHAIN_C, address(0xC));
        assertEq(aA.remote(CHAIN_C), address(0xC));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, 0));
        aA.setRemote(0, address(0xC));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        aA.setRemote(CHAIN_A, address(0xC));
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        aA.setRemote(CHAIN_C, address(0xC));
    }

    function test_SetSponsoredSender_Evented_RevertWhen_Unauthorized() public {
        vm.expectEmit(address(aA));
        emit IConcordAdapter.SponsoredSenderSet(alice, true);
        aA.setSponsoredSender(alice, true);
        assertTrue(aA.isSponsoredSender(alice));
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        aA.setSponsoredSender(stranger, true);
    }

    function test_WithdrawSponsorFunds() public {
        aA.fund{value: 1 ether}();
        address payable to = payable(makeAddr("treasury"));
        vm.expectEmit(address(aA));
        emit IConcordAdapter.SponsorWithdrawn(to, 0.4 ether);
        aA.withdrawSponsorFunds(to, 0.4 ether);
        assertEq(to.balance, 0.4 ether);
        assertEq(address(aA).balance, 0.6 ether);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordAdapter.ConcordAdapterInvalidWithdrawal.selector, to, 0.6 ether + 1, 0.6 ether
            )
        );
        aA.withdrawSponsorFunds(to, 0.6 ether + 1);
        ValueRefuser refuser = new ValueRefuser();
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterRefundFailed.selector, address(refuser), 1)
        );
        aA.withdrawSponsorFunds(payable(address(refuser)), 1);
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        aA.withdrawSponsorFunds(to, 1);
    }

    /// @dev Status answers NONE before delivery, and the message id is the same computed on either side.
    function test_StatusAndMessageId_AgreeAcrossSides() public {
        (bytes32 id, uint256 m) = _sendAB("x");
        bytes memory body = _lzBody(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.NONE);
        assertEq(aB.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), body), id);
        _lzRelay(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
        assertEq(uint8(aB.status(CHAIN_C, address(aA), body)), uint8(IConcordAdapter.MessageStatus.NONE));
    }

    /// @dev The adapter keeps the authority tag in its routes and rewrites them all when the authority changes, so
    /// the domains whose routes an admin function writes are bounded (256): past that, `setRemote` and
    /// `setLayerZeroEid` on a new domain revert `ConcordAdapterTooManyRoutes`; routes already written can still be
    /// rewritten, and a change of authority rewrites every one of them.
    function test_Routes_RevertWhen_TooManyRoutes() public {
        uint256 added;
        uint32 d = 10_000;
        for (;; ++d) {
            try aA.setRemote(d, address(0xA11CE)) {
                ++added;
            } catch (bytes memory err) {
                assertEq(err, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterTooManyRoutes.selector, 256));
                break;
            }
        }
        // The setup wrote one route (CHAIN_B), or a few: the bound is on all of them.
        assertGe(added, 250);
        assertLe(added, 255);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterTooManyRoutes.selector, 256));
        aA.setLayerZeroEid(d, 77_777);
        // Routes already written: still writable.
        aA.setRemote(10_000, address(0xB0B));
        assertEq(aA.remote(10_000), address(0xB0B));
        aA.setLayerZeroEid(10_001, 77_777);
        assertEq(aA.eidOf(10_001), 77_777);
        // A change of authority rewrites the 256 routes' tags within a block's gas.
        AccessManager next = new AccessManager(address(this));
        uint256 before = gasleft();
        manager.updateAuthority(address(aA), address(next));
        assertLt(before - gasleft(), 3_000_000);
        assertEq(aA.eidOf(10_001), 77_777, "the tag rewrite keeps the eid");
        assertEq(aA.remote(10_000), address(0xB0B), "and the adapter");
    }
}
