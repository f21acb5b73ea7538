/** Concord off-chain agents: validator, relayer, flow keeper, watcher, their stores and HTTP APIs. */
export { gatewayAbi, verifierAbi, recipientAbi, batchProcessorAbi, GatewayMessageStatus } from "./abi.js";
export { AgentError, AgentConfigError, StoreError, ConflictingCheckpointError } from "./errors.js";
export { type AgentLogger, jsonLogger, silentLogger } from "./log.js";
export { type Agent, startAgent, stopOnSignals } from "./lifecycle.js";
export { type MetricFamily, renderPrometheus } from "./http.js";
export {
  Validator,
  SignatureStore,
  runValidator,
  type SignatureEntry,
  type RangeEntry,
  type CheckpointConfig,
  type ValidatorConfig,
  type ValidatorSignature,
} from "./validator.js";
export {
  Relayer,
  runRelayer,
  type RelayerConfig,
  type RelayerChainConfig,
  type RelayerStoreConfig,
  type LoopHealth,
} from "./relayer.js";
export {
  SqlRelayerStore,
  type RelayerStore,
  type SqlDriver,
  type MessageStatus,
  type MessageRecord,
  type SeenMessage,
  type LifecycleEvent,
  type LifecycleStatus,
  type RetryState,
  type RetryAttempt,
  type RetryPlan,
  type RetryResult,
  STORE_SCHEMA_VERSION,
  PARKED_UNTIL_RESTART,
} from "./store.js";
export { openSqliteStore } from "./store-sqlite.js";
export { openPostgresStore } from "./store-postgres.js";
export {
  FlowKeeper,
  runKeeper,
  type KeeperAction,
  type KeeperChainConfig,
  type KeeperConfig,
  type KeeperCounters,
} from "./keeper.js";
export {
  Watcher,
  IncrementalTree,
  runWatcher,
  type WatcherAlert,
  type WatcherAlertKind,
  type WatcherConfig,
  type WatcherCounters,
  type WatcherOriginConfig,
  type WatcherVerifierConfig,
} from "./watcher.js";
