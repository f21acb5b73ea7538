/**
 * Local fixtures for the agents' tests, the benchmark and demos: a Concord pair on two anvil chains deployed
 * straight from the build artifacts, a JSON-RPC fault-injection proxy, and a throwaway PostgreSQL server.
 * Nothing here is used by the agents themselves, and none of it ships in `@concord/sdk` (test/helpers/ is outside the
 * package).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Abi,
  type Address,
  type Hex,
  type TransactionReceipt,
  createPublicClient,
  createWalletClient,
  getAddress,
  getContractAddress,
  http,
  keccak256,
  parseEventLogs,
  toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { type AnvilChain, freePort, rpc, startAnvil } from "../../sdk/src/anvil.js";
import { repoRoot } from "../../sdk/src/repo.js";
import { addressToBytes32 } from "../../sdk/src/codec.js";
import { gatewayAbi } from "../../sdk/agents/abi.js";
import { type HttpEndpoint, serveHttp } from "../../sdk/agents/http.js";
import { type RelayerConfig, silentLogger } from "../../sdk/agents/index.js";
import { testArtifact as loadArtifact } from "./artifacts.js";

/** anvil's default funded keys (mnemonic "test test ... junk"), by index. */
export const ANVIL_KEYS: Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
];

/** Deterministic validator keys for tests. */
export function validatorKeys(n: number, seed = "concord.validator"): Hex[] {
  return Array.from({ length: n }, (_, i) => keccak256(toHex(`${seed}.${i}`)));
}

/** One side of a local pair. */
export type LocalChain = {
  domain: number;
  anvil: AnvilChain;
  rpcUrl: string;
  gateway: Address;
  verifier: Address;
  batchProcessor: Address;
  recipient: Address;
  deployerKey: Hex;
};

export type LocalPair = {
  chains: [LocalChain, LocalChain];
  validatorKeys: Hex[];
  threshold: number;
  stop: () => Promise<void>;
};

function localChain(rpcUrl: string, chainId: number) {
  return {
    id: chainId,
    name: "local",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  };
}

/** Deploys the build artifact `name` with `args` from `key`'s account; returns its address. */
export async function deployContract(
  rpcUrl: string,
  key: Hex,
  name: string,
  args: unknown[],
): Promise<Address> {
  const artifact = loadArtifact(name);
  const account = privateKeyToAccount(key);
  const wallet = createWalletClient({ account, transport: http(rpcUrl) });
  const client = createPublicClient({ transport: http(rpcUrl) });
  const chainId = await client.getChainId();
  const hash = await wallet.deployContract({
    abi: artifact.abi as Abi,
    bytecode: artifact.bytecode,
    args,
    chain: localChain(rpcUrl, chainId),
  });
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  if (!receipt.contractAddress) throw new Error(`${name} not deployed`);
  return getAddress(receipt.contractAddress);
}

/** Sends `functionName(args)` to `address` from `key`'s account and waits for a successful receipt. */
export async function writeContract(
  rpcUrl: string,
  key: Hex,
  address: Address,
  abi: Abi,
  functionName: string,
  args: unknown[] = [],
): Promise<TransactionReceipt> {
  const account = privateKeyToAccount(key);
  const client = createPublicClient({ transport: http(rpcUrl) });
  const wallet = createWalletClient({ account, transport: http(rpcUrl) });
  const chainId = await client.getChainId();
  const { request } = await client.simulateContract({ address, abi, functionName, args, account });
  const hash = await wallet.writeContract({ ...request, chain: localChain(rpcUrl, chainId) } as never);
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  if (receipt.status !== "success") throw new Error(`${functionName} reverted in ${hash}`);
  return receipt;
}

/**
 * Two anvil chains (domains = chain ids), each with a ConcordAccessManager (admin: the chain's deployer), a
 * ConcordGateway whose route for the other chain uses a MessageIdMultisigVerifier bound to the other chain's
 * gateway, a ConcordBatchProcessor and a MockRecipient. Contracts are created in the same order on both chains
 * (manager, gateway, verifier), so each verifier is built with the other chain's gateway address, predicted from
 * the other deployer's nonce, before that gateway exists.
 */
