// The relayer's delivery gas bound (sdk/agents/relayer/gas.ts) against what deliveries really need on anvil:
// worst-case recipients (burning their whole gas limit, reverting with a bomb of data, accepting), payloads from 0
// to 4,000 bytes, gas limits 30k and 200k, 2-of-3 and 5-of-7 message-id multisig. Each message's bound must cover
// the `eth_estimateGas` of its lone `process` (every slot cold), a whole batch sent with the summed bound must
// succeed with every message delivered, and the printed figures show the headroom.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  type Abi,
  type Hex,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  http,
  parseEventLogs,
  toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { batchProcessorAbi, gatewayAbi } from "../../sdk/agents/index.js";
import {
  DELIVERY_GAS,
  GATEWAY_CALL_GAS_MARGIN,
  messageGasBound,
  txGasBound,
} from "../../sdk/agents/relayer/gas.js";
import { intrinsicGas } from "../../sdk/agents/relayer/failures.js";
import { ModuleType, signDigest } from "../../sdk/src/metadata.js";
import { relayDigest, relayMetadata } from "../../sdk/src/signatures.js";
import { ANVIL_KEYS, type LocalPair, deployLocalPair, sendMessages } from "../helpers/agents.js";
import { testArtifact } from "../helpers/artifacts.js";

const MODES = { ACCEPT: 0, BURN_GAS: 2, REVERT_BOMB: 4 } as const;
const PAYLOADS = [0, 32, 1024, 4000];
const GAS_LIMITS = [30_000, 200_000];

type Delivery = { message: Hex; metadata: Hex; gasLimit: number; bound: bigint };

async function measure(validators: number, threshold: number) {
  const pair: LocalPair = await deployLocalPair({ validators, threshold });
  try {
    const [a, b] = pair.chains;
    const client = createPublicClient({ transport: http(b.rpcUrl) });
    const wallet = createWalletClient({
      account: privateKeyToAccount(ANVIL_KEYS[1]!),
      transport: http(b.rpcUrl),
    });
    const deployer = createWalletClient({
      account: privateKeyToAccount(b.deployerKey),
      transport: http(b.rpcUrl),
    });
    const chain = {
      id: b.domain,
      name: "b",
      nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
      rpcUrls: { default: { http: [b.rpcUrl] } },
    };
    const recipientAbi = testArtifact("MockRecipient").abi as Abi;
    const verifier = {
      moduleType: ModuleType.CONCORD_MESSAGE_ID_MULTISIG,
      threshold,
      validators: pair.validatorKeys.map((k) => privateKeyToAccount(k).address),
    };
    const worst: {
      mode: string;
      payload: number;
      gasLimit: number;
      estimate: bigint;
      bound: bigint;
      overhead: bigint;
    }[] = [];
    const batches: { mode: string; size: number; bound: bigint; used: bigint }[] = [];
    for (const [mode, modeValue] of Object.entries(MODES)) {
      const hash = await deployer.writeContract({
        chain,
        address: b.recipient,
        abi: recipientAbi,
        functionName: "setMode",
        args: [modeValue],
      });
      await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      const deliveries: Delivery[] = [];
      for (const gasLimit of GAS_LIMITS)
        for (const payload of PAYLOADS) {
          const [sent] = await sendMessages(a, b.domain, b.recipient, 1, {
            gasLimit,
            payload: () => toHex(new Uint8Array(payload).fill(0xab)),
          });
          const nonce = Number(BigInt(`0x${sent!.message.slice(4, 12)}`));
          const digest = relayDigest({
            origin: a.domain,
            originGateway: a.gateway,
            messageId: sent!.id,
            nonce,
          });
          const signatures = await Promise.all(
            pair.validatorKeys.slice(0, threshold).map((k) => signDigest(privateKeyToAccount(k), digest)),
          );
          const metadata = relayMetadata({ moduleType: verifier.moduleType, signatures });
          const bound = messageGasBound({ message: sent!.message, metadata, gasLimit, verifier })!;
          // The lone `process`, every slot cold: the least gas it succeeds with.
          const data = encodeFunctionData({
            abi: gatewayAbi,
            functionName: "process",
            args: [metadata, sent!.message],
          });
          const estimate = await client.estimateGas({ account: wallet.account.address, to: b.gateway, data });
          const txBound = txGasBound(data, bound);
          const twoCalls = (BigInt(gasLimit + GATEWAY_CALL_GAS_MARGIN) * 4096n + 3968n) / 3969n;
          worst.push({
            mode,
            payload,
            gasLimit,
            estimate,
            bound: txBound,
            overhead: estimate - intrinsicGas(data) - twoCalls,
          });
          assert.ok(
            estimate <= txBound,
            `${mode} payload ${payload} gas ${gasLimit}: estimate ${estimate} > bound ${txBound}`,
          );
          deliveries.push({ message: sent!.message, metadata, gasLimit, bound });
        }
      // The whole set in one batch, sent with the summed bound: succeeds, every message delivered.
      const data = encodeFunctionData({
        abi: batchProcessorAbi,
        functionName: "processBatch",
        args: [b.gateway, deliveries.map((d) => d.metadata), deliveries.map((d) => d.message)],
      });
      const gas = txGasBound(
        data,
        deliveries.reduce((s, d) => s + d.bound, 0n),
      );
      const tx = await wallet.sendTransaction({ chain, to: b.batchProcessor, data, gas });
      const receipt = await client.waitForTransactionReceipt({ hash: tx, pollingInterval: 20 });
      assert.equal(receipt.status, "success", `${mode}: batch with the bound reverted`);
      const outcomes = parseEventLogs({ abi: gatewayAbi, logs: receipt.logs }).filter(
        (l) => l.eventName === "Executed" || l.eventName === "ExecutionFailed",
      );
      assert.equal(outcomes.length, deliveries.length, `${mode}: every message has an outcome`);
      // The recipients that burn their gas or revert fail (FAILED is an outcome: the gateway recorded it).
      if (mode !== "ACCEPT") for (const o of outcomes) assert.equal(o.eventName, "ExecutionFailed");
      batches.push({ mode, size: deliveries.length, bound: gas, used: receipt.gasUsed });
    }
    return { worst, batches };
  } finally {
    await pair.stop();
  }
}

