// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

import {ConcordReceiver} from "../ConcordReceiver.sol";

/// @title ConcordInbox
/// @notice Example receiver: keeps the messages that trusted senders on other chains send it. Its owner chooses the
/// gateway, one trusted sender per origin chain, and can pause it. Used by `concord demo` to show a delivery that
/// fails (inbox paused), is recorded FAILED by the gateway, and succeeds when retried after `unpause`.
contract ConcordInbox is ConcordReceiver, Ownable2Step {
    /// @notice A message kept by the inbox.
    /// @param origin Origin chain.
    /// @param sender Trusted sender on `origin`.
    /// @param receiveId The gateway's id of the delivery (Concord: the message id).
    /// @param payload The application payload.
    event InboxMessage(uint32 indexed origin, address indexed sender, bytes32 indexed receiveId, bytes payload);

    /// @notice Number of messages received from each origin chain.
    mapping(uint32 origin => uint256 count) public received;

    /// @notice The last payload received from each origin chain.
    mapping(uint32 origin => bytes payload) public lastPayload;

    /// @param gateway The gateway allowed to deliver (more can be added by the owner).
    /// @param owner_ The owner (configures gateways, senders and pause).
    constructor(address gateway, address owner_) Ownable(owner_) {
        _setGateway(gateway, true);
    }

    /// @notice Authorizes or deauthorizes a gateway. Owner only.
    /// @param gateway The gateway.
    /// @param authorized Whether it may deliver.
    function setGateway(address gateway, bool authorized) external onlyOwner {
        _setGateway(gateway, authorized);
    }

    /// @notice Sets the trusted sender of `origin` (address(0): none). Owner only.
    /// @param origin Origin chain.
    /// @param sender Trusted sender on `origin`.
    function setTrustedSender(uint32 origin, address sender) external onlyOwner {
        _setTrustedSender(origin, sender);
    }

    /// @notice Pauses the inbox: every delivery reverts (the gateway records it FAILED, retryable). Owner only.
    function pause() external onlyOwner {
        _pause();
    }

    /// @notice Unpauses the inbox. Owner only.
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @inheritdoc ConcordReceiver
    function _receive(uint32 origin, address sender, bytes32 receiveId, bytes calldata payload) internal override {
        ++received[origin];
        lastPayload[origin] = payload;
        emit InboxMessage(origin, sender, receiveId, payload);
    }
}
