// `concord retry <messageId>`: re-executes a FAILED message on its destination, with the message's own gas limit or
// more (`--gas`), and reports the outcome: a gateway message with the destination gateway's `retry(message, gas)`, a
// transport-adapter message with the destination adapter's `retry(origin, originAdapter, envelope, gas)` (the
// envelope recovered from the send's transaction). Anyone may retry.
import { type Address, type Hex, isHex } from "viem";

import {
  type AdapterEndpoint,
  ConcordTransactionError,
  adapterMessageStatus,
  decodeConcordError,
  decodeConcordMessage,
  findAdapterSend,
  messageStatus,
  retryAdapterMessage,
  retryMessage,
  revertData,
} from "../../src/index.js";
import {
  type CliChain,
  type CliChains,
  accountFromEnv,
  chainByName,
  contractOn,
  findMessage,
  loadChains,
  reach,
} from "../chains.js";
import { READ_ONLY, commandLine } from "../hints.js";
import {
  type Command,
  type CommandContext,
  CONFIG_DOCS,
  FROM_BLOCK_DOC,
  KEY_ENV_DOC,
  SENDER_ENV,
  configOptions,
} from "../command.js";
import { CliError, ExitCode } from "../output.js";

const MAX_UINT32 = 0xffff_ffff;

/** What to do about a retry the gateway refused, by the decoded error's name. */
const REFUSAL_HINTS: Record<string, string> = {
  ConcordGatewayRetryRefused:
    "the destination verifier refuses the retry for now (paused verifier, or its rate-limit budget is spent): try again later",
  ConcordGatewayRoutePaused:
    "the destination route for this origin is paused: retry after the admin unpauses it",
  ConcordGatewayInboundPaused: "the destination gateway is paused: retry after the admin unpauses it",
  ConcordGatewayNotFailed: "the message is no longer FAILED (someone retried it): check `concord status`",
  ConcordGatewayRetryGasBelowLimit: "give --gas at least the message's own gas limit, or omit --gas",
  ConcordGatewayPrivilegedRecipient:
    "the recipient now holds a role on the destination: it can never be retried",
  ConcordAdapterNotFailed: "the message is no longer FAILED (someone retried it): check `concord status`",
  ConcordAdapterRetryGasBelowLimit: "give --gas at least the message's own gas limit, or omit --gas",
  ConcordAdapterPrivilegedRecipient: "the recipient is the adapter or its authority: it can never be retried",
  ConcordAdapterInsufficientGas:
    "the transaction had too little gas for the recipient's gas limit: send it again",
};

function parseGas(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const gas = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(gas) || gas <= 0 || gas > MAX_UINT32)
    throw new CliError(
      `--gas ${text} is not a gas amount`,
      ExitCode.USAGE,
      `give a whole number from 1 to ${MAX_UINT32}, e.g. --gas 500000`,
    );
  return gas;
}

