// `concord send`: sends a message through the origin chain's ConcordGateway (optionally paying the relayer's gas).
import { type Address, type Hex, getAddress, isAddress, isHex, stringToHex } from "viem";

import { gatewayAbi, sendMessage } from "../../src/index.js";
import { type CliChain, accountFromEnv, chainByName, contractOn, loadChains, reach } from "../chains.js";
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
  await checkRoute(ctx, from, to, gateway);
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
    route = (await to.publicClient.readContract({
      address: destGateway,
      abi: gatewayAbi(),
      functionName: "route",
      args: [from.entry.domain],
    })) as readonly [Address, number, boolean, Address];
  } catch (e) {
    ctx.out.progress(
      `warning: cannot read ${to.entry.name}'s route (${(e as Error).message.split("\n")[0]})`,
    );
    return;
  }
  const [, instance, , originGateway] = route;
  if (instance === 0)
    throw new CliError(
      from === to
        ? `${to.entry.name} has no route for messages from itself: a message to its own chain is never delivered`
        : `${to.entry.name} has no route for messages from ${from.entry.name}: nothing would deliver this message`,
      ExitCode.CONFIG,
      from === to
        ? "pick another --to"
        : `wire the route: \`concord deploy\` with both chains in the config (the destination admin calls setRoute)`,
    );
  if (getAddress(originGateway) !== getAddress(gateway))
    throw new CliError(
      `${to.entry.name} accepts messages from ${from.entry.name}'s gateway ${originGateway}, not from ${gateway}`,
      ExitCode.CONFIG,
      "check --registry: it names another deployment than the destination's route",
    );
}
