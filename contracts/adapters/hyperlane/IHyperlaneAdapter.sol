// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IInterchainSecurityModule} from "@hyperlane-xyz/core/contracts/interfaces/IInterchainSecurityModule.sol";
import {IMailbox} from "@hyperlane-xyz/core/contracts/interfaces/IMailbox.sol";

import {IConcordAdapter} from "../../interfaces/IConcordAdapter.sol";

/// @title IHyperlaneAdapter
/// @notice A Concord adapter over Hyperlane (see {IConcordAdapter}): sends through the local `Mailbox` (paying its
/// hooks: MerkleTreeHook + InterchainGasPaymaster in the standard deployment), receives through `handle` from that
/// Mailbox only, after the ISM this adapter names (`interchainSecurityModule`) verified the message.
/// @dev Concord domains (EVM chain ids) and Hyperlane domain ids are mapped one to one, both ways, by the authority;
/// the source domain of a delivery is derived only from the Hyperlane origin the Mailbox hands over.
interface IHyperlaneAdapter is IConcordAdapter {
    /// @notice The Concord domain `domain` is carried over the Hyperlane domain `hyperlaneDomain` (0: no longer
    /// carried); the previous Hyperlane domain of `domain`, if any, no longer maps to it.
    event HyperlaneDomainSet(uint32 indexed domain, uint32 indexed hyperlaneDomain);

    /// @notice The ISM the Mailbox asks to verify messages to this adapter changed (address(0): the Mailbox's
    /// default ISM).
    event InterchainSecurityModuleSet(address indexed ism);

    /// @notice Thrown when the constructor's Mailbox is not a contract.
    error HyperlaneAdapterInvalidMailbox(address mailbox);

    /// @notice Thrown when `handle` is called by anyone but the Mailbox.
    error HyperlaneAdapterNotMailbox(address caller);

    /// @notice Thrown when `handle` comes with value (the relayer's `process` value; the adapter takes none).
    error HyperlaneAdapterValueNotAccepted(uint256 value);

    /// @notice Thrown when sending to a Concord domain that has no Hyperlane domain here.
    error HyperlaneAdapterUnknownDomain(uint32 domain);

    /// @notice Thrown when a message arrives from a Hyperlane domain that does not carry the Concord domain its
    /// envelope states (unmapped, or mapped to another Concord domain).
    error HyperlaneAdapterUnknownHyperlaneDomain(uint32 hyperlaneDomain);

    /// @notice Thrown when a message's Hyperlane sender is not a left-padded EVM address.
    error HyperlaneAdapterNonEvmSender(bytes32 sender);

    /// @notice Thrown when mapping the zero or the local Concord domain, or mapping onto the Mailbox's own Hyperlane
    /// domain.
    error HyperlaneAdapterInvalidDomainMapping(uint32 domain, uint32 hyperlaneDomain);

    /// @notice Thrown when `hyperlaneDomain` already carries another Concord domain (unmap that one first).
    error HyperlaneAdapterHyperlaneDomainTaken(uint32 hyperlaneDomain, uint32 domain);

    /// @notice Thrown when the ISM set is neither address(0) nor a contract.
    error HyperlaneAdapterInvalidIsm(address ism);

    /// @notice Maps the Concord domain `domain` onto the Hyperlane domain `hyperlaneDomain` both ways (0: unmaps it).
    /// Restricted.
    function setHyperlaneDomain(uint32 domain, uint32 hyperlaneDomain) external;

    /// @notice Names the ISM that verifies messages to this adapter (address(0): the Mailbox's default ISM).
    /// Restricted.
    function setInterchainSecurityModule(address ism) external;

    /// @notice The local Hyperlane Mailbox (immutable).
    function mailbox() external view returns (IMailbox);

    /// @notice The Mailbox's own Hyperlane domain.
    function hyperlaneLocalDomain() external view returns (uint32);

    /// @notice The Hyperlane domain of the Concord domain `domain` (0: none).
    function hyperlaneDomainOf(uint32 domain) external view returns (uint32);

    /// @notice The Concord domain of the Hyperlane domain `hyperlaneDomain` (0: none).
    function domainOfHyperlane(uint32 hyperlaneDomain) external view returns (uint32);

    /// @notice The destination gas paid for (StandardHookMetadata gas limit, before the IGP's own overhead) for a
    /// recipient gas limit `gasLimit` and an envelope of `envelopeLength` bytes.
    function destinationGas(uint32 gasLimit, uint256 envelopeLength) external pure returns (uint256);

    /// @notice The ISM the Mailbox uses for this adapter (Hyperlane's `ISpecifiesInterchainSecurityModule`).
    function interchainSecurityModule() external view returns (IInterchainSecurityModule);
}
