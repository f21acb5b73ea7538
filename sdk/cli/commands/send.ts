// `concord send`: sends a message through the origin chain's ConcordGateway (optionally paying the relayer's gas).
import {
  type Address,
  type Hex,
  type TransactionReceipt,
  getAddress,
  isAddress,
  isHex,
  stringToHex,
} from "viem";

import {
  ConcordTransactionError,
  decodeConcordError,
  describeError,
  gatewayAbi,
  payForGas,
  quoteMessageFee,
  revertData,
  sendMessage,
} from "../../src/index.js";
import {
  type CliChain,
  accountFromEnv,
  chainByName,
  checkChain,
  contractOn,
  loadChains,
  reach,
} from "../chains.js";
import { READ_ONLY, commandLine } from "../hints.js";
import {
  type Command,
  type CommandContext,
  requireOption,
  CONFIG_DOCS,
  KEY_ENV_DOC,
  SENDER_ENV,
  configOptions,
} from "../command.js";
import { CliError, ExitCode } from "../output.js";

export async function send(ctx: CommandContext): Promise<ExitCode> {
  const chains = loadChains(ctx);
  const fromName = requireOption(ctx, "from");
  const toName = requireOption(ctx, "to");
  if (fromName === toName)
    throw new CliError(
      `--from and --to are both ${fromName}: a message to its own chain is never delivered ` +
        "(no gateway has a route for messages from its own chain)",
      ExitCode.USAGE,
      "pick another --to",
    );
  const from = chainByName(chains, fromName);
  const to = chainByName(chains, toName);
  const recipient = requireOption(ctx, "recipient");
  if (!isAddress(recipient)) throw new CliError(`--recipient ${recipient} is not an address`, ExitCode.USAGE);
  const data = ctx.values.data;
  const text = ctx.values.text;
  if (data !== undefined && text !== undefined)
    throw new CliError("give --data or --text, not both", ExitCode.USAGE);
  let payload: Hex = "0x";
  if (typeof data === "string") {
    if (!isHex(data)) throw new CliError(`--data must be 0x-prefixed hex`, ExitCode.USAGE);
    payload = data;
  } else if (typeof text === "string") {
    payload = stringToHex(text);
  }
  const gasLimitOption = ctx.values["gas-limit"];
  const gasLimit = gasLimitOption === undefined ? undefined : Number(gasLimitOption);
  if (gasLimit !== undefined && (!Number.isInteger(gasLimit) || gasLimit <= 0 || gasLimit > 0xffffffff)) {
    throw new CliError(`--gas-limit must be a positive 32-bit integer`, ExitCode.USAGE);
  }
  const account = accountFromEnv(String(ctx.values["key-env"] ?? "CONCORD_PRIVATE_KEY"));
  const gateway = contractOn(from, "ConcordGateway");
  const paymaster = ctx.values.pay ? contractOn(from, "GasPaymaster") : undefined;
  await checkChain(from);
  await checkRoute(ctx, from, to, gateway);

  // --pay: quote (and check the balance) before anything is sent, so a missing gas price sends nothing.
  let quote: bigint | undefined;
  if (paymaster) {
    const limit =
      gasLimit ??
      Number(
        await reach(from, () =>
          from.publicClient.readContract({
            address: gateway,
            abi: gatewayAbi(),
            functionName: "defaultGasLimit",
          }),
        ),
      );
    quote = await quotePaymentOrExplain(ctx, from, to, paymaster, limit);
    const balance = await reach(from, () => from.publicClient.getBalance({ address: account.address }));
    if (balance < quote)
      throw new CliError(
        `${account.address} holds ${balance} wei on ${from.entry.name}, less than the gas payment of ${quote} wei: ` +
          "nothing was sent",
        ExitCode.FAILED,
        `fund the account on ${from.entry.name}, or send without --pay`,
      );
    ctx.out.progress(`gas payment: ${quote} wei for ${limit} gas on ${to.entry.name}`);
  }

  ctx.out.progress(`sending ${(payload.length - 2) / 2} bytes ${from.entry.name} -> ${to.entry.name}`);
  let sent;
  try {
    sent = await reach(from, () =>
      sendMessage({
        publicClient: from.publicClient,
        walletClient: from.wallet(account),
        gateway,
        destination: to.entry.domain,
        recipient: getAddress(recipient) as Address,
        payload,
        gasLimit,
        onTransaction: (hash) => ctx.out.progress(`dispatch transaction ${hash} sent on ${from.entry.name}`),
      }),
    );
  } catch (e) {
    if (e instanceof ConcordTransactionError)
      throw new CliError(
        `${from.entry.name}'s gateway refused the message: ${e.details ?? e.shortMessage}; nothing was sent`,
        ExitCode.FAILED,
      );
    throw e;
  }
  const id = sent.messageId;
  const follow = commandLine(ctx, "status", [id], READ_ONLY);
  ctx.out.progress(
    `message ${id} dispatched (nonce ${sent.decoded.nonce}, block ${sent.receipt.blockNumber})`,
  );

  let payment: { value: bigint; receipt: TransactionReceipt } | undefined;
  let paymentError: CliError | undefined;
  if (paymaster) {
    try {
      payment = await reach(from, () =>
        payForGas({
          publicClient: from.publicClient,
          walletClient: from.wallet(account),
          paymaster,
          messageId: id,
          destination: to.entry.domain,
          gasLimit: sent.decoded.gasLimit,
          onTransaction: (hash) => ctx.out.progress(`payment transaction ${hash} sent on ${from.entry.name}`),
        }),
      );
    } catch (e) {
      const reason =
        e instanceof ConcordTransactionError
          ? (e.details ?? e.shortMessage)
          : e instanceof CliError
            ? e.message
            : describeError(e);
      paymentError = new CliError(
        `message ${id} was sent (tx ${sent.receipt.transactionHash}), but paying for its gas failed: ${reason}`,
        e instanceof CliError ? e.code : ExitCode.FAILED,
        `do not send it again. Pay for it: ${commandLine(ctx, "pay", [id, "--from", from.entry.name])}` +
          ` (it is on its way unpaid meanwhile: ${follow})`,
      );
    }
  }
  ctx.out.result(
    {
      messageId: id,
      origin: from.entry.name,
      destination: to.entry.name,
      nonce: sent.decoded.nonce,
      transactionHash: sent.receipt.transactionHash,
      gasPayment: payment
        ? { value: payment.value, transactionHash: payment.receipt.transactionHash }
        : paymentError
          ? { paid: false, error: paymentError.message }
          : undefined,
    },
    [
      `message ${id}`,
      `  ${from.entry.name} -> ${to.entry.name}, nonce ${sent.decoded.nonce}, tx ${sent.receipt.transactionHash}`,
      payment
        ? `  gas paid: ${payment.value} wei (tx ${payment.receipt.transactionHash})`
        : paymentError
          ? "  gas NOT paid (see the error below)"
          : "  gas not prepaid (self-relay or a relayer's policy)",
      `  follow it: ${follow}`,
    ],
  );
  if (paymentError) throw paymentError;
  return ExitCode.OK;
}

