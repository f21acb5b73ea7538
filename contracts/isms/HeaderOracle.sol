// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IHeaderOracle} from "../interfaces/IHeaderOracle.sol";
import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {BlockHeader} from "@openzeppelin/contracts/utils/BlockHeader.sol";
import {Memory} from "@openzeppelin/contracts/utils/Memory.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title HeaderOracle
/// @notice Minimal registry of accepted source-chain headers for {StateProofVerifier}.
///
/// Trust assumption (read this before configuring a route): the oracle proves nothing about a remote
/// chain. A remote block hash is accepted only because the AccessManager authority says so, through
/// whichever role is granted {acceptBlockHash}: e.g. a contract that checks a validator quorum's
/// signatures over finalized headers, a light client, or a committee multisig. The state-proof
/// verifier is therefore exactly as safe as that role, plus the authority's promise to attest only
/// finalized blocks (a reorged-out block hash must be revoked, which {revokeBlockHash} makes effective
/// for every state root recorded from it). For the local chain (`origin == block.chainid`) no trust is
/// needed: a header whose hash `blockhash` (or EIP-2935 history) returns is accepted by anyone.
///
/// The RLP header is parsed with OpenZeppelin's `BlockHeader`; only its hash, number and state root are
/// used, so any post-London header layout works.
contract HeaderOracle is IHeaderOracle, AccessManaged {
    /// @dev What a state root was recorded from.
    struct StateRootRecord {
        bytes32 blockHash;
        uint64 blockNumber;
    }

    mapping(uint32 origin => mapping(bytes32 blockHash => bool accepted)) internal _acceptedBlockHashes;
    mapping(uint32 origin => mapping(bytes32 stateRoot => StateRootRecord record)) internal _stateRoots;

    /// @param initialAuthority The AccessManager that gates {acceptBlockHash} and {revokeBlockHash}.
    constructor(address initialAuthority) AccessManaged(initialAuthority) {}

    /// @inheritdoc IHeaderOracle
    function acceptBlockHash(uint32 origin, bytes32 blockHash) external restricted {
        if (blockHash == bytes32(0)) revert HeaderOracleZeroBlockHash();
        _acceptedBlockHashes[origin][blockHash] = true;
        emit BlockHashAccepted(origin, blockHash);
    }

    /// @inheritdoc IHeaderOracle
    function revokeBlockHash(uint32 origin, bytes32 blockHash) external restricted {
        if (blockHash == bytes32(0)) revert HeaderOracleZeroBlockHash();
        _acceptedBlockHashes[origin][blockHash] = false;
        emit BlockHashRevoked(origin, blockHash);
    }

    /// @inheritdoc IHeaderOracle
    function submitHeader(uint32 origin, bytes calldata header) external returns (bytes32 stateRoot) {
        bytes memory headerRlp = header;
        bytes32 blockHash = keccak256(headerRlp);
        Memory.Slice[] memory fields = BlockHeader.parseHeader(headerRlp);
        if (!_acceptedBlockHashes[origin][blockHash]) {
            // Local chain: `blockhash` is the trust anchor, nobody needs to attest the header.
            if (origin != block.chainid || !BlockHeader.verifyBlockHeader(fields, blockHash)) {
                revert HeaderOracleUnknownHeader(origin, blockHash);
            }
            _acceptedBlockHashes[origin][blockHash] = true;
            emit BlockHashAccepted(origin, blockHash);
        }
        stateRoot = BlockHeader.getStateRoot(fields);
        uint64 blockNumber = SafeCast.toUint64(BlockHeader.getNumber(fields));
        _stateRoots[origin][stateRoot] = StateRootRecord(blockHash, blockNumber);
        emit HeaderSubmitted(origin, blockHash, blockNumber, stateRoot);
    }

    /// @inheritdoc IHeaderOracle
    function isBlockHashAccepted(uint32 origin, bytes32 blockHash) external view returns (bool) {
        return _acceptedBlockHashes[origin][blockHash];
    }

    /// @inheritdoc IHeaderOracle
    function isStateRootAccepted(uint32 origin, bytes32 stateRoot) external view returns (bool) {
        bytes32 blockHash = _stateRoots[origin][stateRoot].blockHash;
        return blockHash != bytes32(0) && _acceptedBlockHashes[origin][blockHash];
    }

    /// @inheritdoc IHeaderOracle
    function stateRootSource(uint32 origin, bytes32 stateRoot)
        external
        view
        returns (bytes32 blockHash, uint64 blockNumber)
    {
        StateRootRecord storage record = _stateRoots[origin][stateRoot];
        return (record.blockHash, record.blockNumber);
    }
}