export async function deployLocalPair(
  options: {
    domains?: [number, number];
    validators?: number;
    threshold?: number;
    anvilArgs?: string[];
    /** The verifier family of both routes (default message-id multisig). */
    verifier?: "messageId" | "merkleRoot" | "range";
  } = {},
): Promise<LocalPair> {
  const verifierContract = {
    messageId: "MessageIdMultisigVerifier",
    merkleRoot: "MerkleRootMultisigVerifier",
    range: "RangeCheckpointMultisigVerifier",
  }[options.verifier ?? "messageId"];
  const domains = options.domains ?? [31_401, 31_402];
  const keys = validatorKeys(options.validators ?? 3);
  const threshold = options.threshold ?? 2;
  const validators = keys
    .map((k) => privateKeyToAccount(k).address)
    .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const deployerKeys = [ANVIL_KEYS[0]!, ANVIL_KEYS[3]!];
  const predictedGateway = deployerKeys.map((k) =>
    getContractAddress({ from: privateKeyToAccount(k).address, nonce: 1n }),
  );
  const anvils = await Promise.all(domains.map((d) => startAnvil({ chainId: d, args: options.anvilArgs })));
  try {
    const chains = await Promise.all(
      domains.map(async (domain, i) => {
        const other = 1 - i;
        const rpcUrl = anvils[i]!.rpcUrl;
        const key = deployerKeys[i]!;
        const deployer = privateKeyToAccount(key).address;
        const manager = await deployContract(rpcUrl, key, "ConcordAccessManager", [deployer]);
        const gateway = await deployContract(rpcUrl, key, "ConcordGateway", [domain, manager, 200_000, 4096]);
        if (gateway !== predictedGateway[i])
          throw new Error(`gateway at ${gateway}, predicted ${predictedGateway[i]}`);
        const verifier = await deployContract(rpcUrl, key, verifierContract, [
          {
            origin: domains[other]!,
            originGateway: addressToBytes32(predictedGateway[other]!),
            localDomain: domain,
            threshold,
            validators,
          },
        ]);
        await writeContract(rpcUrl, key, gateway, loadArtifact("ConcordGateway").abi as Abi, "setRoute", [
          domains[other]!,
          verifier,
          predictedGateway[other]!,
        ]);
        const batchProcessor = await deployContract(rpcUrl, key, "ConcordBatchProcessor", []);
        const recipient = await deployContract(rpcUrl, key, "MockRecipient", []);
        return {
          domain,
          anvil: anvils[i]!,
          rpcUrl,
          gateway,
          verifier,
          batchProcessor,
          recipient,
          deployerKey: key,
        } satisfies LocalChain;
      }),
    );
    return {
      chains: chains as [LocalChain, LocalChain],
      validatorKeys: keys,
      threshold,
      stop: async () => {
        await Promise.all(anvils.map((a) => a.stop()));
      },
    };
  } catch (e) {
    await Promise.all(anvils.map((a) => a.stop()));
    throw e;
  }
}

// -------------------------------------------------------------------------------------------- fault proxy

/** What the proxy does to each JSON-RPC request; change it at any time. */
export type FaultPlan = {
  /** Probability of answering HTTP 503 instead of forwarding. */
  errorRate?: number;
  /** Probability of a JSON-RPC error object (-32603) instead of forwarding. */
  rpcErrorRate?: number;
  /** Added latency per request, in ms. */
  delayMs?: number;
  /** Probability of answering `eth_blockNumber` / `eth_getLogs` with an earlier answer (a lagging node). */
  staleRate?: number;
  /**
   * Real providers' limits on `eth_getLogs`: a request over more than `maxLogBlockRange` blocks is refused
   * (JSON-RPC -32602 "block range too large"), an answer of more than `maxLogs` logs is refused (-32005 "query
   * returned more than M results"). Every `eth_getLogs` is recorded in `getLogs`.
   */
  maxLogBlockRange?: number;
  maxLogs?: number;
  /** Refuse every call of `method` after the first `after` ones with a JSON-RPC error (e.g. a node that stops
   * accepting transactions between two of them). */
  refuse?: { method: string; after: number; code?: number; message: string };
};

