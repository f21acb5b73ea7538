// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ConcordDemoToken
/// @notice DEMO ONLY: an ERC-20 its owner can mint, deployed by the deploy scripts only on chains marked
/// `local`/`demo` to give the swap-and-bridge example two tokens, AMM liquidity and coordinator liquidity.
/// It has no value and must never be deployed to a production chain.
contract ConcordDemoToken is ERC20, Ownable {
    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    /// @param owner_ The account allowed to mint.
    constructor(string memory name_, string memory symbol_, address owner_) ERC20(name_, symbol_) Ownable(owner_) {}

    /// @notice Mints `amount` to `to`. Owner only.
    /// @param to Recipient.
    /// @param amount Amount, in the smallest unit (18 decimals).
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
