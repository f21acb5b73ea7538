/**
 * What the relayer's concerns (indexing, signing, delivery, transactions, automatic retry) share: the relayer's
 * configuration, store, chains and account, its per-destination nonces and verifier cache, and the few hooks into
 * its loops (whether it runs, counters, reporting a problem for `/health`, parking a message). `Relayer` builds one
 * and hands it to each concern's functions; nothing else holds relayer state.
 */
import type { LocalAccount } from "viem";
import type { AgentLogger } from "../log.js";
import type { MessageRecord, RelayerStore } from "../store.js";
import type { Chain, RelayerConfig, VerifierInfo } from "./config.js";

export type RelayerContext = {
  readonly config: RelayerConfig;
  readonly store: RelayerStore;
  readonly instanceId: string;
  readonly account: LocalAccount;
  /** Served chains by Concord domain. */
  readonly chains: ReadonlyMap<number, Chain>;
  readonly logger: AgentLogger;
  /** Next nonce of the relayer's account per destination domain (absent: read it from the node). */
  readonly nonces: Map<number, number>;
  /** `destination:recipient:origin` -> the verifier `process` uses and its validator set (cached briefly). */
  readonly verifiers: Map<string, VerifierInfo>;
  /** Per destination: delivery transactions sent and not yet settled (their wait and outcome recording). */
  readonly inflight: Map<number, Set<Promise<void>>>;
  /** Ids of the messages in those transactions (not claimed again while their transaction is in flight). */
  readonly inflightIds: Set<string>;
  /**
   * Messages whose bounded delivery ran out of gas: sent alone with an estimate next (kept in memory: after a
   * restart such a message costs one more bounded attempt, without spending a delivery attempt).
   */
  readonly estimateAlone: Set<string>;
  /** False once `stop()` was called: long steps end early. */
  running(): boolean;
  /** Adds `by` to a counter served on `/metrics`. */
  count(name: string, labels?: Record<string, string | number>, by?: number): void;
  /** A chain or agent did not answer for one item of `loop`'s pass: the item waits and the pass counts as failed. */
  reportProblem(loop: string, problem: string): void;
  /** `loop`'s current pass found nothing to do (neither proves nor disproves health). */
  markIdle(loop: string): void;
  /** Parks `r` as UNDELIVERABLE with `reason`, to be re-checked later with a growing back-off. */
  park(r: MessageRecord, reason: string): Promise<void>;
};
