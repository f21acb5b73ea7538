import { fileURLToPath } from "node:url";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatTypechain from "@nomicfoundation/hardhat-typechain";
import hardhatNodeTestRunner from "@nomicfoundation/hardhat-node-test-runner";
import { defineConfig } from "hardhat/config";

/** Same compiler and EVM version as foundry.toml; solcjs from npm, since no solc download is possible. */
const SOLC_PATH = fileURLToPath(import.meta.resolve("solc/soljson.js"));

export default defineConfig({
  plugins: [hardhatViem, hardhatEthers, hardhatTypechain, hardhatNodeTestRunner],
  solidity: {
    version: "0.8.30",
    path: SOLC_PATH,
    settings: {
      evmVersion: "osaka",
      optimizer: { enabled: true, runs: 10_000 },
      metadata: { bytecodeHash: "none", appendCBOR: false },
    },
  },
  paths: {
    sources: "contracts",
    // Solidity tests (*.t.sol) run under forge; Hardhat runs only the TypeScript tests.
    tests: { solidity: "test/hardhat-solidity-unused", nodejs: "test/ts" },
  },
  typechain: { outDir: "typechain-types" },
  networks: {
    chainA: { type: "edr-simulated", chainType: "l1", chainId: 31_337 },
    chainB: { type: "edr-simulated", chainType: "l1", chainId: 31_338 },
    chainC: { type: "edr-simulated", chainType: "l1", chainId: 31_339 },
  },
});