/**
 * The paymaster's quote for `gasLimit` gas on `to`, or a CLI error saying what is missing (nothing has been sent
 * yet): a destination without a gas price on the origin's oracle names the config key that fixes it.
 */
async function quotePaymentOrExplain(
  ctx: CommandContext,
  from: CliChain,
  to: CliChain,
  paymaster: Address,
  gasLimit: number,
): Promise<bigint> {
  try {
    return await reach(from, () =>
      quoteMessageFee({ publicClient: from.publicClient, paymaster, destination: to.entry.domain, gasLimit }),
    );
  } catch (e) {
    if (e instanceof CliError) throw e;
    const data = revertData(e);
    const decoded = data ? decodeConcordError(data) : undefined;
    if (decoded?.name === "GasOracleUnknownDomain")
      throw new CliError(
        `${from.entry.name}'s gas oracle has no gas price for ${to.entry.name} (${decoded.text}): nothing was sent`,
        ExitCode.CONFIG,
        `set chains.${to.entry.name}.gasPrice in the config and run ` +
          `${commandLine(ctx, "deploy", [], ["config", "registry"])}, or send without --pay`,
      );
    throw new CliError(
      `cannot quote the gas payment on ${from.entry.name}: ${decoded?.text ?? describeError(e)}; nothing was sent`,
      ExitCode.FAILED,
    );
  }
}

