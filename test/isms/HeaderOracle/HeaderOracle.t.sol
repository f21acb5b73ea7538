// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IHeaderOracle} from "../../../contracts/interfaces/IHeaderOracle.sol";
import {HeaderOracle} from "../../../contracts/isms/HeaderOracle.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";
import {RLP} from "@openzeppelin/contracts/utils/RLP.sol";
import {Test} from "forge-std/Test.sol";

/// @dev HeaderOracle against real Prague headers from the state-proof fixtures.
contract HeaderOracleTest is Test {
    string internal constant LATEST = "test/fixtures/stateproof/latest.json";

    AccessManager internal manager;
    HeaderOracle internal oracle;
    uint32 internal origin;
    bytes internal header;
    bytes32 internal blockHash;
    bytes32 internal stateRoot;
    uint256 internal blockNumber;
    address internal stranger = makeAddr("stranger");

    function setUp() public {
        string memory json = vm.readFile(LATEST);
        origin = uint32(vm.parseJsonUint(json, ".chainId"));
        header = vm.parseJsonBytes(json, ".header");
        blockHash = vm.parseJsonBytes32(json, ".blockHash");
        stateRoot = vm.parseJsonBytes32(json, ".stateRoot");
        blockNumber = vm.parseJsonUint(json, ".blockNumber");
        manager = new AccessManager(address(this));
        oracle = new HeaderOracle(address(manager));
    }

    // ---------------------------------------------------------------- authority path

    function test_SubmitHeader_RecordsStateRootOfAcceptedHash() public {
        vm.expectEmit(address(oracle));
        emit IHeaderOracle.BlockHashAccepted(origin, blockHash);
        oracle.acceptBlockHash(origin, blockHash);
        assertTrue(oracle.isBlockHashAccepted(origin, blockHash));
        assertFalse(oracle.isStateRootAccepted(origin, stateRoot));

        vm.expectEmit(address(oracle));
        emit IHeaderOracle.HeaderSubmitted(origin, blockHash, blockNumber, stateRoot);
        vm.prank(stranger); // anyone relays the header
        assertEq(oracle.submitHeader(origin, header), stateRoot);

        assertTrue(oracle.isStateRootAccepted(origin, stateRoot));
        (bytes32 recordedHash, uint64 recordedNumber) = oracle.stateRootSource(origin, stateRoot);
        assertEq(recordedHash, blockHash);
        assertEq(recordedNumber, blockNumber);
        assertFalse(oracle.isStateRootAccepted(origin + 1, stateRoot));
    }

    function test_SubmitHeader_RevertGiven_HashNotAccepted() public {
        vm.expectRevert(abi.encodeWithSelector(IHeaderOracle.HeaderOracleUnknownHeader.selector, origin, blockHash));
        oracle.submitHeader(origin, header);
    }

    function test_SubmitHeader_RevertGiven_HashAcceptedForOtherOrigin() public {
        oracle.acceptBlockHash(origin + 1, blockHash);
        vm.expectRevert(abi.encodeWithSelector(IHeaderOracle.HeaderOracleUnknownHeader.selector, origin, blockHash));
        oracle.submitHeader(origin, header);
    }

    /// @dev A header with a forged state root no longer hashes to the accepted block hash.
    function test_SubmitHeader_RevertWhen_StateRootForged() public {
        oracle.acceptBlockHash(origin, blockHash);
        bytes memory forged = bytes.concat(header);
        // Header RLP: list prefix (3 bytes: 0xf9 + 2-byte length), then parentHash (33), ommersHash (33),
        // coinbase (21), stateRoot (0xa0 + 32 bytes).
        uint256 stateRootOffset = 3 + 33 + 33 + 21 + 1;
        assertEq(bytes32(_slice(forged, stateRootOffset, 32)), stateRoot, "offset");
        forged[stateRootOffset] ^= 0x01;
        vm.expectRevert(
            abi.encodeWithSelector(IHeaderOracle.HeaderOracleUnknownHeader.selector, origin, keccak256(forged))
        );
        oracle.submitHeader(origin, forged);
    }

    function test_SubmitHeader_RevertWhen_NotRlp() public {
        bytes memory junk = hex"c0"; // empty list: no fields
        oracle.acceptBlockHash(origin, keccak256(junk));
        vm.expectRevert(); // BlockHeader: FieldNotPresentInBlockHeader(StateRoot)
        oracle.submitHeader(origin, junk);
        vm.expectRevert(RLP.RLPInvalidEncoding.selector);
        oracle.submitHeader(origin, hex"ff");
    }

    function test_AcceptBlockHash_RevertWhen_CallerNotAuthorized() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        oracle.acceptBlockHash(origin, blockHash);
    }

    function test_AcceptBlockHash_RevertWhen_Zero() public {
        vm.expectRevert(IHeaderOracle.HeaderOracleZeroBlockHash.selector);
        oracle.acceptBlockHash(origin, bytes32(0));
    }

    function test_RevokeBlockHash_RevokesDerivedStateRoot() public {
        oracle.acceptBlockHash(origin, blockHash);
        oracle.submitHeader(origin, header);
        vm.expectEmit(address(oracle));
        emit IHeaderOracle.BlockHashRevoked(origin, blockHash);
        oracle.revokeBlockHash(origin, blockHash);
        assertFalse(oracle.isBlockHashAccepted(origin, blockHash));
        assertFalse(oracle.isStateRootAccepted(origin, stateRoot));
        vm.expectRevert(abi.encodeWithSelector(IHeaderOracle.HeaderOracleUnknownHeader.selector, origin, blockHash));
        oracle.submitHeader(origin, header);
    }

    function test_RevokeBlockHash_RevertWhen_CallerNotAuthorized() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        oracle.revokeBlockHash(origin, blockHash);
    }

    function test_RevokeBlockHash_RevertWhen_Zero() public {
        vm.expectRevert(IHeaderOracle.HeaderOracleZeroBlockHash.selector);
        oracle.revokeBlockHash(origin, bytes32(0));
    }

    // ---------------------------------------------------------------- local path (blockhash)

    /// @dev On the header's own chain the `blockhash` opcode is the anchor: no authority needed.
    function test_SubmitHeader_LocalChainAcceptedThroughBlockhash() public {
        vm.chainId(origin);
        vm.roll(blockNumber + 10);
        vm.setBlockhash(blockNumber, blockHash);
        vm.expectEmit(address(oracle));
        emit IHeaderOracle.BlockHashAccepted(origin, blockHash);
        vm.prank(stranger);
        assertEq(oracle.submitHeader(origin, header), stateRoot);
        assertTrue(oracle.isStateRootAccepted(origin, stateRoot));
    }

    function test_SubmitHeader_RevertGiven_LocalBlockhashDiffers() public {
        vm.chainId(origin);
        vm.roll(blockNumber + 10);
        vm.setBlockhash(blockNumber, keccak256("another block"));
        vm.expectRevert(abi.encodeWithSelector(IHeaderOracle.HeaderOracleUnknownHeader.selector, origin, blockHash));
        oracle.submitHeader(origin, header);
    }

    /// @dev The blockhash path only serves the local chain: a remote origin whose hash happens to be known
    /// locally is still refused.
    function test_SubmitHeader_RevertGiven_BlockhashMatchesButOriginRemote() public {
        vm.chainId(origin + 1);
        vm.roll(blockNumber + 10);
        vm.setBlockhash(blockNumber, blockHash);
        vm.expectRevert(abi.encodeWithSelector(IHeaderOracle.HeaderOracleUnknownHeader.selector, origin, blockHash));
        oracle.submitHeader(origin, header);
    }

    function _slice(bytes memory data, uint256 start, uint256 length) internal pure returns (bytes memory out) {
        out = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            out[i] = data[start + i];
        }
    }
}
