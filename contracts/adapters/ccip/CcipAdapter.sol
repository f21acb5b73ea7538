// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAny2EVMMessageReceiver} from "@chainlink/contracts-ccip/contracts/interfaces/IAny2EVMMessageReceiver.sol";
import {IRouterClient} from "@chainlink/contracts-ccip/contracts/interfaces/IRouterClient.sol";
import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {AdapterEnvelope} from "../AdapterEnvelope.sol";
import {ConcordAdapter} from "../ConcordAdapter.sol";
import {ICcipAdapter} from "./ICcipAdapter.sol";

/// @title CcipAdapter
/// @notice Concord's ERC-7786 gateway over Chainlink CCIP (see {ICcipAdapter}, {ConcordAdapter}). Sending:
/// `Router.ccipSend{value: fee}(selector, EVM2AnyMessage(remoteAdapter, envelope, no tokens, native fee,
/// GenericExtraArgsV2(destinationGas, out of order)))`, where `fee` is the Router's own `getFee` of the same message.
/// Receiving: the Router calls `ccipReceive` for a message its OffRamp for the source chain selector executes (the
/// OffRamp executes only what the DON committed and the RMN blessed, once per message); the adapter accepts the
/// envelope's stated origin only as the domain the selector maps to (the selector is the route's protocol domain in
/// the base), requires an EVM sender and hands the envelope to `ConcordAdapter._receive`, which
/// accepts it only from the adapter enrolled for that domain and only once.
/// @dev The adapter implements `IAny2EVMMessageReceiver` and ERC-165 itself instead of inheriting `CCIPReceiver`:
/// the same two checks (Router as caller, the interface id), without CCIPReceiver's message copy to memory.
/// What the adapter cannot change: whatever the Router delivers as sent by the enrolled adapter from a mapped
/// selector is delivered; the Router's OffRamp configuration (and behind it the DON and the RMN) is the whole trust
/// root of inbound messages. See docs/adapters.md.
contract CcipAdapter is ICcipAdapter, ConcordAdapter, IAny2EVMMessageReceiver, IERC165 {
    /// @notice Gas the adapter needs on the destination besides the recipient's gas limit: `ccipReceive` before the
    /// recipient's call (checks, the replay bit, which may be a fresh slot, the message id, the call data) and the
    /// reserve `ConcordAdapter.POST_CALL_GAS` kept across the call. Measured in
    /// test/adapters/CcipAdapter/CcipAdapter.gas.t.sol (the smallest gas limit with which the Router delivers, minus
    /// the recipient's limit, with a margin).
    uint32 public constant DELIVERY_GAS_OVERHEAD = 77_000;

    /// @notice Destination gas per 32-byte word of the envelope (copying and hashing it).
    uint32 public constant DELIVERY_GAS_PER_WORD = 32;

    /// @notice Divisor of the quadratic part of the destination gas, words * words / divisor (memory expansion).
    uint32 public constant DELIVERY_GAS_MEMORY_DIVISOR = 30;

    IRouterClient internal immutable _ROUTER;
    uint64 internal immutable _LOCAL_CHAIN_SELECTOR;

    /// @dev CCIP chain selector -> Concord domain (the other direction is the route's protocol domain, in the base).
    mapping(uint64 chainSelector => uint32 domain) private _domains;

    /// @param router_ The local CCIP Router.
    /// @param localChainSelector_ This chain's CCIP chain selector.
    /// @param localDomain_ This Concord domain (the EVM chain id in production).
    /// @param initialAuthority The AccessManager.
    /// @param defaultGasLimit_ Gas a recipient gets when the sender gives no `gasLimit` attribute.
    constructor(
        address router_,
        uint64 localChainSelector_,
        uint32 localDomain_,
        address initialAuthority,
        uint32 defaultGasLimit_
    ) ConcordAdapter(localDomain_, initialAuthority, defaultGasLimit_) {
        if (router_.code.length == 0 || localChainSelector_ == 0) {
            revert CcipAdapterInvalidRouter(router_, localChainSelector_);
        }
        _ROUTER = IRouterClient(router_);
        _LOCAL_CHAIN_SELECTOR = localChainSelector_;
    }

    // ---------------------------------------------------------------------------------------------
    // CCIP
    // ---------------------------------------------------------------------------------------------

    /// @notice CCIP's delivery entry point: the Router calls it for a message its OffRamp executes. Takes as the
    /// Concord domain the envelope's stated origin, only if that domain's chain selector is the authenticated
    /// `sourceChainSelector` (one to one), and the `sender` as an EVM address, then delivers the envelope
    /// (`data`) through the shared base, which refuses any sender but the adapter enrolled for that domain and any
    /// envelope already delivered. A refusal reverts: CCIP keeps the message (FAILURE, manually executable).
    /// @param message The CCIP message (source selector and sender authenticated by CCIP; no tokens).
    function ccipReceive(Client.Any2EVMMessage calldata message) external {
        if (msg.sender != address(_ROUTER)) revert CcipAdapterNotRouter(msg.sender);
        // The Concord domain of the source selector, found from the envelope's stated origin and checked against the
        // one-to-one map (the route slot, which `_receive` reads next anyway, instead of a reverse-map lookup): the
        // domain is accepted only if its route carries exactly this authenticated selector. Selector 0 is never
        // mapped. Only a refusal reads the reverse map, to say which it is: a selector mapped to no domain, or an
        // envelope whose stated origin is not the selector's domain.
        uint64 sourceChainSelector = message.sourceChainSelector;
        uint32 domain = AdapterEnvelope.originOf(message.data);
        uint256 route = _routeWordOf(domain);
        if (sourceChainSelector == 0 || _protocolDomainOfRoute(route) != sourceChainSelector) {
            uint32 mapped = _domains[sourceChainSelector];
            if (mapped == 0) revert CcipAdapterUnknownChainSelector(sourceChainSelector);
            revert ConcordAdapterOriginMismatch(mapped, domain);
        }
        bytes calldata sender = message.sender;
        if (sender.length != 32 || uint256(bytes32(sender)) >> 160 != 0) revert CcipAdapterNonEvmSender(sender);
        if (message.destTokenAmounts.length != 0) revert CcipAdapterTokensNotAccepted(message.destTokenAmounts.length);
        _receive(domain, address(uint160(uint256(bytes32(sender)))), message.data, route);
    }

    /// @notice ERC-165: `IAny2EVMMessageReceiver` (the Router calls only receivers that declare it) and ERC-165.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IAny2EVMMessageReceiver).interfaceId || interfaceId == type(IERC165).interfaceId;
    }

    // ---------------------------------------------------------------------------------------------
    // Protocol hooks
    // ---------------------------------------------------------------------------------------------

    /// @dev `Router.getFee` of exactly the message `_send` sends (native fee).
    function _quote(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit)
        internal
        view
        override
        returns (uint256 fee)
    {
        return _ROUTER.getFee(_selectorOf(destination), _message(remoteAdapter, envelope, gasLimit));
    }

    /// @dev `Router.ccipSend` paying exactly the Router's fee, the message built once; returns the CCIP message id. A
    /// sponsored send comes with `fee` = `_quote` (the base quoted it) and pays it. A send with value comes with the
    /// whole value (`_refundsExcess`): the Router keeps any native overpayment, so `getFee` of the message is asked
    /// here, once, and only it is paid (less than it reverts `ConcordAdapterFeeTooLow`); the rest stays in this adapter
    /// until the base returns it to the caller in the same transaction.
    function _send(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit, uint256 fee)
        internal
        override
        returns (bytes32 protocolMessageId)
    {
        uint64 selector = _selectorOf(destination);
        Client.EVM2AnyMessage memory message = _message(remoteAdapter, envelope, gasLimit);
        if (msg.value != 0) {
            uint256 price = _ROUTER.getFee(selector, message);
            if (fee < price) revert ConcordAdapterFeeTooLow(price, fee);
            fee = price;
        }
        return _ROUTER.ccipSend{value: fee}(selector, message);
    }

    /// @dev Yes, in the base's sense: a send with value hands `_send` the whole value and `_send` pays only the
    /// Router's `getFee` out of it, keeping the rest in this adapter, where the base finds it and returns it to the
    /// caller in the same transaction. The Router itself refunds nothing (it keeps overpayment): the adapter never pays
    /// it more than its fee. The base's own quote before `_send` (a second message build and `getFee` call) is skipped.
    function _refundsExcess() internal pure override returns (bool) {
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ICcipAdapter
    function setChainSelector(uint32 domain, uint64 chainSelector) external restricted {
        if (domain == 0 || domain == _LOCAL_DOMAIN || chainSelector == _LOCAL_CHAIN_SELECTOR) {
            revert CcipAdapterInvalidDomainMapping(domain, chainSelector);
        }
        if (chainSelector != 0) {
            uint32 holder = _domains[chainSelector];
            if (holder != 0 && holder != domain) revert CcipAdapterChainSelectorTaken(chainSelector, holder);
        }
        uint64 previous = _protocolDomainOf(domain);
        if (previous != 0) delete _domains[previous];
        _setProtocolDomain(domain, chainSelector);
        if (chainSelector != 0) _domains[chainSelector] = domain;
        emit ChainSelectorSet(domain, chainSelector);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ICcipAdapter
    function router() external view returns (IRouterClient) {
        return _ROUTER;
    }

    /// @inheritdoc ICcipAdapter
    function localChainSelector() external view returns (uint64) {
        return _LOCAL_CHAIN_SELECTOR;
    }

    /// @inheritdoc ICcipAdapter
    function chainSelectorOf(uint32 domain) external view returns (uint64) {
        return _protocolDomainOf(domain);
    }

    /// @inheritdoc ICcipAdapter
    function domainOfChainSelector(uint64 chainSelector) external view returns (uint32) {
        return _domains[chainSelector];
    }

    /// @inheritdoc ICcipAdapter
    function destinationGas(uint32 gasLimit, uint256 envelopeLength) public pure returns (uint256) {
        // The recipient's limit, the 1/63 the adapter's EIP-150 check adds to it, the fixed overhead, and the
        // envelope's words.
        uint256 words = (envelopeLength + 31) / 32;
        return uint256(gasLimit) + uint256(gasLimit) / 63 + 1 + DELIVERY_GAS_OVERHEAD + words * DELIVERY_GAS_PER_WORD
            + (words * words) / DELIVERY_GAS_MEMORY_DIVISOR;
    }

    // ---------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------

    function _selectorOf(uint32 domain) private view returns (uint64 chainSelector) {
        chainSelector = _protocolDomainOf(domain);
        if (chainSelector == 0) revert CcipAdapterUnknownDomain(domain);
    }

    /// @dev The CCIP message to `remoteAdapter`: the envelope, no tokens, native fee, and `GenericExtraArgsV2` with
    /// the destination gas and out-of-order execution allowed (the adapter orders nothing: its replay record is a
    /// bitmap, so one stuck message never blocks the lane; every CCIP lane accepts `true`).
    function _message(address remoteAdapter, bytes memory envelope, uint32 gasLimit)
        private
        pure
        returns (Client.EVM2AnyMessage memory)
    {
        return Client.EVM2AnyMessage({
            receiver: abi.encode(remoteAdapter),
            data: envelope,
            tokenAmounts: new Client.EVMTokenAmount[](0),
            feeToken: address(0),
            extraArgs: Client._argsToBytes(
                Client.GenericExtraArgsV2({
                    gasLimit: destinationGas(gasLimit, envelope.length), allowOutOfOrderExecution: true
                })
            )
        });
    }
}