/**
 * Refuses a message nothing could deliver: the destination gateway has no route for the origin, or enrolls another
 * origin gateway (a self-send is the common case: no gateway routes messages from its own chain). When the
 * destination is not deployed in the registry or cannot be reached, the check is skipped with a warning.
 */
async function checkRoute(
  ctx: CommandContext,
  from: CliChain,
  to: CliChain,
  gateway: Address,
): Promise<void> {
  const destGateway = to.deployment?.contracts.ConcordGateway;
  if (!destGateway) {
    ctx.out.progress(
      `warning: ${to.entry.name} is not in the registry; its route for ${from.entry.name} is unchecked`,
    );
    return;
  }
  let route: readonly [Address, number, boolean, Address];
  try {
    route = (await reach(to, () =>
      to.publicClient.readContract({
        address: destGateway,
        abi: gatewayAbi(),
        functionName: "route",
        args: [from.entry.domain],
      }),
    )) as readonly [Address, number, boolean, Address];
  } catch (e) {
    // A destination URL that serves another chain is a configuration error; one that does not answer is not fatal.
    if (e instanceof CliError && e.code === ExitCode.CONFIG) throw e;
    ctx.out.progress(
      `warning: cannot read ${to.entry.name}'s route (${(e as Error).message.split("\n")[0]})`,
    );
    return;
  }
  const [, instance, , originGateway] = route;
  if (instance === 0)
    throw new CliError(
      `${to.entry.name} has no route for messages from ${from.entry.name}: nothing would deliver this message`,
      ExitCode.CONFIG,
      `wire the route: ${commandLine(ctx, "deploy", [], ["config", "registry"])} with both chains in the config ` +
        "(the destination's admin calls setRoute)",
    );
  if (getAddress(originGateway) !== getAddress(gateway))
    throw new CliError(
      `${to.entry.name} accepts messages from ${from.entry.name}'s gateway ${originGateway}, not from ${gateway}`,
      ExitCode.CONFIG,
      "check --registry: it names another deployment than the destination's route",
    );
}

/** `concord send`: summary, usage, options with their help text, environment and examples. */
export const sendCommand: Command = {
  summary: "send a message through a Concord gateway (optionally prepaying the relayer's gas)",
  usage:
    "concord send --from <chain> --to <chain> --recipient <address> [--data <hex> | --text <utf8>] " +
    "[--gas-limit <n>] [--pay] [--key-env <VAR>] [--config <chains.json>] [--registry <dir>]",
  about: [
    "Refuses (exit 3) a message the destination has no route for, and --from equal to --to (exit 2). With --pay",
    "it quotes the payment before sending anything; then prints the message id as soon as it is dispatched, and",
    "if the payment fails afterwards, says so and prints the `concord pay` command that completes it.",
  ],
  docs: {
    from: { value: "<chain>", text: "origin chain (a key of the config's chains)" },
    to: { value: "<chain>", text: "destination chain (another key)" },
    recipient: { value: "<address>", text: "the ERC-7786 recipient on the destination" },
    data: { value: "<hex>", text: "payload as 0x-prefixed hex" },
    text: { value: "<utf8>", text: "payload as text (UTF-8)" },
    "gas-limit": {
      value: "<n>",
      text: "gas the recipient gets on the destination (default: the gateway's)",
    },
    pay: { text: "prepay the destination gas through the origin's GasPaymaster (a second transaction)" },
    "key-env": KEY_ENV_DOC,
    ...CONFIG_DOCS,
  },
  env: SENDER_ENV,
  examples: [
    "CONCORD_PRIVATE_KEY=0x… concord send --from chainA --to chainB --recipient 0x5FbD… --text hello --pay " +
      "--config my-chains.json",
  ],
  options: {
    ...configOptions,
    from: { type: "string" },
    to: { type: "string" },
    recipient: { type: "string" },
    data: { type: "string" },
    text: { type: "string" },
    "gas-limit": { type: "string" },
    pay: { type: "boolean", default: false },
    "key-env": { type: "string" },
  },
  run: send,
};
