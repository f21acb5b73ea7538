// `concord demo`: the whole system on three local chains, from nothing to a printed lifecycle of every message and
// flow, then a clean shutdown. Every step uses the real pieces: anvil chains, the deploy library, the validator and
// relayer agents over HTTP, and the SDK. Nothing is simulated.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Account,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeAbiParameters,
  erc20Abi,
  http,
  keccak256,
  parseEther,
  stringToHex,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { type Relayer, type Validator, runRelayer, runValidator, silentLogger } from "../../agents/index.js";
import { type AnvilChain, startAnvil } from "../../src/anvil.js";
import { type Deployment, deploy, validateConfig } from "../../src/deploy/index.js";
import {
  type Flow,
  type FlowStatusReturnType,
  buildFlowRequest,
  claimFlowCredit,
  concordAbi,
  flowEvents,
  flowStatus,
  messageStatus,
  openFlow,
  quoteFlowFees,
  retryFlowExecution,
  retryMessage,
  sendMessage,
  writeAndWait,
} from "../../src/index.js";
import { cliPrefix } from "../hints.js";
import { runAggregation } from "../demoAggregation.js";
import { type Command, type CommandContext } from "../command.js";
import { CliError, ExitCode } from "../output.js";
import { stateDir } from "../../agents/state.js";
import { flowRows, messageRows, relayerSteps, rowLine, withTimestamps } from "../timeline.js";

/** Anvil's public development mnemonic: every key below is public and for local chains only. */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";
const dev = (index: number) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });

const CHAINS = [
  { name: "chainA", chainId: 31_337 },
  { name: "chainB", chainId: 31_338 },
  { name: "chainC", chainId: 31_339 },
] as const;
type ChainName = (typeof CHAINS)[number]["name"];

/** Validators per origin chain and the quorum the verifiers require. */
const VALIDATORS = 5;
const THRESHOLD = 3;
/** How long the demo waits for one cross-chain step before it reports the step as stuck. */
const STEP_TIMEOUT_MS = 45_000;

type Side = {
  name: ChainName;
  chainId: number;
  anvil: AnvilChain;
  publicClient: PublicClient;
  wallet: (account: Account) => WalletClient;
  deployment: Deployment;
};

type Timeline = {
  label: string;
  kind: "message" | "flow" | "aggregatedMessage" | "aggregatedFlow";
  id: Hex;
  lines: string[];
};

