// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IConcordVerifier
/// @notice A verification module (ISM) that the gateway asks before delivering a message.
/// A superset of Hyperlane's `IInterchainSecurityModule` (same selectors, same `moduleType` numbering for the types
/// Hyperlane defines): every Concord verifier is a Hyperlane ISM. A Hyperlane ISM becomes a Concord verifier through
/// `BoundVerifier`, which adds the two Concord-only functions (the origin gateway it authenticates, retry policy).
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

    /// @notice The origin gateway whose messages this verifier authenticates for `origin`, left-padded to 32
    /// bytes; zero when it authenticates none. A verifier authenticates at most one origin gateway per origin.
    /// @dev The Concord gateway uses a verifier for an origin only when this equals the origin gateway enrolled for
    /// that origin (`ConcordGateway.setRoute` checks it for route verifiers, `process` for verifiers a recipient
    /// names): this is what makes (origin, origin gateway, nonce) name one message (docs/gateway.md, replay).
    function originGatewayFor(uint32 origin) external view returns (bytes32);

    /// @notice Asked by the gateway before it re-executes a FAILED `message` (`retry`), so that policies that hold
    /// at delivery time hold at retry time as well: a pause refuses, a rate limit consumes its budget again.
    /// @return True to allow the retry; false or a revert refuses it (the message stays FAILED).
    function authorizeRetry(bytes calldata message) external returns (bool);
}

/// @title ISpecifiesVerifier
/// @notice Optional recipient hook naming the verifier the gateway must use for it. Same selector
/// as Hyperlane's `ISpecifiesInterchainSecurityModule.interchainSecurityModule()`.
interface ISpecifiesVerifier {
    /// @notice The verifier for messages to this recipient; address(0) means "use the route default".
    function interchainSecurityModule() external view returns (IConcordVerifier);
}
