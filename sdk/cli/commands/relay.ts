// `concord relay <messageId>`: self-relay. Finds the message on its origin, fetches a quorum of validator
// signatures over HTTP, checks each against the destination verifier's validator set, and delivers it: the same
// SDK path as the relayer agent (sdk/src/signatures.ts: fetchValidatorSignatures, selectQuorum, relayMetadata).
import { type Address, type Hex, isHex } from "viem";

import {
  ConcordTransactionError,
  ModuleType,
  type RejectedSignature,
  bytes32ToAddress,
  decodeConcordMessage,
  fetchValidatorSignatures,
  gatewayAbi,
  iMultisigVerifierAbi,
  isRelayable,
  messageStatus,
  processMessage,
  relayDigest,
  relayMetadata,
  selectQuorum,
} from "../../src/index.js";
import { accountFromEnv, chainByName, contractOn, findMessage, loadChains, reach } from "../chains.js";
import { READ_ONLY, commandLine } from "../hints.js";
import {
  type Command,
  type CommandContext,
  requireOption,
  CONFIG_DOCS,
  FROM_BLOCK_DOC,
  KEY_ENV_DOC,
  SENDER_ENV,
  configOptions,
} from "../command.js";
import { CliError, ExitCode } from "../output.js";

const REJECTED: Record<RejectedSignature["reason"], string> = {
  malformed: "malformed answer",
  "wrong-index": "signed another index",
  "not-in-set": "not in the verifier's set",
  duplicate: "duplicate",
  "bad-signature": "does not recover to the validator",
};

