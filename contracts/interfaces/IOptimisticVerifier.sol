// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConcordVerifier} from "./IConcordVerifier.sol";

// `moduleType()` of the optimistic verifier (Concord-specific types start at 64). Metadata: empty (the
// message id itself is the commitment) or `abi.encodePacked(uint32 index, bytes32[32] siblings)` (a
// committed root includes the message id at `index`).
uint8 constant OPTIMISTIC_MODULE_TYPE = 64;

/// @title IOptimisticVerifier
/// @notice Optimistic verification: a commitment (a message id or a Merkle root of the origin
/// gateway's message tree) is pre-verified either by an inner verifier or by a bonded submitter,
/// and becomes usable only when its fraud window ends. Any allowlisted watcher can veto it during
/// the window; a vetoed commitment is unusable forever (invariant I9).
interface IOptimisticVerifier is IConcordVerifier {
    /// @notice What a commitment stands for.
    enum CommitmentKind {
        NONE,
        MESSAGE_ID,
        ROOT
    }

    /// @notice How a commitment was pre-verified.
    enum CommitmentSource {
        NONE,
        INNER_VERIFIER,
        BOND
    }

    /// @notice A commitment's record. `usableAt` is fixed when committing (later window changes
    /// do not move it). `bond` is the native value still held for it (0 once returned or slashed).
    struct Commitment {
        uint64 usableAt;
        CommitmentKind kind;
        CommitmentSource source;
        bool vetoed;
        address submitter;
        uint128 bond;
    }

    // ---------------------------------------------------------------- events

    /// @notice Emitted when the authority sets the fraud window of `origin`.
    event WindowSet(uint32 indexed origin, uint64 window);
    /// @notice Emitted when the authority sets the bond a bonded submitter posts for `origin` (0 disables).
    event BondSet(uint32 indexed origin, uint128 bond);
    /// @notice Emitted when the authority adds or removes a watcher.
    event WatcherSet(address indexed watcher, bool allowed);
    /// @notice Emitted when the authority replaces the inner verifier.
    event InnerVerifierSet(IConcordVerifier indexed innerVerifier);
    /// @notice Emitted when the authority binds `origin` to the origin gateway whose messages it accepts.
    event OriginGatewaySet(uint32 indexed origin, bytes32 gateway);
    /// @notice Emitted when a commitment enters its fraud window.
    event Committed(
        uint32 indexed origin,
        bytes32 indexed commitment,
        CommitmentKind kind,
        CommitmentSource source,
        address indexed submitter,
        uint64 usableAt,
        uint128 bond
    );
    /// @notice Emitted when a watcher vetoes a commitment inside its window.
    event Vetoed(uint32 indexed origin, bytes32 indexed commitment, address indexed watcher);
    /// @notice Emitted when a vetoed commitment's bond is credited to the watcher who vetoed it.
    event BondSlashed(uint32 indexed origin, bytes32 indexed commitment, address indexed watcher, uint128 amount);
    /// @notice Emitted when an unvetoed commitment's bond is credited back to its submitter after the window.
    event BondReturned(uint32 indexed origin, bytes32 indexed commitment, address indexed submitter, uint128 amount);
    /// @notice Emitted when an account withdraws its credited bonds.
    event Withdrawn(address indexed account, address indexed to, uint256 amount);
    /// @notice Emitted when evidence shows two different inner-verified message ids for one (origin, nonce);
    /// the nonce is refused from then on.
    event EquivocationProven(uint32 indexed origin, uint32 indexed nonce, bytes32 idA, bytes32 idB, address reporter);

    // ---------------------------------------------------------------- errors

    /// @notice Thrown when a message is shorter than the fixed header.
    error OptimisticVerifierMalformedMessage();
    /// @notice Thrown when metadata is neither empty nor exactly `4 + 32 * 32` bytes.
    error OptimisticVerifierMalformedMetadata(uint256 length);
    /// @notice Thrown when committing for an origin that has no fraud window.
    error OptimisticVerifierUnknownOrigin(uint32 origin);
    /// @notice Thrown when setting a fraud window of 0 or above `MAX_WINDOW`.
    error OptimisticVerifierInvalidWindow(uint64 window);
    /// @notice Thrown when committing the zero value.
    error OptimisticVerifierZeroCommitment();
    /// @notice Thrown when the commitment (origin, value) already exists (vetoed or not).
    error OptimisticVerifierAlreadyCommitted(uint32 origin, bytes32 commitment);
    /// @notice Thrown when `kind` is not MESSAGE_ID or ROOT.
    error OptimisticVerifierInvalidKind();
    /// @notice Thrown when the inner verifier is unset or does not accept the message.
    error OptimisticVerifierInnerRejected();
    /// @notice Thrown when a bonded commit is attempted for an origin whose bond is 0 (bonded path disabled).
    error OptimisticVerifierBondedCommitDisabled(uint32 origin);
    /// @notice Thrown when `msg.value` differs from the bond of the origin.
    error OptimisticVerifierWrongBond(uint256 expected, uint256 provided);
    /// @notice Thrown when the caller of {veto} is not an allowlisted watcher.
    error OptimisticVerifierNotWatcher(address caller);
    /// @notice Thrown when a commitment does not exist.
    error OptimisticVerifierNotCommitted(uint32 origin, bytes32 commitment);
    /// @notice Thrown when a commitment was vetoed.
    error OptimisticVerifierVetoed(uint32 origin, bytes32 commitment);
    /// @notice Thrown when a commitment's fraud window has not ended yet.
    error OptimisticVerifierWindowNotElapsed(uint32 origin, bytes32 commitment, uint64 usableAt);
    /// @notice Thrown when vetoing after the fraud window ended.
    error OptimisticVerifierWindowElapsed(uint32 origin, bytes32 commitment, uint64 usableAt);
    /// @notice Thrown when a commitment has the wrong kind for the way it is used.
    error OptimisticVerifierWrongKind(uint32 origin, bytes32 commitment);
    /// @notice Thrown when releasing a bond that is not held (never posted, already returned or slashed).
    error OptimisticVerifierNoBond(uint32 origin, bytes32 commitment);
    /// @notice Thrown when withdrawing with nothing credited.
    error OptimisticVerifierNothingToWithdraw();
    /// @notice Thrown when a withdrawal transfer fails (the credit stays in place).
    error OptimisticVerifierTransferFailed(address to, uint256 amount);
    /// @notice Thrown when a message's (origin, nonce) was refused after proven equivocation.
    error OptimisticVerifierNonceRefused(uint32 origin, uint32 nonce);
    /// @notice Thrown when a piece of equivocation evidence is shorter than a message header and body offset.
    error OptimisticVerifierEvidenceMalformed(uint256 lengthA, uint256 lengthB);

