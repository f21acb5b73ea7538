// `concord status <id>`: where a message (or a flow) is, across its chains, with timestamps.
import { type Hex, isHex } from "viem";

import {
  type FlowStatusReturnType,
  decodeConcordMessage,
  flowEvents,
  flowStatus,
  gatewayAbi,
  messageStatus,
} from "../../src/index.js";
import { type CliChain, type CliChains, loadChains, reach } from "../chains.js";
import type { CommandContext } from "../main.js";
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
  // a message id: one gateway has a Dispatched event with it
  for (const origin of deployed) {
    const logs = await reach(
      origin,
      origin.publicClient.getContractEvents({
        address: origin.deployment!.contracts.ConcordGateway,
        abi: gatewayAbi(),
        eventName: "Dispatched",
        args: { messageId: id },
        fromBlock: "earliest",
        toBlock: "latest",
      }),
    );
    const log = logs[0] as { args: { message: Hex } } | undefined;
    if (log) return messageReport(ctx, chains, origin, id, log.args.message);
  }
  // a flow id: one escrow has a FlowOpened event with it
  for (const origin of deployed) {
    const escrow = origin.deployment!.contracts.FlowEscrow;
    if (!escrow) continue;
    const events = await reach(
      origin,
      flowEvents({ publicClient: origin.publicClient, address: escrow }, id),
    );
    const opened = events.find((e) => e.eventName === "FlowOpened");
    if (opened)
      return flowReport(
        ctx,
        chains,
        origin,
        id,
        opened.args.flow as { destinationDomain: number; executor: Hex; escrow: Hex; deadline: bigint },
      );
  }
  throw new CliError(
    `${id} is neither a message nor a flow on ${deployed.map((c) => c.entry.name).join(", ")}`,
    ExitCode.NOT_FOUND,
    "check the id and that --config/--registry name the chains it was sent on",
  );
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
  const s = await reach(
    dest,
    messageStatus({
      origin: { publicClient: origin.publicClient, gateway: origin.deployment!.contracts.ConcordGateway! },
      destination: { publicClient: dest.publicClient, gateway: dest.deployment.contracts.ConcordGateway! },
      messageId: id,
    }),
  );
  const lines = [`message ${id}: ${s.status}${s.retried ? " (retried)" : ""}`];
  lines.push(
    `  ${origin.entry.name} -> ${dest.entry.name}, nonce ${decoded.nonce}, gas limit ${decoded.gasLimit}`,
  );
  if (s.sent)
    lines.push(`  ${isoTime(s.sent.timestamp)}  SENT      ${origin.entry.name} block ${s.sent.blockNumber}`);
  if (s.delivered)
    lines.push(
      `  ${isoTime(s.delivered.timestamp)}  DELIVERED ${dest.entry.name} block ${s.delivered.blockNumber}`,
    );
  for (const f of s.failures) lines.push(`  ${isoTime(f.timestamp)}  FAILED    ${f.reason.text}`);
  for (const r of s.retries)
    lines.push(
      `  ${isoTime(r.timestamp)}  RETRIED   by ${r.caller} with gas ${r.gasLimit}, tx gas used ${r.gasUsed} ` +
        `(${r.success ? "succeeded" : "failed"})`,
    );
  if (s.executed)
    lines.push(
      `  ${isoTime(s.executed.timestamp)}  EXECUTED  ${dest.entry.name} block ${s.executed.blockNumber}`,
    );
  const relayerRecord = await relayerView(ctx, id);
  if (relayerRecord) lines.push(...relayerRecord.lines);
  if (s.status === "SENT") {
    if (s.route?.instance === 0)
      lines.push(
        `  next: ${dest.entry.name} has no route for ${origin.entry.name}'s gateway: nothing can deliver it until ` +
          "the destination admin enrolls one (setRoute, e.g. `concord deploy`)",
      );
    else if (s.route?.paused)
      lines.push(
        `  next: ${dest.entry.name}'s route for ${origin.entry.name} is paused: delivery waits for unpause`,
      );
    else
      lines.push(
        `  next: a relayer delivers it, or self-relay: concord relay ${id} --from ${origin.entry.name}`,
      );
  }
  if (s.status === "FAILED") {
    const last = s.failures.at(-1);
    const gasHint =
      last?.revertData === "0x"
        ? ` (no revert data: it likely ran out of gas; give more than its limit, e.g. --gas ${decoded.gasLimit * 2})`
        : " (first fix what the recipient rejects)";
    lines.push(`  next: anyone can retry it: concord retry ${id}${gasHint}`);
  }
  ctx.out.result(
    {
      kind: "message",
      origin: origin.entry.name,
      destination: dest.entry.name,
      ...s,
      ...(relayerRecord ? { relayer: relayerRecord.record } : {}),
    },
    lines,
  );
  return s.status === "FAILED" ? ExitCode.FAILED : ExitCode.OK;
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
  const a = { publicClient: origin.publicClient, address: flow.escrow };
  const b = { publicClient: dest.publicClient, address: flow.executor };
  const s: FlowStatusReturnType = await flowStatus({
    origin: a,
    destination: b,
    flowId: id,
    deadline: flow.deadline,
  });
  const rows: { t: bigint; line: string }[] = [];
  for (const [chain, endpoint] of [
    [origin, a],
    [dest, b],
  ] as const) {
    for (const e of await flowEvents(endpoint, id)) {
      const block = await chain.publicClient.getBlock({ blockNumber: e.blockNumber });
      rows.push({
        t: block.timestamp,
        line: `  ${isoTime(block.timestamp)}  ${e.eventName.padEnd(22)} ${chain.entry.name}`,
      });
    }
  }
  rows.sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : 0));
  const lines = [
    `flow ${id}: ${dest.entry.name} ${s.destination.status}, ${origin.entry.name} ${s.origin.phase}` +
      (s.origin.phase === "NONE" ? "" : ` (outcome ${s.origin.outcome})`),
    `  deadline ${isoTime(flow.deadline)} (B time now ${isoTime(s.destinationTime)})`,
    ...rows.map((r) => r.line),
    `  next: ${s.next}`,
  ];
  ctx.out.result(
    { kind: "flow", originChain: origin.entry.name, destinationChain: dest.entry.name, ...s },
    lines,
  );
  return ExitCode.OK;
}
