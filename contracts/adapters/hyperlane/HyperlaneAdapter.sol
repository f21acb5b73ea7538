// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StandardHookMetadata} from "@hyperlane-xyz/core/contracts/hooks/libs/StandardHookMetadata.sol";
import {
    IInterchainSecurityModule,
    ISpecifiesInterchainSecurityModule
} from "@hyperlane-xyz/core/contracts/interfaces/IInterchainSecurityModule.sol";
import {IMailbox} from "@hyperlane-xyz/core/contracts/interfaces/IMailbox.sol";
import {IMessageRecipient} from "@hyperlane-xyz/core/contracts/interfaces/IMessageRecipient.sol";

import {AdapterEnvelope} from "../AdapterEnvelope.sol";
import {ConcordAdapter} from "../ConcordAdapter.sol";
import {IHyperlaneAdapter} from "./IHyperlaneAdapter.sol";

/// @title HyperlaneAdapter
/// @notice Concord's ERC-7786 gateway over Hyperlane (see {IHyperlaneAdapter}, {ConcordAdapter}). Sending:
/// `Mailbox.dispatch{value: fee}(hyperlaneDomain, remoteAdapter, envelope, StandardHookMetadata(gas, refund))`,
/// where `fee` is the Mailbox's own `quoteDispatch` of the same arguments. Receiving: the Mailbox calls `handle` once
/// the ISM this adapter names verified the message (the Mailbox also refuses a message it already processed); the
/// adapter maps the Hyperlane origin to a Concord domain, requires an EVM sender and hands the envelope to
/// `ConcordAdapter._receive`, which accepts it only from the adapter enrolled for that domain.
/// @dev What the adapter cannot change: whatever the ISM accepts as sent by the enrolled adapter on a mapped origin is
/// delivered. The ISM (or, with address(0), the Mailbox owner's default ISM) is the whole trust root of inbound
/// messages. See docs/adapters.md.
contract HyperlaneAdapter is IHyperlaneAdapter, ConcordAdapter, IMessageRecipient, ISpecifiesInterchainSecurityModule {
    /// @notice Gas the adapter needs on the destination besides the recipient's gas limit: `handle` before the
    /// recipient's call (checks, the replay bit, which may be a fresh slot, the message id, the call data), the reserve
    /// `ConcordAdapter.POST_CALL_GAS` the adapter keeps across the call, and the 1/64 the Mailbox keeps when it calls
    /// `handle`. Measured in test/adapters/HyperlaneAdapter/HyperlaneAdapter.gas.t.sol (the smallest gas with which
    /// `process` delivers, minus the Mailbox's and the ISM's own use, with a margin); the IGP adds its own
    /// per-destination overhead for `Mailbox.process` and the ISM on top.
    uint32 public constant DELIVERY_GAS_OVERHEAD = 77_000;

    /// @notice Destination gas per 32-byte word of the envelope (copying and hashing it).
    uint32 public constant DELIVERY_GAS_PER_WORD = 32;

    /// @notice Divisor of the quadratic part of the destination gas, words * words / divisor: the memory `handle`
    /// expands holds several copies of the envelope (decoded, hashed, re-encoded for the recipient).
    uint32 public constant DELIVERY_GAS_MEMORY_DIVISOR = 30;

    IMailbox internal immutable _MAILBOX;
    uint32 internal immutable _HYPERLANE_LOCAL_DOMAIN;

    /// @dev What a delivery reads besides the route, in one slot: the ISM (the Mailbox asks for it first, so the slot
    /// is warm when `handle` runs) and the low 96 bits of the authority, against which the privileged-recipient check
    /// compares before reading the authority itself (only a recipient sharing those bits pays for that read).
    struct DeliveryConfig {
        IInterchainSecurityModule ism;
        uint96 authorityTag;
    }

    DeliveryConfig private _delivery;
    /// @dev Hyperlane domain -> Concord domain (the other direction is the route's protocol domain, in the base).
    mapping(uint32 hyperlaneDomain => uint32 domain) private _domains;

    /// @param mailbox_ The local Hyperlane Mailbox.
    /// @param localDomain_ This Concord domain (the EVM chain id in production).
    /// @param initialAuthority The AccessManager.
    /// @param defaultGasLimit_ Gas a recipient gets when the sender gives no `gasLimit` attribute.
    /// @param ism_ The ISM that verifies messages to this adapter (address(0): the Mailbox's default ISM).
    constructor(address mailbox_, uint32 localDomain_, address initialAuthority, uint32 defaultGasLimit_, address ism_)
        ConcordAdapter(localDomain_, initialAuthority, defaultGasLimit_)
    {
        if (mailbox_.code.length == 0) revert HyperlaneAdapterInvalidMailbox(mailbox_);
        _MAILBOX = IMailbox(mailbox_);
        _HYPERLANE_LOCAL_DOMAIN = IMailbox(mailbox_).localDomain();
        _setIsm(ism_);
    }

    /// @notice Adds the value to the sponsor balance, like `fund`. A hook's refund of an overpaid dispatch lands here
    /// too (the adapter is the refund address of its dispatches): during a send it is that send's (`sendMessage`
    /// returns it to a caller that paid, or keeps it in the sponsor balance for a sponsored send, and reports the
    /// fee net of it), so no `SponsorFunded` is emitted then.
    receive() external payable {
        if (!_sendInProgress()) emit SponsorFunded(msg.sender, msg.value);
    }

    // ---------------------------------------------------------------------------------------------
    // Hyperlane
    // ---------------------------------------------------------------------------------------------

    /// @notice Hyperlane's delivery entry point: the Mailbox calls it once the ISM verified the message. Maps the
    /// Hyperlane `origin` to its Concord domain and the `sender` to an EVM address, then delivers the envelope
    /// (`body`) through the shared base, which refuses any sender but the adapter enrolled for that domain and any
    /// envelope already delivered.
    /// @param origin The Hyperlane origin domain (authenticated by the ISM).
    /// @param sender The Hyperlane sender (the origin adapter, left-padded).
    /// @param body The envelope.
    function handle(uint32 origin, bytes32 sender, bytes calldata body) external payable {
        if (msg.sender != address(_MAILBOX)) revert HyperlaneAdapterNotMailbox(msg.sender);
        if (msg.value != 0) revert HyperlaneAdapterValueNotAccepted(msg.value);
        if (uint256(sender) >> 160 != 0) revert HyperlaneAdapterNonEvmSender(sender);
        // The Concord domain of a Hyperlane origin, found from the envelope's stated origin and checked against the
        // one-to-one map (one slot, which `_receive` reads next anyway, instead of a reverse-map lookup): the domain
        // is accepted only if its route carries exactly this authenticated origin, so it is still the one mapped to
        // the Hyperlane origin, never another. Origin 0 is never mapped.
        uint32 domain = AdapterEnvelope.originOf(body);
        uint256 route = _routeWordOf(domain);
        if (origin == 0 || _protocolDomainOfRoute(route) != origin) {
            revert HyperlaneAdapterUnknownHyperlaneDomain(origin);
        }
        _receive(domain, address(uint160(uint256(sender))), body, route);
    }

    /// @inheritdoc IHyperlaneAdapter
    function interchainSecurityModule()
        external
        view
        override(IHyperlaneAdapter, ISpecifiesInterchainSecurityModule)
        returns (IInterchainSecurityModule)
    {
        return _delivery.ism;
    }

    // ---------------------------------------------------------------------------------------------
    // Protocol hooks
    // ---------------------------------------------------------------------------------------------

    /// @dev `Mailbox.quoteDispatch` of exactly what `_send` dispatches (the Mailbox quotes its required hook and its
    /// default hook; the adapter is the message sender in both calls).
    function _quote(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit)
        internal
        view
        override
        returns (uint256 fee)
    {
        return _MAILBOX.quoteDispatch(
            _hyperlaneDomainOf(destination),
            bytes32(uint256(uint160(remoteAdapter))),
            envelope,
            _hookMetadata(gasLimit, envelope.length)
        );
    }

    /// @dev `Mailbox.dispatch` with `fee`: the quote (sponsored sends) or the whole value sent (the Mailbox's hooks
    /// take their price and refund the rest to this adapter, the refund address of the hook metadata); returns the
    /// Hyperlane message id. A dispatch that fails with less than the quote reverts `ConcordAdapterFeeTooLow` (the
    /// quote is made only then); any other failure is bubbled up.
    function _send(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit, uint256 fee)
        internal
        override
        returns (bytes32 protocolMessageId)
    {
        uint32 hyperlaneDomain = _hyperlaneDomainOf(destination);
        bytes32 recipient = bytes32(uint256(uint160(remoteAdapter)));
        bytes memory metadata = _hookMetadata(gasLimit, envelope.length);
        try _MAILBOX.dispatch{value: fee}(hyperlaneDomain, recipient, envelope, metadata) returns (bytes32 id) {
            return id;
        } catch (bytes memory reason) {
            uint256 price = _MAILBOX.quoteDispatch(hyperlaneDomain, recipient, envelope, metadata);
            if (fee < price) revert ConcordAdapterFeeTooLow(price, fee);
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
    }

    /// @dev Hyperlane's IGP (and its other fee hooks) refund overpayment to the hook metadata's refund address, this
    /// adapter: a send with value needs no quote.
    function _refundsExcess() internal pure override returns (bool) {
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IHyperlaneAdapter
    function setHyperlaneDomain(uint32 domain, uint32 hyperlaneDomain) external restricted {
        if (domain == 0 || domain == _LOCAL_DOMAIN || hyperlaneDomain == _HYPERLANE_LOCAL_DOMAIN) {
            revert HyperlaneAdapterInvalidDomainMapping(domain, hyperlaneDomain);
        }
        if (hyperlaneDomain != 0) {
            uint32 holder = _domains[hyperlaneDomain];
            if (holder != 0 && holder != domain) revert HyperlaneAdapterHyperlaneDomainTaken(hyperlaneDomain, holder);
        }
        uint32 previous = uint32(_protocolDomainOf(domain));
        if (previous != 0) delete _domains[previous];
        _setProtocolDomain(domain, hyperlaneDomain);
        if (hyperlaneDomain != 0) _domains[hyperlaneDomain] = domain;
        emit HyperlaneDomainSet(domain, hyperlaneDomain);
    }

    /// @inheritdoc IHyperlaneAdapter
    function setInterchainSecurityModule(address ism) external restricted {
        _setIsm(ism);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IHyperlaneAdapter
    function mailbox() external view returns (IMailbox) {
        return _MAILBOX;
    }

    /// @inheritdoc IHyperlaneAdapter
    function hyperlaneLocalDomain() external view returns (uint32) {
        return _HYPERLANE_LOCAL_DOMAIN;
    }

    /// @inheritdoc IHyperlaneAdapter
    function hyperlaneDomainOf(uint32 domain) external view returns (uint32) {
        return uint32(_protocolDomainOf(domain));
    }

    /// @inheritdoc IHyperlaneAdapter
    function domainOfHyperlane(uint32 hyperlaneDomain) external view returns (uint32) {
        return _domains[hyperlaneDomain];
    }

    /// @inheritdoc IHyperlaneAdapter
    function destinationGas(uint32 gasLimit, uint256 envelopeLength) public pure returns (uint256) {
        // The recipient's limit, the 1/63 the adapter's EIP-150 check adds to it and the 1/64 the Mailbox keeps when
        // it calls `handle` (together just under gasLimit / 31), the fixed overhead, and the envelope's words.
        uint256 words = (envelopeLength + 31) / 32;
        return uint256(gasLimit) + uint256(gasLimit) / 31 + DELIVERY_GAS_OVERHEAD + words * DELIVERY_GAS_PER_WORD
            + (words * words) / DELIVERY_GAS_MEMORY_DIVISOR;
    }

    // ---------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------

    function _hyperlaneDomainOf(uint32 domain) private view returns (uint32 hyperlaneDomain) {
        hyperlaneDomain = uint32(_protocolDomainOf(domain));
        if (hyperlaneDomain == 0) revert HyperlaneAdapterUnknownDomain(domain);
    }

    /// @dev StandardHookMetadata (variant 1): no value for the recipient, the destination gas, and this adapter as
    /// the refund address (it pays exactly the quote, so no hook refunds; one that did would add to the sponsor
    /// balance, never to an application that may not accept value).
    function _hookMetadata(uint32 gasLimit, uint256 envelopeLength) private view returns (bytes memory) {
        return StandardHookMetadata.format(0, destinationGas(gasLimit, envelopeLength), address(this));
    }

    function _setIsm(address ism) private {
        if (ism != address(0) && ism.code.length == 0) revert HyperlaneAdapterInvalidIsm(ism);
        _delivery.ism = IInterchainSecurityModule(ism);
        emit InterchainSecurityModuleSet(ism);
    }

    /// @dev Keeps the authority's tag in the delivery slot (AccessManaged calls this from its constructor and from
    /// `setAuthority`, which emits `AuthorityUpdated`).
    function _setAuthority(address newAuthority) internal override {
        super._setAuthority(newAuthority);
        _delivery.authorityTag = uint96(uint160(newAuthority));
    }

    /// @dev Same answer as the base's check (this adapter or its authority), reading the authority only for a
    /// recipient whose low 96 bits are the authority's (the tag in the delivery slot, which the Mailbox's ISM lookup
    /// has warmed; Hyperlane keeps no tag in the routes, so the base's hint is unused).
    function _isPrivileged(address recipient, uint256) internal view override returns (bool) {
        if (recipient == address(this)) return true;
        if (uint96(uint160(recipient)) != _delivery.authorityTag) return false;
        return recipient == authority();
    }
}
