// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice TEST ONLY: ghost state shared by an invariant suite's handlers: named call counters and the list of
/// property violations the handlers observed. Handlers record violations instead of reverting, because with
/// `fail_on_revert = false` a reverting handler call is silently discarded; the suite's invariants then assert
/// that no violation was recorded.
contract GhostStore {
    mapping(bytes32 name => uint256 count) public counters;
    bytes32[] internal _names;
    string[] internal _violations;

    function count(bytes32 name) external {
        if (counters[name] == 0) _names.push(name);
        ++counters[name];
    }

    function violate(string calldata reason) external {
        _violations.push(reason);
    }

    function violationCount() external view returns (uint256) {
        return _violations.length;
    }

    function firstViolation() external view returns (string memory) {
        return _violations.length == 0 ? "" : _violations[0];
    }

    function names() external view returns (bytes32[] memory) {
        return _names;
    }
}
