// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAxelarGasService} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGasService.sol";
import {IAxelarGateway} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGateway.sol";

import {IConcordAdapter} from "../../interfaces/IConcordAdapter.sol";

/// @title IAxelarAdapter
/// @notice A Concord adapter over Axelar GMP (see {IConcordAdapter}): sends through the local Axelar gateway
/// (`callContract`) after paying the local `AxelarGasService` (`payNativeGasForContractCall`); receives through
/// `execute` (AxelarExecutable's entry point), which accepts a message only once the gateway's `validateContractCall`
/// confirmed that Axelar's signers approved exactly (commandId, sourceChain, sourceAddress, payload hash) for this
/// adapter, consuming the approval.
/// @dev Concord domains (EVM chain ids) and Axelar chain names are mapped one to one, both ways, by the authority; each
/// domain's route keeps its chain's tag (the low 64 bits of keccak256 of the name; unique among mapped chains). The
/// source domain of a delivery is the envelope's stated origin only when that domain's tag is the tag of the Axelar
/// `sourceChain` the gateway authenticated; the source adapter is derived only from the `sourceAddress`.
interface IAxelarAdapter is IConcordAdapter {
    /// @notice The Concord domain `domain` is carried over the Axelar chain `axelarChain` (empty: no longer carried);
    /// the previous chain name of `domain`, if any, no longer maps to it.
    event AxelarChainSet(uint32 indexed domain, string axelarChain);

    /// @notice Thrown when the constructor's gateway is not a contract.
    error AxelarAdapterInvalidGateway(address gateway);

    /// @notice Thrown when the constructor's gas service is not a contract.
    error AxelarAdapterInvalidGasService(address gasService);

    /// @notice Thrown when an Axelar chain name is empty or longer than 31 bytes (constructor), or longer than 31
    /// bytes (`setAxelarChain`).
    error AxelarAdapterInvalidChainName(string axelarChain);

    /// @notice Thrown when mapping the zero or the local Concord domain, or mapping onto this chain's own Axelar name.
    error AxelarAdapterInvalidDomainMapping(uint32 domain, string axelarChain);

    /// @notice Thrown when `axelarChain` already carries another Concord domain (unmap that one first).
    error AxelarAdapterChainTaken(string axelarChain, uint32 domain);

    /// @notice Thrown when sending to a Concord domain that has no Axelar chain here.
    error AxelarAdapterUnknownDomain(uint32 domain);

    /// @notice Thrown when a message's Axelar source chain is not the chain mapped to the Concord domain its envelope
    /// states as origin (the chain maps to no domain here, or the stated origin is another chain's).
    error AxelarAdapterUnknownAxelarChain(string sourceChain);

    /// @notice Thrown when a message's Axelar source address is not an EVM address (`0x` and 40 hex digits).
    error AxelarAdapterInvalidSourceAddress(string sourceAddress);

    /// @notice Thrown when the gateway does not confirm (commandId, sourceChain, sourceAddress, payload hash) as
    /// approved for this adapter: never approved, already executed, or any of them altered.
    error AxelarAdapterNotApprovedByGateway(bytes32 commandId);

    /// @notice Axelar's delivery entry point (AxelarExecutable's `execute`, called by any relayer): accepts the
    /// envelope's stated origin only if its route's chain tag is the Axelar `sourceChain`'s, maps the `sourceAddress`
    /// to an EVM address, has the gateway validate (and consume) the approval, then delivers the envelope (`payload`)
    /// through the shared base, which refuses any source but the adapter enrolled for that domain and any envelope
    /// already delivered.
    /// @param commandId Axelar's command id of the approved message.
    /// @param sourceChain The Axelar name of the source chain (authenticated by the gateway).
    /// @param sourceAddress The source contract, as Axelar carries it (`0x` + 40 hex digits, any case).
    /// @param payload The envelope.
    function execute(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        bytes calldata payload
    ) external;

    /// @notice Maps the Concord domain `domain` onto the Axelar chain `axelarChain` both ways (empty: unmaps it).
    /// Restricted.
    function setAxelarChain(uint32 domain, string calldata axelarChain) external;

    /// @notice The local Axelar gateway (immutable).
    function gateway() external view returns (IAxelarGateway);

    /// @notice The local Axelar gas service (immutable).
    function gasService() external view returns (IAxelarGasService);

    /// @notice This chain's own Axelar name (never mapped to a remote domain).
    function axelarLocalChain() external view returns (string memory);

    /// @notice The Axelar chain name of the Concord domain `domain` (empty: none).
    function axelarChainOf(uint32 domain) external view returns (string memory);

    /// @notice The Concord domain of the Axelar chain `axelarChain` (0: none).
    function domainOfAxelarChain(string calldata axelarChain) external view returns (uint32);

    /// @notice The execution gas limit paid for at the gas service (`estimateGasFee`'s `executionGasLimit`) for a
    /// recipient gas limit `gasLimit` and an envelope of `envelopeLength` bytes: the whole `execute` transaction.
    function destinationGas(uint32 gasLimit, uint256 envelopeLength) external pure returns (uint256);

    /// @notice The Axelar destination address of `account` as this adapter sends it (`0x` + 40 lowercase hex digits).
    function axelarAddressOf(address account) external pure returns (string memory);
}
