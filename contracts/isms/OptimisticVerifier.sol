// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
import {IOptimisticVerifier, OPTIMISTIC_MODULE_TYPE} from "../interfaces/IOptimisticVerifier.sol";
import {MerkleTree} from "../libraries/MerkleTree.sol";
import {Message} from "../libraries/Message.sol";
import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";

/// @title OptimisticVerifier
/// @notice Fraud-window verifier. A commitment is either a message id or a root of the origin
/// gateway's message tree. It enters its window when it is pre-verified, by the inner verifier
/// ({commitVerified}, message ids only) or by a bonded submitter ({commitBonded}, ids or roots), and
/// becomes usable at `commit time + window(origin)`. Until then (strictly before `usableAt`) any
/// allowlisted watcher can veto it; a vetoed commitment can never be used nor re-committed (I9).
/// A commitment is usable exactly when `block.timestamp >= usableAt`, and vetoable exactly when
/// `block.timestamp < usableAt`: the two never overlap. Windows are minutes to days, so a block
/// proposer skewing the timestamp by seconds changes nothing (hence the lint exemptions below).
///
/// Value flow: every bond ends with the watcher who vetoed it ({veto}) or with its submitter
/// ({releaseBond}), credited and then pulled with {withdraw}, so a reverting recipient cannot
/// block a veto or a release.
///
/// Trust: safety rests on one honest, live watcher per window, plus the inner verifier for the
/// commitments it pre-verifies. Configuration (windows, bonds, watchers, inner verifier) changes only
/// through the AccessManager authority (I7).
contract OptimisticVerifier is IOptimisticVerifier, AccessManaged {
    /// @notice Longest fraud window the authority can set.
    uint64 public constant MAX_WINDOW = 365 days;

    /// @dev Length of root-path metadata: `uint32 index` then 32 siblings.
    uint256 internal constant _PROOF_METADATA_LENGTH = 4 + 32 * MerkleTree.DEPTH;

    IConcordVerifier internal _innerVerifier;
    mapping(uint32 origin => uint64 window) internal _windows;
    mapping(uint32 origin => uint128 bond) internal _bonds;
    mapping(address account => bool allowed) internal _watchers;
    mapping(uint32 origin => mapping(bytes32 commitment => Commitment record)) internal _commitments;
    mapping(uint32 origin => mapping(uint32 nonce => bool refused)) internal _refusedNonces;
    mapping(address account => uint256 amount) internal _credits;
    mapping(uint32 origin => bytes32 gateway) internal _originGateways;

    /// @param initialAuthority The AccessManager that gates configuration.
    /// @param innerVerifier_ The inner verifier (address(0) to start with the bonded path only).
    constructor(address initialAuthority, IConcordVerifier innerVerifier_) AccessManaged(initialAuthority) {
        _innerVerifier = innerVerifier_;
        emit InnerVerifierSet(innerVerifier_);
    }

    // ---------------------------------------------------------------- IConcordVerifier

    /// @inheritdoc IConcordVerifier
    function moduleType() external pure returns (uint8) {
        return OPTIMISTIC_MODULE_TYPE;
    }

    /// @inheritdoc IConcordVerifier
    /// @dev Reverts with a reason instead of returning false, so relayers see why a message is refused.
    function verify(bytes calldata metadata, bytes calldata message) external view returns (bool) {
        if (message.length < Message.BODY_OFFSET) revert OptimisticVerifierMalformedMessage();
        uint32 origin = Message.origin(message);
        bytes32 id = keccak256(message);

        bytes32 commitment;
        CommitmentKind kind;
        if (metadata.length == 0) {
            (commitment, kind) = (id, CommitmentKind.MESSAGE_ID);
        } else if (metadata.length == _PROOF_METADATA_LENGTH) {
            uint256 index = uint32(bytes4(metadata[0:4]));
            bytes32[32] calldata siblings;
            assembly ("memory-safe") {
                // A bytes32[32] calldata value is just an offset: the siblings start after the 4-byte index.
                siblings := add(metadata.offset, 4)
            }
            (commitment, kind) = (MerkleTree.branchRoot(id, siblings, index), CommitmentKind.ROOT);
        } else {
            revert OptimisticVerifierMalformedMetadata(metadata.length);
        }

        _requireUsable(origin, commitment, kind);
        uint32 nonce = Message.nonce(message);
        if (_refusedNonces[origin][nonce]) revert OptimisticVerifierNonceRefused(origin, nonce);
        return true;
    }

    // ---------------------------------------------------------------- authority

    /// @inheritdoc IOptimisticVerifier
    function setWindow(uint32 origin, uint64 window_) external restricted {
        if (window_ == 0 || window_ > MAX_WINDOW) revert OptimisticVerifierInvalidWindow(window_);
        _windows[origin] = window_;
        emit WindowSet(origin, window_);
    }

    /// @inheritdoc IOptimisticVerifier
    function setBond(uint32 origin, uint128 bond_) external restricted {
        _bonds[origin] = bond_;
        emit BondSet(origin, bond_);
    }

    /// @inheritdoc IOptimisticVerifier
    function setWatcher(address watcher, bool allowed) external restricted {
        _watchers[watcher] = allowed;
        emit WatcherSet(watcher, allowed);
    }

    /// @inheritdoc IOptimisticVerifier
    function setInnerVerifier(IConcordVerifier innerVerifier_) external restricted {
        _innerVerifier = innerVerifier_;
        emit InnerVerifierSet(innerVerifier_);
    }

    /// @inheritdoc IOptimisticVerifier
    function setOriginGateway(uint32 origin, bytes32 gateway) external restricted {
        bytes32 bound = _originGateways[origin];
        if (gateway == bytes32(0) || (bound != bytes32(0) && bound != gateway)) {
            revert OptimisticVerifierGatewayRebound(origin, bound, gateway);
        }
        _originGateways[origin] = gateway;
        emit OriginGatewaySet(origin, gateway);
    }

    /// @inheritdoc IConcordVerifier
    function originGatewayFor(uint32 origin) external view returns (bytes32) {
        return _originGateways[origin];
    }

    /// @inheritdoc IConcordVerifier
    /// @dev A commitment usable at delivery stays usable (vetoes end with its window): nothing to re-check.
    function authorizeRetry(bytes calldata) external pure returns (bool) {
        return true;
    }

    // ---------------------------------------------------------------- commitments

    /// @inheritdoc IOptimisticVerifier
    function commitVerified(bytes calldata metadata, bytes calldata message) external returns (bytes32 id) {
        if (message.length < Message.BODY_OFFSET) revert OptimisticVerifierMalformedMessage();
        IConcordVerifier inner = _innerVerifier;
        if (address(inner) == address(0) || !inner.verify(metadata, message)) {
            revert OptimisticVerifierInnerRejected();
        }
        uint32 origin = Message.origin(message);
        bytes32 expected = _originGateways[origin];
        bytes32 reported = inner.originGatewayFor(origin);
        if (expected == bytes32(0) || reported != expected) {
            revert OptimisticVerifierInnerGatewayMismatch(origin, expected, reported);
        }
        id = keccak256(message);
        _commit(Message.origin(message), CommitmentKind.MESSAGE_ID, id, CommitmentSource.INNER_VERIFIER, 0);
    }

    /// @inheritdoc IOptimisticVerifier
    function commitBonded(uint32 origin, CommitmentKind kind, bytes32 commitment) external payable {
        if (kind == CommitmentKind.NONE) revert OptimisticVerifierInvalidKind();
        uint128 required = _bonds[origin];
        if (required == 0) revert OptimisticVerifierBondedCommitDisabled(origin);
        if (msg.value != required) revert OptimisticVerifierWrongBond(required, msg.value);
        _commit(origin, kind, commitment, CommitmentSource.BOND, required);
    }

    /// @inheritdoc IOptimisticVerifier
    function veto(uint32 origin, bytes32 commitment) external {
        if (!_watchers[msg.sender]) revert OptimisticVerifierNotWatcher(msg.sender);
        Commitment storage record = _commitments[origin][commitment];
        if (record.kind == CommitmentKind.NONE) revert OptimisticVerifierNotCommitted(origin, commitment);
        if (record.vetoed) revert OptimisticVerifierVetoed(origin, commitment);
        uint64 usableAt = record.usableAt;
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= usableAt) revert OptimisticVerifierWindowElapsed(origin, commitment, usableAt);

        record.vetoed = true;
        emit Vetoed(origin, commitment, msg.sender);

        uint128 amount = record.bond;
        if (amount != 0) {
            record.bond = 0;
            _credits[msg.sender] += amount;
            emit BondSlashed(origin, commitment, msg.sender, amount);
        }
    }

    /// @inheritdoc IOptimisticVerifier
    function releaseBond(uint32 origin, bytes32 commitment) external {
        Commitment storage record = _commitments[origin][commitment];
        uint128 amount = record.bond;
        // A vetoed commitment's bond is already 0 (slashed in `veto`).
        if (amount == 0) revert OptimisticVerifierNoBond(origin, commitment);
        uint64 usableAt = record.usableAt;
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < usableAt) revert OptimisticVerifierWindowNotElapsed(origin, commitment, usableAt);

        record.bond = 0;
        address submitter = record.submitter;
        _credits[submitter] += amount;
        emit BondReturned(origin, commitment, submitter, amount);
    }

    /// @inheritdoc IOptimisticVerifier
    function withdraw(address payable to) external {
        uint256 amount = _credits[msg.sender];
        if (amount == 0) revert OptimisticVerifierNothingToWithdraw();
        // Effects before the interaction: a reentrant call finds the credit already cleared.
        _credits[msg.sender] = 0;
        emit Withdrawn(msg.sender, to, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert OptimisticVerifierTransferFailed(to, amount);
    }

    /// @inheritdoc IOptimisticVerifier
    /// @dev Only inner-verified commitments count as evidence: a bonded submitter could otherwise
    /// commit an arbitrary conflicting message and block any nonce at no cost. The orphaned message of a
    /// reorg (issue 5 (b)) or validators attesting two ids for one nonce (issue 5 (c)) are such evidence.
    function proveEquivocation(bytes calldata messageA, bytes calldata messageB) external {
        if (messageA.length < Message.BODY_OFFSET || messageB.length < Message.BODY_OFFSET) {
            revert OptimisticVerifierEvidenceMalformed(messageA.length, messageB.length);
        }
        uint32 origin = Message.origin(messageA);
        uint32 nonce = Message.nonce(messageA);
        bytes32 idA = keccak256(messageA);
        bytes32 idB = keccak256(messageB);
        if (Message.origin(messageB) != origin || Message.nonce(messageB) != nonce || idA == idB) {
            revert OptimisticVerifierEvidenceNotConflicting(idA, idB);
        }
        Commitment storage recordA = _commitments[origin][idA];
        Commitment storage recordB = _commitments[origin][idB];
        if (recordA.source != CommitmentSource.INNER_VERIFIER) revert OptimisticVerifierEvidenceNotInnerVerified(idA);
        if (recordB.source != CommitmentSource.INNER_VERIFIER) revert OptimisticVerifierEvidenceNotInnerVerified(idB);

        _refusedNonces[origin][nonce] = true;
        recordA.vetoed = true;
        recordB.vetoed = true;
        emit EquivocationProven(origin, nonce, idA, idB, msg.sender);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IOptimisticVerifier
    function window(uint32 origin) external view returns (uint64) {
        return _windows[origin];
    }

    /// @inheritdoc IOptimisticVerifier
    function bond(uint32 origin) external view returns (uint128) {
        return _bonds[origin];
    }

    /// @inheritdoc IOptimisticVerifier
    function isWatcher(address account) external view returns (bool) {
        return _watchers[account];
    }

    /// @inheritdoc IOptimisticVerifier
    function innerVerifier() external view returns (IConcordVerifier) {
        return _innerVerifier;
    }

    /// @inheritdoc IOptimisticVerifier
    function commitmentOf(uint32 origin, bytes32 commitment) external view returns (Commitment memory) {
        return _commitments[origin][commitment];
    }

    /// @inheritdoc IOptimisticVerifier
    function isUsable(uint32 origin, bytes32 commitment) external view returns (bool) {
        Commitment storage record = _commitments[origin][commitment];
        // forge-lint: disable-next-line(block-timestamp)
        return record.kind != CommitmentKind.NONE && !record.vetoed && block.timestamp >= record.usableAt;
    }

    /// @inheritdoc IOptimisticVerifier
    function isNonceRefused(uint32 origin, uint32 nonce) external view returns (bool) {
        return _refusedNonces[origin][nonce];
    }

    /// @inheritdoc IOptimisticVerifier
    function credit(address account) external view returns (uint256) {
        return _credits[account];
    }

    // ---------------------------------------------------------------- internal

    /// @dev Records a new commitment whose window starts now.
    function _commit(uint32 origin, CommitmentKind kind, bytes32 commitment, CommitmentSource source, uint128 bond_)
        internal
    {
        if (commitment == bytes32(0)) revert OptimisticVerifierZeroCommitment();
        uint64 window_ = _windows[origin];
        if (window_ == 0) revert OptimisticVerifierUnknownOrigin(origin);
        Commitment storage record = _commitments[origin][commitment];
        if (record.kind != CommitmentKind.NONE) revert OptimisticVerifierAlreadyCommitted(origin, commitment);

        // window_ <= MAX_WINDOW, so this cannot overflow before year 2^64 seconds.
        uint64 usableAt = uint64(block.timestamp) + window_;
        (record.usableAt, record.kind, record.source, record.submitter) = (usableAt, kind, source, msg.sender);
        if (bond_ != 0) record.bond = bond_;
        emit Committed(origin, commitment, kind, source, msg.sender, usableAt, bond_);
    }

    /// @dev Reverts unless `(origin, commitment)` is a usable commitment of `kind`.
    function _requireUsable(uint32 origin, bytes32 commitment, CommitmentKind kind) internal view {
        Commitment storage record = _commitments[origin][commitment];
        CommitmentKind recorded = record.kind;
        if (recorded == CommitmentKind.NONE) revert OptimisticVerifierNotCommitted(origin, commitment);
        if (recorded != kind) revert OptimisticVerifierWrongKind(origin, commitment);
        if (record.vetoed) revert OptimisticVerifierVetoed(origin, commitment);
        uint64 usableAt = record.usableAt;
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < usableAt) revert OptimisticVerifierWindowNotElapsed(origin, commitment, usableAt);
    }
}
