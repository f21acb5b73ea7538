// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title FlowLib
/// @notice The coordination layer's flow: every parameter of a lock-on-A / execute-on-B flow, its id, the B-side
/// status and A-side phase enums, and the codec of the messages between A's `FlowEscrow` and B's `FlowExecutor`.
/// @dev The flow id is `keccak256(abi.encode(flow))` over ALL fields, so no parameter (in particular the deadline)
/// can be changed without changing the id. It is recomputed from the supplied struct by every entry point.
library FlowLib {
    /// @notice All parameters of one flow. A is the origin domain (escrow), B the destination domain (execution). A
    /// domain is an EVM chain id, as the Concord gateway names it.
    /// @param originDomain A's domain (set by A's escrow at open).
    /// @param escrow A's `FlowEscrow` (set at open).
    /// @param nonce A's flow nonce (set at open; makes two otherwise equal flows distinct).
    /// @param destinationDomain B's domain.
    /// @param executor B's `FlowExecutor`; must be A's trusted remote for B at open, pinned thereafter.
    /// @param target The contract B calls (`IFlowTarget.onFlowExecute`).
    /// @param payloadHash keccak256 of the payload handed to the target (set at open from the payload).
    /// @param asset Asset escrowed on A (address(0): native).
    /// @param amount Amount of `asset` escrowed on A.
    /// @param destinationAsset Asset released on B from B's liquidity (address(0): native).
    /// @param maxValue Most that B releases to the target (<= `amount`).
    /// @param notBefore Earliest B time at which the target may run (0: no lower bound).
    /// @param deadline T: the target runs only while B's time <= T; EXPIRED only once B's time > T.
    /// @param executionGas Gas the target call receives on B.
    /// @param abortOnFail Whether a failing target ends the flow FAILED (else it stays PENDING until T).
    /// @param guardDomain Domain of the guard emitter (0: no guard).
    /// @param guardEmitter The guard: the target runs only once B's gateway has delivered a GUARD message with
    /// `guardKey` from `guardEmitter` on `guardDomain` to B's executor (address(0): no guard).
    /// @param guardKey The key the guard message must carry.
    /// @param opener Who opened the flow on A (the only account that may cancel it).
    /// @param refundTo Receives the escrow on A when B attests FAILED, EXPIRED or CANCELLED.
    /// @param beneficiary Receives the escrow on A when B attests EXECUTED (the B-side liquidity provider).
    /// @param feeRecipient The relaying service paid on settlement (the round-trip fees below plus any bumps).
    /// @param executionFee Native fee for delivering EXECUTE on B, earned when B attests EXECUTED or FAILED.
    /// @param ackFee Native fee for relaying the acknowledgement back, earned with `executionFee`.
    /// @param timeoutFee Native fee earned instead when B attests EXPIRED or CANCELLED (expire/cancel + ack).
    /// @param ackRoutes Extra acknowledgement routes pinned at open: bit r (1..15) set means OUTCOME may also come
    /// back through the ERC-7786 gateway of route r (bit 0 must be clear; 0: the primary gateway only). Every bit
    /// must name a route active on A at open; routes are append-only and immutable, so the pin cannot move.
    struct Flow {
        uint32 originDomain;
        address escrow;
        uint64 nonce;
        uint32 destinationDomain;
        address executor;
        address target;
        bytes32 payloadHash;
        address asset;
        uint256 amount;
        address destinationAsset;
        uint256 maxValue;
        uint64 notBefore;
        uint64 deadline;
        uint32 executionGas;
        bool abortOnFail;
        uint32 guardDomain;
        address guardEmitter;
        bytes32 guardKey;
        address opener;
        address refundTo;
        address beneficiary;
        address feeRecipient;
        uint256 executionFee;
        uint256 ackFee;
        uint256 timeoutFee;
        uint16 ackRoutes;
    }

    /// @notice Status of a flow on B (the one slot B's clock decides). NONE and PENDING are open; the rest are
    /// terminal and never change again.
    enum Status {
        NONE,
        PENDING,
        EXECUTED,
        FAILED,
        EXPIRED,
        CANCELLED
    }

    /// @notice Phase of a flow on A: LOCKED (escrowed, waiting for B), ACKNOWLEDGED (B's outcome recorded while
    /// settlement was paused), SETTLED (escrow credited to its payees; normally on the outcome's arrival).
    enum Phase {
        NONE,
        LOCKED,
        ACKNOWLEDGED,
        SETTLED
    }

    /// @notice Highest acknowledgement route id (route ids are 1..MAX_ROUTE_ID; 0 is the primary gateway).
    uint8 internal constant MAX_ROUTE_ID = 15;

    /// @notice Message kinds exchanged by A's escrow and B's executor (GUARD: by anyone, to B's executor).
    uint8 internal constant EXECUTE = 1;
    uint8 internal constant CANCEL = 2;
    uint8 internal constant OUTCOME = 3;
    uint8 internal constant GUARD = 4;

    /// @notice The flow id: keccak256 of the ABI encoding of every field.
    function id(Flow memory flow) internal pure returns (bytes32) {
        return keccak256(abi.encode(flow));
    }

    /// @notice Native fee escrow of a flow: max(executionFee + ackFee, timeoutFee), whichever leg happens is covered.
    function feeEscrow(Flow memory flow) internal pure returns (uint256) {
        uint256 roundTrip = flow.executionFee + flow.ackFee;
        return roundTrip > flow.timeoutFee ? roundTrip : flow.timeoutFee;
    }

    /// @notice The fee earned by the relaying service for an attested outcome (the rest of the escrow is refunded).
    function feeEarned(Flow memory flow, Status outcome) internal pure returns (uint256) {
        return
            outcome == Status.EXECUTED || outcome == Status.FAILED ? flow.executionFee + flow.ackFee : flow.timeoutFee;
    }

    /// @notice Whether route `routeId` (1..15) is pinned in `flow.ackRoutes`; route 0 (primary) always is.
    function hasAckRoute(Flow memory flow, uint8 routeId) internal pure returns (bool) {
        if (routeId == 0) return true;
        return routeId <= MAX_ROUTE_ID && (flow.ackRoutes >> routeId) & 1 == 1;
    }

    /// @notice The record key of a guard: (domain, emitter, key) as authenticated by the gateway.
    function guardId(uint256 domain, address emitter, bytes32 key) internal pure returns (bytes32) {
        return keccak256(abi.encode(domain, emitter, key));
    }

    /// @notice GUARD message: the key an emitter attests on its chain (send with any ERC-7786 gateway).
    function encodeGuard(bytes32 key) internal pure returns (bytes memory) {
        return abi.encode(GUARD, key);
    }

    /// @notice The kind of a message between an escrow and an executor: its first ABI word (every message is one flat
    /// ABI tuple that starts with its kind). Returns 0 (no kind) for a payload shorter than one word or whose first
    /// word is not a `uint8`.
    function kindOf(bytes calldata payload) internal pure returns (uint8) {
        if (payload.length < 32) return 0;
        uint256 word = uint256(bytes32(payload[0:32]));
        return word > type(uint8).max ? 0 : uint8(word);
    }

    /// @notice Whether `status` is terminal (EXECUTED, FAILED, EXPIRED or CANCELLED).
    function isTerminal(Status status) internal pure returns (bool) {
        return uint8(status) >= uint8(Status.EXECUTED);
    }

    /// @notice EXECUTE message: the flow and the target's payload.
    function encodeExecute(Flow memory flow, bytes memory payload) internal pure returns (bytes memory) {
        return abi.encode(EXECUTE, flow, payload);
    }

    /// @notice CANCEL message: the flow.
    function encodeCancel(Flow memory flow) internal pure returns (bytes memory) {
        return abi.encode(CANCEL, flow);
    }

    /// @notice OUTCOME message: the flow, B's terminal status and the B time at which it was decided.
    function encodeOutcome(Flow memory flow, Status status, uint64 decidedAt) internal pure returns (bytes memory) {
        return abi.encode(OUTCOME, flow, status, decidedAt);
    }
}
