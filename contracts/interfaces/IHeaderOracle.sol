// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IHeaderOracle
/// @notice Registry of source-chain block headers (and so state roots) that a state-proof verifier may
/// trust. A block hash becomes accepted either through the authority (a role that attests finalized
/// headers of a remote chain: a validator bridge, a light client, a multisig) or, for the local chain
/// only, through `blockhash`. Anyone can then submit the header whose keccak256 is that hash; its
/// state root is recorded. The oracle decides nothing itself: its trust is exactly the authority's.
interface IHeaderOracle {
    /// @notice Emitted when the authority accepts `blockHash` as a final header of `origin`
    /// (or a local header is proven through `blockhash`).
    event BlockHashAccepted(uint32 indexed origin, bytes32 indexed blockHash);
    /// @notice Emitted when the authority revokes `blockHash` (e.g. after a reorg): its state root is no
    /// longer accepted.
    event BlockHashRevoked(uint32 indexed origin, bytes32 indexed blockHash);
    /// @notice Emitted when a header of an accepted block hash is submitted and its state root recorded.
    event HeaderSubmitted(uint32 indexed origin, bytes32 indexed blockHash, uint256 number, bytes32 stateRoot);

    /// @notice Thrown when accepting or revoking the zero block hash.
    error HeaderOracleZeroBlockHash();
    /// @notice Thrown when a submitted header hashes to a block hash that is not accepted for `origin`.
    error HeaderOracleUnknownHeader(uint32 origin, bytes32 blockHash);

    /// @notice Accepts `blockHash` as a final block of `origin` (authority only).
    function acceptBlockHash(uint32 origin, bytes32 blockHash) external;

    /// @notice Revokes `blockHash` for `origin` (authority only); state roots recorded from it stop being accepted.
    function revokeBlockHash(uint32 origin, bytes32 blockHash) external;

    /// @notice Records the state root of `header` (RLP-encoded) once its hash is accepted for `origin`.
    /// For `origin == block.chainid` a header within the `blockhash` range is accepted on the spot.
    /// @return stateRoot The header's state root.
    function submitHeader(uint32 origin, bytes calldata header) external returns (bytes32 stateRoot);

    /// @notice True when `blockHash` is accepted for `origin`.
    function isBlockHashAccepted(uint32 origin, bytes32 blockHash) external view returns (bool);

    /// @notice True when `stateRoot` was recorded from a header of `origin` whose block hash is still accepted.
    function isStateRootAccepted(uint32 origin, bytes32 stateRoot) external view returns (bool);

    /// @notice The block (hash and number) `stateRoot` was recorded from (zero when never recorded).
    function stateRootSource(uint32 origin, bytes32 stateRoot)
        external
        view
        returns (bytes32 blockHash, uint64 blockNumber);
}
