// Local anvil chains for tests, the demo and benchmarks: started on loopback, stopped by whoever started them.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

function listenOn(port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(bound));
    });
  });
}

let nextOwnPort = 0;

/**
 * A free TCP port on 127.0.0.1. When `CONCORD_TEST_PORT_BASE` is set (scripts/test-ts.mjs gives each of the test
 * files it runs side by side its own base), ports are taken in order from [base, base + 1000), so processes never
 * race for one port between this check and the server that binds it; otherwise the system picks one.
 */
export async function freePort(): Promise<number> {
  const base = Number(process.env.CONCORD_TEST_PORT_BASE ?? 0);
  if (Number.isInteger(base) && base > 0) {
    for (let tries = 0; tries < 1000; tries++) {
      const port = base + (nextOwnPort++ % 1000);
      try {
        return await listenOn(port);
      } catch {
        // in use: the next one
      }
    }
  }
  return listenOn(0);
}

export type AnvilOptions = {
  chainId: number;
  /** Port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** Seconds between blocks; automine (a block per transaction) when omitted. */
  blockTime?: number;
  /** Extra anvil arguments. */
  args?: string[];
};

export type AnvilChain = {
  chainId: number;
  port: number;
  rpcUrl: string;
  process: ChildProcess;
  stop: () => Promise<void>;
};

/** JSON-RPC call without a client library (used to wait for a node and for anvil_* methods). */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/**
 * Starts `anvil` (the binary on PATH: `source scripts/env.sh` puts the project's native build first) and waits
 * until it answers. The caller must call `stop()`; the process is also killed when this process exits.
 */
export async function startAnvil(options: AnvilOptions): Promise<AnvilChain> {
  const port = options.port ?? (await freePort());
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--chain-id",
    String(options.chainId),
    "--silent",
  ];
  if (options.blockTime !== undefined) args.push("--block-time", String(options.blockTime));
  args.push(...(options.args ?? []));
  const child = spawn("anvil", args, { stdio: "ignore" });
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  const rpcUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener("exit", kill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    child.kill("SIGTERM");
    await exited;
  };
  let spawnError: Error | undefined;
  child.once("error", (e) => (spawnError = e));
  for (let i = 0; i < 150; i++) {
    if (spawnError)
      throw new Error(`cannot start anvil (${spawnError.message}); run \`source scripts/env.sh\``);
    try {
      await rpc(rpcUrl, "eth_chainId");
      return { chainId: options.chainId, port, rpcUrl, process: child, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await stop();
  throw new Error(`anvil on port ${port} did not answer within 15 s`);
}
