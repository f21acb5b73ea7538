// The relayer isolates every message, on two real anvil chains: a message it cannot deliver (a destination it does
// not serve, a self-send, a destination verifier it has no metadata builder for) is parked UNDELIVERABLE with its
// reason and never holds up the next message of the same origin, also after a restart; a recipient that always
// reverts ends FAILED (not a stall); `/health` reports a loop that keeps failing. Then the automatic retry of FAILED
// messages that ran out of gas: retried with the estimate, not retried above the ceiling, bounded by maxAttempts.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Hex, createPublicClient, http, parseAbi } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  type MessageRecord,
  type Relayer,
  type RelayerConfig,
  type RetryAttempt,
  type Validator,
  gatewayAbi,
  runRelayer,
  runValidator,
  silentLogger,
} from "../../sdk/agents/index.js";
import {
  ANVIL_KEYS,
  FaultProxy,
  type LocalPair,
  deployContract,
  deployLocalPair,
  gatewayStatus,
  sendMessages,
  waitFor,
  writeContract,
} from "../helpers/agents.js";

const mockRecipientAbi = parseAbi([
  "function setMode(uint8 mode)",
  "function setGetter(uint8 getterMode, address verifier)",
]);
const mockVerifierAbi = parseAbi(["function setOriginGateway(uint32 origin, address gateway)"]);
const hungryAbi = parseAbi([
  "function setStarveTransactions(bool starve)",
  "function calls() view returns (uint256)",
]);

/** A normal message is delivered this fast while undeliverable ones sit in the store. */
const PROMPT_MS = 10_000;

type HttpRecord = MessageRecord & {
  retryAttempts: RetryAttempt[];
  events: { status: string; detail: string | null; txHash: Hex | null }[];
};

