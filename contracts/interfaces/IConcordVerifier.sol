// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IConcordVerifier
/// @notice A verification module (ISM) that the gateway asks before delivering a message.
/// ABI-compatible with Hyperlane's `IInterchainSecurityModule`: same selectors, same `moduleType`
/// numbering for the types Hyperlane defines, so each side's modules plug into the other.
interface IConcordVerifier {
    /// @notice Module types. 0..12 mirror Hyperlane's `IInterchainSecurityModule.Types`;
    /// Concord's own families start at 64.
    enum ModuleType {
        UNUSED,
        ROUTING,
        AGGREGATION,
        LEGACY_MULTISIG,
        MERKLE_ROOT_MULTISIG,
        MESSAGE_ID_MULTISIG,
        NULL,
        CCIP_READ,
        ARB_L2_TO_L1,
        WEIGHTED_MERKLE_ROOT_MULTISIG,
        WEIGHTED_MESSAGE_ID_MULTISIG,
        OP_L2_TO_L1,
        POLYMER
    }

    /// @notice The kind of metadata this module expects (a `ModuleType` value or a Concord type >= 64).
    function moduleType() external view returns (uint8);

    /// @notice Returns true when `metadata` proves `message`; reverts or returns false otherwise.
    /// @param metadata Relayer-supplied proof (signatures, Merkle proofs, ...).
    /// @param message The packed message (see `Message`).
    function verify(bytes calldata metadata, bytes calldata message) external returns (bool);
}

/// @title ISpecifiesVerifier
/// @notice Optional recipient hook naming the verifier the gateway must use for it. Same selector
/// as Hyperlane's `ISpecifiesInterchainSecurityModule.interchainSecurityModule()`.
interface ISpecifiesVerifier {
    /// @notice The verifier for messages to this recipient; address(0) means "use the route default".
    function interchainSecurityModule() external view returns (IConcordVerifier);
}
