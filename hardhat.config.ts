import { fileURLToPath } from "node:url";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatTypechain from "@nomicfoundation/hardhat-typechain";
import hardhatNodeTestRunner from "@nomicfoundation/hardhat-node-test-runner";
import { defineConfig } from "hardhat/config";

/** Same compiler and EVM version as foundry.toml; solcjs from npm, since no solc download is possible. */
const SOLC_PATH = fileURLToPath(import.meta.resolve("solc/soljson.js"));

const SETTINGS = {
  evmVersion: "osaka",
  optimizer: { enabled: true, runs: 10_000 },
  metadata: { bytecodeHash: "none", appendCBOR: false },
};

export default defineConfig({
  plugins: [hardhatViem, hardhatEthers, hardhatTypechain, hardhatNodeTestRunner],
  solidity: {
    // One compiler configuration for every contract, the same as foundry.toml: what forge tests is what deploys
    // (scripts/check-bytecode.mjs compares the two builds, metadata-free, and checks EIP-170).
    compilers: [{ version: "0.8.30", path: SOLC_PATH, settings: SETTINGS }],
  },
  paths: {
    sources: "contracts",
    // Solidity tests (*.t.sol) run under forge; Hardhat runs only the TypeScript tests.
    tests: { solidity: "test/hardhat-solidity-unused", nodejs: "test/ts" },
  },
  typechain: { outDir: "typechain-types" },
  // Simulated chains for tests and the deploy test (deploy/config/*.json may name them with `"network"`).
  networks: {
    chainA: { type: "edr-simulated", chainType: "l1", chainId: 31_337 },
    chainB: { type: "edr-simulated", chainType: "l1", chainId: 31_338 },
    chainC: { type: "edr-simulated", chainType: "l1", chainId: 31_339 },
  },
});
