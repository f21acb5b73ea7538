// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {IConcordGateway} from "../interfaces/IConcordGateway.sol";
import {IConcordVerifier, ISpecifiesVerifier} from "../interfaces/IConcordVerifier.sol";

/// @notice TEST ONLY: an ERC-7786 recipient whose behaviour (and declared verifier getter) the test chooses, for
/// the gateway's red-team tests.
contract MockRecipient is IERC7786Recipient, ISpecifiesVerifier {
    enum Mode {
        ACCEPT,
        REVERT,
        BURN_GAS,
        RETURN_BOMB,
        REVERT_BOMB,
        WRONG_RETURN,
        REENTER_PROCESS,
        REENTER_RETRY,
        DISPATCH
    }

    enum GetterMode {
        RETURN,
        REVERT,
        SHORT,
        BURN_GAS,
        DIRTY
    }

    /// @notice Thrown in REVERT mode.
    error MockRecipientRejected(bytes32 receiveId);

    /// @notice Thrown by the getter in REVERT getter mode.
    error MockRecipientNoVerifier();

    Mode public mode;
    GetterMode public getterMode;
    address public declaredVerifier;
    bytes public reentryData;

    uint256 public calls;
    bytes32 public lastReceiveId;
    bytes public lastSender;
    bytes public lastPayload;
    address public lastCaller;
    uint256 public lastGasLeft;
    uint256 public lastValue;
    bytes32 public lastDispatchId;

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function setGetter(GetterMode getterMode_, address verifier) external {
        getterMode = getterMode_;
        declaredVerifier = verifier;
    }

    /// @notice Calldata used by the REENTER_* modes (the message to process or retry).
    function setReentryData(bytes calldata data) external {
        reentryData = data;
    }

    /// @inheritdoc ISpecifiesVerifier
    function interchainSecurityModule() external view returns (IConcordVerifier) {
        GetterMode m = getterMode;
        if (m == GetterMode.REVERT) revert MockRecipientNoVerifier();
        if (m == GetterMode.SHORT) {
            assembly {
                mstore(0, 0x1234)
                return(0, 16)
            }
        }
        if (m == GetterMode.BURN_GAS) {
            while (true) {}
        }
        if (m == GetterMode.DIRTY) {
            address v = declaredVerifier;
            assembly {
                mstore(0, or(shl(200, 1), v))
                return(0, 32)
            }
        }
        return IConcordVerifier(declaredVerifier);
    }

    /// @inheritdoc IERC7786Recipient
    function receiveMessage(bytes32 receiveId, bytes calldata sender, bytes calldata payload)
        external
        payable
        returns (bytes4)
    {
        lastGasLeft = gasleft();
        Mode m = mode;
        if (m == Mode.REVERT) revert MockRecipientRejected(receiveId);
        if (m == Mode.BURN_GAS) {
            while (true) {}
        }
        if (m == Mode.REVERT_BOMB) {
            assembly {
                // first 256 bytes: 0xdeadbeef (right-aligned in word 0), then zeros; memory is scrapped anyway
                for { let i := 0 } lt(i, 0x100) { i := add(i, 0x20) } { mstore(i, 0) }
                mstore(0, 0xdeadbeef)
                revert(0, 1000000)
            }
        }
        if (m == Mode.REENTER_PROCESS || m == Mode.REENTER_RETRY) {
            (bool ok, bytes memory ret) = msg.sender.call(reentryData);
            if (!ok) {
                assembly {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
        }
        calls += 1;
        lastReceiveId = receiveId;
        lastSender = sender;
        lastPayload = payload;
        lastCaller = msg.sender;
        lastValue = msg.value;
        if (m == Mode.DISPATCH) {
            lastDispatchId = IConcordGateway(msg.sender).dispatch(1, bytes32(uint256(uint160(address(this)))), payload);
        }
        if (m == Mode.WRONG_RETURN) return bytes4(0xdeadbeef);
        if (m == Mode.RETURN_BOMB) {
            bytes4 selector = IERC7786Recipient.receiveMessage.selector;
            assembly {
                mstore(0, selector)
                return(0, 1000000)
            }
        }
        return IERC7786Recipient.receiveMessage.selector;
    }
}
