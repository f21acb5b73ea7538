/**
 * The SDK (sdk/src) against the real contracts on two anvil chains with different chain ids: each chain runs an
 * AccessManager, a message-id multisig verifier for the other chain, a ConcordGateway, a GasOracle, a GasPaymaster
 * and a FlowEscrow and FlowExecutor, deployed in the same order by the same account so that every contract has the same address
 * on both chains (the verifiers are built with the other chain's gateway address before it exists).
 *
 * Messages: fee quote and paid send, SDK-signed metadata, delivery, `messageStatus` at every step (SENT, EXECUTED,
 * FAILED, retried, EXECUTED), including a failing recipient and its retries, a recipient that needs more gas than its
 * message's limit (retried with more), and a message that stays EXECUTED after the route moves to another origin
 * gateway (instance semantics). Errors: real reverts decoded, every gateway error of the current ABI readable.
 * Flows: flow id equal to the contract's, and a full round trip A -> B -> A (open, relay EXECUTE, export, relay
 * OUTCOME, settle, claim) with `flowStatus` checked at each step.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeAbiParameters,
  encodeErrorResult,
  getAddress,
  getContractAddress,
  http,
  keccak256,
  parseAbi,
  stringToHex,
  toHex,
  zeroAddress,
} from "viem";
import { type PrivateKeyAccount, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { type AnvilChain, rpc, startAnvil } from "../../sdk/src/anvil.js";
import { testArtifact as loadArtifact } from "../helpers/artifacts.js";
import {
  ConcordTransactionError,
  type Flow,
  addressToBytes32,
  buildFlowRequest,
  claimFlowCredit,
  computeFlowId,
  concordAbi,
  decodeConcordError,
  describeError,
  concordErrors,
  encodeConcordMessage,
  expireFlow,
  exportFlowOutcome,
  flowFeeEscrow,
  flowAbiParameter,
  flowEvents,
  flowOpenValue,
  flowStatus,
  messageId as hashMessage,
  messageStatus,
  normalizeFlow,
  openFlow,
  payForGas,
  processMessage,
  quoteFlowFees,
  quoteMessageFee,
  readFlowId,
  retryMessage,
  sendMessage,
  settleFlow,
  signMessageIdMetadata,
  writeAndWait,
} from "../../sdk/src/index.js";

const DEPLOYER_KEY: Hex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const GAS_PRICE = 1_000_000_000n; // 1 gwei on the remote chain
const RATE_SCALE = 10_000_000_000n; // GasOracle.TOKEN_EXCHANGE_RATE_SCALE: 1:1 exchange rate

type Side = {
  chain: AnvilChain;
  domain: number;
  publicClient: PublicClient;
  walletClient: WalletClient;
  relayer: WalletClient;
};

type Stack = {
  manager: Address;
  verifier: Address;
  gateway: Address;
  oracle: Address;
  paymaster: Address;
  escrow: Address;
  executor: Address;
};

const deployer = privateKeyToAccount(DEPLOYER_KEY);
/** Anvil's second funded account. */
const relayer = mnemonicToAccount("test test test test test test test test test test test junk", {
  addressIndex: 1,
});
const validators: PrivateKeyAccount[] = [0, 1, 2]
  .map((i) => privateKeyToAccount(keccak256(toHex(`concord.sdk.test.validator.${i}`))))
  .sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
const outsiders = [0, 1].map((i) => privateKeyToAccount(keccak256(toHex(`concord.sdk.test.outsider.${i}`))));

