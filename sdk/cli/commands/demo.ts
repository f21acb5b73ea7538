// `concord demo`: the whole system on three local chains, from nothing to a printed lifecycle of every message and
// flow, then a clean shutdown. Every step uses the real pieces: anvil chains, the deploy library, the validator and
// relayer agents over HTTP, and the SDK. Nothing is simulated.
import { mkdirSync, rmSync } from "node:fs";
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
import { repoRoot } from "../../src/artifacts.js";
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
import type { CommandContext } from "../main.js";
import { CliError, ExitCode, isoTime } from "../output.js";

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

type Timeline = { label: string; kind: "message" | "flow"; id: Hex; lines: string[] };

export async function demo(ctx: CommandContext): Promise<ExitCode> {
  const out = ctx.out;
  const started = Date.now();
  const workDir = join(repoRoot(), ".concord", "demo");
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
  const onSignal = () => {
    out.progress("interrupted: stopping agents and chains");
    void stopAll().then(() => process.exit(ExitCode.FAILED));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    // ------------------------------------------------------------------ chains
    out.progress("starting three anvil chains (31337, 31338, 31339)");
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
    const config = validateConfig({
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
    });
    out.progress(`deploying Concord to 3 chains (validators ${THRESHOLD}-of-${VALIDATORS} per origin)`);
    const registryDir = join(workDir, "deployments");
    const first = await deploy({ config, registryDir, log: (l) => out.progress(`  ${l}`) });
    out.progress(`deployed and wired: ${first.transactionsSent} transactions`);
    const again = await deploy({ config, registryDir, log: () => undefined });
    out.progress(`second deploy (idempotence check): ${again.transactionsSent} transactions`);
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
      `starting ${VALIDATORS} validators per origin chain (${VALIDATORS * 3} agents) and a relayer with a flow keeper`,
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
    out.progress(`relayer status API: ${relayer.url ?? "off"}`);

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
    out.progress(`sending ${routes.length} messages: A->B, B->C, C->A, B->A`);
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
      out.progress(`  ${m.src.name} -> ${m.dst.name} "${m.text}": EXECUTED`);
      timelines.push(
        await messageTimeline(`message ${m.src.name} -> ${m.dst.name}`, m.src, m.dst, m.id, relayer),
      );
    }

    // ------------------------------------------------------------------ a failing recipient, then a retry
    out.progress("pausing the inbox on chainC, then sending A->C: delivery must fail and stay retryable");
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
    out.progress("  A -> C: FAILED (inbox paused); unpausing and retrying");
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
      onTransaction: (hash) => out.progress(`  retry transaction ${short(hash)} sent on chainC`),
    });
    if (retried.status !== "EXECUTED")
      throw new CliError(
        `the retry of ${short(failing.messageId)} ended ${retried.status}, expected EXECUTED`,
      );
    await waitMessage(A, C, failing.messageId, "EXECUTED");
    out.progress(
      `  A -> C: EXECUTED after retry with gas ${failing.decoded.gasLimit} (the message's own limit)`,
    );
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
      out.progress(
        `  ${label}: opened ${short(opened.flowId)} (lock 100 dUSD on A, minOut ${fmt(minOut)} dWETH)`,
      );
      await settleRoundTrip(A, B, opened.flow, opened.flowId, expected);
      out.progress(`  ${label}: ${expected} on B, settled on A`);
      timelines.push(await flowTimeline(`flow ${label}`, A, B, opened.flowId));
    };
    out.progress("swap-and-bridge 1: lock on A, release and swap on B, LP paid on A");
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

    out.progress("swap-and-bridge 2: slippage bound cannot be met on B -> FAILED -> user compensated on A");
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
    out.progress(`  user compensated on A: ${fmt(claimed.amount)} dUSD claimed back, balance whole again`);

    // ------------------------------------------------------------------ multi-hop A -> B -> C
    out.progress("multi-hop A -> B -> C: the A -> B flow runs on B only after its B -> C hop ran on C");
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
    out.progress(`  parent A -> B opened ${short(parent.flowId)}; waiting on B for the guard from C`);
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
    out.progress(`  child B -> C opened ${short(child.flowId)} by the hop operator`);
    await waitFlow(B, C, child.flowId, (s) => s.destination.status === "EXECUTED");
    out.progress("  child EXECUTED on C; its guard message travels C -> B");
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
    out.progress("  child settled on B (operator's hop)");
    await settleRoundTrip(A, B, parent.flow, parent.flowId, "EXECUTED");
    out.progress("  parent EXECUTED on B after the hop, settled on A");
    timelines.push(await flowTimeline("flow B -> C (hop)", B, C, child.flowId));
    timelines.push(await flowTimeline("flow A -> B (guarded by the hop)", A, B, parent.flowId));

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
    const text = [
      "",
      `Concord demo: 3 chains, ${VALIDATORS * 3} validators (${THRESHOLD}-of-${VALIDATORS} per origin), 1 relayer + flow keeper`,
      `deploy: ${first.transactionsSent} transactions; re-deploy: ${again.transactionsSent}`,
      "",
      ...timelines.flatMap((t) => [`${t.label}  ${t.id}`, ...t.lines.map((l) => `    ${l}`), ""]),
      `all ${timelines.length} lifecycles completed as expected in ${seconds} s`,
    ];
    out.result(summary, text);
    if (ctx.values["keep-running"]) {
      out.progress("chains and agents keep running; press Ctrl-C to stop");
      await new Promise(() => undefined);
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
      "the relayer's store (.concord/demo/relayer.sqlite) and `concord status <id>` show where it stopped",
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
  const lines: string[] = [];
  if (s.sent) lines.push(`${isoTime(s.sent.timestamp)}  SENT       ${src.name} block ${s.sent.blockNumber}`);
  for (const e of await relayer.store.events(id)) {
    // the relayer's automatic-retry decisions say why (e.g. why it leaves a message to a manual retry)
    const why = e.status.startsWith("RETRY") && e.detail ? `: ${e.detail}` : "";
    lines.push(
      `${new Date(e.at).toISOString()}  ${e.status.padEnd(10)} relayer${e.txHash ? ` tx ${short(e.txHash)}` : ""}${why}`,
    );
  }
  for (const f of s.failures) {
    lines.push(`${isoTime(f.timestamp)}  FAILED     ${dst.name} block ${f.blockNumber}: ${f.reason.text}`);
  }
  for (const r of s.retries) {
    lines.push(
      `${isoTime(r.timestamp)}  RETRIED    ${dst.name} block ${r.blockNumber} gas ${r.gasLimit}, ` +
        `tx gas used ${r.gasUsed} (${r.success ? "ok" : "failed"})`,
    );
  }
  if (s.executed)
    lines.push(`${isoTime(s.executed.timestamp)}  EXECUTED   ${dst.name} block ${s.executed.blockNumber}`);
  lines.push(`status: ${s.status}${s.retried ? " (retried)" : ""}`);
  return { label, kind: "message", id, lines };
}