export async function retry(ctx: CommandContext): Promise<ExitCode> {
  const id = ctx.args[0];
  if (!id || !isHex(id) || id.length !== 66)
    throw new CliError("give the message id (32 bytes hex)", ExitCode.USAGE, "concord retry 0x… [--gas N]");
  if (ctx.args.length > 1)
    throw new CliError(`unexpected argument "${ctx.args[1]}"`, ExitCode.USAGE, "see `concord retry --help`");
  const gasOption = parseGas(ctx.values.gas);
  const from = typeof ctx.values.from === "string" ? ctx.values.from : undefined;
  const keyEnv = String(ctx.values["key-env"] ?? "CONCORD_PRIVATE_KEY");
  const chains = loadChains(ctx);

  const found = await findMessage(chains, id as Hex, from);
  if (!found) {
    const adapterMessage = await findAdapterMessage(chains, id as Hex, from);
    if (adapterMessage) return retryAdapter(ctx, chains, adapterMessage, id as Hex, gasOption, keyEnv);
    const where = from ?? [...chains.byDomain.values()].map((c) => c.entry.name).join(", ");
    throw new CliError(
      `no message ${id} was sent from ${where}`,
      ExitCode.NOT_FOUND,
      "check the id, --from, and that --config/--registry name the chain it was sent on",
    );
  }
  const decoded = decodeConcordMessage(found.message);
  const dest = chains.byDomain.get(decoded.destination);
  if (!dest)
    throw new CliError(
      `the message goes to domain ${decoded.destination}, which is not in the config`,
      ExitCode.CONFIG,
      "add that chain to the config file (and its registry) to retry there",
    );
  const destGateway = contractOn(dest, "ConcordGateway");
  const gasLimit = gasOption ?? decoded.gasLimit;
  if (gasLimit < decoded.gasLimit)
    throw new CliError(
      `--gas ${gasLimit} is below the message's own gas limit ${decoded.gasLimit}`,
      ExitCode.USAGE,
      `the gateway refuses less (ConcordGatewayRetryGasBelowLimit): pass --gas ${decoded.gasLimit} or more, or omit --gas`,
    );

  const before = await reach(dest, () =>
    messageStatus({
      origin: {
        publicClient: found.origin.publicClient,
        gateway: found.originGateway,
        fromBlock: found.origin.fromBlock,
        logPager: found.origin.pager,
      },
      destination: {
        publicClient: dest.publicClient,
        gateway: destGateway,
        fromBlock: dest.fromBlock,
        logPager: dest.pager,
      },
      messageId: id as Hex,
    }),
  );
  const route = `${found.origin.entry.name} -> ${dest.entry.name}`;
  if (before.status === "EXECUTED") {
    ctx.out.result({ messageId: id, status: "EXECUTED", retried: false }, [
      `message ${id} (${route}) is already EXECUTED: nothing to retry`,
    ]);
    return ExitCode.OK;
  }
  if (before.status !== "FAILED")
    throw new CliError(
      `message ${id} (${route}) is ${before.status}, not FAILED: only a FAILED message can be retried`,
      ExitCode.FAILED,
      `a relayer delivers it, or self-relay it with ${found.origin.entry.name}'s validators' URLs: ` +
        commandLine(ctx, "relay", [id, "--from", found.origin.entry.name, "--validators", "<url,url,...>"]),
    );
  const last = before.failures.at(-1);
  ctx.out.progress(
    `message is FAILED on ${dest.entry.name}: ${last?.reason.text ?? "no failure event found"}`,
  );
  const account = accountFromEnv(keyEnv);
  ctx.out.progress(
    `retrying on ${dest.entry.name} with gas ${gasLimit}` +
      (gasLimit === decoded.gasLimit ? " (the message's own limit)" : ` (message limit ${decoded.gasLimit})`),
  );
  let outcome;
  try {
    outcome = await reach(dest, () =>
      retryMessage({
        publicClient: dest.publicClient,
        walletClient: dest.wallet(account),
        gateway: destGateway,
        message: found.message,
        gasLimit,
        onTransaction: (hash) => ctx.out.progress(`retry transaction ${hash} sent on ${dest.entry.name}`),
      }),
    );
  } catch (e) {
    if (!(e instanceof ConcordTransactionError)) throw e;
    const data = revertData(e.cause);
    const name = data ? decodeConcordError(data).name : undefined;
    throw new CliError(
      `the retry was refused: ${e.details ?? e.shortMessage}`,
      ExitCode.FAILED,
      (name && REFUSAL_HINTS[name]) ??
        `check the reason above, then: ${commandLine(ctx, "status", [id], READ_ONLY)}`,
    );
  }
  const tx = outcome.receipt.transactionHash;
  const lines = [
    `message ${id} (${route}) retried in tx ${tx} with gas ${gasLimit}: ${outcome.status}`,
    `  transaction gas used ${outcome.receipt.gasUsed}`,
  ];
  if (outcome.failure) {
    lines.push(`  recipient reverted: ${outcome.failure.reason.text}`);
    lines.push(
      outcome.failure.revertData === "0x"
        ? `  no revert data is typical of running out of gas: retry with more, e.g. ` +
            commandLine(ctx, "retry", [id, "--from", found.origin.entry.name, "--gas", String(gasLimit * 2)])
        : "  still FAILED: fix what the recipient rejects, then retry again (anyone may)",
    );
  }
  ctx.out.result(
    {
      messageId: id,
      origin: found.origin.entry.name,
      destination: dest.entry.name,
      retried: true,
      status: outcome.status,
      gasLimit,
      messageGasLimit: decoded.gasLimit,
      transactionHash: tx,
      gasUsed: outcome.receipt.gasUsed,
      failure: outcome.failure?.reason.text,
    },
    lines,
  );
  return outcome.status === "EXECUTED" ? ExitCode.OK : ExitCode.FAILED;
}

