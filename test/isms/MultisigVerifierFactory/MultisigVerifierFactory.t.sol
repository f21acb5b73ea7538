// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CONCORD_MESSAGE_ID_MULTISIG, IMultisigVerifier} from "../../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {MultisigBase} from "../MultisigBase.t.sol";

/// @notice `MultisigVerifierFactory`: deploys at the predicted address, once per (variant, config), and refuses an
/// invalid config. Same fixture as the message-id verifier tests (a 3-of-5 verifier deployed through the factory).
contract MultisigVerifierFactoryTest is MultisigBase {
    uint256[] internal keys;
    address[] internal validators;
    IMultisigVerifier internal verifier; // 3-of-5
    bytes internal message;

    function setUp() public override {
        super.setUp();
        (keys, validators) = _keys(1, 5);
        verifier = _deployMessageId(validators, 3);
        message = _message();
    }

    function test_Factory_DeploysAtPredictedAddress() public {
        IMultisigVerifier.Config memory config = _config(validators, 2);
        address predicted = factory.predict(IMultisigVerifierFactory.Variant.MESSAGE_ID, config);
        vm.expectEmit(true, true, true, true);
        emit IMultisigVerifierFactory.MultisigVerifierDeployed(
            predicted, IMultisigVerifierFactory.Variant.MESSAGE_ID, ORIGIN, keccak256(abi.encode(config))
        );
        IMultisigVerifier deployed = factory.deploy(IMultisigVerifierFactory.Variant.MESSAGE_ID, config);
        assertEq(address(deployed), predicted);
        assertEq(deployed.moduleType(), CONCORD_MESSAGE_ID_MULTISIG);
    }

    function test_Factory_RedeployIsIdempotent() public {
        IMultisigVerifier.Config memory config = _config(validators, 3);
        vm.recordLogs();
        IMultisigVerifier again = factory.deploy(IMultisigVerifierFactory.Variant.MESSAGE_ID, config);
        assertEq(address(again), address(verifier));
        assertEq(vm.getRecordedLogs().length, 0);
    }

    function test_Factory_VariantsGetDistinctAddresses() public view {
        IMultisigVerifier.Config memory config = _config(validators, 3);
        assertTrue(
            factory.predict(IMultisigVerifierFactory.Variant.MESSAGE_ID, config)
                != factory.predict(IMultisigVerifierFactory.Variant.MERKLE_ROOT, config)
        );
    }

    function test_Factory_RevertWhen_ConfigInvalid() public {
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidThreshold.selector, 0, 5));
        factory.deploy(IMultisigVerifierFactory.Variant.MESSAGE_ID, _config(validators, 0));
    }
}
