// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConcordAdapter} from "../../interfaces/IConcordAdapter.sol";
import {IWormholeCore} from "./IWormholeCore.sol";

/// @title IWormholeAdapter
/// @notice A Concord adapter over Wormhole's core bridge (see {IConcordAdapter}): sends by publishing the envelope
/// through the local core bridge (paying its `messageFee`); receives through `receiveMessage(encodedVm)`, callable by
/// anyone (a relayer), which accepts a VAA only if the core bridge verified it (`parseAndVerifyVM`: a quorum of the
/// guardian set signed its body) and its emitter is the adapter enrolled for the Concord domain its emitter chain maps
/// to. Relaying is off-chain: Wormhole core has no destination gas, the recipient's gas limit travels in the envelope.
/// @dev Concord domains (EVM chain ids) and Wormhole chain ids are mapped one to one, both ways, by the authority; the
/// source domain of a delivery is derived only from the VAA's emitter chain, which the guardians signed. A Wormhole
/// message has no destination (every chain's guardians sign it, anyone may relay it anywhere), so the published payload
/// names it: `destination (uint32, the Concord domain) | destinationAdapter (address) | envelope`, 24 bytes before the
/// envelope, and an adapter accepts only a payload naming its own domain and itself.
interface IWormholeAdapter is IConcordAdapter {
    /// @notice The Concord domain `domain` is carried over the Wormhole chain `wormholeChain` (0: no longer carried);
    /// the previous Wormhole chain of `domain`, if any, no longer maps to it.
    event WormholeChainSet(uint32 indexed domain, uint16 indexed wormholeChain);

    /// @notice Thrown when the constructor's core bridge is not a contract.
    error WormholeAdapterInvalidCore(address core);

    /// @notice Thrown when the core bridge refuses the VAA (bad or too few signatures, unknown or expired guardian
    /// set, malformed); `reason` is the core bridge's.
    error WormholeAdapterInvalidVaa(string reason);

    /// @notice Thrown when a VAA's payload is shorter than the destination header (24 bytes).
    error WormholeAdapterMalformedPayload(uint256 length);

    /// @notice Thrown when a VAA's payload names another destination domain or adapter than this one (a message for
    /// another chain, or for another adapter on this chain, relayed here).
    error WormholeAdapterWrongDestination(uint32 destination, address destinationAdapter);

    /// @notice Thrown when a VAA's emitter is not a left-padded EVM address.
    error WormholeAdapterNonEvmEmitter(bytes32 emitter);

    /// @notice Thrown when sending to a Concord domain that has no Wormhole chain here.
    error WormholeAdapterUnknownDomain(uint32 domain);

    /// @notice Thrown when a VAA comes from a Wormhole chain that does not carry the Concord domain its envelope states
    /// (unmapped, or mapped to another Concord domain).
    error WormholeAdapterUnknownWormholeChain(uint16 wormholeChain);

    /// @notice Thrown when mapping the zero or the local Concord domain, or mapping onto the core bridge's own chain.
    error WormholeAdapterInvalidChainMapping(uint32 domain, uint16 wormholeChain);

    /// @notice Thrown when `wormholeChain` already carries another Concord domain (unmap that one first).
    error WormholeAdapterWormholeChainTaken(uint16 wormholeChain, uint32 domain);

    /// @notice Wormhole's delivery entry point for this adapter: verifies `encodedVm` with the core bridge, maps its
    /// emitter chain to a Concord domain and its emitter to an EVM address, checks that the payload names this domain
    /// and this adapter as its destination, then delivers the envelope (the rest of the payload) through the shared
    /// base, which refuses any emitter but the adapter enrolled for that domain and any envelope already delivered
    /// (the consumed-VAA record). Anyone may call it.
    /// @param encodedVm A VAA (version 1) as the guardians signed it.
    function receiveMessage(bytes calldata encodedVm) external;

    /// @notice Maps the Concord domain `domain` onto the Wormhole chain `wormholeChain` both ways (0: unmaps it).
    /// Restricted.
    function setWormholeChain(uint32 domain, uint16 wormholeChain) external;

    /// @notice The local core bridge (immutable).
    function wormhole() external view returns (IWormholeCore);

    /// @notice The core bridge's own Wormhole chain id.
    function wormholeLocalChain() external view returns (uint16);

    /// @notice The consistency level every message is published with (immutable; the guardians wait for it before
    /// signing).
    function consistencyLevel() external view returns (uint8);

    /// @notice The Wormhole chain of the Concord domain `domain` (0: none).
    function wormholeChainOf(uint32 domain) external view returns (uint16);

    /// @notice The Concord domain of the Wormhole chain `wormholeChain` (0: none).
    function domainOfWormholeChain(uint16 wormholeChain) external view returns (uint32);
}
