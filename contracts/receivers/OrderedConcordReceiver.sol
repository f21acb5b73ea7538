// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {ConcordReceiver} from "./ConcordReceiver.sol";

/// @title OrderedConcordReceiver
/// @notice `ConcordReceiver` with in-order delivery per lane, where a lane is (origin chain, trusted sender).
/// @dev Payload format: `sequence (uint64, 8 bytes big-endian) || data`. The sending application numbers its
/// messages per lane from 0 without gaps (see `encodeOrdered`). Exact semantics:
/// 1. A message whose sequence equals the lane's `nextSequence` is CONSUMED: `nextSequence` increments, then
///    `_receiveOrdered` runs in a self-call with all but `QUARANTINE_GAS_RESERVE` of the remaining gas.
///    - It returns: the message is executed (`OrderedMessageExecuted`).
///    - It reverts (including out of gas): its effects are rolled back, the message is QUARANTINED (hash of
///      (receiveId, data) recorded, `OrderedMessageQuarantined`) and the lane moves on, so one failing message
///      never blocks later ones. Either way the gateway sees success (the message is EXECUTED there).
///    Anyone can later run a quarantined message with `retryQuarantined` (out of order, at most once).
/// 2. A message AHEAD of `nextSequence` reverts `OrderedReceiverOutOfOrder`: the gateway records it FAILED and it
///    is retried (gateway `retry`, by anyone) once the earlier messages are consumed. Relayers should deliver in
///    order to avoid the extra retry.
/// 3. A message BEHIND `nextSequence` (a sequence the sender reused) reverts `OrderedReceiverStale`.
/// 4. Before consuming, at least `QUARANTINE_GAS_RESERVE` gas must remain, else the delivery reverts (FAILED at
///    the gateway, lane not consumed). A message whose gas limit can never cover the reserve would block its lane;
///    `_skipSequence` (internal, for the application's admin) is the escape hatch for that case only.
/// 5. While paused, every delivery reverts before touching the lane (FAILED at the gateway, retried after unpause).
abstract contract OrderedConcordReceiver is ConcordReceiver {
    /// @notice Gas kept back from the application call so a failure can always be quarantined.
    uint256 public constant QUARANTINE_GAS_RESERVE = 60_000;

    mapping(bytes32 lane => uint64) private _nextSequence;
    mapping(bytes32 laneSequence => bytes32 messageHash) private _quarantined;

    /// @notice Emitted when a message is consumed and executed.
    event OrderedMessageExecuted(
        uint32 indexed origin, address indexed sender, uint64 indexed sequence, bytes32 receiveId
    );

    /// @notice Emitted when a consumed message's execution failed and it was quarantined.
    event OrderedMessageQuarantined(
        uint32 indexed origin, address indexed sender, uint64 indexed sequence, bytes32 receiveId
    );

    /// @notice Emitted when a quarantined message was executed by `retryQuarantined`.
    event OrderedMessageRecovered(uint32 indexed origin, address indexed sender, uint64 indexed sequence);

    /// @notice Emitted when the admin skipped a sequence with `_skipSequence`.
    event OrderedSequenceSkipped(uint32 indexed origin, address indexed sender, uint64 indexed sequence);

    /// @notice Thrown when a payload is shorter than its 8-byte sequence.
    error OrderedReceiverMalformedPayload();

    /// @notice Thrown when a message arrives ahead of the lane's next sequence.
    error OrderedReceiverOutOfOrder(uint32 origin, address sender, uint64 expected, uint64 sequence);

    /// @notice Thrown when a message's sequence was already consumed.
    error OrderedReceiverStale(uint32 origin, address sender, uint64 expected, uint64 sequence);

    /// @notice Thrown when less than `QUARANTINE_GAS_RESERVE` gas is left before consuming a message.
    error OrderedReceiverInsufficientGas();

    /// @notice Thrown when `executeOrdered` is called by anyone but this contract.
    error OrderedReceiverOnlySelf();

    /// @notice Thrown when retrying a message that is not quarantined (or with other bytes).
    error OrderedReceiverNotQuarantined(uint32 origin, address sender, uint64 sequence);

    /// @notice Builds an ordered payload: `sequence || data`.
    function encodeOrdered(uint64 sequence, bytes memory data) public pure returns (bytes memory) {
        return abi.encodePacked(sequence, data);
    }

    /// @notice The next sequence the lane (origin, sender) will consume.
    function nextSequence(uint32 origin, address sender) public view returns (uint64) {
        return _nextSequence[_lane(origin, sender)];
    }

    /// @notice Whether (origin, sender, sequence) is quarantined.
    function isQuarantined(uint32 origin, address sender, uint64 sequence) public view returns (bool) {
        return _quarantined[_laneSequence(origin, sender, sequence)] != bytes32(0);
    }

    /// @notice Self-call target that runs the application logic, so its failure can be caught.
    function executeOrdered(uint32 origin, address sender, uint64 sequence, bytes32 receiveId, bytes calldata data)
        external
    {
        if (msg.sender != address(this)) revert OrderedReceiverOnlySelf();
        _receiveOrdered(origin, sender, sequence, receiveId, data);
    }

    /// @notice Runs a quarantined message (anyone; at most once; reverts keep it quarantined).
    function retryQuarantined(uint32 origin, address sender, uint64 sequence, bytes32 receiveId, bytes calldata data)
        external
        whenNotPaused
    {
        bytes32 key = _laneSequence(origin, sender, sequence);
        bytes32 recorded = _quarantined[key];
        if (recorded == bytes32(0) || recorded != keccak256(abi.encode(receiveId, data))) {
            revert OrderedReceiverNotQuarantined(origin, sender, sequence);
        }
        delete _quarantined[key];
        _receiveOrdered(origin, sender, sequence, receiveId, data);
        emit OrderedMessageRecovered(origin, sender, sequence);
    }

    /// @inheritdoc ConcordReceiver
    function _receive(uint32 origin, address sender, bytes32 receiveId, bytes calldata payload)
        internal
        virtual
        override
    {
        if (payload.length < 8) revert OrderedReceiverMalformedPayload();
        uint64 sequence = uint64(bytes8(payload[0:8]));
        bytes32 lane = _lane(origin, sender);
        uint64 expected = _nextSequence[lane];
        if (sequence > expected) revert OrderedReceiverOutOfOrder(origin, sender, expected, sequence);
        if (sequence < expected) revert OrderedReceiverStale(origin, sender, expected, sequence);
        if (gasleft() <= QUARANTINE_GAS_RESERVE) revert OrderedReceiverInsufficientGas();
        _nextSequence[lane] = expected + 1;
        bytes calldata data = payload[8:];
        // The application call gets all but the reserve; its revert data is not copied (bounded by design).
        try this.executeOrdered{gas: gasleft() - QUARANTINE_GAS_RESERVE}(origin, sender, sequence, receiveId, data) {
            emit OrderedMessageExecuted(origin, sender, sequence, receiveId);
        } catch {
            _quarantined[_laneSequence(origin, sender, sequence)] = keccak256(abi.encode(receiveId, data));
            emit OrderedMessageQuarantined(origin, sender, sequence, receiveId);
        }
    }

    /// @dev Application logic for the in-order message `sequence` of lane (origin, sender).
    function _receiveOrdered(uint32 origin, address sender, uint64 sequence, bytes32 receiveId, bytes calldata data)
        internal
        virtual;

    /// @dev Admin escape hatch: consumes the lane's next sequence without executing it (see rule 4).
    function _skipSequence(uint32 origin, address sender) internal virtual {
        bytes32 lane = _lane(origin, sender);
        uint64 skipped = _nextSequence[lane];
        _nextSequence[lane] = skipped + 1;
        emit OrderedSequenceSkipped(origin, sender, skipped);
    }

    function _lane(uint32 origin, address sender) private pure returns (bytes32) {
        return bytes32((uint256(origin) << 160) | uint256(uint160(sender)));
    }

    function _laneSequence(uint32 origin, address sender, uint64 sequence) private pure returns (bytes32) {
        return keccak256(abi.encode(origin, sender, sequence));
    }
}
