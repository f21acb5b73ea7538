// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AxelarGasService} from "@axelar-network/axelar-cgp-solidity/contracts/gas-service/AxelarGasService.sol";
import {
    AxelarAmplifierGateway
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/gateway/AxelarAmplifierGateway.sol";
import {
    AxelarAmplifierGatewayProxy
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/gateway/AxelarAmplifierGatewayProxy.sol";
import {IAxelarGateway} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGateway.sol";
import {CommandType, Message} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/types/AmplifierGatewayTypes.sol";
// AxelarGasService (cgp 6.4.0) is built on its own gmp-sdk 5.10: its GasInfo and its proxy are that version's.
import {GasInfo} from "@axelar-network/axelar-gmp-sdk-solidity-5/contracts/types/GasEstimationTypes.sol";
import {Proxy} from "@axelar-network/axelar-gmp-sdk-solidity-5/contracts/upgradable/Proxy.sol";
import {
    Proof,
    WeightedSigner,
    WeightedSigners
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/types/WeightedMultisigTypes.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {AxelarAdapter} from "../../../contracts/adapters/axelar/AxelarAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";

/// @notice TEST ONLY: cgp 6.4.0's `AxelarGasServiceProxy` pins solc 0.8.9, which this project cannot compile; this is
/// the same proxy (gmp-sdk 5.10's `Proxy`, the one it extends, with the gas service's contract id checked against
/// the implementation), so the gas service runs behind a proxy as deployed by Axelar.
contract AxelarGasServiceTestProxy is Proxy {
    constructor(address implementation, address owner) Proxy(implementation, owner, "") {}

    function contractId() internal pure override returns (bytes32) {
        return keccak256("axelar-gas-service");
    }
}

/// @title AxelarFixture
/// @notice Axelar GMP on several simulated chains in one EVM, through its real contracts only: per chain an
/// `AxelarAmplifierGateway` (axelar-gmp-sdk-solidity 6.2.0) behind its `AxelarAmplifierGatewayProxy`, set up with a
/// weighted signer set of test keys (3 signers of weight 1, threshold 2), and an `AxelarGasService`
/// (axelar-cgp-solidity 6.4.0) behind its proxy, whose gas collector is this fixture, with gas prices for every other
/// chain.
///
/// The fixture plays Axelar's off-chain roles with test keys: the network (it reads the `ContractCall` events of every
/// gateway, as Axelar's verifiers do, and gives each message an id) and the signers (an `approveMessages` batch signed
/// by a quorum of the destination's signer set: signatures over the gateway's own `messageHashToSign(signersHash,
/// keccak256(abi.encode(ApproveMessages, messages)))`, sorted by signer), then the relayer (`execute` on the
/// destination contract).
abstract contract AxelarFixture is Test {
    /// @notice Thrown when the fixture's shadow state disagrees with Axelar's contracts.
    error AxelarFixtureMismatch(string what);

    /// @dev Axelar's base fee for approval on the destination, in source wei.
    uint128 internal constant AX_BASE_FEE = 0.0001 ether;
    /// @dev Destination gas price in source wei (1 gwei).
    uint128 internal constant AX_GAS_PRICE = 1 gwei;
    uint256 internal constant _AX_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    struct AxChain {
        uint32 concord;
        string name;
        AxelarAmplifierGateway gateway;
        AxelarGasService gasService;
    }

    /// @notice A `callContract` captured from a fixture gateway: its origin chain index, sender, destination chain
    /// name and address, payload, and the message id the fixture's network gave it.
    struct AxSent {
        uint256 origin;
        address sender;
        string destinationChain;
        string destinationAddress;
        bytes payload;
        string messageId;
    }

    AxChain[] internal axChains;
    mapping(uint256 chainIndex => uint256[] keys) internal axSignerKeys;
    mapping(uint256 chainIndex => WeightedSigners) internal _axSigners;
    uint128 internal axThreshold = 2;
    uint256 internal axSignerCount = 3;
    AxSent[] internal axSent;

    // ------------------------------------------------------------------------------------------ deployment

    /// @dev Deploys Axelar on a new chain (Concord id `concord`, Axelar name `name`); returns its index.
    function _axDeployChain(uint32 concord, string memory name) internal returns (uint256 c) {
        c = axChains.length;
        (uint256[] memory keys, address[] memory addrs) = _axKeys(string.concat("signer-", name));
        axSignerKeys[c] = keys;
        WeightedSigners storage set = _axSigners[c];
        for (uint256 i = 0; i < addrs.length; ++i) {
            set.signers.push(WeightedSigner(addrs[i], 1));
        }
        set.threshold = axThreshold;
        set.nonce = keccak256(abi.encode("concord.axelar.test.nonce", name));
        WeightedSigners[] memory sets = new WeightedSigners[](1);
        sets[0] = set;
        AxelarAmplifierGateway implementation =
            new AxelarAmplifierGateway(0, keccak256(abi.encode("concord.axelar.test.domain", name)), 0);
        AxelarAmplifierGatewayProxy proxy =
            new AxelarAmplifierGatewayProxy(address(implementation), address(this), abi.encode(address(this), sets));
        AxChain memory a;
        a.concord = concord;
        a.name = name;
        a.gateway = AxelarAmplifierGateway(address(proxy));
        a.gasService = AxelarGasService(
            address(new AxelarGasServiceTestProxy(address(new AxelarGasService(address(this))), address(this)))
        );
        axChains.push(a);
    }

    /// @dev Lets messages flow from chain `from` to chain `to`: `from`'s gas service prices execution on `to`.
    function _axConnect(uint256 from, uint256 to) internal {
        string[] memory chains = new string[](1);
        chains[0] = axChains[to].name;
        GasInfo[] memory infos = new GasInfo[](1);
        infos[0] = GasInfo({
            gasEstimationType: 0,
            l1FeeScalar: 0,
            axelarBaseFee: AX_BASE_FEE,
            relativeGasPrice: AX_GAS_PRICE,
            relativeBlobBaseFee: 0,
            expressFee: 0
        });
        axChains[from].gasService.updateGasInfo(chains, infos);
    }

    /// @dev An Axelar adapter on chain `c`.
    function _axDeployAdapter(uint256 c, AccessManager manager, uint32 defaultGasLimit)
        internal
        returns (AxelarAdapter adapter)
    {
        AxChain storage a = axChains[c];
        adapter = new AxelarAdapter(
            address(a.gateway), address(a.gasService), a.concord, address(manager), defaultGasLimit, a.name
        );
    }

    /// @dev Enrolls `y` (on chain `cy`) on `x`: remote adapter and the chain map.
    function _axEnroll(AxelarAdapter x, uint256 cy, AxelarAdapter y) internal {
        x.setAxelarChain(axChains[cy].concord, axChains[cy].name);
        x.setRemote(axChains[cy].concord, address(y));
    }

    /// @dev `n` signer keys from `label`, sorted by ascending address (the weighted multisig's order).
    function _axKeys(string memory label) internal view returns (uint256[] memory keys, address[] memory addrs) {
        uint256 n = axSignerCount;
        keys = new uint256[](n);
        addrs = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            keys[i] = uint256(keccak256(abi.encode("concord.axelar.test", label, i))) % _AX_SECP256K1_N;
            addrs[i] = vm.addr(keys[i]);
        }
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && addrs[j - 1] > addrs[j]; --j) {
                (addrs[j - 1], addrs[j]) = (addrs[j], addrs[j - 1]);
                (keys[j - 1], keys[j]) = (keys[j], keys[j - 1]);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ network + signers

    /// @dev Captures the `ContractCall` events of every fixture gateway in the logs recorded since `vm.recordLogs()`
    /// (consumes them); returns how many messages were captured.
    function _axCapture() internal returns (uint256 captured) {
        return _axCapture(vm.getRecordedLogs());
    }

    /// @dev Same, from logs the test already read.
    function _axCapture(Vm.Log[] memory logs) internal returns (uint256 captured) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics.length != 3 || logs[i].topics[0] != IAxelarGateway.ContractCall.selector) continue;
            (bool known, uint256 c) = _axChainOfGateway(logs[i].emitter);
            if (!known) continue;
            (string memory chain, string memory to, bytes memory payload) =
                abi.decode(logs[i].data, (string, string, bytes));
            if (keccak256(payload) != logs[i].topics[2]) revert AxelarFixtureMismatch("payload hash");
            axSent.push(
                AxSent({
                    origin: c,
                    sender: address(uint160(uint256(logs[i].topics[1]))),
                    destinationChain: chain,
                    destinationAddress: to,
                    payload: payload,
                    messageId: string.concat("concord-test-", vm.toString(axSent.length))
                })
            );
            ++captured;
        }
    }

    /// @dev The Axelar message of captured call `i`, as Axelar's network hands it to the destination gateway (the
    /// source address as lowercase hex).
    function _axMessage(uint256 i) internal view returns (Message memory m) {
        AxSent storage s = axSent[i];
        m.sourceChain = axChains[s.origin].name;
        m.messageId = s.messageId;
        m.sourceAddress = Strings.toHexString(s.sender);
        m.contractAddress = Strings.parseAddress(s.destinationAddress);
        m.payloadHash = keccak256(s.payload);
    }

    /// @dev The destination chain index of captured call `i`.
    function _axDestination(uint256 i) internal view returns (uint256) {
        bytes32 name = keccak256(bytes(axSent[i].destinationChain));
        for (uint256 c = 0; c < axChains.length; ++c) {
            if (keccak256(bytes(axChains[c].name)) == name) return c;
        }
        revert AxelarFixtureMismatch("unknown destination chain");
    }

    /// @dev The proof for `messages` on chain `c`, signed by the first `signers` keys of `keys` (in signer order).
    function _axProof(uint256 c, Message[] memory messages, uint256[] memory keys, uint256 signers)
        internal
        view
        returns (Proof memory proof)
    {
        proof.signers = _axSigners[c];
        bytes32 dataHash = keccak256(abi.encode(CommandType.ApproveMessages, messages));
        bytes32 digest = axChains[c].gateway.messageHashToSign(keccak256(abi.encode(proof.signers)), dataHash);
        proof.signatures = new bytes[](signers);
        for (uint256 k = 0; k < signers; ++k) {
            (uint8 v, bytes32 r, bytes32 sig) = vm.sign(keys[k], digest);
            proof.signatures[k] = abi.encodePacked(r, sig, v);
        }
    }

    /// @dev Axelar's signers approve `m` on chain `c` (a one-message batch with the threshold of signatures).
    function _axApproveMessage(uint256 c, Message memory m) internal {
        Message[] memory messages = new Message[](1);
        messages[0] = m;
        axChains[c].gateway.approveMessages(messages, _axProof(c, messages, axSignerKeys[c], axThreshold));
    }

    /// @dev Axelar's signers approve captured call `i` on its destination.
    function _axApprove(uint256 i) internal {
        _axApproveMessage(_axDestination(i), _axMessage(i));
    }

    /// @dev The gateway command id of captured call `i` on its destination (the gateway's `messageToCommandId`,
    /// computed here so that a test can expect the revert of the very next call).
    function _axCommandId(uint256 i) internal view returns (bytes32) {
        Message memory m = _axMessage(i);
        return keccak256(bytes(string.concat(m.sourceChain, "_", m.messageId)));
    }

    /// @dev The relayer executes captured call `i` (already approved) on its destination adapter.
    function _axExecute(uint256 i) internal {
        Message memory m = _axMessage(i);
        AxelarAdapter(payable(m.contractAddress))
            .execute(_axCommandId(i), m.sourceChain, m.sourceAddress, axSent[i].payload);
    }

    /// @dev Approves and executes captured call `i`.
    function _axRelay(uint256 i) internal {
        _axApprove(i);
        _axExecute(i);
    }

    /// @dev Index of the last captured call.
    function _axLast() internal view returns (uint256) {
        return axSent.length - 1;
    }

    /// @dev The Concord envelope (payload) of captured call `i`.
    function _axBody(uint256 i) internal view returns (bytes memory) {
        return axSent[i].payload;
    }

    function _axEnvelope(uint256 i) internal view returns (IConcordAdapter.Envelope memory) {
        return AdapterEnvelope.decode(axSent[i].payload);
    }

    function _axChainOfGateway(address gateway) internal view returns (bool known, uint256 c) {
        for (c = 0; c < axChains.length; ++c) {
            if (address(axChains[c].gateway) == gateway) return (true, c);
        }
    }
}
