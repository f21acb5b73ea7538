// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {MockRecipient} from "../../../contracts/mocks/MockRecipient.sol";
import {gasLimitOf} from "../../harness/GatewayTestLib.sol";
import {ConcordGatewayBase} from "./Base.t.sol";

/// @notice Replay under fuzzing: a delivered message is never delivered again, whatever its recipient did.
contract ConcordGateway_replay_fuzz is ConcordGatewayBase {
    /// @dev A delivered message can never be delivered again, whatever the recipient did the first time.
    function testFuzz_Replay_NeverSucceeds(uint32 nonce_, bytes memory payload, uint8 modeSeed) public {
        MockRecipient.Mode mode = MockRecipient.Mode(bound(modeSeed, 0, 2)); // ACCEPT, REVERT, BURN_GAS
        recipient.setMode(mode);
        bytes memory m = _message(nonce_, address(this), address(recipient), 1_000_000, payload);
        gateway.process("", m);
        uint256 callsAfterFirst = recipient.calls();
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, keccak256(m)));
        gateway.process("", m);
        recipient.setMode(MockRecipient.Mode.ACCEPT);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, keccak256(m)));
        gateway.process(hex"01", m);
        if (mode != MockRecipient.Mode.ACCEPT) {
            gateway.retry(m, gasLimitOf(m)); // at most one success
            vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayNotFailed.selector, keccak256(m)));
            gateway.retry(m, gasLimitOf(m));
        } else {
            vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayNotFailed.selector, keccak256(m)));
            gateway.retry(m, gasLimitOf(m));
        }
        assertEq(recipient.calls(), callsAfterFirst + (mode != MockRecipient.Mode.ACCEPT ? 1 : 0));
        _assertStatus(m, IConcordGateway.MessageStatus.EXECUTED);
    }
}
