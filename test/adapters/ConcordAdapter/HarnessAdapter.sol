// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ConcordAdapter} from "../../../contracts/adapters/ConcordAdapter.sol";

/// @notice TEST ONLY: the wire between harness adapters. It stands in for "a protocol" so that the base's own
/// behaviour (envelope, fees, sponsor, delivery, FAILED, retry, replay) is tested on its own; every real protocol
/// adapter is tested against that protocol's real contracts (test/adapters/<Protocol>Adapter/).
/// @dev Records every envelope sent (with its source) and charges `baseFee + perByte * envelope length`. Delivery is
/// by the test (or a handler): `deliver` is the "protocol-authenticated" path into the destination adapter.
contract HarnessWire {
    struct Packet {
        uint32 origin;
        address originAdapter;
        uint32 destination;
        address destinationAdapter;
        bytes envelope;
        uint32 gasLimit;
        uint256 fee;
    }

    uint256 public immutable baseFee;
    uint256 public immutable perByte;
    Packet[] internal _packets;
    uint256 public collected;

    error HarnessWireWrongFee(uint256 expected, uint256 received);

    constructor(uint256 baseFee_, uint256 perByte_) {
        baseFee = baseFee_;
        perByte = perByte_;
    }

    function feeFor(bytes memory envelope) public view returns (uint256) {
        return baseFee + perByte * envelope.length;
    }

    /// @dev Called by a harness adapter with exactly the fee.
    function send(uint32 origin, uint32 destination, address destinationAdapter, bytes calldata envelope, uint32 gas)
        external
        payable
        returns (uint256 index)
    {
        uint256 fee = feeFor(envelope);
        if (msg.value != fee) revert HarnessWireWrongFee(fee, msg.value);
        collected += msg.value;
        _packets.push(Packet(origin, msg.sender, destination, destinationAdapter, envelope, gas, msg.value));
        return _packets.length - 1;
    }

    /// @dev "The protocol authenticated it": hands packet `index` to its destination adapter.
    function deliver(uint256 index) external {
        Packet storage p = _packets[index];
        HarnessAdapter(payable(p.destinationAdapter)).receiveFromWire(p.origin, p.originAdapter, p.envelope);
    }

    /// @dev A packet the wire did not carry (a forged source the protocol would have authenticated as such).
    function deliverForged(address destinationAdapter, uint32 origin, address originAdapter, bytes calldata envelope)
        external
    {
        HarnessAdapter(payable(destinationAdapter)).receiveFromWire(origin, originAdapter, envelope);
    }

    function packet(uint256 index) external view returns (Packet memory) {
        return _packets[index];
    }

    function count() external view returns (uint256) {
        return _packets.length;
    }
}

/// @notice TEST ONLY: a `ConcordAdapter` over the `HarnessWire`.
contract HarnessAdapter is ConcordAdapter {
    HarnessWire public immutable wire;

    error HarnessAdapterNotWire(address caller);

    constructor(HarnessWire wire_, uint32 localDomain_, address authority_, uint32 defaultGasLimit_)
        ConcordAdapter(localDomain_, authority_, defaultGasLimit_)
    {
        wire = wire_;
    }

    /// @dev The protocol's receive entry point: only the wire (which "authenticated" origin and origin adapter).
    function receiveFromWire(uint32 origin, address originAdapter, bytes calldata envelope) external {
        if (msg.sender != address(wire)) revert HarnessAdapterNotWire(msg.sender);
        _receive(origin, originAdapter, envelope);
    }

    function _quote(uint32, address, bytes memory envelope, uint32) internal view override returns (uint256) {
        return wire.feeFor(envelope);
    }

    function _send(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit, uint256 fee)
        internal
        override
        returns (bytes32)
    {
        return bytes32(wire.send{value: fee}(_LOCAL_DOMAIN, destination, remoteAdapter, envelope, gasLimit));
    }
}