    /// @notice Thrown when two messages are not an equivocation: another origin or nonce, or the same message.
    error OptimisticVerifierEvidenceNotConflicting(bytes32 messageIdA, bytes32 messageIdB);

    /// @notice Thrown when a message of the evidence was not committed through the inner verifier (a bonded
    /// submitter's own commitment proves nothing about the validators).
    error OptimisticVerifierEvidenceNotInnerVerified(bytes32 messageId);
    /// @notice Thrown when `setOriginGateway` would change an origin's gateway once bound, or bind zero: what this
    /// verifier reports for an origin never changes (a gateway's route relies on it).
    error OptimisticVerifierGatewayRebound(uint32 origin, bytes32 bound, bytes32 gateway);
    /// @notice Thrown by `commitVerified` when the origin has no gateway or the inner verifier authenticates another.
    error OptimisticVerifierInnerGatewayMismatch(uint32 origin, bytes32 expected, bytes32 reported);

    // ---------------------------------------------------------------- authority

    /// @notice Sets the fraud window of `origin` (seconds, 1..MAX_WINDOW). Applies to later commitments only.
    function setWindow(uint32 origin, uint64 window) external;

    /// @notice Sets the native bond a bonded submitter posts for `origin`; 0 disables bonded commits.
    function setBond(uint32 origin, uint128 bond) external;

    /// @notice Adds (`allowed`) or removes a watcher.
    function setWatcher(address watcher, bool allowed) external;

    /// @notice Sets the inner verifier whose acceptance pre-verifies message ids (address(0) disables the path).
    function setInnerVerifier(IConcordVerifier innerVerifier) external;

    /// @notice Binds `origin` to the origin gateway whose commitments watchers check (left-padded address); set
    /// once, then fixed.
    function setOriginGateway(uint32 origin, bytes32 gateway) external;

    // ---------------------------------------------------------------- commitments

    /// @notice Commits `keccak256(message)` after the inner verifier accepted `(metadata, message)`;
    /// usable once the origin's window has passed.
    /// @return id The committed message id.
    function commitVerified(bytes calldata metadata, bytes calldata message) external returns (bytes32 id);

    /// @notice Commits a message id or a root for `origin` against a bond of exactly `bond(origin)` wei.
    function commitBonded(uint32 origin, CommitmentKind kind, bytes32 commitment) external payable;

    /// @notice Vetoes a commitment during its window (allowlisted watchers only). A bond, if any, is
    /// credited to the watcher.
    function veto(uint32 origin, bytes32 commitment) external;

    /// @notice Credits a bond back to its submitter once the window ended without a veto. Anyone may call.
    function releaseBond(uint32 origin, bytes32 commitment) external;

    /// @notice Sends the caller's credited bonds to `to`.
    function withdraw(address payable to) external;

    /// @notice Submits two different messages with the same origin and nonce, both committed through the
    /// inner verifier: both commitments are vetoed and the (origin, nonce) is refused from then on.
    function proveEquivocation(bytes calldata messageA, bytes calldata messageB) external;

    // ---------------------------------------------------------------- views

    /// @notice The fraud window of `origin` in seconds (0 = unknown origin).
    function window(uint32 origin) external view returns (uint64);

    /// @notice The bond of `origin` in wei (0 = bonded path disabled).
    function bond(uint32 origin) external view returns (uint128);

    /// @notice True when `account` may veto.
    function isWatcher(address account) external view returns (bool);

    /// @notice The inner verifier (address(0) when unset).
    function innerVerifier() external view returns (IConcordVerifier);

    /// @notice The record of commitment `(origin, commitment)`.
    function commitmentOf(uint32 origin, bytes32 commitment) external view returns (Commitment memory);

    /// @notice True when `(origin, commitment)` exists, is not vetoed and its window has ended.
    function isUsable(uint32 origin, bytes32 commitment) external view returns (bool);

    /// @notice True when `(origin, nonce)` was refused after proven equivocation.
    function isNonceRefused(uint32 origin, uint32 nonce) external view returns (bool);

    /// @notice Native value credited to `account` and not yet withdrawn.
    function credit(address account) external view returns (uint256);
}
