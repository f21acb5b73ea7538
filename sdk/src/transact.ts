/**
 * Shared plumbing of the SDK's write actions: simulate (so a revert is decoded before anything is signed), send,
 * wait for the receipt, and decode the events of one contract from it.
 */
import {
  type Abi,
  type Account,
  type Address,
  type Hex,
  type Log,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
  isAddressEqual,
  parseEventLogs,
} from "viem";
import { describeError } from "./decodeError.js";
import { ConcordSdkError, ConcordTransactionError } from "./errors.js";

/** Clients of a write action: a public client to simulate and wait, a wallet client to sign and send. */
export type WriteClients = {
  publicClient: PublicClient;
  walletClient: WalletClient;
  /** The sender; defaults to `walletClient.account`. */
  account?: Account | Address;
};

/** Block and transaction of an on-chain event. */
export type EventPoint = {
  blockNumber: bigint;
  /** Block timestamp, seconds. */
  timestamp: bigint;
  transactionHash: Hex;
  /** Position of the event's log in its block (orders events of one block). */
  logIndex: number;
};

/** A contract write: the contract, its ABI, the function, the arguments and the native value. */
export type ContractWrite = {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
  value?: bigint;
  /** Called with the transaction hash as soon as the transaction is sent (before it is mined). */
  onTransaction?: (hash: Hex) => void;
};

/** Simulates, sends and waits for `write`; throws a ConcordTransactionError with the decoded revert otherwise. */
export async function writeAndWait(clients: WriteClients, write: ContractWrite): Promise<TransactionReceipt> {
  const account = clients.account ?? clients.walletClient.account;
  if (!account) throw new ConcordSdkError("no account", "pass `account` or a wallet client with an account");
  let hash: Hex;
  try {
    const { request } = await clients.publicClient.simulateContract({
      address: write.address,
      abi: write.abi,
      functionName: write.functionName,
      args: write.args,
      value: write.value,
      account,
    });
    hash = await clients.walletClient.writeContract({
      ...request,
      chain: clients.walletClient.chain ?? null,
    });
  } catch (error) {
    throw new ConcordTransactionError(`${write.functionName} reverted`, describeError(error), {
      cause: error,
    });
  }
  write.onTransaction?.(hash);
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") {
    throw new ConcordTransactionError(
      `${write.functionName} reverted`,
      `transaction ${hash} (block ${receipt.blockNumber})`,
    );
  }
  return receipt;
}

/** A decoded event with its arguments as a record. */
export type DecodedEvent = Log<bigint, number, false> & { eventName: string; args: Record<string, unknown> };

/** The events `eventName` (all when omitted) emitted by `address` in `logs`, decoded with `abi`. */
export function eventsOf(
  abi: Abi,
  address: Address,
  logs: readonly Log[],
  eventName?: string,
): DecodedEvent[] {
  const parsed = parseEventLogs({ abi, logs: logs as Log[], strict: true }) as unknown as DecodedEvent[];
  return parsed.filter(
    (log) => isAddressEqual(log.address, address) && (eventName === undefined || log.eventName === eventName),
  );
}

/** The block number, timestamp and transaction of `log`. */
export async function pointOf(
  client: PublicClient,
  log: Pick<Log, "blockNumber" | "transactionHash"> & { logIndex?: number | null },
): Promise<EventPoint> {
  if (log.blockNumber === null || log.transactionHash === null) {
    throw new ConcordSdkError("pending log", "the event is not in a block yet");
  }
  const block = await client.getBlock({ blockNumber: log.blockNumber });
  return {
    blockNumber: log.blockNumber,
    timestamp: block.timestamp,
    transactionHash: log.transactionHash,
    logIndex: log.logIndex ?? 0,
  };
}
