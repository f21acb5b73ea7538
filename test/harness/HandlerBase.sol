// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {console} from "forge-std/console.sol";

import {GhostStore} from "./GhostStore.sol";
import {MultiDomainHarness} from "./MultiDomainHarness.sol";

/// @notice TEST ONLY: shared plumbing of the invariant handlers: bounded choice of domains and envelopes (with
/// `bound`, never `vm.assume`), call counters and violation records in the suite's store.
abstract contract HandlerBase is CommonBase, StdUtils {
    MultiDomainHarness public immutable h;
    GhostStore public immutable store;
    uint32[] internal _ids;

    constructor(MultiDomainHarness harness, GhostStore store_) {
        h = harness;
        store = store_;
        _ids = harness.domainIds();
    }

    function _domainAt(uint256 seed) internal view returns (uint32) {
        return _ids[bound(seed, 0, _ids.length - 1)];
    }

    /// @dev A domain different from `other`.
    function _otherDomain(uint32 other, uint256 seed) internal view returns (uint32 id) {
        uint256 start = bound(seed, 0, _ids.length - 1);
        for (uint256 i = 0; i < _ids.length; ++i) {
            id = _ids[(start + i) % _ids.length];
            if (id != other) return id;
        }
    }

    /// @dev Some envelope index, or false when the transport holds none.
    function _envelopeAt(uint256 seed) internal view returns (uint256 index, bool found) {
        uint256 n = h.envelopeCount();
        if (n == 0) return (0, false);
        return (bound(seed, 0, n - 1), true);
    }

    function _count(bytes32 name) internal {
        store.count(name);
    }

    function _violate(string memory reason) internal {
        store.violate(reason);
    }

    /// @notice Logs every counter (run counts per action; the deep profile prints them with -vv).
    function logCounters() external view {
        bytes32[] memory names = store.names();
        for (uint256 i = 0; i < names.length; ++i) {
            console.log(_trim(names[i]), store.counters(names[i]));
        }
    }

    function _trim(bytes32 name) internal pure returns (string memory) {
        uint256 len;
        while (len < 32 && name[len] != 0) {
            ++len;
        }
        bytes memory out = new bytes(len);
        for (uint256 i = 0; i < len; ++i) {
            out[i] = name[i];
        }
        return string(out);
    }
}
