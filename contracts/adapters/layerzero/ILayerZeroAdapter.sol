// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ILayerZeroEndpointV2} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {ILayerZeroReceiver} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroReceiver.sol";

import {IConcordAdapter} from "../../interfaces/IConcordAdapter.sol";

/// @title ILayerZeroAdapter
/// @notice A Concord adapter over LayerZero V2 (see {IConcordAdapter}): sends through the local `EndpointV2` (paying
/// its send library: the ULN's DVNs and executor, in the standard deployment), receives through `lzReceive` from that
/// endpoint only, after the receive library this adapter's path uses verified the packet.
/// @dev Concord domains (EVM chain ids) and LayerZero endpoint ids (eids) are mapped one to one, both ways, by the
/// authority; the source domain of a delivery is derived only from the `srcEid` the endpoint hands over. The remote
/// adapter of a domain (`remote`) is its LayerZero peer: `allowInitializePath` admits only it, `nextNonce` is 0
/// (the endpoint's unordered delivery).
interface ILayerZeroAdapter is IConcordAdapter, ILayerZeroReceiver {
    /// @notice The Concord domain `domain` is carried over the LayerZero endpoint id `eid` (0: no longer carried); the
    /// previous eid of `domain`, if any, no longer maps to it.
    event LayerZeroEidSet(uint32 indexed domain, uint32 indexed eid);

    /// @notice The account the endpoint lets configure this adapter's LayerZero path (send and receive libraries,
    /// DVNs, executor) changed.
    event LayerZeroDelegateSet(address indexed delegate);

    /// @notice Thrown when the constructor's endpoint is not a contract.
    error LayerZeroAdapterInvalidEndpoint(address endpoint);

    /// @notice Thrown when `lzReceive` is called by anyone but the endpoint.
    error LayerZeroAdapterNotEndpoint(address caller);

    /// @notice Thrown when `lzReceive` comes with value (the executor's lzReceive value; the adapter takes none).
    error LayerZeroAdapterValueNotAccepted(uint256 value);

    /// @notice Thrown when sending to a Concord domain that has no LayerZero eid here.
    error LayerZeroAdapterUnknownDomain(uint32 domain);

    /// @notice Thrown when a packet arrives from an eid that maps to no Concord domain here.
    error LayerZeroAdapterUnknownEid(uint32 eid);

    /// @notice Thrown when a packet's LayerZero sender is not a left-padded EVM address.
    error LayerZeroAdapterNonEvmSender(bytes32 sender);

    /// @notice Thrown when mapping the zero or the local Concord domain, or mapping onto the endpoint's own eid.
    error LayerZeroAdapterInvalidEidMapping(uint32 domain, uint32 eid);

    /// @notice Thrown when `eid` already carries another Concord domain (unmap that one first).
    error LayerZeroAdapterEidTaken(uint32 eid, uint32 domain);

    /// @notice Maps the Concord domain `domain` onto the LayerZero eid `eid` both ways (0: unmaps it). Restricted.
    function setLayerZeroEid(uint32 domain, uint32 eid) external;

    /// @notice Names the account the endpoint lets configure this adapter's path (`EndpointV2.setDelegate`; the
    /// AccessManager itself is the natural choice: it then configures through `execute`). Restricted.
    function setDelegate(address delegate) external;

    /// @notice The local LayerZero EndpointV2 (immutable).
    function endpoint() external view returns (ILayerZeroEndpointV2);

    /// @notice The endpoint's own eid.
    function layerZeroLocalEid() external view returns (uint32);

    /// @notice The LayerZero eid of the Concord domain `domain` (0: none).
    function eidOf(uint32 domain) external view returns (uint32);

    /// @notice The Concord domain of the LayerZero eid `eid` (0: none).
    function domainOfEid(uint32 eid) external view returns (uint32);

    /// @notice The gas of the executor's lzReceive option (what the executor hands `EndpointV2.lzReceive`) for a
    /// recipient gas limit `gasLimit` and an envelope of `envelopeLength` bytes.
    function receiveGas(uint32 gasLimit, uint256 envelopeLength) external pure returns (uint256);

    /// @notice The LayerZero options (type 3, one executor lzReceive option of `receiveGas(...)`, no value) of a
    /// message with recipient gas limit `gasLimit` and an envelope of `envelopeLength` bytes.
    function optionsOf(uint32 gasLimit, uint256 envelopeLength) external pure returns (bytes memory);
}
