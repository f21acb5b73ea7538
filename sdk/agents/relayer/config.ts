// The relayer's configuration and the shapes its modules share (chains as served, verifier cache entries, sent
// transactions, loop health). Part of sdk/agents/relayer.ts, split by concern.
import type { Address, Hex, LocalAccount, PublicClient } from "viem";
import type { LogPager } from "../../src/logs.js";
import type { AgentLogger } from "../log.js";
import type { RelayerStore } from "../store.js";
import type { DeliveryGasCosts } from "./gas.js";

/** One chain the relayer serves, as an origin (indexed) and as a destination (delivered to). */
export type RelayerChainConfig = {
  /** Concord domain (the EVM chain id). */
  domain: number;
  rpcUrl: string;
  /** The chain's ConcordGateway. */
  gateway: Address;
  /** Finality depth: blocks after which an origin message is final (default 0). */
  confirmations?: number;
  /** First origin block to index: the gateway's deploy block (the registry's `deployBlock`; default 0). */
  fromBlock?: number;
  /** Blocks per `eth_getLogs` to start with (default 2000); adapts to the provider's limits ({@link LogPager}). */
  blockRange?: number;
  /** `ConcordBatchProcessor` on this chain: enables batched delivery to it. */
  batchProcessor?: Address;
  /**
   * The chain's `GasPaymaster`, where senders pay for their messages' destination gas: read for messages from this
   * chain when `requirePayment` is on.
   */
  paymaster?: Address;
};

/** Where the relayer keeps its state. */
export type RelayerStoreConfig =
  | { type: "sqlite"; path: string }
  | { type: "postgres"; connectionString: string }
  | { type: "custom"; store: RelayerStore };

export type RelayerConfig = {
  chains: RelayerChainConfig[];
  /** Validator HTTP base URLs per origin domain (each serves `POST /signatures`). */
  validators: Record<number, string[]>;
  /** The account paying for deliveries on every destination: a viem local account or a private key. */
  account: LocalAccount | Hex;
  /** Default: SQLite at `<state dir>/relayer.sqlite` ($XDG_STATE_HOME/concord, else ~/.local/state/concord). */
  store?: RelayerStoreConfig;
  /** Names this instance in claims (default: a random UUID). */
  instanceId?: string;
  /** Messages per delivery transaction when the destination has a batch processor (default 50; 1 = no batching). */
  maxBatchSize?: number;
  /** Idle delay between passes, in ms (default 200). */
  pollIntervalMs?: number;
  /** How long a claim protects a message from other instances, in ms (default 60 000). */
  leaseMs?: number;
  /** Delivery attempts before FAILED and the backoff between them (defaults 8, 500 ms, 30 s). */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** A transaction not mined after this long is replaced with the same nonce and a higher fee (default 15 000). */
  stuckTxTimeoutMs?: number;
  /** Fee increase per replacement, in percent (default 25; nodes require >= 10). */
  feeBumpPercent?: number;
  /** Replacements per transaction before waiting without further bumps (default 5). */
  maxReplacements?: number;
  /** Added to the gas estimate, in percent (default 20). */
  gasMarginPercent?: number;
  /**
   * Delivery transactions per destination sent and not yet mined at once (default 4; 1 = wait for each). They use
   * consecutive nonces of the relayer's account; each is recorded before it is broadcast.
   */
  maxInFlight?: number;
  /**
   * The delivery gas bound (relayer/gas.ts): a message-id multisig delivery is sent with a computed gas limit
   * instead of an `eth_estimateGas` round trip. Overrides of the measured costs, or `false` to estimate every
   * transaction.
   */
  gasBound?: Partial<DeliveryGasCosts> | false;
  /**
   * Highest gas limit of one delivery transaction (default 16 777 216, EIP-7825's cap): a batch whose bound would
   * exceed it is split; a message whose bound alone exceeds it is sent with an estimate.
   */
  maxTxGas?: number;
  /**
   * Deliver only messages paid through their origin's `GasPaymaster` (`chains[].paymaster`): the paymaster must
   * record, for the message id and its destination, at least the gas limit the message declares (read at the
   * origin's finality depth). Others stay SEEN with the reason in `error` (`GET /messages/<id>`), re-checked every
   * `paymentRecheckMs` (default 5 000): a payment made later (`concord pay`) is picked up.
   */
  requirePayment?: boolean;
  paymentRecheckMs?: number;
  /** Timeout of one validator request, in ms (default 3000). */
  signatureTimeoutMs?: number;
  /**
   * When to recover each validator signature before building metadata: "always", or "retry" (default: on a
   * message's retries only; a first attempt relies on the on-chain verifier, and any failed delivery sends the
   * message back to signature collection with checks on).
   */
  verifySignatures?: "always" | "retry";
  /**
   * Re-check delay of a parked (UNDELIVERABLE) message: `recheckBaseMs * 2^(times parked - 1)`, at most
   * `recheckMaxMs` (defaults 5 000 and 600 000).
   */
  undeliverable?: { recheckBaseMs?: number; recheckMaxMs?: number };
  /** `/health` reports `ok: false` once a loop failed this many passes in a row (default 3). */
  healthFailureThreshold?: number;
  /**
   * Automatic retry of messages delivered FAILED because their recipient ran out of gas (off when absent). The
   * gas the recipient needs is `eth_estimateGas` of `receiveMessage(messageId, formatEvmV1(origin, sender),
   * payload)` called from the destination gateway, minus the transaction's intrinsic gas, plus `marginPercent`
   * (default 20); a later attempt gives at least the previous attempt's gas plus the margin. Sent only when that is
   * above the message's own gas limit and at most `gasCeiling`; at most `maxAttempts` attempts (default 3), the
   * n-th after `delayMs * 2^(n-1)` (default 1 000).
   */
  retryFailed?: { gasCeiling: number; maxAttempts?: number; marginPercent?: number; delayMs?: number };
  /** HTTP status API (default 127.0.0.1, a free port); `false` disables it. */
  http?: { host?: string; port?: number } | false;
  logger?: AgentLogger;
  /**
   * Also run a flow keeper (keeper.ts: `expire`, re-export of a lost OUTCOME, settlement after a pause) on the
   * chains listed in `flows` (domain -> that chain's FlowEscrow and FlowExecutor). It needs its own account: the
   * relayer manages its nonces itself.
   */
  keeper?: {
    account: LocalAccount | Hex;
    flows: Record<number, { escrow: Address; executor: Address }>;
    pollIntervalMs?: number;
    reexportAfterMs?: number;
  };
};

export type Chain = RelayerChainConfig & {
  client: PublicClient;
  pager: LogPager;
  chainId: number;
  head: bigint;
  lastError: string | null;
};
/** What `/health` reports per loop. */
export type LoopHealth = {
  passes: number;
  /** Failed passes since the start. */
  errors: number;
  /** Failed passes in a row (0 after a good pass). */
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: number | null;
  lastOkAt: number | null;
};
export type VerifierInfo = {
  address: Address;
  moduleType: number;
  validators: Address[];
  threshold: number;
  at: number;
};
export type Sent = {
  hash: Hex;
  nonce: number;
  gas: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  to: Address;
  data: Hex;
};
