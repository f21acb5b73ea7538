// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInterchainSecurityModule} from "@hyperlane-xyz/core/contracts/interfaces/IInterchainSecurityModule.sol";
import {IMessageRecipient} from "@hyperlane-xyz/core/contracts/interfaces/IMessageRecipient.sol";
import {Origin} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {MessagingFee, OApp} from "@layerzerolabs/oapp-evm/contracts/oapp/OApp.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {IBenchReceiverEvents} from "./BenchBase.sol";

/// @title BenchRecipient
/// @notice Benchmark application for Hyperlane and the floor contract: accepts `handle` from one immutable caller (the
/// Mailbox or the floor receiver), names its ISM through an immutable, and does the common receiver work (hash the body,
/// emit `BenchMessageReceived`).
contract BenchRecipient is IMessageRecipient, IBenchReceiverEvents {
    /// @notice Thrown when `handle` is called by anyone but the configured caller.
    error BenchRecipientUnauthorizedCaller(address caller);

    address internal immutable _CALLER;
    IInterchainSecurityModule internal immutable _ISM;

    /// @param caller The only address allowed to call `handle` (Mailbox or floor receiver).
    /// @param ism The ISM Hyperlane's Mailbox uses for this recipient (ignored by the floor).
    constructor(address caller, address ism) {
        _CALLER = caller;
        _ISM = IInterchainSecurityModule(ism);
    }

    /// @notice Hyperlane's per-recipient ISM lookup (`ISpecifiesInterchainSecurityModule`).
    function interchainSecurityModule() external view returns (IInterchainSecurityModule) {
        return _ISM;
    }

    /// @inheritdoc IMessageRecipient
    function handle(uint32, bytes32, bytes calldata body) external payable {
        if (msg.sender != _CALLER) revert BenchRecipientUnauthorizedCaller(msg.sender);
        emit BenchMessageReceived(keccak256(body));
    }
}

/// @title BenchOApp
/// @notice Minimal LayerZero V2 OApp used as the benchmark receiver: OAppReceiver's endpoint and peer checks, then the
/// common receiver work (hash the body, emit `BenchMessageReceived`). `send` lets it act as a sender too.
contract BenchOApp is OApp, IBenchReceiverEvents {
    /// @param endpoint The local EndpointV2.
    /// @param owner Owner and endpoint delegate.
    constructor(address endpoint, address owner) OApp(endpoint, owner) Ownable(owner) {}

    /// @notice Sends `body` to the peer on `dstEid`, paying `msg.value` as the native fee.
    function send(uint32 dstEid, bytes calldata body, bytes calldata options) external payable {
        _lzSend(dstEid, body, options, MessagingFee(msg.value, 0), msg.sender);
    }

    function _lzReceive(Origin calldata, bytes32, bytes calldata message, address, bytes calldata) internal override {
        emit BenchMessageReceived(keccak256(message));
    }
}

/// @title BenchConcordRecipient
/// @notice Benchmark application for Concord: an ERC-7786 recipient that accepts `receiveMessage` from one immutable
/// gateway and does the common receiver work (hash the payload, emit `BenchMessageReceived`), like `BenchRecipient`
/// does for Hyperlane and the floor and `BenchOApp` for LayerZero.
contract BenchConcordRecipient is IBenchReceiverEvents {
    /// @notice Thrown when `receiveMessage` is called by anyone but the gateway.
    error BenchConcordRecipientUnauthorizedCaller(address caller);

    address internal immutable _GATEWAY;

    /// @param gateway The Concord gateway allowed to deliver.
    constructor(address gateway) {
        _GATEWAY = gateway;
    }

    /// @notice ERC-7786 delivery entry point.
    function receiveMessage(bytes32, bytes calldata, bytes calldata payload) external payable returns (bytes4) {
        if (msg.sender != _GATEWAY) revert BenchConcordRecipientUnauthorizedCaller(msg.sender);
        emit BenchMessageReceived(keccak256(payload));
        return this.receiveMessage.selector;
    }
}
