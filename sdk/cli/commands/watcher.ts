// `concord watcher`: run the watcher agent (sdk/agents/watcher.ts) until SIGINT/SIGTERM, then stop it cleanly. It
// checks every commitment of the given OptimisticVerifiers against the origin gateways of the config and vetoes
// forgeries inside their window.
import { type Address, isAddress } from "viem";

import {
  AgentConfigError,
  type WatcherAlert,
  jsonLogger,
  runWatcher,
  stopOnSignals,
} from "../../agents/index.js";
import { accountFromEnv, chainByName, checkChain, contractOn, loadChains } from "../chains.js";
import {
  type Command,
  type CommandContext,
  CONFIG_DOCS,
  FROM_BLOCK_DOC,
  configOptions,
  requireOption,
} from "../command.js";
import { CliError, ExitCode } from "../output.js";

/** `--verifiers "chainB=0x…,0x…;chainC=0x…"` -> (chain, verifier) pairs. */
function parseVerifiers(
  spec: string,
  chains: ReturnType<typeof loadChains>,
): { chain: ReturnType<typeof chainByName>; verifier: Address }[] {
  const out: { chain: ReturnType<typeof chainByName>; verifier: Address }[] = [];
  for (const part of spec
    .split(";")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, list] = part.split("=");
    if (!name || !list)
      throw new CliError(`--verifiers: "${part}" is not chain=address,address`, ExitCode.USAGE);
    const chain = chainByName(chains, name.trim());
    for (const address of list
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean)) {
      if (!isAddress(address))
        throw new CliError(
          `--verifiers: "${address}" (for ${name.trim()}) is not an address`,
          ExitCode.USAGE,
        );
      out.push({ chain, verifier: address });
    }
  }
  if (out.length === 0)
    throw new CliError("--verifiers names no verifier", ExitCode.USAGE, 'e.g. --verifiers "chainB=0x…"');
  return out;
}

function pollInterval(ctx: CommandContext): number | undefined {
  const value = ctx.values["poll-interval"];
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 10 || n > 600_000)
    throw new CliError(
      `--poll-interval ${String(value)} must be a whole number of ms from 10 to 600000`,
      ExitCode.USAGE,
    );
  return n;
}

/** One line per alert on stderr (besides the agent's JSON log line): what happened, where, and to which commitment. */
function alertLine(a: WatcherAlert): string {
  return (
    `ALERT ${a.kind}: ${a.commitmentKind} ${a.commitment} from origin ${a.origin} at verifier ${a.verifier} ` +
    `on ${a.verifierDomain} (usable at ${a.usableAt})${a.detail ? `: ${a.detail}` : ""}`
  );
}

export async function watcher(ctx: CommandContext): Promise<ExitCode> {
  const chains = loadChains(ctx);
  const keyEnv = requireOption(ctx, "key-env");
  const account = accountFromEnv(keyEnv);
  const guarded = parseVerifiers(requireOption(ctx, "verifiers"), chains);
  const interval = pollInterval(ctx);
  const all = Object.values(chains.byName);
  for (const c of all) await checkChain(c);
  const w = await runWatcher({
    origins: all.map((c) => ({
      domain: c.entry.domain,
      rpcUrl: c.entry.rpcUrl!,
      gateway: contractOn(c, "ConcordGateway"),
      confirmations: c.entry.finalityDepth,
      fromBlock: Number(c.fromBlock),
    })),
    verifiers: guarded.map((g) => ({
      domain: g.chain.entry.domain,
      rpcUrl: g.chain.entry.rpcUrl!,
      verifier: g.verifier,
      fromBlock: Number(g.chain.fromBlock),
    })),
    account: account as Parameters<typeof runWatcher>[0]["account"],
    pollIntervalMs: interval,
    logger: jsonLogger("concord"),
    onAlert: (a) => ctx.out.progress(alertLine(a)),
  }).catch((e: unknown) => {
    // A key that is not an allowlisted watcher, a chain answering with another chain id: the config's fault.
    if (e instanceof AgentConfigError) throw new CliError(e.message, ExitCode.CONFIG);
    throw e;
  });
  // The signal handler is in place before the ready line (a signal sent as soon as it shows finds it).
  const stopped = new Promise<void>((done) => {
    stopOnSignals(
      {
        stop: () => {
          ctx.out.progress("stopping");
          return w.stop();
        },
      },
      done,
    );
  });
  ctx.out.result(
    {
      watcher: account.address,
      origins: all.map((c) => c.entry.name),
      verifiers: guarded.map((g) => ({ chain: g.chain.entry.name, verifier: g.verifier })),
    },
    [
      `watcher ${account.address} guarding ${guarded.map((g) => `${g.verifier} on ${g.chain.entry.name}`).join(", ")}`,
      `origins checked: ${all.map((c) => c.entry.name).join(", ")}; alerts are printed as ALERT lines on stderr`,
    ],
  );
  await stopped;
  const c = w.counters();
  ctx.out.progress(
    `stopped: ${c.commitments} commitment(s) seen, ${c.honest} honest, ${c.vetoes} vetoed, ${c.pending} open`,
  );
  return ExitCode.OK;
}

/** `concord watcher`: summary, usage, options with their help text, environment and examples. */
export const watcherCommand: Command = {
  summary: "run a watcher agent that vetoes forged optimistic commitments",
  usage:
    'concord watcher --verifiers "<chain>=<address>[,<address>];..." --key-env <VAR> [--poll-interval <ms>] ' +
    "[--from-block <block|chain=block,...>] [--config <chains.json>] [--registry <dir>]",
  about: [
    "Indexes every Committed event of the given OptimisticVerifiers and checks each commitment against the",
    "origin gateways of every chain in the config (message ids dispatched there, roots of their message tree).",
    "A forgery is vetoed inside its window (the bond goes to the watcher's credit on the verifier); honest",
    "commitments are left alone. Alerts (FRAUD_VETOED, VETO_FAILED, FRAUD_WINDOW_ELAPSED, UNWATCHED_ORIGIN) are",
    "printed on stderr. The key must be an allowlisted watcher of every verifier (setWatcher on the verifier),",
    "else it refuses to start (exit 3). It keeps no store: a restart rebuilds its state from events.",
    "Stops cleanly on SIGINT/SIGTERM.",
  ],
  docs: {
    verifiers: {
      value: "<spec>",
      text: 'the OptimisticVerifiers to guard, per chain of the config: "chainB=0x…,0x…;chainC=0x…" (required)',
    },
    "key-env": {
      value: "<VAR>",
      text: "environment variable holding the watcher's private key (sends vetoes; required)",
    },
    "poll-interval": { value: "<ms>", text: "delay between passes (default 1000)" },
    "from-block": FROM_BLOCK_DOC,
    ...CONFIG_DOCS,
  },
  env: { "<VAR>": "the variable --key-env names: the watcher's 32-byte hex private key" },
  examples: [
    'WATCHER_KEY=0x… concord watcher --verifiers "chainB=0x5FbD…0aa3" --key-env WATCHER_KEY --config my-chains.json',
  ],
  options: {
    ...configOptions,
    verifiers: { type: "string" },
    "key-env": { type: "string" },
    "poll-interval": { type: "string" },
    "from-block": { type: "string" },
  },
  run: watcher,
};
