// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IWormholeCore
/// @notice The part of Wormhole's core bridge (`Implementation` behind the `Wormhole` proxy) that the Concord adapter
/// calls: publishing a message, its fee, verifying a VAA, and the bridge's own chain id. Written from the core bridge's
/// ABI (the same functions and `VM` layout as `IWormhole` of the official Wormhole Solidity SDK 1.1.0).
interface IWormholeCore {
    /// @notice A guardian's signature in a VAA.
    struct Signature {
        bytes32 r;
        bytes32 s;
        uint8 v;
        uint8 guardianIndex;
    }

    /// @notice A parsed VAA (version 1): the signed body's fields, the guardian set that signed and the body's hash.
    struct VM {
        uint8 version;
        uint32 timestamp;
        uint32 nonce;
        uint16 emitterChainId;
        bytes32 emitterAddress;
        uint64 sequence;
        uint8 consistencyLevel;
        bytes payload;
        uint32 guardianSetIndex;
        Signature[] signatures;
        bytes32 hash;
    }

    /// @notice Emitted by the core bridge for every published message; the guardians observe it.
    event LogMessagePublished(
        address indexed sender, uint64 sequence, uint32 nonce, bytes payload, uint8 consistencyLevel
    );

    /// @notice Publishes `payload` from `msg.sender` (the emitter), paying exactly `messageFee()`; returns the
    /// emitter's sequence number of the message.
    function publishMessage(uint32 nonce, bytes memory payload, uint8 consistencyLevel)
        external
        payable
        returns (uint64 sequence);

    /// @notice Parses `encodedVM` and verifies its signatures against the guardian set it names (current, or not yet
    /// expired); `valid` false with a `reason` when they do not hold.
    function parseAndVerifyVM(bytes calldata encodedVM)
        external
        view
        returns (VM memory vm, bool valid, string memory reason);

    /// @notice The fee `publishMessage` requires (exactly).
    function messageFee() external view returns (uint256);

    /// @notice This core bridge's Wormhole chain id.
    function chainId() external view returns (uint16);

    /// @notice The sequence number `emitter`'s next message will get.
    function nextSequence(address emitter) external view returns (uint64);
}