export async function relay(ctx: CommandContext): Promise<ExitCode> {
  const id = ctx.args[0];
  if (!id || !isHex(id) || id.length !== 66)
    throw new CliError("give the message id (32 bytes hex)", ExitCode.USAGE);
  const chains = loadChains(ctx);
  const origin = chainByName(chains, requireOption(ctx, "from"));
  const urls = requireOption(ctx, "validators")
    .split(",")
    .map((u) => u.trim())
    .filter(Boolean);
  const originGateway = contractOn(origin, "ConcordGateway");
  const found = await findMessage(chains, id as Hex, origin.entry.name);
  if (!found)
    throw new CliError(
      `no message ${id} was sent from ${origin.entry.name}`,
      ExitCode.NOT_FOUND,
      "check the id and --from (the chain it was sent on)",
    );
  const message = found.message;
  const decoded = decodeConcordMessage(message);
  const dest = chains.byDomain.get(decoded.destination);
  if (!dest)
    throw new CliError(
      `the message goes to domain ${decoded.destination}, which is not in the config`,
      ExitCode.CONFIG,
      "add that chain (and its registry) to the config file",
    );
  const destGateway = contractOn(dest, "ConcordGateway");
  const before = await reach(dest, () =>
    messageStatus({
      origin: {
        publicClient: origin.publicClient,
        gateway: originGateway,
        fromBlock: origin.fromBlock,
        logPager: origin.pager,
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
  if (before.status !== "SENT") {
    ctx.out.result({ messageId: id, status: before.status, relayed: false }, [
      `message ${id} is already ${before.status} on ${dest.entry.name}: nothing to relay`,
      `  follow it: ${commandLine(ctx, "status", [id], READ_ONLY)}`,
    ]);
    return ExitCode.OK;
  }
  // The destination must route this origin gateway's messages, or nothing can deliver it.
  if (before.route?.instance === 0 || !before.route?.current)
    throw new CliError(
      `${dest.entry.name} has no route for messages from ${origin.entry.name}'s gateway ${originGateway}: ` +
        "no metadata can make the destination accept this message",
      ExitCode.CONFIG,
      `the destination's admin enrolls the route (setRoute), e.g. ${commandLine(ctx, "deploy", [], ["config", "registry"])} ` +
        "with both chains in the config; then relay again",
    );
  if (before.route.paused)
    throw new CliError(
      `${dest.entry.name}'s route for ${origin.entry.name} is paused: the gateway refuses deliveries until it is unpaused`,
      ExitCode.FAILED,
      "relay again after the destination's admin unpauses the route",
    );
  // the verifier the destination gateway will use, and its validator set for this message
  const verifier = (await reach(dest, () =>
    dest.publicClient.readContract({
      address: destGateway,
      abi: gatewayAbi(),
      functionName: "verifierFor",
      args: [bytes32ToAddress(decoded.recipient), decoded.origin],
    }),
  )) as Address;
  const moduleType = Number(
    await reach(dest, () =>
      dest.publicClient.readContract({
        address: verifier,
        abi: iMultisigVerifierAbi,
        functionName: "moduleType",
      }),
    ),
  );
  if (!isRelayable(moduleType)) {
    throw new CliError(
      `the destination verifier ${verifier} has module type ${moduleType}; self-relay supports message-id multisig (${ModuleType.CONCORD_MESSAGE_ID_MULTISIG})`,
      ExitCode.FAILED,
    );
  }
  const [validators, threshold] = await reach(dest, () =>
    dest.publicClient.readContract({
      address: verifier,
      abi: iMultisigVerifierAbi,
      functionName: "validatorsAndThreshold",
      args: [message],
    }),
  );
  const digest = relayDigest({ origin: decoded.origin, originGateway, messageId: id, nonce: decoded.nonce });
  ctx.out.progress(
    `asking ${urls.length} validator(s) for signatures (need ${threshold} of ${validators.length})`,
  );
  // The relayer's path: the validators' batch endpoint, the same quorum rules, the verifier family's builder.
  const served = await fetchValidatorSignatures({ urls, messageIds: [id as Hex], timeoutMs: 5000 });
  for (const failure of served.failures)
    ctx.out.progress(`  ${failure.url}: ${failure.details ?? failure.shortMessage}`);
  const quorum = await selectQuorum({
    digest,
    nonce: decoded.nonce,
    validators,
    threshold,
    candidates: served.signatures.get(id.toLowerCase() as Hex) ?? [],
  });
  for (const r of quorum.rejected)
    ctx.out.progress(`  signature from ${r.validator} ignored: ${REJECTED[r.reason]}`);
  for (const s of quorum.signatures) ctx.out.progress(`  signature from ${s.signer}`);
  if (!quorum.complete) {
    throw new CliError(
      `only ${quorum.signatures.length} valid signature(s), the verifier needs ${threshold}`,
      ExitCode.UNREACHABLE,
      "wait for the origin's finality depth, or add validator URLs with --validators",
    );
  }
  const metadata = relayMetadata({ moduleType, signatures: quorum.signatures });
  const account = accountFromEnv(String(ctx.values["key-env"] ?? "CONCORD_PRIVATE_KEY"));
  ctx.out.progress(`delivering on ${dest.entry.name}`);
  let outcome;
  try {
    outcome = await reach(dest, () =>
      processMessage({
        publicClient: dest.publicClient,
        walletClient: dest.wallet(account),
        gateway: destGateway,
        metadata,
        message,
        onTransaction: (hash) => ctx.out.progress(`delivery transaction ${hash} sent on ${dest.entry.name}`),
      }),
    );
  } catch (e) {
    if (!(e instanceof ConcordTransactionError)) throw e;
    throw new CliError(
      `${dest.entry.name}'s gateway refused the delivery: ${e.details ?? e.shortMessage}`,
      ExitCode.FAILED,
      `check the message: ${commandLine(ctx, "status", [id], READ_ONLY)}`,
    );
  }
  const tx = outcome.receipt.transactionHash;
  ctx.out.result(
    {
      messageId: id,
      relayed: true,
      status: outcome.status,
      transactionHash: tx,
      failure: outcome.failure?.reason.text,
    },
    [
      `message ${id} delivered on ${dest.entry.name} in tx ${tx}: ${outcome.status}`,
      ...(outcome.failure
        ? [
            `  recipient reverted: ${outcome.failure.reason.text}`,
            `  anyone can retry it: ${commandLine(ctx, "retry", [
              id,
              "--from",
              origin.entry.name,
              ...(outcome.failure.revertData === "0x" ? ["--gas", String(decoded.gasLimit * 2)] : []),
            ])}`,
          ]
        : []),
      `  follow it: ${commandLine(ctx, "status", [id], READ_ONLY)}`,
    ],
  );
  return outcome.status === "EXECUTED" ? ExitCode.OK : ExitCode.FAILED;
}

/** `concord relay`: summary, usage, options with their help text, environment and examples. */
export const relayCommand: Command = {
  summary: "self-relay one message: fetch validator signatures and deliver it",
  usage:
    "concord relay <messageId> --from <chain> --validators <url,url,...> [--key-env <VAR>] " +
    "[--config <chains.json>] [--registry <dir>]",
  about: [
    "Checks that the destination routes the origin's gateway (else exit 3, with what to do), fetches a quorum",
    "of signatures from the origin's validators, checks each against the destination verifier's set, delivers.",
  ],
  docs: {
    from: { value: "<chain>", text: "the origin chain (a config key)" },
    validators: {
      value: "<url,url,...>",
      text: "HTTP URLs of the origin chain's validator agents (each serves /signatures/<messageId>)",
    },
    "key-env": KEY_ENV_DOC,
    ...CONFIG_DOCS,
    "from-block": FROM_BLOCK_DOC,
  },
  env: SENDER_ENV,
  examples: [
    "CONCORD_PRIVATE_KEY=0x… concord relay 0x3f…c1 --from chainA --validators http://v1:8080,http://v2:8080 " +
      "--config my-chains.json",
  ],
  options: {
    ...configOptions,
    from: { type: "string" },
    validators: { type: "string" },
    "key-env": { type: "string" },
    "from-block": { type: "string" },
  },
  run: relay,
};
