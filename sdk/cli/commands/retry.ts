// `concord retry <messageId>`: re-executes a FAILED message on its destination, with the message's own gas limit or
// more (`--gas`), and reports the outcome: a gateway message with the destination gateway's `retry(message, gas)`, a
// transport-adapter message with the destination adapter's `retry(origin, originAdapter, envelope, gas)` (the
// envelope recovered from the send's transaction: a protocol event, or rebuilt from the adapter's own events), an
// aggregated (k-of-n) message with the destination aggregator's `retry(originAggregator, envelope, gas)` (same id).
// Anyone may retry.
import { type Address, type Hex, getAddress, isAddress, isAddressEqual, isHex, keccak256 } from "viem";

import {
  type AdapterEndpoint,
  type AggregatorEndpoint,
  ConcordTransactionError,
  adapterMessageStatus,
  aggregatedMessageStatus,
  decodeConcordError,
  decodeConcordMessage,
  findAdapterSend,
  messageStatus,
  retryAdapterMessage,
  retryAggregatedMessage,
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
  TransportAggregatorNotFailed:
    "the aggregated message is no longer FAILED (someone retried it, or a conflicting leg quarantined it): check `concord status`",
  TransportAggregatorRetryGasBelowLimit: "give --gas at least the message's own gas limit, or omit --gas",
  TransportAggregatorNotReady:
    "the receipts are counted again over the current receive set and rule, and no longer reach the threshold: " +
    "wait for more legs, or for the destination's operator to restore the receive set",
  TransportAggregatorEnvelopeMismatch:
    "the envelope is not the one the destination recorded for this id: check `concord status` (the recorded hash)",
  TransportAggregatorPrivilegedRecipient:
    "the recipient is the aggregator or its authority: it can never be retried",
  TransportAggregatorInsufficientGas:
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

  const given = ctx.values.aggregator;
  if (given !== undefined && (typeof given !== "string" || !isAddress(given)))
    throw new CliError("--aggregator takes an address (0x + 40 hex)", ExitCode.USAGE);
  const found = await findMessage(chains, id as Hex, from);
  if (!found) {
    const adapterMessage = await findAdapterMessage(chains, id as Hex, from);
    if (adapterMessage) return retryAdapter(ctx, chains, adapterMessage, id as Hex, gasOption, keyEnv);
    const aggregated = await findAggregatedMessage(chains, id as Hex, from, given);
    if (aggregated) return retryAggregated(ctx, chains, aggregated, id as Hex, gasOption, keyEnv);
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

/**
 * The destination chain of an adapter or aggregated message, resolved from the config while its status is read
 * (`resolve` is the status reader's `destination` callback); `require` returns it or says how to add it.
 */
function destinationLookup(chains: CliChains) {
  let chain: CliChain | undefined;
  return {
    resolve: (domain: number) => {
      chain = chains.byDomain.get(domain);
      return chain
        ? { publicClient: chain.publicClient, fromBlock: chain.fromBlock, logPager: chain.pager }
        : undefined;
    },
    require: (kind: string, domain: number | undefined): CliChain => {
      if (!chain)
        throw new CliError(
          `the ${kind} message goes to domain ${domain}, which is not in the config`,
          ExitCode.CONFIG,
          "add that chain to the config file (and its registry) to retry there",
        );
      return chain;
    },
  };
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
  const lookup = destinationLookup(chains);
  const before = await reach(origin, () =>
    adapterMessageStatus({ origin: endpoint, messageId: id, destination: lookup.resolve }),
  );
  const dest = lookup.require("adapter", before.destination);
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
  const envelopeBytes = before.envelopeBytes;
  if (!envelope || !envelopeBytes || before.origin === undefined || !before.destinationAdapter)
    throw new CliError(
      `adapter message ${id} (${route}) is FAILED, but its envelope was not found (no protocol event of the send ` +
        "carries it, and it could not be rebuilt from the adapter's events)",
      ExitCode.FAILED,
      "the retry needs the exact envelope: send the destination adapter's " +
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
        envelope: envelopeBytes,
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
      envelopeSource: before.envelopeSource,
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

/** An aggregated message found on its origin chain: the chain, the aggregator's registry name, and the aggregator. */
type FoundAggregatedMessage = { origin: CliChain; contract: string; endpoint: AggregatorEndpoint };

/** The send of `id` on a TransportAggregator (registry contracts named `*Aggregator`, or `--aggregator`) of `from`, or
 * of any deployed chain. */
async function findAggregatedMessage(
  chains: CliChains,
  id: Hex,
  from: string | undefined,
  given: string | undefined,
): Promise<FoundAggregatedMessage | undefined> {
  const candidates = from
    ? [chainByName(chains, from)]
    : [...chains.byDomain.values()].filter((c) => c.deployment);
  for (const origin of candidates) {
    const aggregators = Object.entries(origin.deployment?.contracts ?? {})
      .filter(([name]) => name.endsWith("Aggregator"))
      .map(([name, address]) => [name, address] as [string, Address]);
    if (given && !aggregators.some(([, a]) => isAddressEqual(a, given as Address)))
      aggregators.push(["TransportAggregator", getAddress(given)]);
    for (const [contract, aggregator] of aggregators) {
      if (
        ((await reach(origin, () => origin.publicClient.getCode({ address: aggregator }))) ?? "0x") === "0x"
      )
        continue;
      const endpoint: AggregatorEndpoint = {
        publicClient: origin.publicClient,
        aggregator,
        fromBlock: origin.fromBlock,
        logPager: origin.pager,
      };
      const s = await reach(origin, () => aggregatedMessageStatus({ origin: endpoint, messageId: id }));
      if (s.status !== "UNKNOWN") return { origin, contract, endpoint };
    }
  }
  return undefined;
}

/** `concord retry` of an aggregated message: FAILED on the destination aggregator, retried there with the recorded
 * envelope (an accepted leg's payload on the origin); the id stays the same. */
async function retryAggregated(
  ctx: CommandContext,
  chains: CliChains,
  found: FoundAggregatedMessage,
  id: Hex,
  gasOption: number | undefined,
  keyEnv: string,
): Promise<ExitCode> {
  const { origin, contract, endpoint } = found;
  const lookup = destinationLookup(chains);
  const before = await reach(origin, () =>
    aggregatedMessageStatus({ origin: endpoint, messageId: id, destination: lookup.resolve }),
  );
  const dest = lookup.require("aggregated", before.destination);
  const route = `${origin.entry.name} -> ${dest.entry.name} over ${contract}`;
  const statusLine = commandLine(ctx, "status", [id], READ_ONLY);
  if (before.status === "EXECUTED") {
    ctx.out.result({ messageId: id, kind: "aggregatedMessage", status: "EXECUTED", retried: false }, [
      `aggregated message ${id} (${route}) is already EXECUTED: nothing to retry`,
    ]);
    return ExitCode.OK;
  }
  if (before.status !== "FAILED")
    throw new CliError(
      `aggregated message ${id} (${route}) is ${before.status}, not FAILED: only a FAILED message can be retried`,
      ExitCode.FAILED,
      `${before.next.text}; check it with ${statusLine}`,
    );
  const envelope = before.envelope;
  const envelopeBytes = before.envelopeBytes;
  const destinationAggregator = before.destinationAggregator;
  if (
    !envelope ||
    !envelopeBytes ||
    !destinationAggregator ||
    keccak256(envelopeBytes) !== before.record?.envelopeHash.toLowerCase()
  )
    throw new CliError(
      `aggregated message ${id} (${route}) is FAILED, but the recorded envelope was not found in the send's transaction`,
      ExitCode.FAILED,
      "the retry needs the recorded envelope (an accepted leg's payload): send the destination aggregator's " +
        "retry(originAggregator, envelope, gasLimit) yourself",
    );
  const gasLimit = gasOption ?? envelope.gasLimit;
  if (gasLimit < envelope.gasLimit)
    throw new CliError(
      `--gas ${gasLimit} is below the message's own gas limit ${envelope.gasLimit}`,
      ExitCode.USAGE,
      `the aggregator refuses less (TransportAggregatorRetryGasBelowLimit): pass --gas ${envelope.gasLimit} or more, or omit --gas`,
    );
  const last = before.failures.at(-1);
  ctx.out.progress(
    `aggregated message is FAILED on ${dest.entry.name}: ${last?.reason.text ?? "no failure event found"}`,
  );
  const account = accountFromEnv(keyEnv);
  ctx.out.progress(
    `retrying on ${dest.entry.name}'s aggregator ${destinationAggregator} with gas ${gasLimit}` +
      (gasLimit === envelope.gasLimit
        ? " (the message's own limit)"
        : ` (message limit ${envelope.gasLimit})`),
  );
  const destination = dest;
  let outcome;
  try {
    outcome = await reach(destination, () =>
      retryAggregatedMessage({
        publicClient: destination.publicClient,
        walletClient: destination.wallet(account),
        aggregator: destinationAggregator,
        originAggregator: endpoint.aggregator,
        envelope: envelopeBytes,
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
      (name && REFUSAL_HINTS[name]) ?? `check the reason above, then: ${statusLine}`,
    );
  }
  const tx = outcome.receipt.transactionHash;
  const lines = [
    `aggregated message ${id} (${route}) retried in tx ${tx} with gas ${gasLimit}: ${outcome.status} (same id)`,
    `  transaction gas used ${outcome.receipt.gasUsed}`,
  ];
  const again = [
    "--from",
    origin.entry.name,
    ...(ctx.values.aggregator ? ["--aggregator", endpoint.aggregator] : []),
  ];
  if (outcome.failure) {
    lines.push(`  recipient reverted: ${outcome.failure.reason.text}`);
    lines.push(
      outcome.failure.revertData === "0x"
        ? `  no revert data is typical of running out of gas: retry with more, e.g. ` +
            commandLine(ctx, "retry", [id, ...again, "--gas", String(gasLimit * 2)])
        : "  still FAILED: fix what the recipient rejects, then retry again (anyone may)",
    );
  }
  ctx.out.result(
    {
      messageId: outcome.messageId,
      kind: "aggregatedMessage",
      aggregator: contract,
      origin: origin.entry.name,
      destination: destination.entry.name,
      originAggregator: endpoint.aggregator,
      destinationAggregator,
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
    "concord retry <messageId> [--gas <n>] [--from <chain>] [--aggregator <address>] [--key-env <VAR>] " +
    "[--config <chains.json>] [--registry <dir>] [--json]",
  about: [
    "Finds the message (its Dispatched event on --from, else on every chain of the config), checks that it is",
    "FAILED on its destination, sends retry(message, gas) there and prints the outcome: EXECUTED, or still",
    "FAILED with the recipient's decoded revert reason. Anyone may retry; the transaction is paid by the key.",
    "An id no gateway dispatched is looked up on the transport adapters of the registries (contracts named",
    "*Adapter): a FAILED adapter message is retried with the destination adapter's retry(origin, originAdapter,",
    "envelope, gas), the envelope taken from the protocol's event in the send's transaction (Hyperlane, LayerZero,",
    "Axelar, Wormhole, CCIP's OnRamp) or, when none carries it (CCIP's local simulator), rebuilt from the adapter's",
    "own MessageSent and route nonce and checked against the id; the outcome is its Retried event.",
    "Then on the TransportAggregators (registry contracts named *Aggregator, or --aggregator): a FAILED aggregated",
    "(k-of-n) message is retried with the destination aggregator's retry(originAggregator, envelope, gas), the",
    "recorded envelope taken from an accepted leg of the send; the id stays the same. The aggregator counts the",
    "receipts again over its current receive set: a refusal is printed decoded, with what to do.",
    "Exits 0 EXECUTED (or already EXECUTED), 1 still FAILED, refused or not FAILED, 2 bad usage (--gas below the",
    "message's limit), 5 message not found.",
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
    aggregator: {
      value: "<address>",
      text: "also look the id up on this TransportAggregator (on every chain of the config where it has code)",
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
    aggregator: { type: "string" },
    "key-env": { type: "string" },
    "from-block": { type: "string" },
  },
  run: retry,
};
