// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {ERC7786Recipient} from "@openzeppelin/contracts/crosschain/ERC7786Recipient.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {IConcordVerifier, ISpecifiesVerifier} from "../interfaces/IConcordVerifier.sol";

/// @title ConcordReceiver
/// @notice Base for applications that receive Concord (or any ERC-7786) messages: OpenZeppelin's
/// `ERC7786Recipient` template method plus authorized gateway(s), one trusted remote sender per origin chain,
/// pausing, and an optional declared verifier (`interchainSecurityModule()`, read by the Concord gateway).
/// @dev Extension point: implement `_receive`. Admin is left to the inheriting contract, which exposes the internal
/// setters behind its own access control (e.g. `Ownable2Step` or `AccessManaged`).
/// A paused receiver reverts every delivery: the Concord gateway records the message FAILED, and anyone can
/// `retry` it there after `_unpause`.
abstract contract ConcordReceiver is ERC7786Recipient, Pausable, ISpecifiesVerifier {
    mapping(address gateway => bool) private _gateways;
    mapping(uint256 domain => address sender) private _trustedSenders;
    IConcordVerifier private _verifier;

    /// @notice Emitted when a gateway is authorized or deauthorized.
    event ConcordReceiverGatewaySet(address indexed gateway, bool authorized);

    /// @notice Emitted when the trusted sender for `origin` changes (address(0): none).
    event ConcordReceiverTrustedSenderSet(uint32 indexed origin, address sender);

    /// @notice Emitted when the declared verifier changes (address(0): the gateway's route/default verifier).
    event ConcordReceiverVerifierSet(address verifier);

    /// @notice Thrown when a message's origin sender is not the trusted sender for its chain.
    error ConcordReceiverUntrustedSender(uint256 domain, address sender);

    /// @notice Whether `gateway` may deliver messages to this receiver.
    function isAuthorizedGateway(address gateway) public view virtual returns (bool) {
        return _gateways[gateway];
    }

    /// @notice The trusted sender on `origin` (address(0): none).
    function trustedSender(uint32 origin) public view virtual returns (address) {
        return _trustedSenders[origin];
    }

    /// @inheritdoc ISpecifiesVerifier
    function interchainSecurityModule() external view virtual returns (IConcordVerifier) {
        return _verifier;
    }

    /// @inheritdoc ERC7786Recipient
    function _isAuthorizedGateway(address gateway, bytes calldata) internal view virtual override returns (bool) {
        return _gateways[gateway];
    }

    /// @inheritdoc ERC7786Recipient
    /// @dev Checks pause and the trusted sender, then hands over to `_receive` with the decoded origin and sender.
    function _processMessage(address, bytes32 receiveId, bytes calldata sender, bytes calldata payload)
        internal
        virtual
        override
        whenNotPaused
    {
        (uint256 domain, address account) = InteroperableAddress.parseEvmV1Calldata(sender);
        if (account == address(0) || domain > type(uint32).max || _trustedSenders[domain] != account) {
            revert ConcordReceiverUntrustedSender(domain, account);
        }
        _receive(uint32(domain), account, receiveId, payload);
    }

    /// @dev Application logic for a message from the trusted `sender` on `origin`. Revert to fail the delivery
    /// (the gateway then records it FAILED and it can be retried).
    function _receive(uint32 origin, address sender, bytes32 receiveId, bytes calldata payload) internal virtual;

    /// @dev Authorizes or deauthorizes a gateway.
    function _setGateway(address gateway, bool authorized) internal virtual {
        _gateways[gateway] = authorized;
        emit ConcordReceiverGatewaySet(gateway, authorized);
    }

    /// @dev Sets the trusted sender for `origin` (address(0) to distrust the chain).
    function _setTrustedSender(uint32 origin, address sender) internal virtual {
        _trustedSenders[origin] = sender;
        emit ConcordReceiverTrustedSenderSet(origin, sender);
    }

    /// @dev Declares the verifier the Concord gateway must use for this receiver (address(0): route/default).
    function _setVerifier(IConcordVerifier verifier) internal virtual {
        _verifier = verifier;
        emit ConcordReceiverVerifierSet(address(verifier));
    }
}