/** One `eth_getLogs` the proxy saw: its block range (tags resolved) and what it answered. */
export type ProxiedGetLogs = {
  fromBlock: bigint;
  toBlock: bigint;
  outcome: "ok" | "range" | "results";
  logs: number;
};

/** A local HTTP JSON-RPC proxy in front of `upstream` that injects errors, delays and stale answers. */
export class FaultProxy {
  plan: FaultPlan;
  readonly injected = { errors: 0, rpcErrors: 0, stale: 0, forwarded: 0 };
  /** Every `eth_getLogs` request, in order. */
  readonly getLogs: ProxiedGetLogs[] = [];
  /** Calls per JSON-RPC method. */
  readonly calls = new Map<string, number>();
  private endpoint: HttpEndpoint | undefined;
  private readonly last = new Map<string, unknown>();
  private readonly upstream: string;

  constructor(upstream: string, plan: FaultPlan = {}) {
    this.upstream = upstream;
    this.plan = plan;
  }

  get url(): string {
    if (!this.endpoint) throw new Error("proxy not started");
    return this.endpoint.url;
  }

  async start(): Promise<this> {
    this.endpoint = await serveHttp(async (_method, _path, body) => {
      const p = this.plan;
      if (p.delayMs) await new Promise((r) => setTimeout(r, p.delayMs));
      if (p.errorRate && Math.random() < p.errorRate) {
        this.injected.errors++;
        return { status: 503, body: { error: "injected outage" } };
      }
      const request = JSON.parse(body) as { id: unknown; method: string; params?: unknown[] } | unknown[];
      const single = Array.isArray(request) ? undefined : request;
      if (single && p.rpcErrorRate && Math.random() < p.rpcErrorRate) {
        this.injected.rpcErrors++;
        return {
          status: 200,
          body: {
            jsonrpc: "2.0",
            id: single.id,
            error: { code: -32603, message: "injected internal error" },
          },
        };
      }
      if (single) this.calls.set(single.method, (this.calls.get(single.method) ?? 0) + 1);
      if (
        single &&
        p.refuse &&
        single.method === p.refuse.method &&
        this.calls.get(single.method)! > p.refuse.after
      )
        return {
          status: 200,
          body: {
            jsonrpc: "2.0",
            id: single.id,
            error: { code: p.refuse.code ?? -32000, message: p.refuse.message },
          },
        };
      if (single?.method === "eth_getLogs" && (p.maxLogBlockRange !== undefined || p.maxLogs !== undefined))
        return this.limitedGetLogs(single as { id: unknown; params?: unknown[] }, body);
      const key = single ? `${single.method}:${JSON.stringify(single.params ?? [])}` : "";
      const staleKey = single?.method === "eth_blockNumber" ? key : undefined;
      if (staleKey && p.staleRate && this.last.has(staleKey) && Math.random() < p.staleRate) {
        this.injected.stale++;
        return { status: 200, body: { jsonrpc: "2.0", id: single!.id, result: this.last.get(staleKey) } };
      }
      const res = await fetch(this.upstream, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const answer = (await res.json()) as { result?: unknown };
      this.injected.forwarded++;
      // Remember the first answer only: later stale replies go back to it (a node stuck at an old head).
      if (staleKey && !this.last.has(staleKey) && answer.result !== undefined)
        this.last.set(staleKey, answer.result);
      return { status: res.status, body: answer };
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.endpoint?.close();
  }

  /** `eth_getLogs` under the plan's range and result limits, recorded in `getLogs`. */
  private async limitedGetLogs(request: { id: unknown; params?: unknown[] }, body: string) {
    const filter = (request.params?.[0] ?? {}) as {
      fromBlock?: string;
      toBlock?: string;
      blockHash?: string;
    };
    const refuse = (code: number, message: string) => ({
      status: 200,
      body: { jsonrpc: "2.0", id: request.id, error: { code, message } },
    });
    let latest: bigint | undefined;
    const block = async (tag: string | undefined): Promise<bigint> => {
      if (tag === "earliest") return 0n;
      if (tag !== undefined && /^0x[0-9a-f]+$/i.test(tag)) return BigInt(tag);
      latest ??= BigInt(await rpc<string>(this.upstream, "eth_blockNumber"));
      return latest;
    };
    const from = filter.blockHash ? 0n : await block(filter.fromBlock ?? "latest");
    const to = filter.blockHash ? 0n : await block(filter.toBlock ?? "latest");
    const span = to >= from ? Number(to - from + 1n) : 0;
    const max = this.plan.maxLogBlockRange;
    if (!filter.blockHash && max !== undefined && span > max) {
      this.getLogs.push({ fromBlock: from, toBlock: to, outcome: "range", logs: 0 });
      return refuse(-32602, `eth_getLogs block range too large: ${span} blocks requested`);
    }
    const res = await fetch(this.upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const answer = (await res.json()) as { result?: unknown[] };
    this.injected.forwarded++;
    const count = Array.isArray(answer.result) ? answer.result.length : 0;
    const cap = this.plan.maxLogs;
    if (cap !== undefined && count > cap) {
      this.getLogs.push({ fromBlock: from, toBlock: to, outcome: "results", logs: count });
      return refuse(-32005, `query returned more than ${cap} results`);
    }
    this.getLogs.push({ fromBlock: from, toBlock: to, outcome: "ok", logs: count });
    return { status: res.status, body: answer };
  }
}

// -------------------------------------------------------------------------------------------- PostgreSQL

/** A PostgreSQL server in a temp dir on a free loopback port; `stop()` shuts it down and deletes the dir. */
export type LocalPostgres = { connectionString: string; port: number; stop: () => Promise<void> };

function pgBin(name: string): string {
  const which = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  const base = "/usr/lib/postgresql";
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort().reverse()) {
      const p = join(base, v, "bin", name);
      if (existsSync(p)) return p;
    }
  }
  throw new Error(
    `${name} not found: install PostgreSQL (\`apt-get install -y postgresql\`, see scripts/setup.sh)`,
  );
}

/** A system tool by absolute path: sbin directories are often not on a non-root or CI PATH. */
function systemBin(name: string): string {
  for (const dir of ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`${name} not found in /usr/sbin, /sbin, /usr/bin or /bin`);
}

/** Starts a throwaway PostgreSQL (initdb + pg_ctl); as root it runs as the `postgres` user. */
export async function startPostgres(): Promise<LocalPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "concord-pg-"));
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dir, 0o777);
    execFileSync(systemBin("chown"), ["postgres", dir]);
  }
  const run = (bin: string, args: string[]) =>
    asRoot
      ? execFileSync(systemBin("runuser"), ["-u", "postgres", "--", pgBin(bin), ...args], { stdio: "pipe" })
      : execFileSync(pgBin(bin), args, { stdio: "pipe" });
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-A", "trust", "-U", "concord", "--no-sync"]);
  run("pg_ctl", [
    "-D",
    data,
    "-o",
    `-p ${port} -k ${dir} -h 127.0.0.1 -F`,
    "-l",
    join(dir, "log"),
    "-w",
    "start",
  ]);
  return {
    port,
    connectionString: `postgres://concord@127.0.0.1:${port}/postgres`,
    stop: async () => {
      try {
        run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// -------------------------------------------------------------------------------------------- helpers

/** Sends `count` messages from `from` to `recipient` on `destination`; returns their ids and bytes, in order. */
export async function sendMessages(
  from: LocalChain,
  destination: number,
  recipient: Address,
  count: number,
  options: {
    key?: Hex;
    payload?: (i: number) => Hex;
    /** The messages' destination gas limit (default: the gateway's default). */
    gasLimit?: number;
    /** Empty blocks to mine afterwards (finality). */ mine?: number;
  } = {},
): Promise<{ id: Hex; message: Hex; blockNumber: bigint }[]> {
  const account = privateKeyToAccount(options.key ?? ANVIL_KEYS[4]!);
  const client = createPublicClient({ transport: http(from.rpcUrl) });
  const wallet = createWalletClient({ account, transport: http(from.rpcUrl) });
  const chain = {
    id: from.domain,
    name: "local",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [from.rpcUrl] } },
  };
  let nonce = await client.getTransactionCount({ address: account.address, blockTag: "pending" });
  const hashes: Hex[] = [];
  for (let i = 0; i < count; i++) {
    hashes.push(
      await wallet.writeContract({
        chain,
        address: from.gateway,
        abi: gatewayAbi,
        functionName: "dispatch",
        args:
          options.gasLimit === undefined
            ? [destination, addressToBytes32(recipient), options.payload?.(i) ?? toHex(`hello ${i}`)]
            : [
                destination,
                addressToBytes32(recipient),
                options.gasLimit,
                options.payload?.(i) ?? toHex(`hello ${i}`),
              ],
        nonce: nonce++,
        gas: 300_000n,
      }),
    );
  }
  const out: { id: Hex; message: Hex; blockNumber: bigint }[] = [];
  for (const hash of hashes) {
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    const logs = parseEventLogs({ abi: gatewayAbi, logs: receipt.logs, eventName: "Dispatched" });
    for (const log of logs)
      out.push({ id: log.args.messageId, message: log.args.message, blockNumber: receipt.blockNumber });
  }
  if (options.mine) await mine(from, options.mine);
  return out;
}

/** Mines `blocks` empty blocks on `chain` (anvil_mine). */
export async function mine(chain: LocalChain, blocks: number): Promise<void> {
  await rpc(chain.rpcUrl, "anvil_mine", [toHex(blocks)]);
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The destination gateway's status of `message` (0 NONE, 1 EXECUTED, 2 FAILED). */
export async function gatewayStatus(chain: LocalChain, message: Hex): Promise<number> {
  const client = createPublicClient({ transport: http(chain.rpcUrl) });
  return client.readContract({
    address: chain.gateway,
    abi: gatewayAbi,
    functionName: "status",
    args: [message],
  });
}

/** Ids of the messages `chain`'s gateway executed (its `Executed` events), with how often each appears. */
export async function executedIds(chain: LocalChain): Promise<Map<Hex, number>> {
  const client = createPublicClient({ transport: http(chain.rpcUrl) });
  const logs = await client.getContractEvents({
    address: chain.gateway,
    abi: gatewayAbi,
    eventName: "Executed",
    fromBlock: 0n,
    strict: true,
  });
  const out = new Map<Hex, number>();
  for (const log of logs) {
    const id = log.args.messageId.toLowerCase() as Hex;
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

/** An agent running in its own Node process (`sdk/agents/main.ts`), e.g. to SIGKILL it. */
export type AgentProcess = { child: ChildProcess; url: string; stop: () => Promise<void> };

/**
 * Starts `main.ts <kind> <configPath>` under tsx (cwd: the repository root) and resolves once it serves. The
 * config must already be written as JSON at `configPath`. `stop()` sends SIGTERM and waits for the exit.
 */
export function spawnAgent(
  kind: "relayer" | "validator",
  configPath: string,
  nodeArgs: string[] = [],
): Promise<AgentProcess> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, "--import", "tsx", join(repoRoot(), "sdk/agents/main.ts"), kind, configPath],
    {
      cwd: repoRoot(),
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} process did not start within 30 s`)), 30_000);
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready (\S*)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1] ?? "",
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
            await exited;
          },
        });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} process exited before serving (code ${code})`));
    });
  });
}

/**
 * The relayer the one-way agent tests run over `pair`: both chains at `confirmations` with their batch processors,
 * chain A's validators at `validatorUrls` (none for B), the relayer key ANVIL_KEYS[1], a SQLite store in `dir`, a
 * 30 ms poll and no log output; `extra` adds or overrides keys.
 */
export function oneWayRelayerConfig(
  pair: LocalPair,
  validatorUrls: string[],
  dir: string,
  confirmations: number,
  extra: Partial<RelayerConfig> = {},
): RelayerConfig {
  const [a, b] = pair.chains;
  return {
    chains: pair.chains.map((c) => ({
      domain: c.domain,
      rpcUrl: c.rpcUrl,
      gateway: c.gateway,
      confirmations,
      batchProcessor: c.batchProcessor,
    })),
    validators: { [a.domain]: validatorUrls, [b.domain]: [] },
    account: ANVIL_KEYS[1]!,
    store: { type: "sqlite", path: join(dir, "relayer.sqlite") },
    pollIntervalMs: 30,
    logger: silentLogger,
    ...extra,
  };
}
