// `requirePayment`: the relayer delivers only messages paid through their origin's GasPaymaster (at least the gas
// limit they declare). On two anvils: a paid message is delivered; an unpaid one and one paid for 1 gas stay SEEN
// with the reason in the store and the status API; once paid (a top-up for the partial one) both are delivered.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Abi,
  type Address,
  type Hex,
  createPublicClient,
  createWalletClient,
  getContractAddress,
  http,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  AgentConfigError,
  type Relayer,
  type RelayerConfig,
  type Validator,
  runRelayer,
  runValidator,
  silentLogger,
} from "../../sdk/agents/index.js";
import { paymasterAbi } from "../../sdk/src/abis.js";
import {
  ANVIL_KEYS,
  type LocalChain,
  type LocalPair,
  deployContract,
  deployLocalPair,
  executedIds,
  sendMessages,
  waitFor,
  writeContract,
} from "../helpers/agents.js";
import { testArtifact } from "../helpers/artifacts.js";

const RATE_SCALE = 10_000_000_000n; // GasOracle.TOKEN_EXCHANGE_RATE_SCALE: 1:1
const GAS_LIMIT = 200_000; // the local gateways' default gas limit

/** A GasOracle and GasPaymaster on `chain` (authority: its access manager, the deployer's first contract). */
async function deployPaymaster(chain: LocalChain, remote: number): Promise<Address> {
  const deployer = privateKeyToAccount(chain.deployerKey).address;
  const manager = getContractAddress({ from: deployer, nonce: 0n });
  const oracle = await deployContract(chain.rpcUrl, chain.deployerKey, "GasOracle", [manager]);
  await writeContract(
    chain.rpcUrl,
    chain.deployerKey,
    oracle,
    testArtifact("GasOracle").abi as Abi,
    "setRemoteGasData",
    [remote, RATE_SCALE, 1_000_000_000n],
  );
  return deployContract(chain.rpcUrl, chain.deployerKey, "GasPaymaster", [manager, oracle, deployer]);
}

/** Pays `gas` for message `id` to `destination` through `paymaster` (the quoted amount), from a sender. */
async function pay(chain: LocalChain, paymaster: Address, id: Hex, destination: number, gas: number) {
  const client = createPublicClient({ transport: http(chain.rpcUrl) });
  const value = await client.readContract({
    address: paymaster,
    abi: paymasterAbi(),
    functionName: "quotePayment",
    args: [id, destination, BigInt(gas)],
  });
  const account = privateKeyToAccount(ANVIL_KEYS[4]!);
  const wallet = createWalletClient({ account, transport: http(chain.rpcUrl) });
  const hash = await wallet.writeContract({
    chain: {
      id: chain.domain,
      name: "a",
      nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
      rpcUrls: { default: { http: [chain.rpcUrl] } },
    },
    address: paymaster,
    abi: paymasterAbi(),
    functionName: "payForGas",
    args: [id, destination, BigInt(gas), account.address],
    value,
  });
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  assert.equal(receipt.status, "success");
}

