// `concord send`: sends a message through the origin chain's ConcordGateway (optionally paying the relayer's gas).
import { type Address, type Hex, getAddress, isAddress, isHex, stringToHex } from "viem";

import { sendMessage } from "../../src/index.js";
import { accountFromEnv, chainByName, contractOn, loadChains, reach } from "../chains.js";
import { requireOption, type CommandContext } from "../main.js";
import { CliError, ExitCode } from "../output.js";

export async function send(ctx: CommandContext): Promise<ExitCode> {
  const chains = loadChains(ctx);
  const from = chainByName(chains, requireOption(ctx, "from"));
  const to = chainByName(chains, requireOption(ctx, "to"));
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
  ctx.out.progress(`sending ${(payload.length - 2) / 2} bytes ${from.entry.name} -> ${to.entry.name}`);
  const sent = await reach(
    from,
    sendMessage({
      publicClient: from.publicClient,
      walletClient: from.wallet(account),
      gateway,
      destination: to.entry.domain,
      recipient: getAddress(recipient) as Address,
      payload,
      gasLimit,
      gasPayment: ctx.values.pay ? { paymaster: contractOn(from, "GasPaymaster") } : undefined,
    }),
  );
  ctx.out.result(
    {
      messageId: sent.messageId,
      origin: from.entry.name,
      destination: to.entry.name,
      nonce: sent.decoded.nonce,
      transactionHash: sent.receipt.transactionHash,
      gasPayment: sent.gasPayment ? { value: sent.gasPayment.value } : undefined,
    },
    [
      `message ${sent.messageId}`,
      `  ${from.entry.name} -> ${to.entry.name}, nonce ${sent.decoded.nonce}, tx ${sent.receipt.transactionHash}`,
      sent.gasPayment
        ? `  gas paid: ${sent.gasPayment.value} wei`
        : "  gas not prepaid (self-relay or a relayer's policy)",
      `  follow it: concord status ${sent.messageId}`,
    ],
  );
  return ExitCode.OK;
}
