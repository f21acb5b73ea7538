// `concord pay <messageId>`: pays a sent message's destination gas through the origin's GasPaymaster (e.g. when
// `send --pay` dispatched the message and its payment failed), or tops up a paid one with `--gas`.
import { type Address, type Hex, isHex } from "viem";

import {
  ConcordTransactionError,
  decodeConcordError,
  decodeConcordMessage,
  describeError,
  paymasterAbi,
  payForGas,
  revertData,
} from "../../src/index.js";
import { accountFromEnv, contractOn, findMessage, loadChains, reach } from "../chains.js";
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

export async function pay(ctx: CommandContext): Promise<ExitCode> {
  const id = ctx.args[0];
  if (!id || !isHex(id) || id.length !== 66)
    throw new CliError(
      "give the message id (32 bytes hex)",
      ExitCode.USAGE,
      "concord pay 0x… --from <chain>",
    );
  const gasText = ctx.values.gas;
  const topUp = gasText === undefined ? undefined : Number(gasText);
  if (topUp !== undefined && (!/^\d+$/.test(String(gasText)) || !Number.isSafeInteger(topUp) || topUp <= 0))
    throw new CliError(`--gas ${String(gasText)} is not a gas amount`, ExitCode.USAGE, "e.g. --gas 100000");
  const from = typeof ctx.values.from === "string" ? ctx.values.from : undefined;
  const chains = loadChains(ctx);
  const account = accountFromEnv(String(ctx.values["key-env"] ?? "CONCORD_PRIVATE_KEY"));
  const found = await findMessage(chains, id as Hex, from);
  if (!found)
    throw new CliError(
      `no message ${id} was sent from ${from ?? Object.keys(chains.byName).join(", ")}`,
      ExitCode.NOT_FOUND,
      "check the id, --from, and that --config/--registry name the chain it was sent on",
    );
  const origin = found.origin;
  const decoded = decodeConcordMessage(found.message);
  const paymaster = contractOn(origin, "GasPaymaster") as Address;
  const [paidGas, paid] = (await reach(origin, () =>
    origin.publicClient.readContract({
      address: paymaster,
      abi: paymasterAbi(),
      functionName: "gasPayment",
      args: [id, decoded.destination],
    }),
  )) as readonly [bigint, bigint];
  if (paidGas > 0n && topUp === undefined) {
    ctx.out.result({ messageId: id, paid: true, gasAmount: paidGas, payment: paid, transactionHash: null }, [
      `message ${id} is already paid for: ${paidGas} gas, ${paid} wei; nothing to do`,
      `  to add gas: ${commandLine(ctx, "pay", [id, "--from", origin.entry.name, "--gas", "<gas>"])}`,
    ]);
    return ExitCode.OK;
  }
  const gas = topUp ?? decoded.gasLimit;
  let payment;
  try {
    payment = await reach(origin, () =>
      payForGas({
        publicClient: origin.publicClient,
        walletClient: origin.wallet(account),
        paymaster,
        messageId: id as Hex,
        destination: decoded.destination,
        gasLimit: gas,
        onTransaction: (hash) => ctx.out.progress(`payment transaction ${hash} sent on ${origin.entry.name}`),
      }),
    );
  } catch (e) {
    if (e instanceof CliError) throw e;
    const data = revertData(e);
    const reason =
      data !== undefined
        ? decodeConcordError(data).text
        : e instanceof ConcordTransactionError
          ? (e.details ?? e.shortMessage)
          : describeError(e);
    throw new CliError(
      `paying for message ${id} on ${origin.entry.name} failed: ${reason}`,
      /GasOracleUnknownDomain/.test(reason) ? ExitCode.CONFIG : ExitCode.FAILED,
      /GasOracleUnknownDomain/.test(reason)
        ? `the origin's gas oracle has no gas price for domain ${decoded.destination}: set its gasPrice in the ` +
            `config and run ${commandLine(ctx, "deploy", [], ["config", "registry"])}`
        : undefined,
    );
  }
  ctx.out.result(
    {
      messageId: id,
      paid: true,
      gasAmount: paidGas + BigInt(gas),
      value: payment.value,
      transactionHash: payment.receipt.transactionHash,
    },
    [
      `message ${id}: paid ${payment.value} wei for ${gas} gas${paidGas > 0n ? " more" : ""} ` +
        `(tx ${payment.receipt.transactionHash})`,
      `  follow it: ${commandLine(ctx, "status", [id], READ_ONLY)}`,
    ],
  );
  return ExitCode.OK;
}

/** `concord pay`: summary, usage, options with their help text, environment and examples. */
export const payCommand: Command = {
  summary: "pay (or top up) a sent message's destination gas through the origin's GasPaymaster",
  usage:
    "concord pay <messageId> [--from <chain>] [--gas <n>] [--key-env <VAR>] [--config <chains.json>] " +
    "[--registry <dir>]",
  about: [
    "Completes a `send --pay` whose payment failed. A message already paid for is left alone unless --gas asks",
    "for more gas (a top-up). The payment is quoted by the paymaster; overpayment is refundable to the payer.",
  ],
  docs: {
    from: { value: "<chain>", text: "the origin chain (default: search every chain of the config)" },
    gas: {
      value: "<n>",
      text: "gas to pay for (default: the message's gas limit; on a paid message: a top-up)",
    },
    "key-env": KEY_ENV_DOC,
    ...CONFIG_DOCS,
    "from-block": FROM_BLOCK_DOC,
  },
  env: SENDER_ENV,
  examples: ["CONCORD_PRIVATE_KEY=0x… concord pay 0x3f…c1 --from chainA --config my-chains.json"],
  options: {
    ...configOptions,
    from: { type: "string" },
    gas: { type: "string" },
    "key-env": { type: "string" },
    "from-block": { type: "string" },
  },
  run: pay,
};
