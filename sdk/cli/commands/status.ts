// `concord status <id>`: where a message (or a flow) is, across its chains, with timestamps.
import { type Address, type Hex, getAddress, isAddress, isAddressEqual, isHex } from "viem";

import {
  type AdapterEndpoint,
  type AggregatorEndpoint,
  type FlowStatusReturnType,
  adapterMessageStatus,
  aggregatedMessageStatus,
  decodeConcordMessage,
  findAdapterSend,
  flowEvents,
  flowStatus,
  messageStatus,
} from "../../src/index.js";
import { type CliChain, type CliChains, findMessage, loadChains, reach } from "../chains.js";
import { commandLine } from "../hints.js";
import { aggregatedMessageRows, aggregatedSummary } from "../aggregated.js";
import { adapterMessageRows, flowRows, messageRows, rowLine, rowsJson, withTimestamps } from "../timeline.js";
import { type Command, type CommandContext, CONFIG_DOCS, FROM_BLOCK_DOC, configOptions } from "../command.js";
import { CliError, ExitCode, isoTime } from "../output.js";

export async function status(ctx: CommandContext): Promise<ExitCode> {
  const id = ctx.args[0];
  if (!id || !isHex(id) || id.length !== 66) {
    throw new CliError("give a message id or flow id (32 bytes hex)", ExitCode.USAGE, "concord status 0x…");
  }
  const chains = loadChains(ctx);
  const deployed = [...chains.byDomain.values()].filter((c) => c.deployment);
  if (deployed.length === 0) {
    throw new CliError("no chain of the config is deployed", ExitCode.CONFIG, "run `concord deploy` first");
  }
  // a message id: one gateway has a Dispatched event with it (read page by page from each chain's deploy block)
  const found = await findMessage(chains, id as Hex);
  if (found) return messageReport(ctx, chains, found.origin, id as Hex, found.message);
  // an adapter message: one transport adapter (a registry contract named *Adapter) has a MessageSent with it
  for (const origin of deployed) {
    for (const [name, adapter] of Object.entries(origin.deployment!.contracts)) {
      if (!name.endsWith("Adapter")) continue;
      const endpoint: AdapterEndpoint = { ...endpointOf(origin, adapter), adapter };
      const sent = await reach(origin, () => findAdapterSend(endpoint, id as Hex));
      if (sent) return adapterReport(ctx, chains, origin, name, endpoint, id as Hex);
    }
  }
  // an aggregated message: one TransportAggregator (registry contracts named *Aggregator, or --aggregator) sent it
  const given = ctx.values.aggregator;
  if (given !== undefined && (typeof given !== "string" || !isAddress(given)))
    throw new CliError("--aggregator takes an address (0x + 40 hex)", ExitCode.USAGE);
  for (const origin of deployed) {
    const candidates = Object.entries(origin.deployment!.contracts)
      .filter(([name]) => name.endsWith("Aggregator"))
      .map(([name, address]) => [name, address] as [string, Address]);
    if (typeof given === "string" && !candidates.some(([, a]) => isAddressEqual(a, given)))
      candidates.push(["TransportAggregator", getAddress(given)]);
    for (const [name, aggregator] of candidates) {
      if (
        ((await reach(origin, () => origin.publicClient.getCode({ address: aggregator }))) ?? "0x") === "0x"
      )
        continue;
      const endpoint: AggregatorEndpoint = { ...endpointOf(origin, aggregator), aggregator };
      const s = await reach(origin, () =>
        aggregatedMessageStatus({ origin: endpoint, messageId: id as Hex }),
      );
      if (s.status !== "UNKNOWN") return aggregatedReport(ctx, chains, origin, name, endpoint, id as Hex);
    }
  }
  // a flow id: one escrow has a FlowOpened event with it
  for (const origin of deployed) {
    const escrow = origin.deployment!.contracts.FlowEscrow;
    if (!escrow) continue;
    const events = await reach(origin, () => flowEvents(endpointOf(origin, escrow), id as Hex));
    const opened = events.find((e) => e.eventName === "FlowOpened");
    if (opened)
      return flowReport(
        ctx,
        chains,
        origin,
        id as Hex,
        opened.args.flow as { destinationDomain: number; executor: Hex; escrow: Hex; deadline: bigint },
      );
  }
  throw new CliError(
    `${id} is neither a message nor a flow on ${deployed.map((c) => c.entry.name).join(", ")}`,
    ExitCode.NOT_FOUND,
    "check the id and that --config/--registry name the chains it was sent on " +
      "(and --from-block, if given, is at or before the block it was sent in)",
  );
}

