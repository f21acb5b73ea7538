// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Names for the ConcordGateway's packed storage words, its delivery records and the selectors its assembly uses.
// File-level constants, because inline assembly cannot read library constants: the assembly and the Solidity of
// the gateway read these same names (docs/gateway.md, "Storage layout"). Message offsets live in Message.sol.

// ---------------------------------------------------------------------------------------------------------------
// `_core`: one slot. [160,192) nonce (== Merkle leaf count) | 192 inbound paused | 193 outbound paused |
// [200,256) privileged-address filter. Bits [0,160) are unused.
// ---------------------------------------------------------------------------------------------------------------

/// @dev Position of the 32-bit nonce in `_core` (the StateProofVerifier's tree source reads it there).
uint256 constant GATEWAY_NONCE_SHIFT = 160;
/// @dev Mask of a 32-bit field once shifted down.
uint256 constant GATEWAY_UINT32_MASK = 0xffffffff;
/// @dev Inbound (process, retry) paused. Same bit in `_core` and, mirrored, in every route word.
uint256 constant GATEWAY_INBOUND_PAUSED = 1 << 192;
/// @dev Outbound (dispatch, sendMessage) paused. `_core` only.
uint256 constant GATEWAY_OUTBOUND_PAUSED = 1 << 193;
/// @dev Privileged-address filter: bit `GATEWAY_FILTER_SHIFT + address % GATEWAY_FILTER_BITS` is set once an
/// address holds a role (authority, a route verifier); never cleared. Same bits in `_core` and every route word.
uint256 constant GATEWAY_FILTER_SHIFT = 200;
uint256 constant GATEWAY_FILTER_BITS = 56;
uint256 constant GATEWAY_FILTER_MASK = ((1 << 56) - 1) << 200;

// ---------------------------------------------------------------------------------------------------------------
// `_routes[origin]`: one slot per origin. [0,160) route verifier | [160,192) instance of the enrolled origin gateway
// (0: no route) | 192 inbound paused (mirror) | 194 route paused | [200,256) privileged filter (mirror).
// ---------------------------------------------------------------------------------------------------------------

/// @dev Low 160 bits: an address.
uint256 constant GATEWAY_ADDRESS_MASK = 0x00ffffffffffffffffffffffffffffffffffffffff;
/// @dev Position of the 32-bit instance in a route word.
uint256 constant GATEWAY_INSTANCE_SHIFT = 160;
/// @dev The instance bits in place (non-zero exactly when the origin has a route).
uint256 constant GATEWAY_INSTANCE_MASK = 0xffffffff << 160;
/// @dev The route is paused (process and retry of its messages revert).
uint256 constant GATEWAY_ROUTE_PAUSED = 1 << 194;

// ---------------------------------------------------------------------------------------------------------------
// Delivery records (docs/gateway.md, "Delivery records and the no-collision argument").
// `_receipts[origin << 64 | instance << 32 | nonce >> 7]`: two bits per nonce, 128 nonces per word:
//   bit 2 * (nonce & 127)     DELIVERED: the route's verifier accepted the message with this nonce (only the genuine
//                             message of the enrolled origin gateway can set it);
//   bit 2 * (nonce & 127) + 1 CLAIMED: a verifier a recipient named delivered some message with this nonce; a hint
//                             that sends the route path to the id record `_deliveredIds` (anyone can set it; it
//                             only costs the genuine message one more storage read).
// ---------------------------------------------------------------------------------------------------------------

/// @dev Nonces per receipt word, as a shift: 2**7 = 128.
uint256 constant GATEWAY_RECEIPT_WORD_SHIFT = 7;
/// @dev `nonce & GATEWAY_RECEIPT_INDEX_MASK` is the nonce's index in its word.
uint256 constant GATEWAY_RECEIPT_INDEX_MASK = 127;
/// @dev Position of the origin in a receipt key.
uint256 constant GATEWAY_RECEIPT_ORIGIN_SHIFT = 64;
/// @dev Position of the instance in a receipt key.
uint256 constant GATEWAY_RECEIPT_INSTANCE_SHIFT = 32;

// ---------------------------------------------------------------------------------------------------------------
// Gas
// ---------------------------------------------------------------------------------------------------------------

/// @dev Gas given to the recipient's `interchainSecurityModule()` and to a named verifier's `originGatewayFor`.
uint256 constant GATEWAY_GETTER_GAS = 30_000;
/// @dev Gas kept aside for the CALL opcode's own cost when checking that a callee gets the gas it is owed after
/// EIP-150's 63/64 rule.
uint256 constant GATEWAY_CALL_GAS_MARGIN = 5000;
/// @dev Revert/return data copied (and hashed) on a failed delivery is truncated to this many bytes.
uint256 constant GATEWAY_MAX_REVERT_DATA = 256;

// ---------------------------------------------------------------------------------------------------------------
// Selectors used by the assembly (each pinned against the Solidity declaration in
// test/libraries/GatewayLayout/GatewayLayout.t.sol)
// ---------------------------------------------------------------------------------------------------------------

/// @dev `IERC7786Recipient.receiveMessage(bytes32,bytes,bytes)`.
uint256 constant SELECTOR_RECEIVE_MESSAGE = 0x2432ef26;
/// @dev `IConcordVerifier.verify(bytes,bytes)`.
uint256 constant SELECTOR_VERIFY = 0xf7e83aee;
/// @dev `ISpecifiesVerifier.interchainSecurityModule()` (Hyperlane's selector).
uint256 constant SELECTOR_ISM_GETTER = 0xde523cf3;
/// @dev `IConcordVerifier.originGatewayFor(uint32)`.
uint256 constant SELECTOR_ORIGIN_GATEWAY_FOR = 0x0166ea24;
// Errors the assembly raises (the declarations, with their NatSpec, are in IConcordGateway).
uint256 constant ERROR_MALFORMED_MESSAGE = 0xeb645476; // ConcordGatewayMalformedMessage(uint256)
uint256 constant ERROR_UNSUPPORTED_VERSION = 0x8e258731; // ConcordGatewayUnsupportedVersion(uint8)
uint256 constant ERROR_WRONG_DESTINATION = 0x9066a295; // ConcordGatewayWrongDestination(uint32)
uint256 constant ERROR_NON_EVM_ADDRESS = 0x41fc118e; // ConcordGatewayNonEvmAddress(bytes32)
uint256 constant ERROR_UNKNOWN_ORIGIN = 0x89ff2b4c; // ConcordGatewayUnknownOrigin(uint32)
uint256 constant ERROR_INBOUND_PAUSED = 0xab62d8f1; // ConcordGatewayInboundPaused()
uint256 constant ERROR_ROUTE_PAUSED = 0x7e633309; // ConcordGatewayRoutePaused(uint32)
uint256 constant ERROR_PRIVILEGED_RECIPIENT = 0x979ab75c; // ConcordGatewayPrivilegedRecipient(address)
uint256 constant ERROR_INSUFFICIENT_GAS = 0x8a482991; // ConcordGatewayInsufficientGas(uint256,uint256)
uint256 constant ERROR_ALREADY_DELIVERED = 0x464a8f7c; // ConcordGatewayAlreadyDelivered(bytes32)
uint256 constant ERROR_VERIFICATION_FAILED = 0xbe0834b6; // ConcordGatewayVerificationFailed(address)
uint256 constant ERROR_REENTRANT_CALL = 0x264f52c0; // ConcordGatewayReentrantCall()
