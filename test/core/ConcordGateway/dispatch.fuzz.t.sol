// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";

import {Message} from "../../../contracts/libraries/Message.sol";
import {MessageReader} from "../../libraries/Message/Message.fuzz.t.sol";
import {ConcordGatewayBase} from "./Base.t.sol";

/// @notice `dispatch` under fuzzing: ids are unique and nonces consecutive.
contract ConcordGateway_dispatch_fuzz is ConcordGatewayBase {
    MessageReader internal reader;

    function setUp() public override {
        super.setUp();
        reader = new MessageReader();
    }

    /// @dev Ids are unique across sends: the nonce makes identical (sender, recipient, payload) distinct, and the
    /// source assigns consecutive nonces.
    function testFuzz_Dispatch_IdsUniqueAndNoncesConsecutive(bytes memory payload, uint8 n) public {
        n = uint8(bound(n, 2, 20));
        bytes32[] memory ids = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            vm.recordLogs();
            ids[i] = source.dispatch(LOCAL, _b32(address(recipient)), payload);
            Vm.Log[] memory logs = vm.getRecordedLogs();
            bytes memory m = abi.decode(logs[0].data, (bytes));
            assertEq(Message.id(m), ids[i]);
            (, uint32 nonce_,,,,) = reader.header(m);
            assertEq(nonce_, i);
            for (uint256 j = 0; j < i; ++j) {
                assertTrue(ids[j] != ids[i]);
            }
        }
    }
}
