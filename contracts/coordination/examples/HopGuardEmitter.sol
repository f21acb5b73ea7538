// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {IFlowTarget} from "../../interfaces/IFlowTarget.sol";
import {FlowLib} from "../../libraries/FlowLib.sol";

/// @title HopGuardEmitter
/// @notice Example flow target on the last hop C of a multi-hop flow A -> B -> C built from two flows and a guard:
/// the parent flow (A -> B) carries the guard "(C, this emitter, key)"; the child flow (B -> C) targets this
/// contract, which, when the child executes on C, sends the GUARD message with `key` to B's executor. The parent
/// therefore runs on B only after the child ran on C; if the child expires on C, B compensates the child (its own
/// hop) and the parent expires on B after its deadline and A compensates it. Each hop keeps I5 on its own.
/// @dev Payload of the child flow: `abi.encode(bytes32 key, uint32 parentDomain, address parentExecutor)`.
contract HopGuardEmitter is IFlowTarget {
    /// @notice The executor on this chain (C).
    address public immutable executor;
    /// @notice The ERC-7786 gateway on this chain.
    address public immutable gateway;

    /// @notice Emitted when the guard for the parent hop was sent.
    event HopGuardSent(bytes32 indexed childFlowId, bytes32 indexed key, bytes32 sendId);

    /// @notice Thrown when the caller is not the executor.
    error HopGuardEmitterUnauthorized(address caller);

    /// @param executor_ The FlowExecutor on this domain.
    /// @param gateway_ The ERC-7786 gateway on this chain.
    constructor(address executor_, address gateway_) {
        executor = executor_;
        gateway = gateway_;
    }

    /// @inheritdoc IFlowTarget
    function onFlowExecute(bytes32 flowId, FlowLib.Flow calldata, bytes calldata payload)
        external
        payable
        returns (bytes4)
    {
        if (msg.sender != executor) revert HopGuardEmitterUnauthorized(msg.sender);
        (bytes32 key, uint32 parentDomain, address parentExecutor) = abi.decode(payload, (bytes32, uint32, address));
        bytes32 sendId = IERC7786GatewaySource(gateway)
            .sendMessage(
                InteroperableAddress.formatEvmV1(parentDomain, parentExecutor), FlowLib.encodeGuard(key), new bytes[](0)
            );
        emit HopGuardSent(flowId, key, sendId);
        return IFlowTarget.onFlowExecute.selector;
    }

    /// @notice Accepts the value the child flow releases (kept by this example; a real hop forwards it).
    receive() external payable {}
}
