// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {AxelarAdapter} from "../../../contracts/adapters/axelar/AxelarAdapter.sol";
import {IAxelarAdapter} from "../../../contracts/adapters/axelar/IAxelarAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {ValueRefuser} from "../HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {AxelarAdapterBase} from "./AxelarAdapterBase.sol";

/// @notice Issue 16, Axelar adapter configuration: constructor checks, the chain-name map (both directions, one to
/// one), remotes, sponsors and withdrawals, each restricted to the AccessManager and evented.
contract AxelarAdapterAdminTest is AxelarAdapterBase {
    function _unauthorized(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, caller);
    }

    // ------------------------------------------------------------------------------------------ constructor

    function test_Constructor_KeepsGatewayGasServiceAndLocalChain() public view {
        assertEq(address(aA.gateway()), address(axChains[cA].gateway));
        assertEq(address(aA.gasService()), address(axChains[cA].gasService));
        assertEq(aA.axelarLocalChain(), AX_A);
        assertEq(aA.localDomain(), CHAIN_A);
        assertEq(aA.defaultGasLimit(), DEFAULT_GAS);
        assertEq(aA.authority(), address(manager));
        assertEq(aA.axelarChainOf(CHAIN_B), AX_B);
        assertEq(aA.domainOfAxelarChain(AX_B), CHAIN_B);
    }

    function test_Constructor_RevertWhen_InvalidArguments() public {
        address gateway = address(axChains[cA].gateway);
        address gasService = address(axChains[cA].gasService);
        address eoa = makeAddr("eoa");
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterInvalidGateway.selector, eoa));
        new AxelarAdapter(eoa, gasService, CHAIN_A, address(manager), DEFAULT_GAS, AX_A);
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterInvalidGasService.selector, eoa));
        new AxelarAdapter(gateway, eoa, CHAIN_A, address(manager), DEFAULT_GAS, AX_A);
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterInvalidChainName.selector, ""));
        new AxelarAdapter(gateway, gasService, CHAIN_A, address(manager), DEFAULT_GAS, "");
        string memory long = "a-chain-name-of-thirty-two-bytes";
        assertEq(bytes(long).length, 32);
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterInvalidChainName.selector, long));
        new AxelarAdapter(gateway, gasService, CHAIN_A, address(manager), DEFAULT_GAS, long);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidConstructorArgs.selector, 0, DEFAULT_GAS)
        );
        new AxelarAdapter(gateway, gasService, 0, address(manager), DEFAULT_GAS, AX_A);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidConstructorArgs.selector, CHAIN_A, 0)
        );
        new AxelarAdapter(gateway, gasService, CHAIN_A, address(manager), 0, AX_A);
    }

    // ------------------------------------------------------------------------------------------ chain map

    function test_SetAxelarChain_BothDirections_Evented() public {
        vm.expectEmit(address(aA));
        emit IAxelarAdapter.AxelarChainSet(CHAIN_C, AX_C);
        aA.setAxelarChain(CHAIN_C, AX_C);
        assertEq(aA.axelarChainOf(CHAIN_C), AX_C);
        assertEq(aA.domainOfAxelarChain(AX_C), CHAIN_C);
        // Re-mapping frees the previous chain name.
        aA.setAxelarChain(CHAIN_C, "base-sepolia");
        assertEq(aA.axelarChainOf(CHAIN_C), "base-sepolia");
        assertEq(aA.domainOfAxelarChain("base-sepolia"), CHAIN_C);
        assertEq(aA.domainOfAxelarChain(AX_C), 0, "the old chain name no longer maps");
        // Setting the same mapping again is a no-op that still emits.
        aA.setAxelarChain(CHAIN_C, "base-sepolia");
        assertEq(aA.domainOfAxelarChain("base-sepolia"), CHAIN_C);
        // Names are exact bytes: another case is another name.
        assertEq(aA.domainOfAxelarChain("Base-Sepolia"), 0);
        // Unmapping.
        vm.expectEmit(address(aA));
        emit IAxelarAdapter.AxelarChainSet(CHAIN_C, "");
        aA.setAxelarChain(CHAIN_C, "");
        assertEq(aA.axelarChainOf(CHAIN_C), "");
        assertEq(aA.domainOfAxelarChain("base-sepolia"), 0);
        assertEq(aA.domainOfAxelarChain(""), 0);
        // The longest name (31 bytes) is accepted.
        string memory longest = "a-chain-name-of-thirty-one-byte";
        assertEq(bytes(longest).length, 31);
        aA.setAxelarChain(CHAIN_C, longest);
        assertEq(aA.axelarChainOf(CHAIN_C), longest);
    }

    /// @dev A chain name is kept in one word (OpenZeppelin `ShortString`: its bytes, then its length in the low byte):
    /// any name of 1 to 31 bytes, whatever its bytes (zero bytes, trailing zeros, a 31st byte that looks like a length),
    /// reads back exactly, maps back to its domain, and a prefix or an extension of it is another name.
    function testFuzz_SetAxelarChain_NameRoundTrips(bytes32 raw, uint8 length) public {
        uint256 n = bound(length, 1, 31);
        bytes memory name = new bytes(n);
        for (uint256 i = 0; i < n; ++i) {
            name[i] = raw[i];
        }
        string memory chain = string(name);
        // Not a name that is already taken (the local chain's or a mapped one's): flip the first byte.
        if (keccak256(name) == keccak256(bytes(AX_A)) || keccak256(name) == keccak256(bytes(AX_B))) {
            name[0] = bytes1(uint8(name[0]) ^ 0x80);
        }
        aA.setAxelarChain(CHAIN_C, chain);
        assertEq(bytes(aA.axelarChainOf(CHAIN_C)), name, "the name reads back exactly");
        assertEq(aA.domainOfAxelarChain(chain), CHAIN_C, "the name maps back to its domain");
        bytes memory extended = bytes.concat(name, bytes1(0));
        assertEq(aA.domainOfAxelarChain(string(extended)), 0, "an extension is another name");
        if (n > 1) {
            bytes memory prefix = new bytes(n - 1);
            for (uint256 i = 0; i < n - 1; ++i) {
                prefix[i] = name[i];
            }
            assertEq(aA.domainOfAxelarChain(string(prefix)), 0, "a prefix is another name");
        }
    }

    /// @dev One to one: a chain name carries one Concord domain (otherwise two Axelar chains would deliver as the
    /// same Concord origin, and the same adapter address on both would pass as the enrolled one).
    function test_SetAxelarChain_RevertWhen_ChainTaken() public {
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterChainTaken.selector, AX_B, CHAIN_B));
        aA.setAxelarChain(CHAIN_C, AX_B);
        assertEq(aA.axelarChainOf(CHAIN_C), "");
    }

    function test_SetAxelarChain_RevertWhen_ZeroOrLocal_OrTooLong() public {
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterInvalidDomainMapping.selector, 0, AX_C));
        aA.setAxelarChain(0, AX_C);
        vm.expectRevert(
            abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterInvalidDomainMapping.selector, CHAIN_A, AX_C)
        );
        aA.setAxelarChain(CHAIN_A, AX_C);
        vm.expectRevert(
            abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterInvalidDomainMapping.selector, CHAIN_C, AX_A)
        );
        aA.setAxelarChain(CHAIN_C, AX_A);
        string memory long = "a-chain-name-of-thirty-two-bytes";
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterInvalidChainName.selector, long));
        aA.setAxelarChain(CHAIN_C, long);
    }

    function test_SetAxelarChain_RevertWhen_Unauthorized() public {
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        aA.setAxelarChain(CHAIN_C, AX_C);
    }

    /// @dev Unmapping the chain name of an enrolled origin stops both directions; the approval waits at the gateway.
    function test_Unmapped_StopsSendAndDelivery() public {
        (, uint256 m) = _sendAB("x");
        _axApprove(m);
        aB.setAxelarChain(CHAIN_A, "");
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterUnknownAxelarChain.selector, AX_A));
        _axExecute(m);
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterUnknownDomain.selector, CHAIN_A));
        aB.quote(_to(CHAIN_A, address(rA)), "x", _noAttr());
        aB.setAxelarChain(CHAIN_A, AX_A);
        _axExecute(m);
        assertEq(rB.count(), 1);
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
        bytes memory body = _axBody(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.NONE);
        assertEq(aB.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), body), id);
        _axRelay(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
        assertEq(uint8(aB.status(CHAIN_C, address(aA), body)), uint8(IConcordAdapter.MessageStatus.NONE));
    }
}