/** An adapter message found on its origin chain: the chain, the adapter's registry name, and the adapter. */
type FoundAdapterMessage = { origin: CliChain; contract: string; endpoint: AdapterEndpoint };

/** The send of `id` on a transport adapter (a registry contract named `*Adapter`) of `from`, or of any deployed chain. */
async function findAdapterMessage(
  chains: CliChains,
  id: Hex,
  from?: string,
): Promise<FoundAdapterMessage | undefined> {
  const candidates = from
    ? [chainByName(chains, from)]
    : [...chains.byDomain.values()].filter((c) => c.deployment);
  for (const origin of candidates) {
    for (const [contract, adapter] of Object.entries(origin.deployment?.contracts ?? {})) {
      if (!contract.endsWith("Adapter")) continue;
      const endpoint = endpointOf(origin, adapter);
      if (await reach(origin, () => findAdapterSend(endpoint, id))) return { origin, contract, endpoint };
    }
  }
  return undefined;
}

function endpointOf(chain: CliChain, adapter: Address): AdapterEndpoint {
  return { publicClient: chain.publicClient, adapter, fromBlock: chain.fromBlock, logPager: chain.pager };
}

/** `concord retry` of an adapter message: FAILED on the destination adapter, retried there with the envelope of the
 * send. */
async function retryAdapter(
  ctx: CommandContext,
  chains: CliChains,
  found: FoundAdapterMessage,
  id: Hex,
  gasOption: number | undefined,
  keyEnv: string,
): Promise<ExitCode> {
  const { origin, contract, endpoint } = found;
  let dest: CliChain | undefined;
  const before = await reach(origin, () =>
    adapterMessageStatus({
      origin: endpoint,
      messageId: id,
      destination: (domain) => {
        dest = chains.byDomain.get(domain);
        return dest
          ? { publicClient: dest.publicClient, fromBlock: dest.fromBlock, logPager: dest.pager }
          : undefined;
      },
    }),
  );
  if (!dest)
    throw new CliError(
      `the adapter message goes to domain ${before.destination}, which is not in the config`,
      ExitCode.CONFIG,
      "add that chain to the config file (and its registry) to retry there",
    );
  const route = `${origin.entry.name} -> ${dest.entry.name} over ${contract}`;
  if (before.status === "EXECUTED") {
    ctx.out.result({ messageId: id, kind: "adapterMessage", status: "EXECUTED", retried: false }, [
      `adapter message ${id} (${route}) is already EXECUTED: nothing to retry`,
    ]);
    return ExitCode.OK;
  }
  if (before.status !== "FAILED")
    throw new CliError(
      `adapter message ${id} (${route}) is ${before.status}, not FAILED: only a FAILED message can be retried`,
      ExitCode.FAILED,
      `${before.next.text}; then check it with ${commandLine(ctx, "status", [id], READ_ONLY)}`,
    );
  const envelope = before.envelope;
  const protocolMessage = before.protocolMessage;
  if (!envelope || !protocolMessage || before.origin === undefined || !before.destinationAdapter)
    throw new CliError(
      `adapter message ${id} (${route}) is FAILED, but its envelope was not found in the send's transaction`,
      ExitCode.FAILED,
      "the retry needs the exact envelope (the protocol message's body): send the destination adapter's " +
        "retry(origin, originAdapter, envelope, gasLimit) yourself",
    );
  const gasLimit = gasOption ?? envelope.gasLimit;
  if (gasLimit < envelope.gasLimit)
    throw new CliError(
      `--gas ${gasLimit} is below the message's own gas limit ${envelope.gasLimit}`,
      ExitCode.USAGE,
      `the adapter refuses less (ConcordAdapterRetryGasBelowLimit): pass --gas ${envelope.gasLimit} or more, or omit --gas`,
    );
  const last = before.failures.at(-1);
  ctx.out.progress(
    `adapter message is FAILED on ${dest.entry.name}: ${last?.reason.text ?? "no failure event found"}`,
  );
  const account = accountFromEnv(keyEnv);
  ctx.out.progress(
    `retrying on ${dest.entry.name}'s ${contract} ${before.destinationAdapter} with gas ${gasLimit}` +
      (gasLimit === envelope.gasLimit
        ? " (the message's own limit)"
        : ` (message limit ${envelope.gasLimit})`),
  );
  const destination = dest;
  let outcome;
  try {
    outcome = await reach(destination, () =>
      retryAdapterMessage({
        publicClient: destination.publicClient,
        walletClient: destination.wallet(account),
        adapter: before.destinationAdapter!,
        origin: before.origin!,
        originAdapter: endpoint.adapter,
        envelope: protocolMessage.envelope,
        gasLimit,
        onTransaction: (hash) =>
          ctx.out.progress(`retry transaction ${hash} sent on ${destination.entry.name}`),
      }),
    );
  } catch (e) {
    if (!(e instanceof ConcordTransactionError)) throw e;
    const data = revertData(e.cause);
    const name = data ? decodeConcordError(data).name : undefined;
    throw new CliError(
      `the retry was refused: ${e.details ?? e.shortMessage}`,
      ExitCode.FAILED,
      (name && REFUSAL_HINTS[name]) ??
        `check the reason above, then: ${commandLine(ctx, "status", [id], READ_ONLY)}`,
    );
  }
  const tx = outcome.receipt.transactionHash;
  const lines = [
    `adapter message ${id} (${route}) retried in tx ${tx} with gas ${gasLimit}: ${outcome.status}`,
    `  transaction gas used ${outcome.receipt.gasUsed}`,
  ];
  if (outcome.failure) {
    lines.push(`  recipient reverted: ${outcome.failure.reason.text}`);
    lines.push(
      outcome.failure.revertData === "0x"
        ? `  no revert data is typical of running out of gas: retry with more, e.g. ` +
            commandLine(ctx, "retry", [id, "--from", origin.entry.name, "--gas", String(gasLimit * 2)])
        : "  still FAILED: fix what the recipient rejects, then retry again (anyone may)",
    );
  }
  ctx.out.result(
    {
      messageId: id,
      kind: "adapterMessage",
      adapter: contract,
      origin: origin.entry.name,
      destination: destination.entry.name,
      destinationAdapter: before.destinationAdapter,
      retried: true,
      status: outcome.status,
      gasLimit,
      messageGasLimit: envelope.gasLimit,
      transactionHash: tx,
      gasUsed: outcome.receipt.gasUsed,
      failure: outcome.failure?.reason.text,
    },
    lines,
  );
  return outcome.status === "EXECUTED" ? ExitCode.OK : ExitCode.FAILED;
}