describe("relayer: delivery gas bound (measured on anvil)", () => {
  const results: {
    config: string;
    worst: Awaited<ReturnType<typeof measure>>["worst"];
    batches: Awaited<ReturnType<typeof measure>>["batches"];
  }[] = [];

  for (const [validators, threshold] of [
    [3, 2],
    [7, 5],
  ] as const)
    it(`${threshold}-of-${validators}: every lone process estimate and every batch fit the bound`, async () => {
      const { worst, batches } = await measure(validators, threshold);
      results.push({ config: `${threshold}-of-${validators}`, worst, batches });
    });

  after(() => {
    for (const r of results) {
      const maxOverhead = r.worst.reduce((m, w) => (w.overhead > m ? w.overhead : m), 0n);
      console.log(`\n${r.config}: costs ${JSON.stringify(DELIVERY_GAS)}`);
      console.log(
        "mode        | payload | gas limit | estimate | bound   | headroom | overhead beyond recipient",
      );
      for (const w of r.worst)
        console.log(
          `${w.mode.padEnd(11)} | ${String(w.payload).padStart(7)} | ${String(w.gasLimit).padStart(9)} | ${String(w.estimate).padStart(8)} | ${String(w.bound).padStart(7)} | ${String(w.bound - w.estimate).padStart(8)} | ${w.overhead}`,
        );
      console.log(`largest measured overhead beyond the recipient's share and intrinsic gas: ${maxOverhead}`);
      for (const b of r.batches)
        console.log(
          `batch ${b.mode.padEnd(11)} x${b.size}: bound ${b.bound}, used ${b.used} (${((Number(b.used) / Number(b.bound)) * 100).toFixed(1)}%)`,
        );
    }
  });
});
