// The paths a protocol team walks with the built `concord` executable, and how each one fails: every `--help`
// documents every option and variable; hints are complete commands that run as printed; `send --pay` quotes before
// sending and, when its payment fails after the dispatch, prints the message id and the `concord pay` that completes
// it; an RPC URL of another chain, an unreachable RPC, a message with no route, --from equal to --to, a validator key
// outside the configured set; status rows of one block in log order; agents keep state in the state directory.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Hex,
  type PublicClient,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  http,
  stringToHex,
} from "viem";
import { type PrivateKeyAccount, generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { FaultProxy, deployContract } from "../helpers/agents.js";
import { COMMANDS } from "../../sdk/cli/commands/index.js";
import { type AnvilChain, rpc, startAnvil } from "../../sdk/src/anvil.js";
import { ANVIL_DEV_KEY, type Deployment, deploy, validateConfig } from "../../sdk/src/deploy/index.js";
import {
  concordAbi,
  gatewayAbi,
  sendMessage,
  signMessageIdMetadata,
  writeAndWait,
} from "../../sdk/src/index.js";
import { type Run, concord, runHint, start } from "../helpers/cli.js";

const IDS = { chainA: 31_521, chainB: 31_522, chainC: 31_523 } as const;
type Name = keyof typeof IDS;
const SENDER_KEY = generatePrivateKey();
const sender = privateKeyToAccount(SENDER_KEY);
const env = { CONCORD_PRIVATE_KEY: SENDER_KEY };
const admin = privateKeyToAccount(ANVIL_DEV_KEY);

describe("concord CLI: paths and failures", () => {
  let dir: string;
  let registry: string;
  let configPath: string;
  let raw: { chains: Record<Name, Record<string, unknown>> } & Record<string, unknown>;
  const anvils = {} as Record<Name, AnvilChain>;
  const deployments = {} as Record<Name, Deployment>;
  let signers: PrivateKeyAccount[];
  const clients = {} as Record<Name, { publicClient: PublicClient; walletClient: WalletClient }>;

  const common = () => ["--config", configPath, "--registry", registry];
  /** A copy of the config with `change` applied, written to a new file; returns its path. */
  const variant = (name: string, change: (c: typeof raw) => void): string => {
    const copy = JSON.parse(JSON.stringify(raw)) as typeof raw;
    change(copy);
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(copy, null, 2));
    return path;
  };
  const gatewayNonce = (name: Name) =>
    clients[name].publicClient.readContract({
      address: deployments[name].contracts.ConcordGateway!,
      abi: gatewayAbi(),
      functionName: "nonce",
    }) as Promise<number>;
  const noRawViemDump = (r: Run) => {
    assert.doesNotMatch(r.stderr, /Request Arguments:|Version: viem@|Contract Call:/, r.stderr);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-cli-paths-"));
    registry = join(dir, "deployments");
    for (const [name, chainId] of Object.entries(IDS) as [Name, number][])
      anvils[name] = await startAnvil({ chainId });
    signers = [generatePrivateKey(), generatePrivateKey(), generatePrivateKey()].map((k) =>
      privateKeyToAccount(k),
    );
    const validators = signers.map((s) => s.address);
    const chain = (name: Name, remotes: Name[]) => ({
      chainId: IDS[name],
      rpcUrl: anvils[name].rpcUrl,
      local: true,
      finalityDepth: 0,
      validators,
      threshold: 2,
      remotes,
    });
    // A and B route each other; C is deployed but routes nobody (a message to it is never deliverable).
    raw = {
      saltPrefix: "concord.cli-paths",
      chains: {
        chainA: chain("chainA", ["chainB"]),
        chainB: chain("chainB", ["chainA"]),
        chainC: chain("chainC", []),
      },
    };
    configPath = join(dir, "chains.json");
    writeFileSync(configPath, JSON.stringify(raw, null, 2));
    const result = await deploy({ config: validateConfig(raw), registryDir: registry });
    for (const name of Object.keys(IDS) as Name[]) {
      deployments[name] = result.registries[name]!.deployment;
      const viemChain = defineChain({
        id: IDS[name],
        name,
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [anvils[name].rpcUrl] } },
      });
      const transport = http(anvils[name].rpcUrl);
      clients[name] = {
        publicClient: createPublicClient({
          chain: viemChain,
          transport,
          pollingInterval: 50,
        }) as PublicClient,
        walletClient: createWalletClient({ account: admin, chain: viemChain, transport }),
      };
      await rpc(anvils[name].rpcUrl, "anvil_setBalance", [sender.address, "0x56bc75e2d63100000"]);
    }
  });

  after(async () => {
    await Promise.all(Object.values(anvils).map((a) => a.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("every `concord <command> --help` documents every option and environment variable, with an example", async () => {
    const top = await concord(["--help"]);
    assert.equal(top.code, 0);
    for (const name of Object.keys(COMMANDS)) {
      assert.match(top.stdout, new RegExp(`^  ${name} `, "m"), `concord --help lists ${name}`);
      const h = await concord([name, "--help"]);
      assert.equal(h.code, 0, `${name} --help`);
      const command = COMMANDS[name]!;
      for (const option of [...Object.keys(command.options), "json", "quiet", "help"])
        assert.match(h.stdout, new RegExp(`^  --${option}\\b`, "m"), `${name} --help documents --${option}`);
      for (const variable of Object.keys(command.env ?? {}))
        assert.ok(h.stdout.includes(variable), `${name} --help names ${variable}`);
      assert.match(h.stdout, /^Examples?:\n {2}\S/m, `${name} --help has an example`);
      assert.match(h.stdout, /Exit codes: 0 ok, 1 operation failed/, `${name} --help lists the exit codes`);
      assert.ok(
        command.examples.every((e) => e.includes(`concord ${name}`)),
        `${name}'s examples run ${name}`,
      );
    }
    const deployHelp = await concord(["deploy", "--help"]);
    assert.match(deployHelp.stdout, /DEPLOYER_PRIVATE_KEY: the deployer's 32-byte hex private key/);
    for (const name of ["send", "pay", "retry", "relay"])
      assert.match((await concord([name, "--help"])).stdout, /CONCORD_PRIVATE_KEY/);
  });

  it("send prints a follow-up command that runs as printed", async () => {
    const inbox = deployments.chainB.contracts.ConcordInbox!;
    const sent = await concord(
      ["send", "--from", "chainA", "--to", "chainB", "--recipient", inbox, "--text", "hi", ...common()],
      env,
    );
    assert.equal(sent.code, 0, sent.stderr);
    const id = /^message (0x[0-9a-f]{64})$/m.exec(sent.stdout)![1]!;
    const follow = /follow it: (concord status .*)$/m.exec(sent.stdout)![1]!;
    assert.equal(follow, `concord status ${id} --config ${configPath} --registry ${registry}`);
    const shown = await runHint(follow);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`message ${id}: SENT`));
    assert.match(
      shown.stdout,
      /next: a relayer delivers it; or self-relay it .*: concord relay 0x\S+ --from chainA --validators <url,url,\.\.\.> --config \S+ --registry \S+/,
    );
  });

  it("an RPC URL that serves another chain is reported as such (exit 3), also by deploy", async () => {
    const swapped = variant("swapped", (c) => {
      c.chains.chainA.rpcUrl = anvils.chainB.rpcUrl;
    });
    const expect = new RegExp(
      `chains\\.chainA\\.rpcUrl \\(${anvils.chainB.rpcUrl.replace(/[.]/g, "\\.")}\\) serves chain ${IDS.chainB}, not ${IDS.chainA}`,
    );
    const inbox = deployments.chainB.contracts.ConcordInbox!;
    const before = await gatewayNonce("chainB");
    const send = await concord(
      [
        "send",
        "--from",
        "chainA",
        "--to",
        "chainB",
        "--recipient",
        inbox,
        "--text",
        "x",
        "--config",
        swapped,
        "--registry",
        registry,
      ],
      env,
    );
    assert.equal(send.code, 3, send.stderr);
    assert.match(send.stderr, expect);
    assert.match(send.stderr, /the URL points at another chain/);
    assert.equal(await gatewayNonce("chainB"), before, "nothing was sent to the chain the URL points at");
    const status = await concord([
      "status",
      `0x${"12".repeat(32)}`,
      "--config",
      swapped,
      "--registry",
      registry,
    ]);
    assert.equal(status.code, 3, status.stderr);
    assert.match(status.stderr, expect);
    const dry = await concord(["deploy", "--config", swapped, "--registry", registry, "--dry-run"]);
    assert.equal(dry.code, 3, dry.stderr);
    assert.match(
      dry.stderr,
      /chains\.chainA\.rpcUrl: .* serves chain 31522, but chains\.chainA\.chainId is 31521: the URL points at another chain/,
    );
  });

  it("deploy against an unreachable RPC exits 4; a missing DEPLOYER_PRIVATE_KEY exits 3 naming it", async () => {
    const down = variant("down", (c) => {
      c.chains.chainA.rpcUrl = "http://127.0.0.1:1";
    });
    const r = await concord(["deploy", "--config", down, "--registry", join(dir, "unused")]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /chain chainA is unreachable at http:\/\/127\.0\.0\.1:1/);
    noRawViemDump(r);
    const real = variant("real", (c) => {
      for (const chain of Object.values(c.chains)) Object.assign(chain, { local: false, finalityDepth: 1 });
    });
    const noKey = await concord(["deploy", "--config", real, "--registry", join(dir, "unused")], {
      DEPLOYER_PRIVATE_KEY: "",
    });
    assert.equal(noKey.code, 3, noKey.stderr);
    assert.match(noKey.stderr, /DEPLOYER_PRIVATE_KEY: is not set/);
    assert.ok(!existsSync(join(dir, "unused")), "nothing written");
  });

  it("send --pay: pays after the dispatch, printing the id first", async () => {
    const inbox = deployments.chainB.contracts.ConcordInbox!;
    const r = await concord(
      [
        "send",
        "--from",
        "chainA",
        "--to",
        "chainB",
        "--recipient",
        inbox,
        "--text",
        "paid",
        "--pay",
        "--json",
        ...common(),
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      messageId: Hex;
      gasPayment: { value: string; transactionHash: Hex };
    };
    assert.ok(BigInt(json.gasPayment.value) > 0n);
    const dispatched = r.stderr.indexOf(`message ${json.messageId} dispatched`);
    const payment = r.stderr.indexOf("payment transaction 0x");
    assert.ok(dispatched >= 0 && payment > dispatched, r.stderr);
  });

  it("send --pay with no gas price for the destination sends nothing and names the key; deploy fixes it", async () => {
    const oracle = deployments.chainA.contracts.GasOracle!;
    await writeAndWait(clients.chainA, {
      address: oracle,
      abi: concordAbi("GasOracle"),
      functionName: "removeRemoteGasData",
      args: [IDS.chainB],
    });
    const before = await gatewayNonce("chainA");
    const inbox = deployments.chainB.contracts.ConcordInbox!;
    const args = [
      "send",
      "--from",
      "chainA",
      "--to",
      "chainB",
      "--recipient",
      inbox,
      "--text",
      "p",
      "--pay",
      ...common(),
    ];
    const r = await concord(args, env);
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /chainA's gas oracle has no gas price for chainB \(GasOracleUnknownDomain\(remoteDomain: 31522\)/,
    );
    assert.match(r.stderr, /nothing was sent/);
    noRawViemDump(r);
    assert.equal(await gatewayNonce("chainA"), before, "no message was dispatched");
    const fix =
      /set chains\.chainB\.gasPrice in the config and run (concord deploy --config \S+ --registry \S+)/.exec(
        r.stderr,
      );
    assert.ok(fix, r.stderr);
    const redeploy = await runHint(fix[1]!);
    assert.equal(redeploy.code, 0, redeploy.stderr);
    assert.match(redeploy.stdout, /GasOracle\.setRemoteGasData\(31522, /);
    assert.equal((await concord(args, env)).code, 0);
  });

  it("send --pay whose payment fails after the dispatch prints the id, what happened and the `concord pay` that completes it", async () => {
    const proxy = await new FaultProxy(anvils.chainA.rpcUrl, {
      refuse: {
        method: "eth_sendRawTransaction",
        after: 1,
        message: "insufficient funds for gas * price + value",
      },
    }).start();
    try {
      const viaProxy = variant("proxy-a", (c) => {
        c.chains.chainA.rpcUrl = proxy.url;
      });
      const before = await gatewayNonce("chainA");
      const inbox = deployments.chainB.contracts.ConcordInbox!;
      const r = await concord(
        [
          "send",
          "--from",
          "chainA",
          "--to",
          "chainB",
          "--recipient",
          inbox,
          "--text",
          "pay later",
          "--pay",
          "--json",
          "--config",
          viaProxy,
          "--registry",
          registry,
        ],
        env,
      );
      assert.equal(r.code, 1, r.stderr);
      noRawViemDump(r);
      const json = JSON.parse(r.stdout) as { messageId: Hex; gasPayment: { paid: boolean } };
      assert.equal(json.gasPayment.paid, false);
      assert.equal(await gatewayNonce("chainA"), before + 1, "dispatched once");
      const id = json.messageId;
      assert.match(
        r.stderr,
        new RegExp(`message ${id} dispatched`),
        "the id is printed as soon as it exists",
      );
      assert.match(
        r.stderr,
        new RegExp(
          `error: message ${id} was sent \\(tx 0x[0-9a-f]{64}\\), but paying for its gas failed: .*exceeds the balance of the account`,
        ),
      );
      const hint = new RegExp(
        `do not send it again\\. Pay for it: (concord pay ${id} --from chainA --config \\S+ --registry \\S+)`,
      ).exec(r.stderr);
      assert.ok(hint, r.stderr);
      proxy.plan.refuse = undefined; // the node accepts transactions again
      const paid = await runHint(hint[1]!, env);
      assert.equal(paid.code, 0, paid.stderr);
      assert.match(paid.stdout, new RegExp(`message ${id}: paid \\d+ wei for 200000 gas`));
      const again = await runHint(hint[1]!, env);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /already paid for: 200000 gas, \d+ wei; nothing to do/);
      assert.equal(await gatewayNonce("chainA"), before + 1, "no duplicate message");
    } finally {
      await proxy.stop();
    }
  });

  it("relay of a message with no route gives a decoded, actionable error (exit 3)", async () => {
    const sent = await sendMessage({
      publicClient: clients.chainA.publicClient,
      walletClient: clients.chainA.walletClient,
      gateway: deployments.chainA.contracts.ConcordGateway!,
      destination: IDS.chainC,
      recipient: deployments.chainC.contracts.ConcordInbox!,
      payload: stringToHex("nobody routes this"),
    });
    const r = await concord(
      ["relay", sent.messageId, "--from", "chainA", "--validators", "http://127.0.0.1:1", ...common()],
      env,
    );
    assert.equal(r.code, 3, r.stderr);
    noRawViemDump(r);
    assert.match(r.stderr, /error: chainC has no route for messages from chainA's gateway 0x[0-9a-fA-F]{40}/);
    assert.match(
      r.stderr,
      /hint: the destination's admin enrolls the route \(setRoute\), e\.g\. concord deploy --config \S+/,
    );
    const status = await concord(["status", sent.messageId, ...common()]);
    assert.equal(status.code, 0);
    assert.match(status.stdout, /next: chainC has no route for chainA's gateway/);
  });

  it("status orders several events of one block by log index and shows block numbers", async () => {
    const hungry = await deployContract(anvils.chainB.rpcUrl, ANVIL_DEV_KEY, "MockGasHungryRecipient", [
      300_000n,
    ]);
    const sent = await sendMessage({
      publicClient: clients.chainA.publicClient,
      walletClient: clients.chainA.walletClient,
      gateway: deployments.chainA.contracts.ConcordGateway!,
      destination: IDS.chainB,
      recipient: hungry,
      payload: stringToHex("one block"),
      gasLimit: 100_000,
    });
    const metadata = await signMessageIdMetadata({
      message: sent.message,
      originGateway: deployments.chainA.contracts.ConcordGateway!,
      signers: signers.slice(0, 2),
    });
    // The delivery (FAILED: out of gas) and a retry with more gas, mined in the same block of chain B.
    const gatewayB = deployments.chainB.contracts.ConcordGateway!;
    const b = clients.chainB;
    await rpc(anvils.chainB.rpcUrl, "evm_setAutomine", [false]);
    try {
      let nonce = await b.publicClient.getTransactionCount({ address: admin.address, blockTag: "pending" });
      for (const data of [
        encodeFunctionData({ abi: gatewayAbi(), functionName: "process", args: [metadata, sent.message] }),
        encodeFunctionData({ abi: gatewayAbi(), functionName: "retry", args: [sent.message, 400_000] }),
      ])
        await b.walletClient.sendTransaction({
          to: gatewayB,
          data,
          gas: 1_000_000n,
          nonce: nonce++,
          account: admin,
          chain: b.walletClient.chain,
        });
      await rpc(anvils.chainB.rpcUrl, "anvil_mine", ["0x1"]);
    } finally {
      await rpc(anvils.chainB.rpcUrl, "evm_setAutomine", [true]);
    }
    const r = await concord(["status", sent.messageId, "--json", ...common()]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      status: string;
      timeline: { event: string; chain: string; blockNumber: string; logIndex: number }[];
    };
    assert.equal(json.status, "EXECUTED");
    const onB = json.timeline.filter((t) => t.chain === "chainB");
    assert.deepEqual(
      json.timeline.map((t) => t.event),
      ["SENT", "DELIVERED", "FAILED", ...onB.slice(2).map((t) => t.event)],
    );
    assert.equal(new Set(onB.map((t) => t.blockNumber)).size, 1, "every B event is in one block");
    assert.deepEqual(
      onB.map((t) => t.logIndex),
      [...onB.map((t) => t.logIndex)].sort((x, y) => x - y),
      "in log order",
    );
    assert.deepEqual(
      onB
        .slice(2)
        .map((t) => t.event)
        .sort(),
      ["EXECUTED", "RETRIED"],
    );
    const text = await concord(["status", sent.messageId, ...common()]);
    for (const event of ["SENT", "DELIVERED", "FAILED", "RETRIED", "EXECUTED"])
      assert.match(
        text.stdout,
        new RegExp(`Z  ${event} +chain[AB] block \\d+`),
        `${event} row with its block`,
      );
  });

  it("the validator refuses a key outside the configured set; agents keep state in the state directory", async () => {
    const stranger = generatePrivateKey();
    const refused = await concord(["validator", "--chain", "chainA", "--key-env", "VKEY", ...common()], {
      VKEY: stranger,
    });
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /is not one of chains\.chainA\.validators/);
    assert.match(refused.stderr, /--allow-unlisted-key/);

    const cwd = mkdtempSync(join(dir, "cwd-"));
    const state = join(dir, "state");
    const key = `0x${"00".repeat(31)}07` as Hex;
    const v = start(
      ["validator", "--chain", "chainA", "--key-env", "VKEY", "--allow-unlisted-key", ...common()],
      { VKEY: key, XDG_STATE_HOME: state },
      cwd,
    );
    const ready = await v.waitFor(/store: (\S+)\s+from block (\d+)/);
    assert.equal(await v.stop("SIGINT"), 0, v.stderr());
    const address = privateKeyToAccount(key).address;
    assert.equal(ready[1], join(state, "concord", `validator-${IDS.chainA}-${address}.sqlite`));
    assert.ok(existsSync(ready[1]!));
    assert.equal(ready[2], String(deployments.chainA.deployBlock), "starts at the registry's deploy block");
    assert.match(v.stdout(), /NOT in the configured validator set/);

    const relayerKey = generatePrivateKey();
    const dataDir = join(dir, "relayer-data");
    const r = start(
      [
        "relayer",
        "--validators",
        "chainA=http://127.0.0.1:1",
        "--key-env",
        "RKEY",
        "--data-dir",
        dataDir,
        ...common(),
      ],
      { RKEY: relayerKey, XDG_STATE_HOME: state },
      cwd,
    );
    await r.waitFor(/sqlite store (\S+)\)/);
    assert.equal(await r.stop("SIGINT"), 0, r.stderr());
    assert.ok(existsSync(join(dataDir, "relayer.sqlite")));
    assert.deepEqual(readdirSync(cwd), [], "nothing written to the working directory");
  });
});
