// Deterministic addresses: the standard deterministic-deployment proxy -> ConcordCreate3Factory -> CREATE3.
import {
  type Address,
  type Hex,
  concatHex,
  encodeAbiParameters,
  getContractAddress,
  keccak256,
  toHex,
} from "viem";

/** The standard deterministic-deployment proxy (Arachnid's, preinstalled on anvil and on most public chains). */
export const DETERMINISTIC_DEPLOYER: Address = "0x4e59b44847b379578588920ca78fbf26c0b4956c";

/** Runtime code of {@link DETERMINISTIC_DEPLOYER} (`salt (32 bytes) | initCode` -> CREATE2), installed with
 * `anvil_setCode` / `hardhat_setCode` on local chains that lack it. */
export const DETERMINISTIC_DEPLOYER_RUNTIME: Hex =
  "0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3";

/** CREATE2 salt of ConcordCreate3Factory under the deterministic-deployment proxy. */
export const FACTORY_SALT: Hex = keccak256(toHex("concord.create3-factory.v1"));

/** `keccak256` of the CREATE3 proxy init code of OpenZeppelin `Create3` (`Create3.PROXY_INITCODE_HASH`). */
export const CREATE3_PROXY_INITCODE_HASH: Hex =
  "0x57a34f6e879358dd76825d6700df87013ad6a3fb43c0d0c602f70a8772c153bd";

/** Address of ConcordCreate3Factory (CREATE2 by the deterministic-deployment proxy of `factoryInitCode`). */
export function factoryAddress(factoryInitCode: Hex): Address {
  return getContractAddress({
    opcode: "CREATE2",
    from: DETERMINISTIC_DEPLOYER,
    salt: FACTORY_SALT,
    bytecode: factoryInitCode,
  });
}

/** Calldata for the deterministic-deployment proxy that deploys the factory: `salt | initCode`. */
export function factoryDeploymentData(factoryInitCode: Hex): Hex {
  return concatHex([FACTORY_SALT, factoryInitCode]);
}

/** The salt of a named deployment, e.g. `deploySalt("concord.v1", "ConcordGateway")`. */
export function deploySalt(prefix: string, label: string): Hex {
  return keccak256(toHex(`${prefix}/${label}`));
}

/** Mirrors `ConcordCreate3Factory.computeAddress(deployer, salt)`: independent of the init code. */
export function create3Address(factory: Address, deployer: Address, salt: Hex): Address {
  const guarded = keccak256(
    encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [deployer, salt]),
  );
  const proxy = getContractAddress({
    opcode: "CREATE2",
    from: factory,
    salt: guarded,
    bytecodeHash: CREATE3_PROXY_INITCODE_HASH,
  });
  return getContractAddress({ opcode: "CREATE", from: proxy, nonce: 1n });
}