function endpointOf(chain: CliChain, address: Hex) {
  return { publicClient: chain.publicClient, address, fromBlock: chain.fromBlock, logPager: chain.pager };
}

async function messageReport(
  ctx: CommandContext,
  chains: CliChains,
  origin: CliChain,
  id: Hex,
  message: Hex,
) {
  const decoded = decodeConcordMessage(message);
  const dest = chains.byDomain.get(decoded.destination);
  if (!dest?.deployment) {
    ctx.out.result({ messageId: id, status: "SENT", destination: decoded.destination }, [
      `message ${id}: SENT on ${origin.entry.name} to domain ${decoded.destination} (not in this config)`,
    ]);
    return ExitCode.OK;
  }
  const s = await reach(dest, () =>
    messageStatus({
      origin: {
        publicClient: origin.publicClient,
        gateway: origin.deployment!.contracts.ConcordGateway!,
        fromBlock: origin.fromBlock,
        logPager: origin.pager,
      },
      destination: {
        publicClient: dest.publicClient,
        gateway: dest.deployment!.contracts.ConcordGateway!,
        fromBlock: dest.fromBlock,
        logPager: dest.pager,
      },
      messageId: id,
    }),
  );
  const o = origin.entry.name;
  const d = dest.entry.name;
  const ordered = messageRows(s, o, d);
  const lines = [
    `message ${id}: ${s.status}${s.retried ? " (retried)" : ""}`,
    `  ${o} -> ${d}, nonce ${decoded.nonce}, gas limit ${decoded.gasLimit}`,
    ...ordered.map((r) => `  ${rowLine(r)}`),
  ];
  const relayerRecord = await relayerView(ctx, id);
  if (relayerRecord) lines.push(...relayerRecord.lines);
  if (s.status === "SENT") {
    if (s.route?.instance === 0)
      lines.push(
        `  next: ${d} has no route for ${o}'s gateway: nothing can deliver it until the destination's admin ` +
          `enrolls one (setRoute): ${commandLine(ctx, "deploy", [], ["config", "registry"])}`,
      );
    else if (s.route?.paused)
      lines.push(`  next: ${d}'s route for ${o} is paused: delivery waits for unpause`);
    else
      lines.push(
        `  next: a relayer delivers it; or self-relay it with ${o}'s validators' URLs: ` +
          commandLine(
            ctx,
            "relay",
            [id, "--from", o, "--validators", "<url,url,...>"],
            ["config", "registry"],
          ),
      );
  }
  if (s.status === "FAILED") {
    const last = s.failures.at(-1);
    const outOfGas = last?.revertData === "0x";
    const retry = commandLine(
      ctx,
      "retry",
      [id, "--from", o, ...(outOfGas ? ["--gas", String(decoded.gasLimit * 2)] : [])],
      ["config", "registry"],
    );
    lines.push(
      outOfGas
        ? `  next: anyone can retry it (no revert data: it likely ran out of gas; give more than its limit): ${retry}`
        : `  next: anyone can retry it, once what the recipient rejects is fixed: ${retry}`,
    );
  }
  ctx.out.result(
    {
      kind: "message",
      origin: o,
      destination: d,
      ...s,
      timeline: rowsJson(ordered),
      ...(relayerRecord ? { relayer: relayerRecord.record } : {}),
    },
    lines,
  );
  return s.status === "FAILED" ? ExitCode.FAILED : ExitCode.OK;
}