describe("relayer: requirePayment (paid-only delivery)", () => {
  let pair: LocalPair;
  let dir: string;
  let paymasters: [Address, Address];
  const validators: Validator[] = [];
  let relayer: Relayer | undefined;
  let config: RelayerConfig;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-payment-"));
    pair = await deployLocalPair();
    const [a, b] = pair.chains;
    paymasters = [await deployPaymaster(a, b.domain), await deployPaymaster(b, a.domain)];
    for (const [i, key] of pair.validatorKeys.entries())
      validators.push(
        await runValidator({
          rpcUrl: a.rpcUrl,
          gateway: a.gateway,
          signer: key,
          confirmations: 0,
          storePath: join(dir, `v-${i}.sqlite`),
          pollIntervalMs: 20,
          logger: silentLogger,
        }),
      );
    config = {
      chains: pair.chains.map((c, i) => ({
        domain: c.domain,
        rpcUrl: c.rpcUrl,
        gateway: c.gateway,
        batchProcessor: c.batchProcessor,
        paymaster: paymasters[i],
      })),
      validators: { [a.domain]: validators.map((v) => v.url!), [b.domain]: [] },
      account: ANVIL_KEYS[1]!,
      store: { type: "sqlite", path: join(dir, "relayer.sqlite") },
      pollIntervalMs: 20,
      requirePayment: true,
      paymentRecheckMs: 100,
      logger: silentLogger,
    };
  });

  after(async () => {
    await relayer?.stop();
    for (const v of validators) await v.stop();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses requirePayment without a paymaster for every origin", async () => {
    const chains = config.chains.map((c, i) => (i === 1 ? { ...c, paymaster: undefined } : c));
    await assert.rejects(
      runRelayer({ ...config, chains }),
      (e: unknown) => e instanceof AgentConfigError && /chains\[1\]\.paymaster/.test(String(e)),
    );
  });

  it("names the bad key of the throughput and payment settings before contacting any chain", async () => {
    const bad: [Partial<RelayerConfig>, RegExp][] = [
      [{ maxInFlight: 0 }, /maxInFlight/],
      [{ maxInFlight: 1.5 }, /maxInFlight/],
      [{ maxTxGas: 10 }, /maxTxGas/],
      [{ gasBound: { messageBase: -1 } }, /gasBound\.messageBase/],
      [{ paymentRecheckMs: 0 }, /paymentRecheckMs/],
    ];
    for (const [extra, key] of bad)
      await assert.rejects(
        runRelayer({ ...config, ...extra }),
        (e: unknown) => e instanceof AgentConfigError && key.test(String(e)),
        JSON.stringify(extra),
      );
  });

  it("delivers the paid message; the unpaid and the underpaid ones wait with the reason until paid", async () => {
    const [a, b] = pair.chains;
    const [paid, unpaid, partial] = await sendMessages(a, b.domain, b.recipient, 3);
    await pay(a, paymasters[0], paid!.id, b.domain, GAS_LIMIT);
    await pay(a, paymasters[0], partial!.id, b.domain, 1); // pays for 1 gas: not enough for a 200,000 limit
    const live = await runRelayer(config);
    relayer = live;
    await waitFor("paid delivered", async () => (await live.store.get(paid!.id))?.status === "DELIVERED");
    // The others were checked (their reason is recorded) and are still waiting, after the paid one went through.
    for (const [m, paidGas] of [
      [unpaid!, 0],
      [partial!, 1],
    ] as const) {
      const r = await waitFor("reason recorded", async () => {
        const rec = await live.store.get(m.id);
        return rec?.error?.startsWith("unpaid") ? rec : undefined;
      });
      assert.equal(r.status, "SEEN");
      assert.match(r.error!, new RegExp(`records ${paidGas} gas paid .* declares ${GAS_LIMIT}`));
      const res = await fetch(`${live.url}/messages/${m.id}`);
      const body = (await res.json()) as { status: string; error: string };
      assert.equal(body.status, "SEEN");
      assert.match(body.error, /^unpaid \(requirePayment\)/);
    }
    assert.equal((await executedIds(b)).size, 1, "only the paid message reached the destination");
    assert.ok(live.counter("concord_relayer_unpaid_postponed_total", { origin: a.domain }) >= 2);
    // Paid later (the unpaid in full, the partial one topped up to its gas limit): both are delivered.
    await pay(a, paymasters[0], unpaid!.id, b.domain, GAS_LIMIT);
    await pay(a, paymasters[0], partial!.id, b.domain, GAS_LIMIT - 1);
    for (const m of [unpaid!, partial!])
      await waitFor("delivered once paid", async () => (await live.store.get(m.id))?.status === "DELIVERED");
    const executed = await executedIds(b);
    for (const m of [paid!, unpaid!, partial!]) assert.equal(executed.get(m.id), 1);
  });
});
