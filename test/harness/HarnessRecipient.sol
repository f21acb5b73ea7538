// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

/// @notice TEST ONLY: an ERC-7786 recipient that counts successful executions per message id (I1), can be switched
/// to fail (FAILED / retry paths, I8), can name its own verifier (Hyperlane's `interchainSecurityModule()` hook, used
/// to put one recipient per domain behind the optimistic verifier) and can record the value each message releases
/// (first payload word, the `RateLimitedVerifier` convention; I10).
contract HarnessRecipient is IERC7786Recipient {
    /// @notice One value release: when, from which origin, how much.
    struct Release {
        uint32 origin;
        uint64 timestamp;
        uint256 value;
    }

    /// @notice Thrown when anyone but the deployer configures the recipient.
    error HarnessRecipientNotOwner(address caller);
    /// @notice Thrown when the caller is not one of the harness gateways.
    error HarnessRecipientNotGateway(address caller);
    /// @notice Thrown while the recipient is switched to fail.
    error HarnessRecipientFailing(bytes32 messageId);

    address public immutable OWNER;
    bool public immutable TRACKS_VALUE;

    address public ism;
    bool public failing;
    mapping(address gateway => bool allowed) public isGateway;
    mapping(bytes32 messageId => uint256 count) public executions;
    uint256 public totalExecutions;
    uint256 public totalValue;
    Release[] internal _releases;

    constructor(bool tracksValue) {
        OWNER = msg.sender;
        TRACKS_VALUE = tracksValue;
    }

    modifier onlyOwner() {
        if (msg.sender != OWNER) revert HarnessRecipientNotOwner(msg.sender);
        _;
    }

    function setGateway(address gateway, bool allowed) external onlyOwner {
        isGateway[gateway] = allowed;
    }

    function setIsm(address ism_) external onlyOwner {
        ism = ism_;
    }

    function setFailing(bool failing_) external onlyOwner {
        failing = failing_;
    }

    /// @notice Hyperlane-compatible verifier hook (address(0): use the gateway's route verifier).
    function interchainSecurityModule() external view returns (address) {
        return ism;
    }

    /// @inheritdoc IERC7786Recipient
    function receiveMessage(bytes32 receiveId, bytes calldata sender, bytes calldata payload)
        external
        payable
        returns (bytes4)
    {
        if (!isGateway[msg.sender]) revert HarnessRecipientNotGateway(msg.sender);
        if (failing) revert HarnessRecipientFailing(receiveId);
        ++executions[receiveId];
        ++totalExecutions;
        if (TRACKS_VALUE && payload.length >= 32) {
            (uint256 chainId,) = InteroperableAddress.parseEvmV1Calldata(sender);
            uint256 value = uint256(bytes32(payload[0:32]));
            totalValue += value;
            _releases.push(Release({origin: uint32(chainId), timestamp: uint64(block.timestamp), value: value}));
        }
        return IERC7786Recipient.receiveMessage.selector;
    }

    function releaseCount() external view returns (uint256) {
        return _releases.length;
    }

    function releaseAt(uint256 i) external view returns (Release memory) {
        return _releases[i];
    }

    /// @notice The largest value released from `origin` inside any window `(t - window, t]`, t a release time
    /// (the sliding sum peaks at a release, so checking those is enough).
    function maxReleasedInWindow(uint32 origin, uint256 window) external view returns (uint256 peak) {
        uint256 n = _releases.length;
        for (uint256 i = 0; i < n; ++i) {
            Release memory last = _releases[i];
            if (last.origin != origin) continue;
            uint256 sum;
            for (uint256 j = 0; j <= i; ++j) {
                Release memory r = _releases[j];
                if (r.origin == origin && r.timestamp + window > last.timestamp) sum += r.value;
            }
            if (sum > peak) peak = sum;
        }
    }
}