export async function demo(ctx: CommandContext): Promise<ExitCode> {
  const out = ctx.out;
  const started = Date.now();
  // The demo's files (config, registries, agent stores) live in the user's state directory, never in the repository.
  const workDir = join(stateDir(), "demo");
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });

  const anvils: AnvilChain[] = [];
  const validators: Validator[] = [];
  let relayer: Relayer | undefined;
  const stopAll = async () => {
    await relayer?.stop().catch(() => undefined);
    await Promise.all(validators.map((v) => v.stop().catch(() => undefined)));
    await Promise.all(anvils.map((a) => a.stop().catch(() => undefined)));
  };
  // Ctrl-C while the story runs stops everything and exits 1; once it is told and --keep-running holds the chains,
  // Ctrl-C is the expected way out: stop everything and exit 0.
  let keptRunning: (() => void) | undefined;
  const onSignal = () => {
    if (keptRunning) return keptRunning();
    out.progress("interrupted: stopping agents and chains");
    void stopAll().then(() => process.exit(ExitCode.FAILED));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    // ------------------------------------------------------------------ chains
    out.progress("1/8 starting three local chains (anvil 31337, 31338, 31339)");
    for (const c of CHAINS) anvils.push(await startAnvil({ chainId: c.chainId }));

    // ------------------------------------------------------------------ deploy and wire
    const deployer = dev(0);
    const user = dev(8);
    const operator = dev(7);
    const relayerAccount = dev(9);
    const validatorAccounts = Array.from({ length: VALIDATORS }, (_, i) => dev(10 + i));
    const validatorAddresses = validatorAccounts
      .map((a) => a.address)
      .sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
    const rawConfig = {
      saltPrefix: "concord.demo",
      gateway: { defaultGasLimit: 200_000, maxBodySize: 8192 },
      coordinator: { maxHorizon: 7 * 24 * 3600 },
      chains: Object.fromEntries(
        CHAINS.map((c, i) => [
          c.name,
          {
            chainId: c.chainId,
            rpcUrl: anvils[i]!.rpcUrl,
            local: true,
            finalityDepth: 0,
            validators: validatorAddresses,
            threshold: THRESHOLD,
          },
        ]),
      ),
    };
    const config = validateConfig(rawConfig);
    const configPath = join(workDir, "chains.json");
    writeFileSync(configPath, `${JSON.stringify(rawConfig, null, 2)}\n`);
    out.progress(`2/8 deploying and wiring Concord (validators ${THRESHOLD}-of-${VALIDATORS} per origin)`);
    const registryDir = join(workDir, "deployments");
    const first = await deploy({ config, registryDir });
    for (const c of first.plan.chains)
      out.progress(
        `  ${c.name} (${c.chainId}): ${Object.keys(c.deployment.contracts).length + Object.keys(c.deployment.verifiers).length} contracts, ` +
          `${c.transactions.length} transactions`,
      );
    const again = await deploy({ config, registryDir });
    out.progress(
      `  deployed again with the same config: ${again.transactionsSent} transactions (idempotent)`,
    );
    if (again.transactionsSent !== 0) {
      throw new CliError(
        `re-deploy sent ${again.transactionsSent} transactions, expected 0`,
        ExitCode.FAILED,
      );
    }

    const sides = {} as Record<ChainName, Side>;
    CHAINS.forEach((c, i) => {
      const anvil = anvils[i]!;
      const chain = defineChain({
        id: c.chainId,
        name: c.name,
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [anvil.rpcUrl] } },
      });
      const transport = http(anvil.rpcUrl);
      const reg = first.registries[c.name]?.deployment;
      if (!reg) throw new CliError(`deploy returned no registry for ${c.name}`);
      sides[c.name] = {
        name: c.name,
        chainId: c.chainId,
        anvil,
        publicClient: createPublicClient({ chain, transport, pollingInterval: 100 }) as PublicClient,
        wallet: (account) => createWalletClient({ account, chain, transport }),
        deployment: reg,
      };
    });
    const A = sides.chainA;
    const B = sides.chainB;
    const C = sides.chainC;
    const addr = (side: Side, name: string): Address => {
      const a = side.deployment.contracts[name];
      if (!a) throw new CliError(`${name} is not deployed on ${side.name}`);
      return a;
    };
    const clients = (side: Side, account: Account) => ({
      publicClient: side.publicClient,
      walletClient: side.wallet(account),
    });

    // ------------------------------------------------------------------ agents
    out.progress(
      `3/8 starting ${VALIDATORS} validators per chain (${VALIDATORS * 3} agents) and a relayer with its flow keeper`,
    );
    const validatorUrls: Record<number, string[]> = {};
    for (const side of Object.values(sides)) {
      validatorUrls[side.chainId] = [];
      for (const [i, account] of validatorAccounts.entries()) {
        const v = await runValidator({
          rpcUrl: side.anvil.rpcUrl,
          gateway: addr(side, "ConcordGateway"),
          signer: account,
          confirmations: 0,
          storePath: join(workDir, `validator-${side.chainId}-${i}.sqlite`),
          pollIntervalMs: 100,
          logger: silentLogger,
        });
        validators.push(v);
        if (!v.url) throw new CliError("validator HTTP API did not start");
        validatorUrls[side.chainId]!.push(v.url);
      }
    }
    relayer = await runRelayer({
      chains: Object.values(sides).map((side) => ({
        domain: side.chainId,
        rpcUrl: side.anvil.rpcUrl,
        gateway: addr(side, "ConcordGateway"),
        batchProcessor: side.deployment.contracts.ConcordBatchProcessor,
      })),
      validators: validatorUrls,
      account: relayerAccount,
      store: { type: "sqlite", path: join(workDir, "relayer.sqlite") },
      pollIntervalMs: 100,
      retry: { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 2_000 },
      // FAILED deliveries that ran out of gas are retried with an estimate (the paused inbox below is not one:
      // the relayer records why it leaves that message to a manual retry)
      retryFailed: { gasCeiling: 2_000_000, maxAttempts: 3 },
      // the flow keeper: expires flows past their deadline on B, re-exports lost outcomes, settles after a pause
      // (an executed flow needs none of it: B's OUTCOME leaves with the execution and settles A on arrival)
      keeper: {
        account: dev(6),
        flows: Object.fromEntries(
          Object.values(sides).map((side) => [
            side.chainId,
            { escrow: addr(side, "FlowEscrow"), executor: addr(side, "FlowExecutor") },
          ]),
        ),
        pollIntervalMs: 150,
      },
      logger: silentLogger,
    });

    const timelines: Timeline[] = [];

    // ------------------------------------------------------------------ messages in every direction
    const inboxAbi = concordAbi("ConcordInbox");
    for (const dst of Object.values(sides)) {
      for (const src of Object.values(sides)) {
        if (src === dst) continue;
        await writeAndWait(clients(dst, deployer), {
          address: addr(dst, "ConcordInbox"),
          abi: inboxAbi,
          functionName: "setTrustedSender",
          args: [src.chainId, user.address],
        });
      }
    }
    const routes: [Side, Side, string][] = [
      [A, B, "hello B, from A"],
      [B, C, "hello C, from B"],
      [C, A, "hello A, from C"],
      [B, A, "hello A, from B"],
    ];
    out.progress(`4/8 sending ${routes.length} messages (A->B, B->C, C->A, B->A); the relayer delivers them`);
    const sent = [];
    for (const [src, dst, text] of routes) {
      const s = await sendMessage({
        ...clients(src, user),
        gateway: addr(src, "ConcordGateway"),
        destination: dst.chainId,
        recipient: addr(dst, "ConcordInbox"),
        payload: stringToHex(text),
      });
      sent.push({ src, dst, text, id: s.messageId });
    }
    for (const m of sent) {
      await waitMessage(m.src, m.dst, m.id, "EXECUTED");
      timelines.push(
        await messageTimeline(`message ${m.src.name} -> ${m.dst.name}`, m.src, m.dst, m.id, relayer),
      );
    }

    // ------------------------------------------------------------------ a failing recipient, then a retry
    out.progress("5/8 a failing recipient: chainC's inbox is paused, A->C is delivered FAILED, then retried");
    const inboxC = addr(C, "ConcordInbox");
    await writeAndWait(clients(C, deployer), {
      address: inboxC,
      abi: inboxAbi,
      functionName: "pause",
      args: [],
    });
    const failing = await sendMessage({
      ...clients(A, user),
      gateway: addr(A, "ConcordGateway"),
      destination: C.chainId,
      recipient: inboxC,
      payload: stringToHex("delivered after a retry"),
    });
    await waitMessage(A, C, failing.messageId, "FAILED");
    await writeAndWait(clients(C, deployer), {
      address: inboxC,
      abi: inboxAbi,
      functionName: "unpause",
      args: [],
    });
    // retry(message, gas): anyone may; the gas defaults to the message's own limit (more is allowed, never less)
    const retried = await retryMessage({
      ...clients(C, user),
      gateway: addr(C, "ConcordGateway"),
      message: failing.message,
    });
    if (retried.status !== "EXECUTED")
      throw new CliError(
        `the retry of ${short(failing.messageId)} ended ${retried.status}, expected EXECUTED`,
      );
    await waitMessage(A, C, failing.messageId, "EXECUTED");
    timelines.push(
      await messageTimeline("message A -> C (failed, retried)", A, C, failing.messageId, relayer),
    );

    // ------------------------------------------------------------------ swap and bridge, twice
    const usdA = addr(A, "DemoUSD");
    const usdB = addr(B, "DemoUSD");
    const wethB = addr(B, "DemoWETH");
    const swapper = addr(B, "SwapAndBridge");
    const amm = addr(B, "MiniAMM");
    const tokenAbi = concordAbi("ConcordDemoToken");
    const ammAbi = concordAbi("MiniAMM");
    await writeAndWait(clients(A, deployer), {
      address: usdA,
      abi: tokenAbi,
      functionName: "mint",
      args: [user.address, parseEther("1000")],
    });
    await writeAndWait(clients(A, user), {
      address: usdA,
      abi: erc20Abi,
      functionName: "approve",
      args: [addr(A, "FlowEscrow"), parseEther("1000")],
    });
    const swapIn = parseEther("100");
    const quoteOut = (await B.publicClient.readContract({
      address: amm,
      abi: ammAbi,
      functionName: "quote",
      args: [usdB, swapIn],
    })) as bigint;

    const runSwap = async (label: string, minOut: bigint, expected: "EXECUTED" | "FAILED") => {
      const fees = await quoteFlowFees({
        publicClient: A.publicClient,
        escrow: addr(A, "FlowEscrow"),
        destinationDomain: B.chainId,
        executionGas: 400_000,
      });
      const now = (await A.publicClient.getBlock()).timestamp;
      const request = buildFlowRequest({
        destinationDomain: B.chainId,
        executor: addr(B, "FlowExecutor"),
        target: swapper,
        deadline: now + 600n,
        executionGas: 400_000,
        refundTo: user.address,
        beneficiary: deployer.address, // the lane's liquidity provider on A
        asset: usdA,
        amount: swapIn,
        destinationAsset: usdB,
        maxValue: swapIn,
        abortOnFail: true,
        feeRecipient: relayerAccount.address,
        fees,
      });
      const payload = encodeAbiParameters(
        [{ type: "address" }, { type: "address" }, { type: "uint256" }],
        [user.address, wethB, minOut],
      );
      const opened = await openFlow({
        ...clients(A, user),
        escrow: addr(A, "FlowEscrow"),
        request,
        payload,
      });
      await settleRoundTrip(A, B, opened.flow, opened.flowId, expected);
      timelines.push(await flowTimeline(`flow ${label}`, A, B, opened.flowId));
    };
    out.progress(
      "6/8 swap-and-bridge: lock on A, swap on B, settle on A; then a slippage failure compensated on A",
    );
    const wethBefore = await balanceOf(B, wethB, user.address);
    await runSwap("swap-and-bridge (executes)", quoteOut, "EXECUTED");
    const wethGot = (await balanceOf(B, wethB, user.address)) - wethBefore;
    if (wethGot !== quoteOut) throw new CliError(`user received ${wethGot} dWETH on B, expected ${quoteOut}`);
    await claimFlowCredit({
      ...clients(A, deployer),
      escrow: addr(A, "FlowEscrow"),
      payee: deployer.address,
      asset: usdA,
    });

    const usdBefore = await balanceOf(A, usdA, user.address);
    await runSwap("swap-and-bridge (slippage, refunded)", quoteOut * 2n, "FAILED");
    const claimed = await claimFlowCredit({
      ...clients(A, user),
      escrow: addr(A, "FlowEscrow"),
      payee: user.address,
      asset: usdA,
    });
    const usdAfter = await balanceOf(A, usdA, user.address);
    if (claimed.amount !== swapIn || usdAfter !== usdBefore) {
      throw new CliError(
        `user claimed ${claimed.amount} dUSD on A (expected ${swapIn}); balance ${usdAfter}, was ${usdBefore}`,
      );
    }

    // ------------------------------------------------------------------ multi-hop A -> B -> C
    out.progress("7/8 multi-hop A -> B -> C: the A -> B flow runs on B only after its B -> C hop ran on C");
    const hop = addr(C, "HopGuardEmitter");
    const counterB = addr(B, "CrossChainCounter");
    const key = keccak256(stringToHex(`demo hop ${Date.now()}`));
    const feesAB = await quoteFlowFees({
      publicClient: A.publicClient,
      escrow: addr(A, "FlowEscrow"),
      destinationDomain: B.chainId,
      executionGas: 200_000,
    });
    const nowA = (await A.publicClient.getBlock()).timestamp;
    const parent = await openFlow({
      ...clients(A, user),
      escrow: addr(A, "FlowEscrow"),
      request: buildFlowRequest({
        destinationDomain: B.chainId,
        executor: addr(B, "FlowExecutor"),
        target: counterB,
        deadline: nowA + 900n,
        executionGas: 200_000,
        refundTo: user.address,
        beneficiary: deployer.address,
        amount: parseEther("0.01"),
        guard: { domain: C.chainId, emitter: hop, key },
        feeRecipient: relayerAccount.address,
        fees: feesAB,
      }),
      payload: encodeAbiParameters([{ type: "uint256" }], [3n]),
    });
    await waitFlow(A, B, parent.flowId, (s) => s.destination.status === "PENDING");
    const feesBC = await quoteFlowFees({
      publicClient: B.publicClient,
      escrow: addr(B, "FlowEscrow"),
      destinationDomain: C.chainId,
      executionGas: 300_000,
    });
    const nowB = (await B.publicClient.getBlock()).timestamp;
    const child = await openFlow({
      ...clients(B, operator),
      escrow: addr(B, "FlowEscrow"),
      request: buildFlowRequest({
        destinationDomain: C.chainId,
        executor: addr(C, "FlowExecutor"),
        target: hop,
        deadline: nowB + 300n,
        executionGas: 300_000,
        refundTo: operator.address,
        beneficiary: operator.address,
        amount: parseEther("0.01"),
        feeRecipient: relayerAccount.address,
        fees: feesBC,
      }),
      payload: encodeAbiParameters(
        [{ type: "bytes32" }, { type: "uint32" }, { type: "address" }],
        [key, B.chainId, addr(B, "FlowExecutor")],
      ),
    });
    await waitFlow(B, C, child.flowId, (s) => s.destination.status === "EXECUTED");
    await waitUntil("guard from C recorded on B", async () =>
      Boolean(
        await B.publicClient.readContract({
          address: addr(B, "FlowExecutor"),
          abi: concordAbi("FlowExecutor"),
          functionName: "guardSatisfied",
          args: [C.chainId, hop, key],
        }),
      ),
    );
    await retryFlowExecution({
      ...clients(B, user),
      executor: addr(B, "FlowExecutor"),
      flow: parent.flow,
      payload: encodeAbiParameters([{ type: "uint256" }], [3n]),
    });
    await settleRoundTrip(B, C, child.flow, child.flowId, "EXECUTED");
    await settleRoundTrip(A, B, parent.flow, parent.flowId, "EXECUTED");
    timelines.push(await flowTimeline("flow B -> C (hop)", B, C, child.flowId));
    timelines.push(await flowTimeline("flow A -> B (guarded by the hop)", A, B, parent.flowId));

    // ------------------------------------------------------------------ k-of-n over three transports
    out.progress(
      "8/8 k-of-n: a 2-of-3 message and a 2-of-3 flow A -> B over the native gateway, Hyperlane and Wormhole",
    );
    const aggregation = await runAggregation({
      a: A,
      b: B,
      admin: deployer,
      user,
      relayer: dev(5),
      timeoutMs: STEP_TIMEOUT_MS,
      progress: (line) => out.progress(line),
    });
    timelines.push(...aggregation.timelines);

    // ------------------------------------------------------------------ report
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const summary = {
      seconds: Number(seconds),
      deployTransactions: first.transactionsSent,
      redeployTransactions: again.transactionsSent,
      chains: Object.values(sides).map((s) => ({
        name: s.name,
        chainId: s.chainId,
        contracts: s.deployment.contracts,
      })),
      timelines,
    };
    const keepRunning = Boolean(ctx.values["keep-running"]);
    const running = {
      config: configPath,
      registry: registryDir,
      chains: Object.values(sides).map((side) => ({
        name: side.name,
        chainId: side.chainId,
        rpcUrl: side.anvil.rpcUrl,
      })),
    };
    if (keepRunning) Object.assign(summary, { keepRunning: running });
    const text = [
      "",
      `Concord demo: 3 chains, ${VALIDATORS * 3} validators (${THRESHOLD}-of-${VALIDATORS} per origin), 1 relayer + flow keeper`,
      `deploy: ${first.transactionsSent} transactions; re-deploy: ${again.transactionsSent}`,
      "times are block times (seconds); rows are ordered per chain by block and log, across chains by time",
      "",
      ...timelines.flatMap((t) => [`${t.label}  ${t.id}`, ...t.lines.map((l) => `    ${l}`), ""]),
      `all ${timelines.length} lifecycles completed as expected in ${seconds} s`,
    ];
    out.result(summary, text);
    if (keepRunning) {
      // The handler first, then the line that tells the user to press Ctrl-C.
      const stopped = new Promise<void>((resolve) => (keptRunning = resolve));
      // On stderr, so that --json stays one document on stdout; shown even with --quiet (it is what the user asked).
      const example = timelines[0]!;
      process.stderr.write(
        [
          "",
          "chains and agents keep running:",
          ...running.chains.map((c) => `  ${c.name.padEnd(7)} chain ${c.chainId}  ${c.rpcUrl}`),
          `  relayer  ${relayer.url ?? "-"}`,
          `config: --config ${configPath} --registry ${registryDir}`,
          `e.g.:   ${cliPrefix()} status ${example.id} --config ${configPath} --registry ${registryDir}`,
          `        ${cliPrefix()} status ${aggregation.messageId} --aggregator ${aggregation.aggregatorA} ` +
            `--config ${configPath} --registry ${registryDir}`,
          "press Ctrl-C to stop",
          "",
        ].join("\n"),
      );
      await stopped;
      out.progress("Ctrl-C: stopping");
    }
    return ExitCode.OK;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    out.progress("stopping the relayer, validators and chains");
    await stopAll();
  }

  // ------------------------------------------------------------------ helpers (closures over nothing)

  async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new CliError(
      `timed out after ${STEP_TIMEOUT_MS / 1000} s waiting for: ${what}`,
      ExitCode.FAILED,
      `the relayer's store (${join(stateDir(), "demo", "relayer.sqlite")}) and \`concord status <id>\` show where it stopped`,
    );
  }

  async function waitMessage(src: Side, dst: Side, id: Hex, status: "EXECUTED" | "FAILED"): Promise<void> {
    await waitUntil(`message ${short(id)} ${src.name} -> ${dst.name} ${status}`, async () => {
      const s = await messageStatus({
        origin: { publicClient: src.publicClient, gateway: addr2(src, "ConcordGateway") },
        destination: { publicClient: dst.publicClient, gateway: addr2(dst, "ConcordGateway") },
        messageId: id,
      });
      return s.status === status;
    });
  }

  async function waitFlow(
    a: Side,
    b: Side,
    id: Hex,
    done: (s: FlowStatusReturnType) => boolean,
  ): Promise<FlowStatusReturnType> {
    let last: FlowStatusReturnType | undefined;
    await waitUntil(`flow ${short(id)} ${a.name} -> ${b.name}`, async () => {
      last = await flowStatus({
        origin: { publicClient: a.publicClient, address: addr2(a, "FlowEscrow") },
        destination: { publicClient: b.publicClient, address: addr2(b, "FlowExecutor") },
        flowId: id,
      });
      return done(last);
    });
    return last!;
  }

  /**
   * B decided `expected` and sent the OUTCOME in the same transaction -> the relayer carries it -> its arrival
   * settles A. No keeper on this path.
   */
  async function settleRoundTrip(a: Side, b: Side, flow: Flow, id: Hex, expected: string): Promise<void> {
    const decided = await waitFlow(
      a,
      b,
      id,
      (s) => s.destination.status !== "NONE" && s.destination.status !== "PENDING",
    );
    if (decided.destination.status !== expected) {
      throw new CliError(
        `flow ${short(id)} ended ${decided.destination.status} on ${b.name}, expected ${expected}`,
      );
    }
    // nobody exports or settles by hand: the OUTCOME left B with the decision and settles A when the relayer delivers it
    const settled = await waitFlow(a, b, id, (s) => s.origin.phase === "SETTLED");
    if (settled.origin.outcome !== expected) {
      throw new CliError(
        `flow ${short(id)} settled on ${a.name} as ${settled.origin.outcome}, expected ${expected}`,
      );
    }
  }
}