async function adapterReport(
  ctx: CommandContext,
  chains: CliChains,
  origin: CliChain,
  contract: string,
  endpoint: AdapterEndpoint,
  id: Hex,
) {
  let destinationChain: CliChain | undefined;
  const s = await reach(origin, () =>
    adapterMessageStatus({
      origin: endpoint,
      messageId: id,
      destination: (domain) => {
        destinationChain = chains.byDomain.get(domain);
        return destinationChain ? endpointOf(destinationChain, endpoint.adapter) : undefined;
      },
    }),
  );
  const o = origin.entry.name;
  const d = destinationChain?.entry.name ?? `domain ${s.destination}`;
  const ordered = adapterMessageRows(s, o, d);
  const protocol = s.protocolMessage
    ? ` (${s.protocolMessage.protocol} message ${s.protocolMessage.messageId})`
    : s.envelopeSource === "adapter-events"
      ? " (no protocol event carries the envelope: rebuilt from the adapter's MessageSent and nonce)"
      : "";
  const lines = [
    `adapter message ${id}: ${s.status}${s.retried ? " (retried)" : ""}`,
    `  ${o} -> ${d} over ${contract}${protocol}` +
      (s.envelope ? `, nonce ${s.envelope.nonce}, gas limit ${s.envelope.gasLimit}` : ""),
    `  from ${s.envelope?.sender ?? s.sent?.sender} to ${s.sent?.recipientAddress} (${d}'s adapter ${s.destinationAdapter})`,
    ...ordered.map((r) => `  ${rowLine(r)}`),
    `  next: ${s.next.text}`,
  ];
  if (s.next.retry) {
    const gas = s.next.retry.args[3] as number;
    const more = s.envelope && gas !== s.envelope.gasLimit ? ["--gas", String(gas)] : [];
    lines.push(
      `  retry (anyone; ${commandLine(ctx, "retry", [id, "--from", o, ...more])} sends it): send to ${s.next.retry.to} on ${d}: ` +
        s.next.retry.call,
      `    calldata ${s.next.retry.data}`,
    );
  }
  ctx.out.result(
    {
      kind: "adapterMessage",
      adapter: contract,
      originChain: o,
      destinationChain: destinationChain?.entry.name ?? null,
      ...s,
      timeline: rowsJson(ordered),
    },
    lines,
  );
  return s.status === "FAILED" ? ExitCode.FAILED : ExitCode.OK;
}

async function aggregatedReport(
  ctx: CommandContext,
  chains: CliChains,
  origin: CliChain,
  contract: string,
  endpoint: AggregatorEndpoint,
  id: Hex,
) {
  let destinationChain: CliChain | undefined;
  const s = await reach(origin, () =>
    aggregatedMessageStatus({
      origin: endpoint,
      messageId: id,
      destination: (domain) => {
        destinationChain = chains.byDomain.get(domain);
        return destinationChain ? endpointOf(destinationChain, endpoint.aggregator) : undefined;
      },
    }),
  );
  const o = origin.entry.name;
  const d = destinationChain?.entry.name ?? `domain ${s.destination}`;
  // gateways by their registry names on each chain
  const namer = (chain: "origin" | "destination", gateway: Address) => {
    const side = chain === "origin" ? origin : destinationChain;
    const found = Object.entries(side?.deployment?.contracts ?? {}).find(([, a]) =>
      isAddressEqual(a, gateway),
    );
    return found ? `${found[0]} ${gateway}` : gateway;
  };
  const ordered = aggregatedMessageRows(s, o, d, namer);
  const retryGas = s.next.call?.functionName === "retry" ? (s.next.call.args[2] as number) : undefined;
  const retryLine = commandLine(ctx, "retry", [
    id,
    "--from",
    o,
    ...(typeof ctx.values.aggregator === "string" ? ["--aggregator", endpoint.aggregator] : []),
    ...(retryGas !== undefined && s.envelope && retryGas !== s.envelope.gasLimit
      ? ["--gas", String(retryGas)]
      : []),
  ]);
  const lines = [
    `aggregated message ${id}: ${s.status}${s.retried ? " (retried)" : ""}`,
    `  ${o} -> ${d} over ${contract} ${s.originAggregator} (${d}'s aggregator ${s.destinationAggregator})` +
      (s.envelope
        ? `, nonce ${s.envelope.nonce}, version ${s.envelope.version}, gas limit ${s.envelope.gasLimit}`
        : ""),
    `  from ${s.envelope?.sender ?? s.sent?.sender} to ${s.sent?.recipientAddress}`,
    ...ordered.map((r) => `  ${rowLine(r)}`),
    ...aggregatedSummary(s, d, retryLine).map((l) => `  ${l}`),
  ];
  ctx.out.result(
    {
      kind: "aggregatedMessage",
      aggregator: contract,
      originChain: o,
      destinationChain: destinationChain?.entry.name ?? null,
      ...s,
      timeline: rowsJson(ordered),
    },
    lines,
  );
  return s.status === "FAILED" || s.status === "QUARANTINED" ? ExitCode.FAILED : ExitCode.OK;
}

