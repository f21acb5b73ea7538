// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Mailbox} from "@hyperlane-xyz/core/contracts/Mailbox.sol";
import {IInterchainSecurityModule} from "@hyperlane-xyz/core/contracts/interfaces/IInterchainSecurityModule.sol";
import {IMessageRecipient} from "@hyperlane-xyz/core/contracts/interfaces/IMessageRecipient.sol";
import {console} from "forge-std/console.sol";

import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {HyperlaneAdapterBase, ProbeRecipient} from "./HyperlaneAdapterBase.sol";

/// @notice TEST ONLY: the cheapest plain Hyperlane recipient: checks its Mailbox and names the same ISM as the adapter.
contract NoopHyperlaneRecipient is IMessageRecipient {
    error NoopHyperlaneRecipientNotMailbox(address caller);

    address internal immutable _MAILBOX;
    IInterchainSecurityModule public immutable interchainSecurityModule;

    constructor(address mailbox, address ism) {
        _MAILBOX = mailbox;
        interchainSecurityModule = IInterchainSecurityModule(ism);
    }

    function handle(uint32, bytes32, bytes calldata) external payable {
        if (msg.sender != _MAILBOX) revert NoopHyperlaneRecipientNotMailbox(msg.sender);
    }
}

/// @notice Measures the destination gas the adapter needs besides its recipient's gas limit, which it pays the IGP
/// for (`HyperlaneAdapter.destinationGas`): for each recipient gas limit and payload size, the smallest gas with
/// which `Mailbox.process` delivers an adapter message (the recipient executed, on a fresh replay word: the dearest
/// case), minus the smallest gas with which the same Mailbox and ISM deliver a body of the same length to a no-op
/// plain Hyperlane recipient (what the IGP's own per-destination overhead pays for). `destinationGas` must cover the
/// difference; the margin is logged (`forge test --match-test test_DestinationGas -vv`).
contract HyperlaneAdapterGasTest is HyperlaneAdapterBase {
    NoopHyperlaneRecipient internal direct;

    function setUp() public override {
        super.setUp();
        direct = new NoopHyperlaneRecipient(address(hlDomains[dB].mailbox), address(hlDomains[dB].ism));
        rB.setMode(ProbeRecipient.Mode.LIGHT);
    }

    function test_DestinationGas_CoversTheAdapterOverhead() public {
        uint32[4] memory limits = [uint32(50_000), 200_000, 1_000_000, 5_000_000];
        uint256[6] memory sizes = [uint256(0), 32, 1024, 8192, 24_576, 65_536];
        uint256 worstMargin = type(uint256).max;
        for (uint256 s = 0; s < sizes.length; ++s) {
            for (uint256 l = 0; l < limits.length; ++l) {
                uint256 margin = _measure(limits[l], sizes[s]);
                if (margin < worstMargin) worstMargin = margin;
            }
        }
        console.log("smallest margin of destinationGas over the measured need:", worstMargin);
        assertLt(worstMargin, 10_000, "destinationGas is not far above the need");
    }

    function _measure(uint32 gasLimit, uint256 size) internal returns (uint256 margin) {
        uint256 snapshot = vm.snapshotState();
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(rB), new bytes(size), _gasAttr(gasLimit));
        uint256 envelopeLength = hlSent[m].message.length - 77;
        uint256 viaAdapter = _minProcessGas(m, true);
        uint256 d = _rawDispatch(dA, alice, HL_B, address(direct), new bytes(envelopeLength));
        uint256 plain = _minProcessGas(d, false);
        uint256 need = viaAdapter - plain - gasLimit;
        uint256 paid = aA.destinationGas(gasLimit, envelopeLength) - gasLimit;
        console.log("gasLimit / payload bytes:", gasLimit, size);
        console.log("  process gas via adapter / plain recipient:", viaAdapter, plain);
        console.log("  adapter need beyond the gas limit / paid beyond it:", need, paid);
        assertGe(paid, need, "destinationGas covers the adapter");
        margin = paid - need;
        vm.revertToState(snapshot);
    }

    /// @dev Smallest gas for `Mailbox.process` of captured message `i` to deliver (for the adapter: the recipient
    /// executed, not FAILED).
    function _minProcessGas(uint256 i, bool adapter) internal returns (uint256) {
        Mailbox mb = hlDomains[dB].mailbox;
        bytes memory metadata = _hlMetadata(i);
        bytes memory message = _hlMessage(i);
        bytes memory body = _hlBody(i);
        uint256 snapshot = vm.snapshotState();
        uint256 lo = 0;
        uint256 hi = 30_000_000;
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            bool ok;
            try mb.process{gas: mid}(metadata, message) {
                ok = !adapter || aB.status(CHAIN_A, address(aA), body) == IConcordAdapter.MessageStatus.EXECUTED;
            } catch {}
            if (ok) hi = mid;
            else lo = mid;
            vm.revertToState(snapshot);
        }
        return hi;
    }
}