describe("agents: relayer isolation and automatic retry", () => {
  let pair: LocalPair;
  let dir: string;
  const validators: Validator[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-isolation-"));
    pair = await deployLocalPair();
    for (const chain of pair.chains)
      for (const [i, key] of pair.validatorKeys.entries())
        validators.push(
          await runValidator({
            rpcUrl: chain.rpcUrl,
            gateway: chain.gateway,
            signer: key,
            confirmations: 0,
            storePath: join(dir, `validator-${chain.domain}-${i}.sqlite`),
            pollIntervalMs: 50,
            logger: silentLogger,
          }),
        );
  });

  after(async () => {
    for (const v of validators) await v.stop();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The relayer of these tests over `rpcUrls` (default: the chains themselves). */
  const relayerConfig = (overrides: Partial<RelayerConfig> = {}, rpcUrls?: string[]): RelayerConfig => {
    const [a, b] = pair.chains;
    return {
      chains: pair.chains.map((c, i) => ({
        domain: c.domain,
        rpcUrl: rpcUrls?.[i] ?? c.rpcUrl,
        gateway: c.gateway,
        batchProcessor: c.domain === b.domain ? c.batchProcessor : undefined,
      })),
      validators: {
        [a.domain]: validators.slice(0, 3).map((v) => v.url!),
        [b.domain]: validators.slice(3).map((v) => v.url!),
      },
      account: ANVIL_KEYS[1]!,
      store: { type: "sqlite", path: join(dir, "relayer.sqlite") },
      pollIntervalMs: 50,
      retry: { baseDelayMs: 100, maxDelayMs: 1_000 },
      // Parked messages stay parked for the whole test unless a restart re-checks them.
      undeliverable: { recheckBaseMs: 120_000 },
      retryFailed: { gasCeiling: 1_000_000, maxAttempts: 2, marginPercent: 20, delayMs: 100 },
      logger: silentLogger,
      ...overrides,
    };
  };

  /** Waits until `relayer` records `id` DELIVERED; returns the record. */
  const delivered = (relayer: Relayer, id: Hex, timeoutMs = PROMPT_MS) =>
    waitFor(
      `delivery of ${id}`,
      async () => {
        const r = await relayer.store.get(id);
        return r?.status === "DELIVERED" ? r : undefined;
      },
      timeoutMs,
    );

  /** Waits until `relayer` parks `id`; returns the record. */
  const parked = (relayer: Relayer, id: Hex) =>
    waitFor(
      `${id} parked`,
      async () => {
        const r = await relayer.store.get(id);
        return r?.status === "UNDELIVERABLE" ? r : undefined;
      },
      PROMPT_MS,
    );

  /** Sends one undeliverable message from A, then a normal A -> B one; the normal one must be delivered promptly. */
  async function undeliverableThenNormal(relayer: Relayer, send: () => Promise<Hex>): Promise<MessageRecord> {
    const [a, b] = pair.chains;
    const bad = await send();
    const [good] = await sendMessages(a, b.domain, b.recipient, 1);
    const started = Date.now();
    const record = await delivered(relayer, good!.id);
    assert.equal(record.outcome, "EXECUTED");
    assert.equal(await gatewayStatus(b, good!.message), 1);
    assert.ok(Date.now() - started < PROMPT_MS);
    return parked(relayer, bad);
  }

  async function httpRecord(relayer: Relayer, id: Hex): Promise<HttpRecord> {
    const res = await fetch(`${relayer.url}/messages/${id}`);
    assert.equal(res.status, 200);
    return (await res.json()) as HttpRecord;
  }

  describe("isolation", () => {
    let relayer: Relayer;
    const parkedIds: Hex[] = [];

    before(async () => {
      relayer = await runRelayer(relayerConfig());
    });

    after(async () => {
      await relayer?.stop();
    });

    it("parks a message to a destination it does not serve; the next message of the origin is delivered", async () => {
      const [a, b] = pair.chains;
      const record = await undeliverableThenNormal(relayer, async () => {
        const [m] = await sendMessages(a, 999, b.recipient, 1);
        return m!.id;
      });
      assert.match(record.error ?? "", /destination 999 is not served by this relayer/);
      parkedIds.push(record.id);
      const body = await httpRecord(relayer, record.id);
      assert.equal(body.status, "UNDELIVERABLE");
      assert.match(body.error ?? "", /not served/);
      assert.deepEqual(
        body.events.map((e) => e.status),
        ["SEEN", "UNDELIVERABLE"],
      );
    });

    it("parks a self-send (no route from a chain to itself); the next message of the origin is delivered", async () => {
      const [a] = pair.chains;
      const record = await undeliverableThenNormal(relayer, async () => {
        const [m] = await sendMessages(a, a.domain, a.recipient, 1);
        return m!.id;
      });
      assert.match(record.error ?? "", /self-send: .*no route for messages from itself/);
      parkedIds.push(record.id);
    });

    it("parks a message whose destination verifier has no metadata builder here; the next one is delivered", async () => {
      const [a, b] = pair.chains;
      // A recipient on B that names its own verifier: a MockVerifier (module type NULL) bound to A's gateway.
      const verifier = await deployContract(b.rpcUrl, b.deployerKey, "MockVerifier", []);
      await writeContract(b.rpcUrl, b.deployerKey, verifier, mockVerifierAbi, "setOriginGateway", [
        a.domain,
        a.gateway,
      ]);
      const recipient = await deployContract(b.rpcUrl, b.deployerKey, "MockRecipient", []);
      await writeContract(b.rpcUrl, b.deployerKey, recipient, mockRecipientAbi, "setGetter", [0, verifier]);
      const record = await undeliverableThenNormal(relayer, async () => {
        const [m] = await sendMessages(a, b.domain, recipient, 1);
        return m!.id;
      });
      assert.match(
        record.error ?? "",
        new RegExp(`verifier ${verifier} on ${b.domain} has module type 6; .*message-id multisig`),
      );
      parkedIds.push(record.id);
      const list = (await (await fetch(`${relayer.url}/undeliverable`)).json()) as {
        messages: { id: Hex; reason: string }[];
      };
      for (const id of parkedIds)
        assert.ok(
          list.messages.some((m) => m.id === id && m.reason.length > 0),
          `${id} listed with its reason`,
        );
    });

    it("delivers a message whose recipient always reverts as FAILED (not a stall), and the next one", async () => {
      const [a, b] = pair.chains;
      const recipient = await deployContract(b.rpcUrl, b.deployerKey, "MockRecipient", []);
      await writeContract(b.rpcUrl, b.deployerKey, recipient, mockRecipientAbi, "setMode", [1]); // REVERT
      const [bad] = await sendMessages(a, b.domain, recipient, 1);
      const [good] = await sendMessages(a, b.domain, b.recipient, 1);
      assert.equal((await delivered(relayer, good!.id)).outcome, "EXECUTED");
      const failed = await delivered(relayer, bad!.id);
      assert.equal(failed.outcome, "FAILED");
      assert.equal(await gatewayStatus(b, bad!.message), 2);
      // The recipient reverts whatever the gas: no automatic retry, and the reason is recorded.
      const done = await waitFor("retry decision", async () => {
        const r = await relayer.store.get(bad!.id);
        return r?.retry.state === "DONE" ? r : undefined;
      });
      assert.match(
        done.retry.note ?? "",
        /not retried: the recipient reverts whatever the gas \(.*MockRecipientRejected/,
      );
      assert.deepEqual(await relayer.store.retryAttempts(bad!.id), []);
    });

    it("after a restart, parked messages stay parked with their reasons and never hold up new ones", async () => {
      const [a, b] = pair.chains;
      await relayer.stop();
      // While it is down: another self-send, then a normal message.
      const [selfSend] = await sendMessages(a, a.domain, a.recipient, 1);
      const [good] = await sendMessages(a, b.domain, b.recipient, 1);
      relayer = await runRelayer(relayerConfig());
      assert.equal((await delivered(relayer, good!.id)).outcome, "EXECUTED");
      assert.match((await parked(relayer, selfSend!.id)).error ?? "", /self-send/);
      // The restart re-checked the earlier self-send (served destination) and parked it again, same reason;
      // the one to domain 999 (not served) was left alone.
      const selfEvents = await waitFor("the earlier self-send re-checked", async () => {
        const events = await relayer.store.events(parkedIds[1]!);
        return events.length === 3 ? events : undefined;
      });
      assert.deepEqual(
        selfEvents.map((e) => e.status),
        ["SEEN", "UNDELIVERABLE", "UNDELIVERABLE"],
      );
      await waitFor(
        "the verifier case re-checked",
        async () => (await relayer.store.events(parkedIds[2]!)).length === 3,
      );
      const unserved = await relayer.store.get(parkedIds[0]!);
      assert.equal(unserved?.status, "UNDELIVERABLE");
      assert.equal((await relayer.store.events(parkedIds[0]!)).length, 2);
      const health = (await (await fetch(`${relayer.url}/health`)).json()) as {
        ok: boolean;
        messages: Record<string, number>;
      };
      assert.equal(health.ok, true);
      assert.equal(health.messages.UNDELIVERABLE, 4);
    });

    it("parks a message whose verifier authenticates another origin gateway; the next one is delivered", async () => {
      const [a, b] = pair.chains;
      // A recipient on B naming a message-id multisig verifier bound to another deployment of A's gateway.
      const elsewhere = "0x00000000000000000000000000000000000e15e0" as const;
      const verifier = await deployContract(b.rpcUrl, b.deployerKey, "MessageIdMultisigVerifier", [
        {
          origin: a.domain,
          originGateway: `0x${elsewhere.slice(2).padStart(64, "0")}`,
          localDomain: b.domain,
          threshold: pair.threshold,
          validators: pair.validatorKeys
            .map((k) => privateKeyToAccount(k).address)
            .sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1)),
        },
      ]);
      const recipient = await deployContract(b.rpcUrl, b.deployerKey, "MockRecipient", []);
      await writeContract(b.rpcUrl, b.deployerKey, recipient, mockRecipientAbi, "setGetter", [0, verifier]);
      const record = await undeliverableThenNormal(relayer, async () => {
        const [m] = await sendMessages(a, b.domain, recipient, 1);
        return m!.id;
      });
      assert.match(
        record.error ?? "",
        new RegExp(
          `verifier ${verifier} on ${b.domain} authenticates origin gateway 0x0+e15e0 for ${a.domain}, not ${a.gateway}`,
        ),
      );
    });

    it("parks a message the destination gateway refuses for good (privileged recipient); the next one is delivered", async () => {
      const [a, b] = pair.chains;
      // Sent together with normal messages, so that it also goes through a batch with them.
      const [good1] = await sendMessages(a, b.domain, b.recipient, 1);
      const record = await undeliverableThenNormal(relayer, async () => {
        const [m] = await sendMessages(a, b.domain, b.gateway, 1);
        return m!.id;
      });
      assert.equal((await delivered(relayer, good1!.id)).outcome, "EXECUTED");
      assert.match(
        record.error ?? "",
        new RegExp(`ConcordGatewayPrivilegedRecipient\\(${b.gateway}\\): the recipient holds a role`),
      );
      assert.equal(record.attempts, 0, "parked at once, no delivery attempt spent");
    });

    it("retries a message whose recipient ran out of gas with the estimate, and records the attempt", async () => {
      const [a, b] = pair.chains;
      const need = 300_000n;
      const hungry = await deployContract(b.rpcUrl, b.deployerKey, "MockGasHungryRecipient", [need]);
      const [m] = await sendMessages(a, b.domain, hungry, 1, { gasLimit: 100_000 });
      await delivered(relayer, m!.id);
      const done = await waitFor("automatic retry", async () => {
        const r = await relayer.store.get(m!.id);
        return r?.retry.state === "DONE" ? r : undefined;
      });
      assert.equal(done.outcome, "EXECUTED", "the record follows the retry");
      assert.match(done.retry.note ?? "", /EXECUTED by auto-retry 1 with gas \d+/);
      const deliveries = (await relayer.store.events(m!.id)).filter((e) => e.status === "DELIVERED");
      assert.deepEqual(
        deliveries.map((e) => e.detail),
        ["recipient FAILED"],
        "100 000 gas was not enough for the first delivery",
      );
      assert.equal(await gatewayStatus(b, m!.message), 1);
      const [attempt] = await relayer.store.retryAttempts(m!.id);
      assert.ok(attempt);
      assert.equal(attempt.outcome, "EXECUTED");
      assert.ok(attempt.estimate! >= Number(need), `estimate ${attempt.estimate}`);
      assert.ok(
        attempt.gasLimit >= Math.ceil(attempt.estimate! * 1.2),
        `gas ${attempt.gasLimit} = estimate + 20%`,
      );
      assert.ok(attempt.gasUsed! > Number(need), `gas used ${attempt.gasUsed}`);
      // On chain: one Retried event, by the relayer, with the attempt's gas.
      const client = createPublicClient({ transport: http(b.rpcUrl) });
      const retried = await client.getContractEvents({
        address: b.gateway,
        abi: gatewayAbi,
        eventName: "Retried",
        args: { messageId: m!.id },
        fromBlock: 0n,
        strict: true,
      });
      assert.equal(retried.length, 1);
      assert.equal(retried[0]!.args.caller, privateKeyToAccount(ANVIL_KEYS[1]!).address);
      assert.equal(retried[0]!.args.gasLimit, attempt.gasLimit);
      assert.equal(retried[0]!.args.success, true);
      assert.equal(retried[0]!.transactionHash, attempt.txHash);
      // The HTTP status shows the attempt and the lifecycle.
      const body = await httpRecord(relayer, m!.id);
      assert.equal(body.retryAttempts.length, 1);
      assert.equal(body.retryAttempts[0]!.gasUsed, attempt.gasUsed);
      assert.deepEqual(body.events.map((e) => e.status).slice(-3), [
        "RETRY_SUBMITTED",
        "RETRIED",
        "RETRY_DONE",
      ]);
    });

    it("does not retry above the gas ceiling, and gives up after maxAttempts", async () => {
      const [a, b] = pair.chains;
      const tooHungry = await deployContract(b.rpcUrl, b.deployerKey, "MockGasHungryRecipient", [2_000_000n]);
      // Needs 200 000 by estimate, but burns everything inside a real transaction: every retry fails.
      const starving = await deployContract(b.rpcUrl, b.deployerKey, "MockGasHungryRecipient", [200_000n]);
      await writeContract(b.rpcUrl, b.deployerKey, starving, hungryAbi, "setStarveTransactions", [true]);
      const [big] = await sendMessages(a, b.domain, tooHungry, 1, { gasLimit: 100_000 });
      const [starved] = await sendMessages(a, b.domain, starving, 1, { gasLimit: 100_000 });
      const retryDone = (id: Hex) =>
        waitFor(
          `retry decision for ${id}`,
          async () => {
            const r = await relayer.store.get(id);
            return r?.retry.state === "DONE" ? r : undefined;
          },
          20_000,
        );
      const bigDone = await retryDone(big!.id);
      assert.match(
        bigDone.retry.note ?? "",
        /not retried: it needs about \d+ gas .*above the ceiling 1000000/,
      );
      assert.deepEqual(await relayer.store.retryAttempts(big!.id), []);
      assert.equal(await gatewayStatus(b, big!.message), 2);

      const starvedDone = await retryDone(starved!.id);
      assert.match(starvedDone.retry.note ?? "", /gave up after 2 attempt\(s\)/);
      const attempts = await relayer.store.retryAttempts(starved!.id);
      assert.deepEqual(
        attempts.map((x) => x.outcome),
        ["FAILED", "FAILED"],
      );
      assert.ok(attempts[1]!.gasLimit >= Math.ceil(attempts[0]!.gasLimit * 1.2), "each attempt gives more");
      assert.equal(await gatewayStatus(b, starved!.message), 2);
      const client = createPublicClient({ transport: http(b.rpcUrl) });
      assert.equal(
        await client.readContract({ address: starving, abi: hungryAbi, functionName: "calls" }),
        0n,
      );
    });
  });

  describe("health", () => {
    let relayer: Relayer;
    let proxies: FaultProxy[];

    before(async () => {
      proxies = await Promise.all(pair.chains.map((c) => new FaultProxy(c.rpcUrl).start()));
      relayer = await runRelayer(
        relayerConfig(
          {
            account: ANVIL_KEYS[2]!,
            store: { type: "sqlite", path: join(dir, "relayer-health.sqlite") },
            retryFailed: undefined,
          },
          proxies.map((p) => p.url),
        ),
      );
    });

    after(async () => {
      await relayer?.stop();
      for (const p of proxies ?? []) await p.stop();
    });

    type Health = {
      ok: boolean;
      failingLoops: string[];
      loops: Record<string, { errors: number; consecutiveFailures: number; lastError: string | null }>;
    };
    const health = async (): Promise<{ status: number; body: Health }> => {
      const res = await fetch(`${relayer.url}/health`);
      return { status: res.status, body: (await res.json()) as Health };
    };

    it("reports ok:false with the failing loops and their errors while a chain does not answer, then recovers", async () => {
      const [a, b] = pair.chains;
      await waitFor("healthy", async () => (await health()).body.ok);
      proxies[1]!.plan = { errorRate: 1 };
      // B does not answer: B's indexer fails every pass, and A's signature loop cannot look up B's verifier.
      const [m] = await sendMessages(a, b.domain, b.recipient, 1);
      const sick = await waitFor("unhealthy", async () => {
        const h = await health();
        return !h.body.ok &&
          h.body.failingLoops.includes(`index:${b.domain}`) &&
          h.body.failingLoops.includes(`sign:${a.domain}`)
          ? h
          : undefined;
      });
      assert.equal(sick.status, 503);
      assert.match(sick.body.loops[`index:${b.domain}`]!.lastError ?? "", /HTTP request failed|503/i);
      assert.match(
        sick.body.loops[`sign:${a.domain}`]!.lastError ?? "",
        new RegExp(`destination ${b.domain} did not answer`),
      );
      assert.ok(sick.body.loops[`index:${b.domain}`]!.errors >= 3);
      const waiting = await relayer.store.get(m!.id);
      assert.equal(waiting?.status, "SEEN", "postponed, not parked: the chain is down, not the message");
      assert.match(waiting?.error ?? "", /did not answer/);
      const metrics = await (await fetch(`${relayer.url}/metrics`)).text();
      assert.match(metrics, new RegExp(`concord_relayer_loop_failing\\{loop="index:${b.domain}"\\} 1`));

      proxies[1]!.plan = {};
      const recovered = await waitFor("healthy again", async () => {
        const h = await health();
        return h.body.ok ? h : undefined;
      });
      assert.equal(recovered.status, 200);
      assert.deepEqual(recovered.body.failingLoops, []);
      assert.equal((await delivered(relayer, m!.id, 20_000)).outcome, "EXECUTED");
    });
  });
});
