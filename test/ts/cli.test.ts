// The `concord` CLI as users run it: the built executable (sdk/dist/cli/concord.js, produced by scripts/build.sh)
// in a child process, against two real anvil chains deployed with the deploy library. Checks exit codes, --json
// results, self-relay with real validator agents, status across chains, retry of a FAILED message (with more gas),
// a relayer's automatic retry shown by `status --relayer`, the deploy dry run, and the demo.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Address, type Hex, createPublicClient, createWalletClient, defineChain, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { type Validator, runRelayer, runValidator, silentLogger } from "../../sdk/agents/index.js";
import { deployContract } from "../helpers/agents.js";
import { type AnvilChain, rpc, startAnvil } from "../../sdk/src/anvil.js";
import { ANVIL_DEV_KEY, type Deployment, deploy, validateConfig } from "../../sdk/src/deploy/index.js";
import { concordAbi, writeAndWait } from "../../sdk/src/index.js";
import { repoRoot } from "../../sdk/src/repo.js";
import { BIN, type Run, concord, runHint, start } from "../helpers/cli.js";

const CHAIN_A = 31_501;
const CHAIN_B = 31_502;
const SENDER_KEY = generatePrivateKey();
const sender = privateKeyToAccount(SENDER_KEY);

describe("concord CLI", () => {
  let dir: string;
  let configPath: string;
  let registry: string;
  const anvils: AnvilChain[] = [];
  const validators: Validator[] = [];
  const deployments: Record<number, Deployment> = {};

  before(async () => {
    assert.ok(existsSync(BIN), `${BIN} is missing: run scripts/build.sh`);
    dir = mkdtempSync(join(tmpdir(), "concord-cli-"));
    registry = join(dir, "deployments");
    for (const chainId of [CHAIN_A, CHAIN_B]) {
      anvils.push(await startAnvil({ chainId }));
    }
    const keys = [generatePrivateKey(), generatePrivateKey(), generatePrivateKey()];
    const signers = keys.map((k) => privateKeyToAccount(k));
    const addresses = signers.map((s) => s.address).sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
    const raw = {
      saltPrefix: "concord.cli-test",
      gateway: { defaultGasLimit: 200_000, maxBodySize: 8192 },
      coordinator: { maxHorizon: 86_400 },
      chains: {
        chainA: {
          chainId: CHAIN_A,
          rpcUrl: anvils[0]!.rpcUrl,
          local: true,
          finalityDepth: 0,
          validators: addresses,
          threshold: 2,
        },
        chainB: {
          chainId: CHAIN_B,
          rpcUrl: anvils[1]!.rpcUrl,
          local: true,
          finalityDepth: 0,
          validators: addresses,
          threshold: 2,
        },
      },
    };
    configPath = join(dir, "chains.json");
    writeFileSync(configPath, JSON.stringify(raw, null, 2));
    const result = await deploy({ config: validateConfig(raw), registryDir: registry });
    for (const r of Object.values(result.registries)) deployments[r.deployment.chainId] = r.deployment;
    // validators of chain A (the origin of the test message), over HTTP
    for (const [i, signer] of signers.entries()) {
      validators.push(
        await runValidator({
          rpcUrl: anvils[0]!.rpcUrl,
          gateway: deployments[CHAIN_A]!.contracts.ConcordGateway!,
          signer,
          confirmations: 0,
          storePath: join(dir, `validator-${i}.sqlite`),
          pollIntervalMs: 100,
          logger: silentLogger,
        }),
      );
    }
    // make the sender the inbox's trusted sender on B, and fund it on both chains
    const chainB = defineChain({
      id: CHAIN_B,
      name: "B",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [anvils[1]!.rpcUrl] } },
    });
    const admin = privateKeyToAccount(ANVIL_DEV_KEY);
    await writeAndWait(
      {
        publicClient: createPublicClient({ chain: chainB, transport: http(anvils[1]!.rpcUrl) }),
        walletClient: createWalletClient({
          account: admin,
          chain: chainB,
          transport: http(anvils[1]!.rpcUrl),
        }),
      },
      {
        address: deployments[CHAIN_B]!.contracts.ConcordInbox!,
        abi: concordAbi("ConcordInbox"),
        functionName: "setTrustedSender",
        args: [CHAIN_A, sender.address],
      },
    );
    for (const anvil of anvils) {
      await rpc(anvil.rpcUrl, "anvil_setBalance", [sender.address, "0xde0b6b3a7640000"]);
    }
  });

  after(async () => {
    await Promise.all(validators.map((v) => v.stop()));
    await Promise.all(anvils.map((a) => a.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  const common = () => ["--config", configPath, "--registry", registry];

  it("prints help, and rejects unknown commands and bad options with exit code 2", async () => {
    const help = await concord(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /demo .*send .*status .*retry .*relay .*validator .*relayer/s);
    assert.equal((await concord([])).code, 2);
    const unknown = await concord(["teleport"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "teleport"/);
    const badOption = await concord(["status", "--no-such-option"]);
    assert.equal(badOption.code, 2);
    const badId = await concord(["status", "0x1234", ...common()]);
    assert.equal(badId.code, 2);
    const missing = await concord(["send", "--to", "chainB", ...common()]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing --from/);
  });

  it("exits 3 with the bad key named when the config is invalid", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({
        chains: {
          chainA: {
            chainId: CHAIN_A,
            rpcUrl: "http://127.0.0.1:1",
            local: true,
            validators: [sender.address],
            threshold: 2,
          },
        },
      }),
    );
    const r = await concord(["status", `0x${"11".repeat(32)}`, "--config", bad, "--registry", registry]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /chains\.chainA\.threshold/);
  });

  it("re-deploy dry run plans nothing on deployed chains", async () => {
    const r = await concord(["deploy", ...common(), "--dry-run", "--json", "--quiet"]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      dryRun: boolean;
      transactionsPlanned: number;
      transactionsSent: number;
    };
    assert.equal(json.dryRun, true);
    assert.equal(json.transactionsPlanned, 0);
    assert.equal(json.transactionsSent, 0);
  });

  it("sends, shows SENT, self-relays with validator signatures, shows EXECUTED; unknown ids exit 5", async () => {
    const inbox = deployments[CHAIN_B]!.contracts.ConcordInbox as Address;
    const sent = await concord(
      [
        "send",
        "--from",
        "chainA",
        "--to",
        "chainB",
        "--recipient",
        inbox,
        "--text",
        "hi from the CLI",
        "--json",
        ...common(),
      ],
      { CONCORD_PRIVATE_KEY: SENDER_KEY },
    );
    assert.equal(sent.code, 0, sent.stderr);
    const { messageId } = JSON.parse(sent.stdout) as { messageId: Hex };
    assert.match(messageId, /^0x[0-9a-f]{64}$/);

    const before = await concord(["status", messageId, "--json", ...common()]);
    assert.equal(before.code, 0, before.stderr);
    assert.equal((JSON.parse(before.stdout) as { status: string }).status, "SENT");

    // validators sign after their next poll; relay retries are the user's: wait until a signature is served
    const url = validators[0]!.url!;
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`${url}/signatures/${messageId}`)).ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const relayed = await concord(
      [
        "relay",
        messageId,
        "--from",
        "chainA",
        "--validators",
        validators.map((v) => v.url).join(","),
        "--json",
        ...common(),
      ],
      { CONCORD_PRIVATE_KEY: SENDER_KEY },
    );
    assert.equal(relayed.code, 0, relayed.stderr);
    assert.equal((JSON.parse(relayed.stdout) as { status: string }).status, "EXECUTED");

    const afterRelay = await concord(["status", messageId, ...common()]);
    assert.equal(afterRelay.code, 0, afterRelay.stderr);
    assert.match(afterRelay.stdout, /EXECUTED/);
    assert.match(afterRelay.stdout, /SENT +chainA block \d+/);

    const again = await concord(
      ["relay", messageId, "--from", "chainA", "--validators", url, "--json", ...common()],
      {
        CONCORD_PRIVATE_KEY: SENDER_KEY,
      },
    );
    assert.equal(again.code, 0);
    assert.equal((JSON.parse(again.stdout) as { relayed: boolean }).relayed, false, "never delivered twice");

    const unknown = await concord(["status", `0x${"ab".repeat(32)}`, ...common()]);
    assert.equal(unknown.code, 5);
    assert.match(unknown.stderr, /neither a message nor a flow/);
  });

  /** `concord send` of `text` from chain A to `recipient` on B with a gas limit; returns the message id. */
  async function sendToB(recipient: Address, gasLimit: number, text: string): Promise<Hex> {
    const sent = await concord(
      [
        "send",
        "--from",
        "chainA",
        "--to",
        "chainB",
        "--recipient",
        recipient,
        "--text",
        text,
        "--gas-limit",
        String(gasLimit),
        "--json",
        ...common(),
      ],
      { CONCORD_PRIVATE_KEY: SENDER_KEY },
    );
    assert.equal(sent.code, 0, sent.stderr);
    return (JSON.parse(sent.stdout) as { messageId: Hex }).messageId;
  }

  it("retries a FAILED message: refuses less gas than its limit, FAILED with its own limit, EXECUTED with more", async () => {
    // A recipient on B that needs 300 000 gas; the message asks for 100 000.
    const hungry = await deployContract(anvils[1]!.rpcUrl, ANVIL_DEV_KEY, "MockGasHungryRecipient", [
      300_000n,
    ]);
    const id = await sendToB(hungry, 100_000, "needs more gas");
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`${validators[0]!.url}/signatures/${id}`)).ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const relayed = await concord(
      [
        "relay",
        id,
        "--from",
        "chainA",
        "--validators",
        validators.map((v) => v.url).join(","),
        "--json",
        ...common(),
      ],
      { CONCORD_PRIVATE_KEY: SENDER_KEY },
    );
    assert.equal(relayed.code, 1, relayed.stderr);
    assert.equal((JSON.parse(relayed.stdout) as { status: string }).status, "FAILED");

    const failed = await concord(["status", id, ...common()]);
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /FAILED/);
    const retryHint = new RegExp(
      `next: anyone can retry it \\(no revert data: it likely ran out of gas; give more than its limit\\): ` +
        `(concord retry ${id} --from chainA --gas 200000 --config \\S+ --registry \\S+)`,
    ).exec(failed.stdout);
    assert.ok(retryHint, failed.stdout);
    // the hint runs as printed: 200 000 gas is still too little for this recipient (it needs 300 000)
    const hinted = await runHint(retryHint[1]!, { CONCORD_PRIVATE_KEY: SENDER_KEY });
    assert.equal(hinted.code, 1, hinted.stderr);
    assert.match(hinted.stdout, /with gas 200000: FAILED/);

    const help = await concord(["retry", "--help"]);
    assert.equal(help.code, 0);
    for (const word of [
      "--gas",
      "--from",
      "--key-env",
      "--config",
      "--registry",
      "--json",
      "CONCORD_PRIVATE_KEY",
    ])
      assert.ok(help.stdout.includes(word), `retry --help mentions ${word}`);
    assert.match(help.stdout, /Example:\n +CONCORD_PRIVATE_KEY=0x… concord retry 0x/);

    const env = { CONCORD_PRIVATE_KEY: SENDER_KEY };
    const below = await concord(["retry", id, "--gas", "99999", ...common()], env);
    assert.equal(below.code, 2);
    assert.match(below.stderr, /--gas 99999 is below the message's own gas limit 100000/);
    assert.match(below.stderr, /hint: .*--gas 100000 or more/);
    assert.equal((await concord(["retry", id, "--gas", "lots", ...common()], env)).code, 2);
    assert.equal((await concord(["retry", "0x1234", ...common()], env)).code, 2);
    const unknown = await concord(["retry", `0x${"cd".repeat(32)}`, ...common()], env);
    assert.equal(unknown.code, 5);
    assert.match(unknown.stderr, /no message 0x(cd)+ was sent from chainA, chainB/);
    const noKey = await concord(["retry", id, ...common()], { CONCORD_PRIVATE_KEY: "" });
    assert.equal(noKey.code, 3);
    assert.match(noKey.stderr, /CONCORD_PRIVATE_KEY/);
    const unreachableConfig = join(dir, "unreachable.json");
    const raw = JSON.parse(readFileSync(configPath, "utf8")) as {
      chains: Record<string, { rpcUrl: string }>;
    };
    for (const c of Object.values(raw.chains)) c.rpcUrl = "http://127.0.0.1:1";
    writeFileSync(unreachableConfig, JSON.stringify(raw));
    const down = await concord(["retry", id, "--config", unreachableConfig, "--registry", registry], env);
    assert.equal(down.code, 4, down.stderr);
    assert.match(down.stderr, /unreachable/);

    // The message's own limit (the default): still out of gas, exit 1, the hash printed as soon as it exists.
    const same = await concord(["retry", id, "--from", "chainA", ...common()], env);
    assert.equal(same.code, 1, same.stderr);
    assert.match(same.stderr, /retry transaction 0x[0-9a-f]{64} sent on chainB/);
    assert.match(same.stdout, /with gas 100000: FAILED/);
    assert.match(
      same.stdout,
      /retry with more, e\.g\. concord retry 0x[0-9a-f]{64} --from chainA --gas 200000 --config \S+ --registry \S+/,
    );

    const more = await concord(["retry", id, "--gas", "400000", "--json", ...common()], env);
    assert.equal(more.code, 0, more.stderr);
    const result = JSON.parse(more.stdout) as { status: string; gasLimit: number; transactionHash: Hex };
    assert.equal(result.status, "EXECUTED");
    assert.equal(result.gasLimit, 400_000);
    assert.match(more.stderr, new RegExp(`retry transaction ${result.transactionHash} sent`));

    const again = await concord(["retry", id, ...common()], env);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already EXECUTED: nothing to retry/);

    const executed = await concord(["status", id, ...common()]);
    assert.equal(executed.code, 0);
    assert.match(executed.stdout, /EXECUTED \(retried\)/);
    assert.match(
      executed.stdout,
      /RETRIED +chainB block \d+ +by 0x[0-9a-fA-F]{40} with gas 100000, tx gas used \d+ \(failed\)/,
    );
    assert.match(
      executed.stdout,
      /RETRIED +chainB block \d+ +by 0x[0-9a-fA-F]{40} with gas 400000, tx gas used \d+ \(succeeded\)/,
    );
  });

  it("rejects --from equal to --to (a self-send is never delivered), exit 2, before anything is sent", async () => {
    const r = await concord(
      ["send", "--from", "chainA", "--to", "chainA", "--recipient", sender.address, ...common()],
      { CONCORD_PRIVATE_KEY: SENDER_KEY },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--from and --to are both chainA: a message to its own chain is never delivered/);
    assert.match(r.stderr, /hint: pick another --to/);
  });

  it("`status --relayer` shows the relayer's automatic retry of a message that ran out of gas", async () => {
    const usage = await concord(["relayer", "--retry-failed-attempts", "2", ...common()]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /need --retry-failed-gas-ceiling/);
    const hungry = await deployContract(anvils[1]!.rpcUrl, ANVIL_DEV_KEY, "MockGasHungryRecipient", [
      250_000n,
    ]);
    const relayerKey = generatePrivateKey();
    await rpc(anvils[1]!.rpcUrl, "anvil_setBalance", [
      privateKeyToAccount(relayerKey).address,
      "0xde0b6b3a7640000",
    ]);
    const relayer = await runRelayer({
      chains: [CHAIN_A, CHAIN_B].map((chainId, i) => ({
        domain: chainId,
        rpcUrl: anvils[i]!.rpcUrl,
        gateway: deployments[chainId]!.contracts.ConcordGateway!,
      })),
      validators: { [CHAIN_A]: validators.map((v) => v.url!) },
      account: relayerKey,
      store: { type: "sqlite", path: join(dir, "relayer.sqlite") },
      pollIntervalMs: 50,
      retryFailed: { gasCeiling: 1_000_000, maxAttempts: 2 },
      logger: silentLogger,
    });
    try {
      const id = await sendToB(hungry, 100_000, "the relayer retries this one");
      let shown: Run | undefined;
      for (let i = 0; i < 200; i++) {
        shown = await concord(["status", id, "--relayer", relayer.url!, ...common()]);
        if (/relayer auto-retry: DONE/.test(shown.stdout)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(shown!.code, 0, shown!.stdout + shown!.stderr);
      assert.match(shown!.stdout, /relayer: DELIVERED \(outcome EXECUTED\)/);
      assert.match(
        shown!.stdout,
        /relayer auto-retry: DONE, 1 attempt\(s\): EXECUTED by auto-retry 1 with gas \d+/,
      );
      assert.match(shown!.stdout, /attempt 1: gas \d+, tx gas used \d+, EXECUTED tx 0x[0-9a-f]{64}/);
      assert.match(
        shown!.stdout,
        new RegExp(`RETRIED +chainB block \\d+ +by ${relayer.account.address} with gas \\d+`),
      );
      const unknownRelayer = await concord(["status", id, "--relayer", "http://127.0.0.1:1", ...common()]);
      assert.equal(unknownRelayer.code, 4);
    } finally {
      await relayer.stop();
    }
  });

  it("send without a key says which variable to set (exit 3)", async () => {
    const r = await concord(
      ["send", "--from", "chainA", "--to", "chainB", "--recipient", sender.address, ...common()],
      { CONCORD_PRIVATE_KEY: "" },
    );
    assert.equal(r.code, 3);
    assert.match(r.stderr, /CONCORD_PRIVATE_KEY/);
  });

  it("`concord demo --keep-running` tells the story, keeps the chains for other commands, exits 0 on Ctrl-C, writes nothing to the repository", async () => {
    const root = repoRoot();
    const gitStatus = () =>
      execFileSync("git", ["status", "--porcelain", "--untracked-files=all"], {
        cwd: root,
        encoding: "utf8",
      });
    const before = gitStatus();
    // .concord/ is git-ignored (the toolchain links live there): the demo must not write there either.
    const oldDemoDir = join(root, ".concord", "demo");
    const oldDemoDirBefore = existsSync(oldDemoDir) ? statSync(oldDemoDir).mtimeMs : undefined;
    const state = join(dir, "demo-state");
    const demo = start(["demo", "--keep-running", "--json"], { XDG_STATE_HOME: state }, root);
    let code: number | null;
    try {
      await demo.waitFor(/press Ctrl-C to stop/, 180_000);
      const summary = JSON.parse(demo.stdout()) as {
        redeployTransactions: number;
        deployTransactions: number;
        timelines: { kind: string; label: string; id: Hex; lines: string[] }[];
        keepRunning: { config: string; registry: string; chains: { name: string; rpcUrl: string }[] };
      };
      assert.equal(summary.redeployTransactions, 0);
      assert.ok(summary.deployTransactions > 0);
      const messages = summary.timelines.filter((t) => t.kind === "message");
      const flows = summary.timelines.filter((t) => t.kind === "flow");
      assert.equal(messages.length, 5);
      assert.equal(flows.length, 4);
      for (const m of messages) assert.match(m.lines.at(-1)!, /status: EXECUTED/);
      assert.ok(
        messages.some((m) => m.lines.some((l) => / FAILED /.test(l)) && /retried/.test(m.lines.at(-1)!)),
      );
      assert.ok(
        flows.some((f) => /FAILED, \w+ SETTLED \(FAILED\)/.test(f.lines.at(-1)!)),
        "a compensated flow",
      );
      assert.equal(flows.filter((f) => /EXECUTED, \w+ SETTLED \(EXECUTED\)/.test(f.lines.at(-1)!)).length, 3);
      // k-of-n (step 8): one 2-of-3 message and one 2-of-3 flow over the native gateway, Hyperlane and Wormhole
      const aggregated = summary.timelines.filter((t) => t.kind === "aggregatedMessage");
      const aggregatedFlows = summary.timelines.filter((t) => t.kind === "aggregatedFlow");
      assert.equal(aggregated.length, 1);
      assert.equal(aggregatedFlows.length, 1);
      const m = aggregated[0]!;
      assert.match(m.lines.at(-1)!, /^status: EXECUTED, 3 of 3 legs delivered$/);
      for (const [slot, name] of [
        [1, "ConcordGateway \\(native\\)"],
        [2, "HyperlaneAdapter"],
        [3, "WormholeAdapter"],
      ] as const) {
        assert.ok(
          m.lines.some((l) =>
            new RegExp(`LEG_SENT +chainA block \\d+  slot ${slot} ${name}: its id 0x[0-9a-f]{64}`).test(l),
          ),
          `leg ${slot} sent`,
        );
        assert.ok(
          m.lines.some((l) =>
            new RegExp(`RECEIPT +chainB block \\d+  delivered by slot ${slot} ${name}, tx`).test(l),
          ),
          `leg ${slot} delivered`,
        );
      }
      assert.ok(
        m.lines.some((l) =>
          /SENT +chainA block \d+ {2}3 of 3 gateways accepted \(threshold 2\), fee 1000 wei/.test(l),
        ),
      );
      assert.ok(m.lines.some((l) => /EXECUTED +chainB block \d+ {2}threshold 2 reached/.test(l)));
      assert.ok(
        m.lines.some((l) =>
          /^receipts: 3 counted of 2 required; threshold reached at chainB block \d+ by slot [123]$/.test(l),
        ),
      );
      const f = aggregatedFlows[0]!;
      assert.match(f.lines.at(-1)!, /^status: chainB EXECUTED, chainA SETTLED \(EXECUTED\)$/);
      assert.ok(
        f.lines.some((l) =>
          /^EXECUTE 0x[0-9a-f]{64}: EXECUTED, [23] of 3 legs delivered, threshold reached by slot [123]$/.test(
            l,
          ),
        ),
      );
      assert.ok(
        f.lines.some((l) =>
          /^OUTCOME 0x[0-9a-f]{64}: EXECUTED, [23] of 3 legs delivered, threshold reached by slot [123]$/.test(
            l,
          ),
        ),
      );
      // One time base: every timed row is a block time with its chain and block, in time order.
      for (const t of summary.timelines) {
        const timed = t.lines.filter((l) => /^\d{4}-/.test(l));
        assert.ok(timed.length >= 3, t.label);
        for (const l of timed)
          assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z {2}\w+ +chain[ABC] block \d+/);
        const times = timed.map((l) => l.slice(0, 24));
        assert.deepEqual(times, [...times].sort(), `${t.label} in time order`);
      }
      // The story: one line per step, the deploy summarized per chain.
      const story = demo.stderr();
      for (let step = 1; step <= 8; step++) assert.match(story, new RegExp(`\\] ${step}/8 `));
      for (const name of ["chainA", "chainB", "chainC"])
        assert.match(story, new RegExp(`\\]   ${name} \\(\\d+\\): \\d+ contracts, \\d+ transactions`));
      assert.doesNotMatch(story, /deploy ConcordGateway at/, "no per-transaction deploy log");
      assert.ok(story.split("\n").filter((l) => l.startsWith("[")).length <= 17, story);
      // Each chain's RPC URL and a ready-to-use config: another command reaches the running chains.
      for (const c of summary.keepRunning.chains)
        assert.ok(story.includes(c.rpcUrl), `${c.name} URL printed`);
      assert.ok(summary.keepRunning.config.startsWith(join(state, "concord", "demo")));
      const example = /e\.g\.: +(concord status .*)$/m.exec(story);
      assert.ok(example, story);
      const shown = await runHint(example[1]!);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /: EXECUTED/);
      // the aggregated message's status from the printed command line (--aggregator: the registry lacks it)
      const aggregatedHint = /^ +(concord status 0x[0-9a-f]{64} --aggregator .*)$/m.exec(story);
      assert.ok(aggregatedHint, story);
      const aggregatedShown = await runHint(aggregatedHint[1]!);
      assert.equal(aggregatedShown.code, 0, aggregatedShown.stderr);
      assert.match(aggregatedShown.stdout, new RegExp(`aggregated message ${m.id}: EXECUTED`));
      assert.match(
        aggregatedShown.stdout,
        /LEG_SENT +chainA block \d+ {2}slot 1 ConcordGateway 0x[0-9a-fA-F]{40}: its id/,
      );
      assert.match(
        aggregatedShown.stdout,
        /RECEIPT +chainB block \d+ {2}delivered by slot 3 0x[0-9a-fA-F]{40}, tx/,
      );
    } finally {
      code = await demo.stop("SIGINT");
    }
    assert.equal(code, 0, demo.stderr().slice(-2000));
    assert.equal(gitStatus(), before, "the demo wrote nothing into the repository");
    assert.equal(existsSync(oldDemoDir) ? statSync(oldDemoDir).mtimeMs : undefined, oldDemoDirBefore);
  });
});
