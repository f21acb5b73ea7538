// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {ConcordCreate3Factory} from "../../../contracts/deploy/ConcordCreate3Factory.sol";
import {ConcordDemoToken} from "../../../contracts/deploy/ConcordDemoToken.sol";
import {IConcordCreate3Factory} from "../../../contracts/deploy/IConcordCreate3Factory.sol";

/// @notice TEST ONLY: a contract whose constructor argument changes its init code.
contract Create3Probe {
    uint256 public immutable value;

    error Create3ProbeRejected(uint256 value);

    constructor(uint256 value_) {
        if (value_ == type(uint256).max) revert Create3ProbeRejected(value_);
        value = value_;
    }
}

/// @notice ConcordCreate3Factory: the address depends on (factory, caller, salt) only; every revert path.
contract ConcordCreate3FactoryTest is Test {
    ConcordCreate3Factory internal factory;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public {
        factory = new ConcordCreate3Factory();
    }

    function _probe(uint256 value) internal pure returns (bytes memory) {
        return abi.encodePacked(type(Create3Probe).creationCode, abi.encode(value));
    }

    function testFuzz_Deploy_AddressIndependentOfInitCode(bytes32 salt, uint256 a, uint256 b) public {
        a = bound(a, 0, type(uint256).max - 1);
        b = bound(b, 0, type(uint256).max - 1);
        address predicted = factory.computeAddress(alice, salt);
        uint256 snapshot = vm.snapshotState();
        vm.prank(alice);
        address first = factory.deploy(salt, _probe(a));
        vm.revertToState(snapshot);
        vm.prank(alice);
        address second = factory.deploy(salt, _probe(b));
        assertEq(first, predicted);
        assertEq(second, predicted);
        assertEq(Create3Probe(second).value(), b);
    }

    function test_Deploy_EmitsContractDeployed() public {
        bytes32 salt = keccak256("gateway");
        address predicted = factory.computeAddress(alice, salt);
        vm.expectEmit(address(factory));
        emit IConcordCreate3Factory.ContractDeployed(alice, salt, predicted);
        vm.prank(alice);
        factory.deploy(salt, _probe(7));
    }

    function test_Deploy_SaltBoundToCaller() public {
        bytes32 salt = keccak256("same");
        vm.prank(alice);
        address fromAlice = factory.deploy(salt, _probe(1));
        // Bob cannot take Alice's address, and his own deployment with the same salt lands elsewhere.
        vm.prank(bob);
        address fromBob = factory.deploy(salt, _probe(2));
        assertNotEq(fromAlice, fromBob);
        assertEq(Create3Probe(fromAlice).value(), 1);
        assertEq(fromBob, factory.computeAddress(bob, salt));
    }

    function test_Deploy_ConstructorArgumentsReachTheContract() public {
        vm.prank(alice);
        address token = factory.deploy(
            keccak256("token"), abi.encodePacked(type(ConcordDemoToken).creationCode, abi.encode("Demo", "DMO", alice))
        );
        assertEq(ConcordDemoToken(token).owner(), alice);
        assertEq(ConcordDemoToken(token).symbol(), "DMO");
    }

    function test_Deploy_RevertWhen_InitCodeEmpty() public {
        vm.expectRevert(IConcordCreate3Factory.ConcordCreate3FactoryEmptyInitCode.selector);
        vm.prank(alice);
        factory.deploy(keccak256("empty"), "");
    }

    function test_Deploy_RevertGiven_SaltUsed() public {
        bytes32 salt = keccak256("once");
        vm.prank(alice);
        address deployed = factory.deploy(salt, _probe(1));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordCreate3Factory.ConcordCreate3FactoryAlreadyDeployed.selector, deployed)
        );
        vm.prank(alice);
        factory.deploy(salt, _probe(2));
    }

    function test_Deploy_RevertWhen_InitCodeReturnsNoCode() public {
        bytes32 salt = keccak256("stop");
        address predicted = factory.computeAddress(alice, salt);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordCreate3Factory.ConcordCreate3FactoryDeploymentFailed.selector, predicted)
        );
        vm.prank(alice);
        factory.deploy(salt, hex"00"); // STOP: returns empty runtime code
    }

    function test_Deploy_RevertWhen_ConstructorReverts_BubblesReason() public {
        vm.expectRevert(abi.encodeWithSelector(Create3Probe.Create3ProbeRejected.selector, type(uint256).max));
        vm.prank(alice);
        factory.deploy(keccak256("bad"), _probe(type(uint256).max));
    }

    function test_Deploy_RevertWhen_ValueSent() public {
        // Non-payable: no value can be locked in the factory.
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        (bool ok,) =
            address(factory).call{value: 1}(abi.encodeCall(IConcordCreate3Factory.deploy, (bytes32(0), _probe(1))));
        assertFalse(ok);
        assertEq(address(factory).balance, 0);
    }
}