/** The relayer's record of the message, from `--relayer <url>` (its HTTP status API), as extra status lines. */
async function relayerView(
  ctx: CommandContext,
  id: Hex,
): Promise<{ record: RelayerMessageView | null; lines: string[] } | undefined> {
  const url = ctx.values.relayer;
  if (typeof url !== "string") return undefined;
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/$/, "")}/messages/${id}`, { signal: AbortSignal.timeout(5_000) });
  } catch (e) {
    throw new CliError(
      `relayer ${url} is unreachable: ${(e as Error).message}`,
      ExitCode.UNREACHABLE,
      "check --relayer (the relayer's HTTP status URL, printed when it starts)",
    );
  }
  if (res.status === 404) return { record: null, lines: [`  relayer: has no record of this message`] };
  if (!res.ok)
    throw new CliError(`relayer ${url} answered HTTP ${res.status}`, ExitCode.UNREACHABLE, "check --relayer");
  const record = (await res.json()) as RelayerMessageView;
  const lines = [
    `  relayer: ${record.status}${record.outcome ? ` (outcome ${record.outcome})` : ""}` +
      (record.error ? `: ${record.error}` : ""),
  ];
  if (record.retry?.state)
    lines.push(
      `  relayer auto-retry: ${record.retry.state}, ${record.retry.attempts} attempt(s)` +
        (record.retry.note ? `: ${record.retry.note}` : ""),
    );
  for (const a of record.retryAttempts ?? [])
    lines.push(
      `    attempt ${a.attempt}: gas ${a.gasLimit}` +
        (a.gasUsed !== null ? `, tx gas used ${a.gasUsed}` : "") +
        `, ${a.outcome ?? "pending"}${a.txHash ? ` tx ${a.txHash}` : ""}${a.detail ? ` (${a.detail})` : ""}`,
    );
  return { record, lines };
}

/** The fields of the relayer's `GET /messages/<id>` answer this command shows. */
type RelayerMessageView = {
  status: string;
  outcome: string | null;
  error: string | null;
  retry?: { state: string | null; attempts: number; note: string | null };
  retryAttempts?: {
    attempt: number;
    gasLimit: number;
    gasUsed: number | null;
    outcome: string | null;
    txHash: string | null;
    detail: string | null;
  }[];
};

async function flowReport(
  ctx: CommandContext,
  chains: CliChains,
  origin: CliChain,
  id: Hex,
  flow: { destinationDomain: number; executor: Hex; escrow: Hex; deadline: bigint },
) {
  const dest = chains.byDomain.get(Number(flow.destinationDomain));
  if (!dest?.deployment) {
    throw new CliError(
      `flow ${id} goes to domain ${flow.destinationDomain}, which this config does not deploy`,
      ExitCode.CONFIG,
    );
  }
  const a = endpointOf(origin, flow.escrow);
  const b = endpointOf(dest, flow.executor);
  const s: FlowStatusReturnType = await reach(dest, () =>
    flowStatus({ origin: a, destination: b, flowId: id, deadline: flow.deadline }),
  );
  const perChain = [];
  for (const [chain, endpoint] of [
    [origin, a],
    [dest, b],
  ] as const) {
    const events = await reach(chain, () => flowEvents(endpoint, id));
    perChain.push({
      chain: chain.entry.name,
      events: await withTimestamps(
        events,
        async (blockNumber) => (await chain.publicClient.getBlock({ blockNumber })).timestamp,
      ),
    });
  }
  const ordered = flowRows(perChain);
  const lines = [
    `flow ${id}: ${dest.entry.name} ${s.destination.status}, ${origin.entry.name} ${s.origin.phase}` +
      (s.origin.phase === "NONE" ? "" : ` (outcome ${s.origin.outcome})`),
    `  deadline ${isoTime(flow.deadline)} (${dest.entry.name} time now ${isoTime(s.destinationTime)})`,
    ...ordered.map((r) => `  ${rowLine(r)}`),
    `  next: ${s.next}`,
  ];
  ctx.out.result(
    {
      kind: "flow",
      originChain: origin.entry.name,
      destinationChain: dest.entry.name,
      ...s,
      timeline: rowsJson(ordered),
    },
    lines,
  );
  return ExitCode.OK;
}

/** `concord status`: summary, usage, options with their help text, environment and examples. */
export const statusCommand: Command = {
  summary:
    "lifecycle of a message (gateway or transport adapter) or a flow across chains, with block numbers and timestamps",
  usage:
    "concord status <messageId|flowId> [--config <chains.json>] [--registry <dir>] [--from-block <n>] " +
    "[--relayer <url>] [--aggregator <address>]",
  about: [
    "Rows are ordered per chain by block and log index, across chains by block time (equal times by lifecycle",
    "step). Logs are read page by page from each chain's deploy block, adapting to the provider's limits. Prints",
    "the next step as a command line. A FAILED message exits 1 (`concord retry` re-executes it).",
    "A message id no gateway dispatched is looked up on every transport adapter of the registries (contracts named",
    "*Adapter): its send (fee), the protocol's message (Hyperlane, LayerZero, Axelar, Wormhole, CCIP OnRamp) whose",
    "body is the envelope (else the envelope rebuilt from the adapter's own events, e.g. CCIP's local simulator), its",
    "delivery, failures and retries; a FAILED adapter message prints the adapter's retry call and its calldata.",
    "Then on every TransportAggregator (registry contracts named *Aggregator, or --aggregator): one lifecycle of an",
    "aggregated (k-of-n) message: the send with each gateway's leg (its own id, accepted or failed and why), each",
    "gateway's receipt on the destination, the threshold, executed / failed / retried (same id) / quarantined, and the",
    "next call (execute, retry, or the operator's delayed release); a FAILED one prints the `concord retry` line",
    "that sends its retry (same id). FAILED and QUARANTINED exit 1.",
  ],
  docs: {
    ...CONFIG_DOCS,
    "from-block": FROM_BLOCK_DOC,
    aggregator: {
      value: "<address>",
      text: "also look the id up on this TransportAggregator (on every chain of the config where it has code)",
    },
    relayer: {
      value: "<url>",
      text:
        "also show a relayer's record of the message (its HTTP status API): status, why it cannot deliver " +
        "it, its automatic retries with gas used",
    },
  },
  examples: ["concord status 0x3f…c1 --config my-chains.json", "concord status 0x3f…c1 --json"],
  options: {
    ...configOptions,
    relayer: { type: "string" },
    aggregator: { type: "string" },
    "from-block": { type: "string" },
  },
  run: status,
};
