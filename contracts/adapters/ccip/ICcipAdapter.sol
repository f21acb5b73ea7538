// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IRouterClient} from "@chainlink/contracts-ccip/contracts/interfaces/IRouterClient.sol";

import {IConcordAdapter} from "../../interfaces/IConcordAdapter.sol";

/// @title ICcipAdapter
/// @notice A Concord adapter over Chainlink CCIP (see {IConcordAdapter}): sends through the local CCIP `Router`
/// (`ccipSend`, fee in native, `GenericExtraArgsV2` gas limit), receives through `ccipReceive` from that Router only,
/// which calls it for a message the CCIP OffRamp registered for the message's source chain selector executes.
/// @dev Concord domains (EVM chain ids) and CCIP chain selectors are mapped one to one, both ways, by the authority;
/// the source domain of a delivery is derived only from the `sourceChainSelector` the Router hands over.
interface ICcipAdapter is IConcordAdapter {
    /// @notice The Concord domain `domain` is carried over the CCIP chain selector `chainSelector` (0: no longer
    /// carried); the previous selector of `domain`, if any, no longer maps to it.
    event ChainSelectorSet(uint32 indexed domain, uint64 indexed chainSelector);

    /// @notice Thrown when the constructor's Router is not a contract or its local chain selector is zero.
    error CcipAdapterInvalidRouter(address router, uint64 localChainSelector);

    /// @notice Thrown when `ccipReceive` is called by anyone but the Router.
    error CcipAdapterNotRouter(address caller);

    /// @notice Thrown when sending to a Concord domain that has no CCIP chain selector here.
    error CcipAdapterUnknownDomain(uint32 domain);

    /// @notice Thrown when a message arrives from a chain selector that maps to no Concord domain here.
    error CcipAdapterUnknownChainSelector(uint64 chainSelector);

    /// @notice Thrown when a message's CCIP sender is not an ABI-encoded EVM address (32 bytes, upper 12 zero).
    error CcipAdapterNonEvmSender(bytes sender);

    /// @notice Thrown when a message carries tokens (the adapter sends none and accepts none).
    error CcipAdapterTokensNotAccepted(uint256 count);

    /// @notice Thrown when mapping the zero or the local Concord domain, or mapping onto the local chain selector.
    error CcipAdapterInvalidDomainMapping(uint32 domain, uint64 chainSelector);

    /// @notice Thrown when `chainSelector` already carries another Concord domain (unmap that one first).
    error CcipAdapterChainSelectorTaken(uint64 chainSelector, uint32 domain);

    /// @notice Maps the Concord domain `domain` onto the CCIP chain selector `chainSelector` both ways (0: unmaps it).
    /// Restricted.
    function setChainSelector(uint32 domain, uint64 chainSelector) external;

    /// @notice The local CCIP Router (immutable).
    function router() external view returns (IRouterClient);

    /// @notice This chain's own CCIP chain selector (immutable; never mapped to a remote domain).
    function localChainSelector() external view returns (uint64);

    /// @notice The CCIP chain selector of the Concord domain `domain` (0: none).
    function chainSelectorOf(uint32 domain) external view returns (uint64);

    /// @notice The Concord domain of the CCIP chain selector `chainSelector` (0: none).
    function domainOfChainSelector(uint64 chainSelector) external view returns (uint32);

    /// @notice The destination gas limit put in the CCIP extra args (what the Router gives `ccipReceive`) for a
    /// recipient gas limit `gasLimit` and an envelope of `envelopeLength` bytes.
    function destinationGas(uint32 gasLimit, uint256 envelopeLength) external pure returns (uint256);
}