async function flowTimeline(label: string, a: Side, b: Side, id: Hex): Promise<Timeline> {
  const rows: { t: bigint; rank: number; line: string }[] = [];
  for (const [side, contract] of [
    [a, "FlowEscrow"],
    [b, "FlowExecutor"],
  ] as const) {
    const events = await flowEvents({ publicClient: side.publicClient, address: addr2(side, contract) }, id);
    for (const e of events) {
      const block = await side.publicClient.getBlock({ blockNumber: e.blockNumber });
      rows.push({
        t: block.timestamp,
        rank: EVENT_RANK[e.eventName] ?? 9,
        line: `${isoTime(block.timestamp)}  ${e.eventName.padEnd(22)} ${side.name} block ${e.blockNumber}`,
      });
    }
  }
  rows.sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : x.rank - y.rank));
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
      ...rows.map((r) => r.line),
      `status: ${b.name} ${status.destination.status}, ${a.name} ${status.origin.phase} (${status.origin.outcome})`,
    ],
  };
}

/** Order of a flow's events within one second (blocks of two chains share timestamps). */
const EVENT_RANK: Record<string, number> = {
  FlowOpened: 0,
  FlowDelivered: 1,
  FlowGuardPending: 2,
  FlowExecuted: 3,
  FlowFailed: 3,
  FlowExpired: 3,
  FlowCancelled: 3,
  OutcomeExported: 4,
  OutcomeExportFailed: 4,
  OutcomeAcknowledged: 5,
  FlowFinalized: 6,
  FlowCompensated: 6,
};

function short(hex: Hex): string {
  return `${hex.slice(0, 10)}…`;
}

function fmt(wei: bigint): string {
  return (Number(wei) / 1e18).toFixed(4);
}
