// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IFloorRecipient
/// @notice The call the floor receiver makes: the same shape as Hyperlane's `IMessageRecipient.handle`.
interface IFloorRecipient {
    /// @notice Handles one delivered message.
    function handle(uint32 origin, bytes32 sender, bytes calldata body) external payable;
}

/// @title FloorSender
/// @notice Physical floor of a dispatch: one nonce SSTORE and one event carrying the message. No fee, no hook, no id
/// hashing: nothing a real messaging system could do without.
contract FloorSender {
    /// @notice Emitted for every dispatched message.
    event FloorMessageDispatched(
        uint256 indexed nonce, address indexed sender, uint32 destination, bytes32 recipient, bytes body
    );

    /// @notice Nonce of the last dispatched message (0 before the first).
    uint256 public nonce;

    /// @notice Dispatches `body` to `recipient` on `destination`.
    function dispatch(uint32 destination, bytes32 recipient, bytes calldata body) external returns (uint256 n) {
        n = ++nonce;
        emit FloorMessageDispatched(n, msg.sender, destination, recipient, body);
    }
}

/// @title FloorReceiver
/// @notice Physical floor of a verified delivery: one hash of the message, k ecrecovers against an immutable signer set
/// (up to 10, selected by a bitmap, in increasing order), a bitmap replay guard (one bit per nonce), one call.
/// With threshold 0 it is the trust-all floor (no signatures).
contract FloorReceiver {
    /// @notice Thrown when the nonce was already delivered.
    error FloorReceiverAlreadyDelivered(uint256 nonce);
    /// @notice Thrown when signature `position` does not recover to the signer its bitmap bit names.
    error FloorReceiverInvalidSignature(uint256 position);
    /// @notice Thrown when the signer bitmap does not select exactly `threshold` signers.
    error FloorReceiverWrongSignerCount(uint256 selected, uint256 threshold);
    /// @notice Thrown when more than 10 signers or a threshold above the signer count is configured.
    error FloorReceiverBadConfig();

    uint32 public immutable origin;
    uint256 public immutable threshold;
    uint256 public immutable signerCount;
    address internal immutable _S0;
    address internal immutable _S1;
    address internal immutable _S2;
    address internal immutable _S3;
    address internal immutable _S4;
    address internal immutable _S5;
    address internal immutable _S6;
    address internal immutable _S7;
    address internal immutable _S8;
    address internal immutable _S9;

    /// @notice Replay guard: bit `nonce % 256` of word `nonce / 256` is set once `nonce` is delivered.
    mapping(uint256 word => uint256 bits) public deliveredBits;

    /// @param origin_ The only origin domain this receiver accepts.
    /// @param signers Up to 10 signer addresses.
    /// @param threshold_ Signatures required (0: trust-all).
    constructor(uint32 origin_, address[] memory signers, uint256 threshold_) {
        if (signers.length > 10 || threshold_ > signers.length) revert FloorReceiverBadConfig();
        origin = origin_;
        threshold = threshold_;
        signerCount = signers.length;
        address[10] memory s;
        for (uint256 i = 0; i < signers.length; ++i) {
            s[i] = signers[i];
        }
        (_S0, _S1, _S2, _S3, _S4) = (s[0], s[1], s[2], s[3], s[4]);
        (_S5, _S6, _S7, _S8, _S9) = (s[5], s[6], s[7], s[8], s[9]);
    }

    /// @notice The digest the signers sign for a message.
    function digest(uint256 nonce, bytes32 sender, address recipient, bytes calldata body)
        public
        view
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(address(this), origin, nonce, sender, recipient, body));
    }

    /// @notice Verifies and delivers one message. `signerBitmap` bit i set = signer i signed; `signatures` holds the
    /// selected signers' 65-byte (r, s, v) signatures in increasing signer order.
    function deliver(
        uint256 nonce,
        bytes32 sender,
        address recipient,
        bytes calldata body,
        uint256 signerBitmap,
        bytes calldata signatures
    ) external {
        // CHECKS
        if (threshold != 0) {
            bytes32 d = digest(nonce, sender, recipient, body);
            uint256 position;
            for (uint256 i = 0; signerBitmap != 0; ++i) {
                if (signerBitmap & 1 == 1) {
                    uint256 offset = position * 65;
                    bytes32 r = bytes32(signatures[offset:offset + 32]);
                    bytes32 s = bytes32(signatures[offset + 32:offset + 64]);
                    uint8 v = uint8(signatures[offset + 64]);
                    address recovered = ecrecover(d, v, r, s);
                    if (recovered == address(0) || recovered != _signer(i)) {
                        revert FloorReceiverInvalidSignature(position);
                    }
                    ++position;
                }
                signerBitmap >>= 1;
            }
            if (position != threshold) revert FloorReceiverWrongSignerCount(position, threshold);
        }
        // EFFECTS
        uint256 word = nonce >> 8;
        uint256 bit = 1 << (nonce & 0xff);
        uint256 bits = deliveredBits[word];
        if (bits & bit != 0) revert FloorReceiverAlreadyDelivered(nonce);
        deliveredBits[word] = bits | bit;
        // INTERACTIONS
        IFloorRecipient(recipient).handle(origin, sender, body);
    }

    function _signer(uint256 i) internal view returns (address) {
        if (i < 5) {
            if (i == 0) return _S0;
            if (i == 1) return _S1;
            if (i == 2) return _S2;
            if (i == 3) return _S3;
            return _S4;
        }
        if (i == 5) return _S5;
        if (i == 6) return _S6;
        if (i == 7) return _S7;
        if (i == 8) return _S8;
        if (i == 9) return _S9;
        return address(0);
    }
}