function addr2(side: Side, name: string): Address {
  const a = side.deployment.contracts[name];
  if (!a) throw new CliError(`${name} is not deployed on ${side.name}`);
  return a;
}

async function balanceOf(side: Side, token: Address, account: Address): Promise<bigint> {
  return side.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [account],
  });
}

async function messageTimeline(
  label: string,
  src: Side,
  dst: Side,
  id: Hex,
  relayer: Relayer,
): Promise<Timeline> {
  const s = await messageStatus({
    origin: { publicClient: src.publicClient, gateway: addr2(src, "ConcordGateway") },
    destination: { publicClient: dst.publicClient, gateway: addr2(dst, "ConcordGateway") },
    messageId: id,
  });
  // On-chain events only (block times); the relayer's own steps are on its clock, so they get their own line.
  const lines = messageRows(s, src.name, dst.name).map(rowLine);
  const steps = relayerSteps(await relayer.store.events(id));
  if (steps) lines.push(steps);
  lines.push(`status: ${s.status}${s.retried ? " (retried)" : ""}`);
  return { label, kind: "message", id, lines };
}

async function flowTimeline(label: string, a: Side, b: Side, id: Hex): Promise<Timeline> {
  const perChain = [];
  for (const [side, contract] of [
    [a, "FlowEscrow"],
    [b, "FlowExecutor"],
  ] as const) {
    const events = await flowEvents({ publicClient: side.publicClient, address: addr2(side, contract) }, id);
    perChain.push({
      chain: side.name,
      events: await withTimestamps(
        events,
        async (blockNumber) => (await side.publicClient.getBlock({ blockNumber })).timestamp,
      ),
    });
  }
  const status = await flowStatus({
    origin: { publicClient: a.publicClient, address: addr2(a, "FlowEscrow") },
    destination: { publicClient: b.publicClient, address: addr2(b, "FlowExecutor") },
    flowId: id,
  });
  return {
    label,
    kind: "flow",
    id,
    lines: [
      ...flowRows(perChain).map(rowLine),
      `status: ${b.name} ${status.destination.status}, ${a.name} ${status.origin.phase} (${status.origin.outcome})`,
    ],
  };
}

function short(hex: Hex): string {
  return `${hex.slice(0, 10)}…`;
}

/** `concord demo`: summary, usage, options with their help text, environment and examples. */
export const demoCommand: Command = {
  summary: "start three local anvil chains, deploy and wire Concord, run agents, messages and flows",
  usage: "concord demo [--keep-running] [--json] [--quiet]",
  about: [
    "Everything runs locally (anvil on loopback ports); the demo's files (chain config, registries, agent stores)",
    "go to <state dir>/demo, never into the repository. It prints one progress line per step, then every",
    "message's and flow's timeline, and stops every process it started.",
  ],
  docs: {
    "keep-running": {
      text:
        "leave the chains and agents running after the story: prints each chain's RPC URL and the path of a " +
        "ready-to-use --config/--registry pair; Ctrl-C (SIGINT) stops everything and exits 0",
    },
  },
  env: { XDG_STATE_HOME: "base of the state directory (default ~/.local/state)" },
  examples: ["concord demo", "concord demo --keep-running"],
  options: { "keep-running": { type: "boolean", default: false } },
  run: demo,
};