async function side(chainId: number): Promise<Side> {
  const chain = await startAnvil({ chainId });
  const viemChain = defineChain({
    id: chainId,
    name: `anvil-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [chain.rpcUrl] } },
  });
  const transport = http(chain.rpcUrl);
  return {
    chain,
    domain: chainId,
    publicClient: createPublicClient({ chain: viemChain, transport, pollingInterval: 20 }),
    walletClient: createWalletClient({ account: deployer, chain: viemChain, transport, pollingInterval: 20 }),
    relayer: createWalletClient({ account: relayer, chain: viemChain, transport, pollingInterval: 20 }),
  };
}

async function deploy(s: Side, name: string, args: readonly unknown[]): Promise<Address> {
  const artifact = loadArtifact(name);
  const hash = await s.walletClient.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args,
    account: deployer,
    chain: s.walletClient.chain,
  });
  const receipt = await s.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success", `deploy ${name}`);
  return getAddress(receipt.contractAddress!);
}

async function call(
  s: Side,
  address: Address,
  abi: readonly unknown[],
  functionName: string,
  args: unknown[],
) {
  const hash = await s.walletClient.writeContract({
    address,
    abi: abi as never,
    functionName,
    args,
    account: deployer,
    chain: s.walletClient.chain,
  } as never);
  const receipt = await s.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success", functionName);
}

/** The whole stack on `s`, wired to `remote`'s domain; same nonces (hence addresses) on both chains. */
async function deployStack(s: Side, remote: Side): Promise<Stack> {
  const gatewayAddress = getContractAddress({ from: deployer.address, nonce: 2n });
  const manager = await deploy(s, "ConcordAccessManager", [deployer.address]); // nonce 0
  const verifier = await deploy(s, "MessageIdMultisigVerifier", [
    {
      origin: remote.domain,
      originGateway: addressToBytes32(gatewayAddress),
      localDomain: s.domain,
      threshold: 2,
      validators: validators.map((v) => v.address),
    },
  ]); // nonce 1
  const gateway = await deploy(s, "ConcordGateway", [s.domain, manager, 200_000, 8192]); // nonce 2
  assert.equal(gateway, gatewayAddress);
  // The remote's gateway has the same address (same deployer, same nonces); the verifier reports it.
  await call(s, gateway, concordAbi("ConcordGateway"), "setRoute", [remote.domain, verifier, gatewayAddress]);
  const oracle = await deploy(s, "GasOracle", [manager]);
  const paymaster = await deploy(s, "GasPaymaster", [manager, oracle, deployer.address]);
  const escrow = await deploy(s, "FlowEscrow", [gateway, s.domain, manager, 7 * 24 * 3600]);
  const executor = await deploy(s, "FlowExecutor", [gateway, s.domain, manager, 14 * 24 * 3600]);
  await call(s, oracle, concordAbi("GasOracle"), "setRemoteGasData", [remote.domain, RATE_SCALE, GAS_PRICE]);
  // Same nonces on both chains: A's escrow trusts B's executor at the same address as this chain's, and back.
  await call(s, escrow, concordAbi("FlowEscrow"), "setRemote", [remote.domain, executor]);
  await call(s, executor, concordAbi("FlowExecutor"), "setRemote", [remote.domain, escrow]);
  await call(s, escrow, concordAbi("FlowEscrow"), "setGasOracle", [oracle]);
  return { manager, verifier, gateway, oracle, paymaster, escrow, executor };
}

const recipientAbi = parseAbi([
  "function setMode(uint8 mode)",
  "function calls() view returns (uint256)",
  "function lastPayload() view returns (bytes)",
]);

let A: Side;
let B: Side;
let stackA: Stack;
let stackB: Stack;
let okRecipient: Address;
let badRecipient: Address;
/** Burns HUNGRY_NEED gas per delivery: more than the 100 000 its messages ask for. */
let hungryRecipient: Address;
const HUNGRY_NEED = 250_000n;

before(async () => {
  [A, B] = await Promise.all([side(31_401), side(31_402)]);
  [stackA, stackB] = await Promise.all([deployStack(A, B), deployStack(B, A)]);
  okRecipient = await deploy(B, "MockRecipient", []);
  badRecipient = await deploy(B, "MockRecipient", []);
  hungryRecipient = await deploy(B, "MockGasHungryRecipient", [HUNGRY_NEED]);
  await call(B, badRecipient, recipientAbi, "setMode", [1]); // REVERT
});

after(async () => {
  await Promise.all([A?.chain.stop(), B?.chain.stop()]);
});

const clientsOf = (s: Side, wallet: WalletClient = s.walletClient) => ({
  publicClient: s.publicClient,
  walletClient: wallet,
});
const endpoints = () => ({
  origin: { publicClient: A.publicClient, gateway: stackA.gateway },
  destination: { publicClient: B.publicClient, gateway: stackB.gateway },
});

/** Signs `message` (sent by `from`'s gateway) with 2 of the 3 validators and delivers it on `to` as the relayer. */
async function relay(
  from: Stack,
  to: [Side, Stack],
  message: Hex,
  signers = [validators[0]!, validators[2]!],
) {
  const metadata = await signMessageIdMetadata({ message, originGateway: from.gateway, signers });
  const [side, stack] = to;
  return processMessage({ ...clientsOf(side, side.relayer), gateway: stack.gateway, metadata, message });
}
const relayToB = (message: Hex) => relay(stackA, [B, stackB], message);
const relayToA = (message: Hex) => relay(stackB, [A, stackA], message, [validators[1]!, validators[2]!]);

/** The packed message of `messageId`, dispatched by `from`'s gateway (read through `messageStatus`). */
async function dispatchedMessage(from: [Side, Stack], to: [Side, Stack], messageId: Hex): Promise<Hex> {
  const status = await messageStatus({
    origin: { publicClient: from[0].publicClient, gateway: from[1].gateway },
    destination: { publicClient: to[0].publicClient, gateway: to[1].gateway },
    messageId,
  });
  assert.ok(status.message, `no Dispatched event for ${messageId}`);
  assert.equal(hashMessage(status.message), messageId);
  return status.message;
}

describe("sdk: messages", () => {
  it("quotes the fee, sends a paid message and reports SENT then EXECUTED", async () => {
    const gasLimit = 400_000; // MockRecipient writes ~8 cold slots
    const fee = await quoteMessageFee({
      publicClient: A.publicClient,
      paymaster: stackA.paymaster,
      destination: B.domain,
      gasLimit,
    });
    assert.equal(fee, BigInt(gasLimit) * GAS_PRICE); // 1:1 exchange rate, no overhead configured
    const payload = stringToHex("hello B");
    const sent = await sendMessage({
      ...clientsOf(A),
      gateway: stackA.gateway,
      destination: B.domain,
      recipient: okRecipient,
      payload,
      gasLimit,
      gasPayment: { paymaster: stackA.paymaster },
    });
    assert.equal(sent.messageId, keccak256(sent.message));
    assert.deepEqual(
      { ...sent.decoded, sender: undefined, body: undefined },
      {
        version: 3,
        nonce: sent.decoded.nonce,
        origin: A.domain,
        sender: undefined,
        destination: B.domain,
        recipient: addressToBytes32(okRecipient),
        body: undefined,
        gasLimit,
        payload,
      },
    );
    assert.equal(sent.decoded.sender, addressToBytes32(deployer.address));
    assert.equal(sent.gasPayment?.value, fee);
    const [paidGas] = (await A.publicClient.readContract({
      address: stackA.paymaster,
      abi: concordAbi("GasPaymaster"),
      functionName: "gasPayment",
      args: [sent.messageId, B.domain],
    })) as readonly [bigint, bigint];
    assert.equal(paidGas, BigInt(gasLimit));

    const before = await messageStatus({ ...endpoints(), messageId: sent.messageId });
    assert.equal(before.status, "SENT");
    assert.equal(before.message, sent.message);
    assert.equal(before.sent?.blockNumber, sent.receipt.blockNumber);
    assert.equal(before.sent?.transactionHash, sent.receipt.transactionHash);
    assert.ok((before.sent?.timestamp ?? 0n) > 0n);
    assert.equal(before.delivered, undefined);

    const outcome = await relayToB(sent.message);
    assert.equal(outcome.status, "EXECUTED", outcome.failure?.reason.text);
    const afterDelivery = await messageStatus({ ...endpoints(), messageId: sent.messageId });
    assert.equal(afterDelivery.status, "EXECUTED");
    assert.equal(afterDelivery.delivered?.transactionHash, outcome.receipt.transactionHash);
    assert.equal(afterDelivery.executed?.blockNumber, outcome.receipt.blockNumber);
    assert.equal(afterDelivery.retried, false);
    assert.deepEqual(afterDelivery.failures, []);
    assert.equal(
      await B.publicClient.readContract({
        address: okRecipient,
        abi: recipientAbi,
        functionName: "lastPayload",
      }),
      payload,
    );
  });

  it("tracks a failing recipient: FAILED, a failed retry, then a successful retry (retried)", async () => {
    const sent = await sendMessage({
      ...clientsOf(A),
      gateway: stackA.gateway,
      destination: B.domain,
      recipient: badRecipient,
      payload: "0xbad0",
    });
    const first = await relayToB(sent.message);
    assert.equal(first.status, "FAILED");
    assert.equal(first.failure?.reason.name, "MockRecipientRejected");
    assert.equal(first.failure?.reason.namedArgs.receiveId, sent.messageId);

    let status = await messageStatus({ ...endpoints(), messageId: sent.messageId });
    assert.equal(status.status, "FAILED");
    assert.equal(status.failures.length, 1);
    assert.equal(status.failures[0]?.reason.name, "MockRecipientRejected");
    assert.equal(status.retried, false);
    assert.equal(status.executed, undefined);

    const again = await retryMessage({
      ...clientsOf(B, B.relayer),
      gateway: stackB.gateway,
      message: sent.message,
    });
    assert.equal(again.status, "FAILED");
    status = await messageStatus({ ...endpoints(), messageId: sent.messageId });
    assert.equal(status.status, "FAILED");
    assert.equal(status.failures.length, 2);
    assert.deepEqual(
      status.retries.map((r) => [r.success, r.caller]),
      [[false, relayer.address]],
    );

    await call(B, badRecipient, recipientAbi, "setMode", [0]); // ACCEPT
    const fixed = await retryMessage({ ...clientsOf(B), gateway: stackB.gateway, message: sent.message });
    assert.equal(fixed.status, "EXECUTED");
    status = await messageStatus({ ...endpoints(), messageId: sent.messageId });
    assert.equal(status.status, "EXECUTED");
    assert.equal(status.retried, true);
    assert.deepEqual(
      status.retries.map((r) => r.success),
      [false, true],
    );
    assert.equal(status.executed?.transactionHash, fixed.receipt.transactionHash);
    assert.equal(status.delivered?.transactionHash, first.receipt.transactionHash);
    assert.ok(status.executed!.blockNumber > status.delivered!.blockNumber);
  });

  it("retries a recipient that ran out of gas: below the limit refused, the limit FAILED, more gas EXECUTED", async () => {
    const sent = await sendMessage({
      ...clientsOf(A),
      gateway: stackA.gateway,
      destination: B.domain,
      recipient: hungryRecipient,
      payload: "0xfeed",
      gasLimit: 100_000,
    });
    const first = await relayToB(sent.message);
    assert.equal(first.status, "FAILED");
    assert.equal(first.failure?.revertData, "0x", "out of gas: no revert data");

    // Less than the message's own limit: refused by the gateway, decoded, nothing sent.
    await assert.rejects(
      retryMessage({ ...clientsOf(B), gateway: stackB.gateway, message: sent.message, gasLimit: 99_999 }),
      (error: ConcordTransactionError) =>
        error instanceof ConcordTransactionError &&
        (error.details ?? "").startsWith(
          "ConcordGatewayRetryGasBelowLimit(messageGasLimit: 100000, gasLimit: 99999): Thrown when `retry` is " +
            "given less gas than the message's own gas limit.",
        ),
    );
    // The default is the message's own limit: still out of gas.
    const hashes: Hex[] = [];
    const same = await retryMessage({
      ...clientsOf(B),
      gateway: stackB.gateway,
      message: sent.message,
      onTransaction: (hash) => hashes.push(hash),
    });
    assert.equal(same.status, "FAILED");
    assert.deepEqual(hashes, [same.receipt.transactionHash], "the hash is reported as soon as it is sent");
    // Enough gas: EXECUTED.
    const more = await retryMessage({
      ...clientsOf(B, B.relayer),
      gateway: stackB.gateway,
      message: sent.message,
      gasLimit: 300_000,
    });
    assert.equal(more.status, "EXECUTED", more.failure?.reason.text);
    const status = await messageStatus({ ...endpoints(), messageId: sent.messageId });
    assert.equal(status.status, "EXECUTED");
    assert.deepEqual(
      status.retries.map((r) => [r.gasLimit, r.success, r.caller]),
      [
        [100_000, false, deployer.address],
        [300_000, true, relayer.address],
      ],
    );
    assert.equal(status.retries[1]!.gasUsed, more.receipt.gasUsed);
    assert.ok(status.retries[1]!.gasUsed > HUNGRY_NEED, "the recipient burnt its need inside the retry");
  });

  it("keeps a message EXECUTED after the route moves to another origin gateway (instance semantics)", async () => {
    const delivered = await sendMessage({
      ...clientsOf(A),
      gateway: stackA.gateway,
      destination: B.domain,
      recipient: okRecipient,
      payload: "0x0101",
    });
    assert.equal((await relayToB(delivered.message)).status, "EXECUTED");
    const pending = await sendMessage({
      ...clientsOf(A),
      gateway: stackA.gateway,
      destination: B.domain,
      recipient: okRecipient,
      payload: "0x0202",
    });
    const gatewayAbiB = concordAbi("ConcordGateway");
    const [, instance] = (await B.publicClient.readContract({
      address: stackB.gateway,
      abi: gatewayAbiB,
      functionName: "route",
      args: [A.domain],
    })) as readonly [Address, number, boolean, Address];
    // B's route for A now names another origin gateway (a redeployment on A), with a verifier bound to it.
    const otherGateway = getAddress(`0x${keccak256(toHex("another gateway on A")).slice(26)}`);
    const otherVerifier = await deploy(B, "MessageIdMultisigVerifier", [
      {
        origin: A.domain,
        originGateway: addressToBytes32(otherGateway),
        localDomain: B.domain,
        threshold: 2,
        validators: validators.map((v) => v.address),
      },
    ]);
    await call(B, stackB.gateway, gatewayAbiB, "setRoute", [A.domain, otherVerifier, otherGateway]);
    try {
      // The gateway's own status() reads the enrolled gateway's records: it no longer knows the message.
      assert.equal(
        await B.publicClient.readContract({
          address: stackB.gateway,
          abi: gatewayAbiB,
          functionName: "status",
          args: [delivered.message],
        }),
        0,
      );
      const kept = await messageStatus({ ...endpoints(), messageId: delivered.messageId });
      assert.equal(kept.status, "EXECUTED");
      assert.deepEqual(kept.route, { instance, current: false, paused: false });
      const waiting = await messageStatus({ ...endpoints(), messageId: pending.messageId });
      assert.equal(waiting.status, "SENT");
      assert.equal(waiting.route?.current, false);
      // Not deliverable while another gateway is enrolled: the route verifier authenticates only that one.
      await assert.rejects(relayToB(pending.message), /ConcordGatewayVerificationFailed/);
    } finally {
      await call(B, stackB.gateway, gatewayAbiB, "setRoute", [A.domain, stackB.verifier, stackA.gateway]);
    }
    // Enrolled again: same instance, the old records are back, the waiting message delivers.
    const back = await messageStatus({ ...endpoints(), messageId: delivered.messageId });
    assert.deepEqual(back.route, { instance, current: true, paused: false });
    assert.equal((await relayToB(pending.message)).status, "EXECUTED");
    assert.equal((await messageStatus({ ...endpoints(), messageId: pending.messageId })).status, "EXECUTED");
  });

  it("reports UNKNOWN for an id the origin never dispatched", async () => {
    const status = await messageStatus({ ...endpoints(), messageId: keccak256("0x1234") });
    assert.equal(status.status, "UNKNOWN");
    assert.equal(status.message, undefined);
  });
});

describe("sdk: error decoding", () => {
  it("decodes a verifier rejection from a real process() revert", async () => {
    const sent = await sendMessage({
      ...clientsOf(A),
      gateway: stackA.gateway,
      destination: B.domain,
      recipient: okRecipient,
      payload: "0x01",
    });
    const metadata = await signMessageIdMetadata({
      message: sent.message,
      originGateway: stackA.gateway,
      signers: outsiders,
    });
    await assert.rejects(
      processMessage({ ...clientsOf(B), gateway: stackB.gateway, metadata, message: sent.message }),
      (error: unknown) => {
        assert.ok(error instanceof ConcordTransactionError);
        assert.equal(error.shortMessage, "process reverted");
        assert.match(
          error.details ?? "",
          new RegExp(`^ConcordGatewayVerificationFailed\\(verifier: ${stackB.verifier}\\)`),
        );
        assert.match(error.details ?? "", /Thrown when the verifier reverts or does not return true/);
        return true;
      },
    );
    assert.equal((await messageStatus({ ...endpoints(), messageId: sent.messageId })).status, "SENT");
  });

  it("decodes a retry of a message that is not FAILED and an underpaid gas payment", async () => {
    const sent = await sendMessage({
      ...clientsOf(A),
      gateway: stackA.gateway,
      destination: B.domain,
      recipient: okRecipient,
      payload: "0x02",
    });
    await relayToB(sent.message);
    await assert.rejects(
      retryMessage({ ...clientsOf(B), gateway: stackB.gateway, message: sent.message }),
      (error: ConcordTransactionError) =>
        error.details ===
        `ConcordGatewayNotFailed(messageId: ${sent.messageId}): Thrown when retrying a message that is not FAILED.`,
    );
    const required = await quoteMessageFee({
      publicClient: A.publicClient,
      paymaster: stackA.paymaster,
      destination: B.domain,
      gasLimit: 50_000,
    });
    await assert.rejects(
      payForGas({
        ...clientsOf(A),
        paymaster: stackA.paymaster,
        messageId: sent.messageId,
        destination: B.domain,
        gasLimit: 50_000,
        value: 1n,
      }),
      (error: ConcordTransactionError) =>
        (error.details ?? "").startsWith(
          `GasPaymasterInsufficientPayment(required: ${required}, provided: 1)`,
        ),
    );
  });

  it("decodes a message from an origin without a route, and every gateway error of the current ABI", async () => {
    // A message "from" a domain B has no route for (forged header: the route check comes before any verifier).
    const message = encodeConcordMessage({
      nonce: 0,
      origin: 999,
      sender: deployer.address,
      destination: B.domain,
      recipient: okRecipient,
      gasLimit: 50_000,
      payload: "0x",
    });
    await assert.rejects(
      processMessage({ ...clientsOf(B), gateway: stackB.gateway, metadata: "0x", message }),
      (error: ConcordTransactionError) =>
        error.details ===
        "ConcordGatewayUnknownOrigin(origin: 999): Thrown when a message comes from an origin with no route " +
          "(`setRoute` was never called for it).",
    );
    const abi = concordAbi("ConcordGateway");
    const errors = abi.filter((item) => item.type === "error").map((item) => item.name);
    assert.ok(!errors.includes("ConcordGatewayNoVerifier"), "the default verifier is gone");
    assert.ok(!concordErrors().some((e) => e.name === "ConcordGatewayNoVerifier"));
    const cases: [string, unknown[], string][] = [
      [
        "ConcordGatewayVerifierGatewayMismatch",
        [stackB.verifier, 7, addressToBytes32(stackA.gateway)],
        `ConcordGatewayVerifierGatewayMismatch(verifier: ${stackB.verifier}, origin: 7, reported: ` +
          `${addressToBytes32(stackA.gateway)} (address ${stackA.gateway})): Thrown when a verifier does not ` +
          "authenticate the origin gateway",
      ],
      [
        "ConcordGatewayZeroOriginGateway",
        [7],
        "ConcordGatewayZeroOriginGateway(origin: 7): Thrown when `setRoute` is given the zero address as origin gateway.",
      ],
      [
        "ConcordGatewayRetryRefused",
        [stackB.verifier],
        `ConcordGatewayRetryRefused(verifier: ${stackB.verifier}): Thrown when the verifier that applies to a FAILED ` +
          "message now refuses its retry",
      ],
      [
        "ConcordGatewayReentrantCall",
        [],
        "ConcordGatewayReentrantCall(): Thrown when `process` or `retry` is entered again during a delivery",
      ],
    ];
    cases.push([
      "ConcordGatewayVerifierGatewayMismatch",
      [stackB.verifier, 7, `0x${"00".repeat(32)}`],
      `ConcordGatewayVerifierGatewayMismatch(verifier: ${stackB.verifier}, origin: 7, reported: 0x${"00".repeat(32)} (zero))`,
    ]);
    for (const [errorName, args, text] of cases) {
      const decoded = decodeConcordError(encodeErrorResult({ abi, errorName, args }));
      assert.equal(decoded.name, errorName);
      assert.ok(decoded.text.startsWith(text), decoded.text);
    }
    // Every Concord gateway error decodes to its name plus its NatSpec notice.
    const own = errors.filter((name) => name.startsWith("ConcordGateway"));
    assert.ok(own.length >= 25, `${own.length} gateway errors`);
    for (const name of own) {
      const item = abi.find((i) => i.type === "error" && i.name === name) as unknown as {
        inputs: { type: string }[];
      };
      const args = item.inputs.map((input) =>
        input.type === "address"
          ? deployer.address
          : input.type === "bytes32"
            ? keccak256("0x01")
            : input.type === "bytes"
              ? "0x01"
              : 1,
      );
      const decoded = decodeConcordError(encodeErrorResult({ abi, errorName: name, args } as never));
      assert.equal(decoded.name, name);
      assert.ok(decoded.description, `${name} has no readable description`);
    }
  });

  it("names enum values, typed arguments, built-ins and unknown selectors", () => {
    const id = keccak256("0xf1");
    const wrongStatus = encodeErrorResult({
      abi: concordAbi("FlowExecutor"),
      errorName: "FlowExecutorWrongStatus",
      args: [id, 4],
    });
    const decoded = decodeConcordError(wrongStatus);
    assert.equal(decoded.name, "FlowExecutorWrongStatus");
    assert.equal(decoded.contract !== undefined, true);
    assert.ok(
      decoded.text.startsWith(`FlowExecutorWrongStatus(flowId: ${id}, status: EXPIRED)`),
      decoded.text,
    );
    const phase = encodeErrorResult({
      abi: concordAbi("FlowEscrow"),
      errorName: "FlowEscrowWrongPhase",
      args: [id, 1],
    });
    assert.ok(
      decodeConcordError(phase).text.startsWith(`FlowEscrowWrongPhase(flowId: ${id}, phase: LOCKED)`),
    );
    const guard = encodeErrorResult({
      abi: concordAbi("FlowEscrow"),
      errorName: "FlowEscrowInvalidGuard",
      args: [7, zeroAddress],
    });
    assert.ok(
      decodeConcordError(guard).text.startsWith(
        `FlowEscrowInvalidGuard(guardDomain: 7, guardEmitter: ${zeroAddress})`,
      ),
      decodeConcordError(guard).text,
    );
    const panic = encodeErrorResult({
      abi: parseAbi(["error Panic(uint256)"]),
      errorName: "Panic",
      args: [0x11n],
    });
    assert.equal(decodeConcordError(panic).text, "Panic(reason: 17): arithmetic overflow or underflow");
    assert.equal(decodeConcordError("0xdeadbeef").name, "Unknown");
    assert.equal(decodeConcordError("0x").name, "Unknown");
    assert.equal(describeError(new Error("plain")), "plain");
  });
});

describe("sdk: flows", () => {
  const counterAbi = parseAbi(["function counts(uint32, address) view returns (uint256)"]);
  let counter: Address;

  before(async () => {
    counter = await deploy(B, "CrossChainCounter", [stackB.executor, 100n]);
  });

  /** The OUTCOME B sent for `flowId` with its decision: the `OutcomeExported` event of `events`, dispatched to A. */
  async function outcomeMessage(
    events: { eventName: string; args: Record<string, unknown> }[],
  ): Promise<Hex> {
    const exported = events.find((e) => e.eventName === "OutcomeExported");
    assert.ok(exported, "B sent the OUTCOME in the deciding transaction");
    return dispatchedMessage([B, stackB], [A, stackA], exported.args.sendId as Hex);
  }

  it("computes the same flow id as flowId(flow) on the escrow for a flow with every field set", async () => {
    const components = flowAbiParameter().components as readonly { name: string; type: string }[];
    assert.equal(components.at(-1)?.name, "ackRoutes", "the SDK follows the struct's latest field");
    // A distinct non-zero value per field, derived from its position, so a swapped field changes the id.
    const flow: Record<string, unknown> = {};
    components.forEach((c, i) => {
      const word = keccak256(toHex(`field.${i}`));
      if (c.type === "address") flow[c.name] = getAddress(`0x${word.slice(2, 42)}`);
      else if (c.type === "bytes32") flow[c.name] = word;
      else if (c.type === "bool") flow[c.name] = true;
      else {
        const bits = BigInt(c.type.replace(/^uint/, ""));
        flow[c.name] = BigInt(word) % (1n << bits);
      }
    });
    const normalized = normalizeFlow(flow as Partial<Flow>);
    const local = computeFlowId(normalized);
    assert.equal(local, await readFlowId(A.publicClient, stackA.escrow, normalized));
    assert.equal(local, await readFlowId(B.publicClient, stackB.executor, normalized));
    assert.equal(local, keccak256(encodeAbiParameters([{ type: "tuple", components }], [normalized])));
    assert.notEqual(local, computeFlowId({ ...normalized, deadline: normalized.deadline + 1n }));
    assert.throws(() => normalizeFlow({ notAField: 1 } as Partial<Flow>), /unknown flow field/);
  });

  it("opens, executes on B (which sends the OUTCOME), settles on A on its arrival: no keeper", async () => {
    const executionGas = 100_000;
    const fees = await quoteFlowFees({
      publicClient: A.publicClient,
      escrow: stackA.escrow,
      destinationDomain: B.domain,
      executionGas,
    });
    assert.equal(fees.quoted, true);
    assert.ok(fees.executionFee > 0n && fees.timeoutFee > 0n);
    const { timestamp } = await B.publicClient.getBlock();
    const request = buildFlowRequest({
      destinationDomain: B.domain,
      executor: stackB.executor,
      target: counter,
      deadline: timestamp + 3600n,
      executionGas,
      refundTo: deployer.address,
      beneficiary: deployer.address,
      feeRecipient: relayer.address,
      fees,
    });
    const payload = encodeAbiParameters([{ type: "uint256" }], [5n]);
    const balanceBefore = await A.publicClient.getBalance({ address: stackA.escrow });
    const opened = await openFlow({ ...clientsOf(A), escrow: stackA.escrow, request, payload });
    assert.equal(opened.flow.originDomain, A.domain);
    assert.equal(opened.flow.escrow, stackA.escrow);
    assert.equal(opened.flow.opener, deployer.address);
    assert.equal(opened.flow.payloadHash, keccak256(payload));
    assert.equal(opened.flowId, await readFlowId(A.publicClient, stackA.escrow, opened.flow));
    assert.equal(
      (await A.publicClient.getBalance({ address: stackA.escrow })) - balanceBefore,
      flowOpenValue(opened.flow),
    );

    const flowEnds = {
      origin: { publicClient: A.publicClient, address: stackA.escrow },
      destination: { publicClient: B.publicClient, address: stackB.executor },
      flowId: opened.flowId,
      deadline: opened.flow.deadline,
    };
    let status = await flowStatus(flowEnds);
    assert.deepEqual(
      [status.origin.phase, status.destination.status, status.next],
      ["LOCKED", "NONE", "RELAY_EXECUTE"],
    );

    // Relay EXECUTE (the escrow's send id is the gateway's message id): B executes and sends the OUTCOME.
    const execute = await messageStatus({ ...endpoints(), messageId: opened.sendId });
    assert.equal(execute.status, "SENT");
    const delivered = await relayToB(execute.message!);
    assert.equal(delivered.status, "EXECUTED");
    status = await flowStatus(flowEnds);
    assert.equal(status.destination.status, "EXECUTED");
    assert.ok(status.destination.decidedAt > 0n);
    assert.equal(status.next, "RELAY_OUTCOME");
    assert.equal(
      await B.publicClient.readContract({
        address: counter,
        abi: counterAbi,
        functionName: "counts",
        args: [A.domain, deployer.address],
      }),
      5n,
    );
    const bEvents = await flowEvents(flowEnds.destination, opened.flowId);
    assert.deepEqual(
      bEvents.map((e) => e.eventName),
      ["FlowExecuted", "OutcomeExported"],
    );

    // Relay the OUTCOME (B's gateway -> A's verifier, signed by the same validators): its arrival settles A.
    const arrived = await relayToA(await outcomeMessage(bEvents));
    assert.equal(arrived.status, "EXECUTED");
    status = await flowStatus(flowEnds);
    assert.deepEqual(
      [status.origin.phase, status.origin.outcome, status.next],
      ["SETTLED", "EXECUTED", "DONE"],
    );
    assert.equal(status.origin.decidedAt, status.destination.decidedAt);
    await assert.rejects(
      settleFlow({ ...clientsOf(A, A.relayer), escrow: stackA.escrow, flow: opened.flow }),
      /already settled/,
    );

    // The relayer's fee, credited on arrival, is a pull payment.
    const claimed = await claimFlowCredit({
      ...clientsOf(A, A.relayer),
      escrow: stackA.escrow,
      payee: relayer.address,
    });
    assert.equal(claimed.amount, fees.executionFee + fees.ackFee);

    const events = await flowEvents(flowEnds.origin, opened.flowId);
    assert.deepEqual(
      events.map((e) => e.eventName),
      ["FlowOpened", "FlowFinalized"],
    );
    const finalized = events[1]!;
    assert.equal(finalized.args.feePaid, fees.executionFee + fees.ackFee);
    assert.equal(finalized.args.beneficiary, deployer.address);
  });

  it("expires on B's clock (sending the OUTCOME), refuses settlement before it, compensates once", async () => {
    const executionGas = 100_000;
    const fees = await quoteFlowFees({
      publicClient: A.publicClient,
      escrow: stackA.escrow,
      destinationDomain: B.domain,
      executionGas,
    });
    const refundTo = outsiders[0]!.address;
    const amount = 10n ** 17n;
    const { timestamp } = await B.publicClient.getBlock();
    const opened = await openFlow({
      ...clientsOf(A),
      escrow: stackA.escrow,
      request: buildFlowRequest({
        destinationDomain: B.domain,
        executor: stackB.executor,
        target: counter,
        deadline: timestamp + 600n,
        executionGas,
        amount, // native escrow, nothing released on B (maxValue 0), so no liquidity lane is needed
        refundTo,
        beneficiary: deployer.address,
        feeRecipient: relayer.address,
        fees,
      }),
      payload: encodeAbiParameters([{ type: "uint256" }], [7n]),
    });
    const ends = {
      origin: { publicClient: A.publicClient, address: stackA.escrow },
      destination: { publicClient: B.publicClient, address: stackB.executor },
      flowId: opened.flowId,
      deadline: opened.flow.deadline,
    };
    assert.equal((await flowStatus(ends)).next, "RELAY_EXECUTE");

    // EXECUTE is "lost"; B's clock passes T. A's clock alone never allows settlement.
    await rpc(B.chain.rpcUrl, "evm_increaseTime", [601]);
    await rpc(B.chain.rpcUrl, "evm_mine");
    await rpc(A.chain.rpcUrl, "evm_increaseTime", [30 * 24 * 3600]);
    await rpc(A.chain.rpcUrl, "evm_mine");
    let status = await flowStatus(ends);
    assert.deepEqual(
      [status.origin.phase, status.destination.status, status.next],
      ["LOCKED", "NONE", "EXPIRE"],
    );
    await assert.rejects(
      settleFlow({ ...clientsOf(A, A.relayer), escrow: stackA.escrow, flow: opened.flow }),
      /B's OUTCOME has not arrived/,
    );
    // The contract refuses too, whoever calls it directly.
    await assert.rejects(
      writeAndWait(clientsOf(A, A.relayer), {
        address: stackA.escrow,
        abi: concordAbi("FlowEscrow"),
        functionName: "settle",
        args: [opened.flow],
      }),
      (error: ConcordTransactionError) =>
        (error.details ?? "").startsWith(`FlowEscrowWrongPhase(flowId: ${opened.flowId}, phase: LOCKED)`),
    );

    // Anyone expires on B: the OUTCOME leaves in the same transaction; relayed to A, it settles the flow.
    const expired = await expireFlow({
      ...clientsOf(B, B.relayer),
      executor: stackB.executor,
      flow: opened.flow,
    });
    status = await flowStatus(ends);
    assert.deepEqual([status.destination.status, status.next], ["EXPIRED", "RELAY_OUTCOME"]);
    assert.ok(status.destination.decidedAt > opened.flow.deadline);
    assert.equal((await relayToA(await outcomeMessage(expired.events))).status, "EXECUTED");
    status = await flowStatus(ends);
    assert.deepEqual(
      [status.origin.phase, status.origin.outcome, status.next],
      ["SETTLED", "EXPIRED", "DONE"],
    );

    // A re-export (what a keeper sends when an OUTCOME is lost) is consumed on A without effect.
    const again = await exportFlowOutcome({
      ...clientsOf(B, B.relayer),
      executor: stackB.executor,
      flow: opened.flow,
    });
    assert.equal((await relayToA(await outcomeMessage(again.events))).status, "EXECUTED");

    // The late EXECUTE is consumed on B without running the target.
    const late = await relayToB(await dispatchedMessage([A, stackA], [B, stackB], opened.sendId));
    assert.equal(late.status, "EXECUTED");
    assert.equal((await flowStatus(ends)).destination.status, "EXPIRED");
    const counterTotalAbi = parseAbi(["function total() view returns (uint256)"]);
    const total = await B.publicClient.readContract({
      address: counter,
      abi: counterTotalAbi,
      functionName: "total",
    });
    assert.equal(total, 5n, "only the first flow's increment");

    const refund = await claimFlowCredit({
      ...clientsOf(A, A.relayer),
      escrow: stackA.escrow,
      payee: refundTo,
    });
    assert.equal(refund.amount, amount + flowFeeEscrow(fees) - fees.timeoutFee);
    const aEvents = await flowEvents(ends.origin, opened.flowId);
    assert.deepEqual(
      aEvents.map((e) => e.eventName),
      ["FlowOpened", "FlowCompensated", "OutcomeIgnored"],
    );
    assert.equal(aEvents[1]!.args.feePaid, fees.timeoutFee);
  });

  it("records an OUTCOME that arrives while A is paused and settles it after unpause (SETTLE)", async () => {
    // A's clock is ahead of B's (the previous test moved it 30 days): the deadline is within A's horizon.
    const { timestamp } = await A.publicClient.getBlock();
    const opened = await openFlow({
      ...clientsOf(A),
      escrow: stackA.escrow,
      request: buildFlowRequest({
        destinationDomain: B.domain,
        executor: stackB.executor,
        target: counter,
        deadline: timestamp + 3600n,
        executionGas: 100_000,
        amount: 10n ** 16n,
        refundTo: outsiders[1]!.address,
        beneficiary: deployer.address,
        feeRecipient: relayer.address,
        fees: await quoteFlowFees({
          publicClient: A.publicClient,
          escrow: stackA.escrow,
          destinationDomain: B.domain,
          executionGas: 100_000,
        }),
      }),
      payload: encodeAbiParameters([{ type: "uint256" }], [1n]),
    });
    const ends = {
      origin: { publicClient: A.publicClient, address: stackA.escrow },
      destination: { publicClient: B.publicClient, address: stackB.executor },
      flowId: opened.flowId,
    };
    await relayToB(await dispatchedMessage([A, stackA], [B, stackB], opened.sendId));
    const escrowAbi = concordAbi("FlowEscrow");
    await call(A, stackA.escrow, escrowAbi, "pauseSettlement", []);
    try {
      const bEvents = await flowEvents(ends.destination, opened.flowId);
      assert.equal((await relayToA(await outcomeMessage(bEvents))).status, "EXECUTED");
      let status = await flowStatus(ends);
      assert.deepEqual(
        [status.origin.phase, status.origin.outcome, status.next],
        ["ACKNOWLEDGED", "EXECUTED", "SETTLE"],
      );
      await assert.rejects(
        settleFlow({ ...clientsOf(A, A.relayer), escrow: stackA.escrow, flow: opened.flow }),
        (error: ConcordTransactionError) => (error.details ?? "").startsWith("FlowEndpointSettlementPaused"),
      );
      await call(A, stackA.escrow, escrowAbi, "unpauseSettlement", []);
      const settled = await settleFlow({
        ...clientsOf(A, A.relayer),
        escrow: stackA.escrow,
        flow: opened.flow,
      });
      assert.deepEqual(
        settled.events.map((e) => e.eventName),
        ["FlowFinalized"],
      );
      status = await flowStatus(ends);
      assert.deepEqual([status.origin.phase, status.next], ["SETTLED", "DONE"]);
    } finally {
      if (
        await A.publicClient.readContract({
          address: stackA.escrow,
          abi: escrowAbi,
          functionName: "settlementPaused",
        })
      )
        await call(A, stackA.escrow, escrowAbi, "unpauseSettlement", []);
    }
  });
});