/** `concord retry`: summary, usage, options with their help text, environment and examples. */
export const retryCommand: Command = {
  summary: "re-execute a FAILED message on its destination, with its own gas limit or more",
  usage:
    "concord retry <messageId> [--gas <n>] [--from <chain>] [--key-env <VAR>] [--config <chains.json>] " +
    "[--registry <dir>] [--json]",
  about: [
    "Finds the message (its Dispatched event on --from, else on every chain of the config), checks that it is",
    "FAILED on its destination, sends retry(message, gas) there and prints the outcome: EXECUTED, or still",
    "FAILED with the recipient's decoded revert reason. Anyone may retry; the transaction is paid by the key.",
    "An id no gateway dispatched is looked up on the transport adapters of the registries (contracts named",
    "*Adapter): a FAILED adapter message is retried with the destination adapter's retry(origin, originAdapter,",
    "envelope, gas), the envelope taken from the send's transaction; the outcome is its Retried event.",
    "Exits 0 EXECUTED (or already EXECUTED), 1 still FAILED, refused or not FAILED, 5 message not found.",
  ],
  docs: {
    gas: {
      value: "<n>",
      text:
        "gas the recipient gets (default: the message's own gas limit; never less). A message that failed " +
        "because its recipient ran out of gas needs more",
    },
    from: {
      value: "<chain>",
      text: "the origin chain (a config key); default: search every chain of the config",
    },
    "key-env": KEY_ENV_DOC,
    ...CONFIG_DOCS,
    "from-block": FROM_BLOCK_DOC,
  },
  env: SENDER_ENV,
  examples: ["CONCORD_PRIVATE_KEY=0x… concord retry 0x3f…c1 --gas 400000 --config my-chains.json"],
  options: {
    ...configOptions,
    gas: { type: "string" },
    from: { type: "string" },
    "key-env": { type: "string" },
    "from-block": { type: "string" },
  },
  run: retry,
};
