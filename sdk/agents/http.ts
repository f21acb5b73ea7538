// Minimal JSON/text HTTP server shared by the agents (node:http, no framework).
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type HttpReply = { status: number; body: unknown; contentType?: string };
export type HttpHandler = (method: string, path: string, body: string) => Promise<HttpReply> | HttpReply;

const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error("request body too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, reply: HttpReply): void {
  const text =
    typeof reply.body === "string"
      ? reply.body
      : JSON.stringify(reply.body, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(reply.status, {
    "content-type": reply.contentType ?? (typeof reply.body === "string" ? "text/plain" : "application/json"),
  });
  res.end(text);
}

/** A started HTTP server and its URL. */
export type HttpEndpoint = { server: Server; url: string; close: () => Promise<void> };

/** Serves `handler` on `host:port` (port 0: a free one). */
export async function serveHttp(handler: HttpHandler, host = "127.0.0.1", port = 0): Promise<HttpEndpoint> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    readBody(req)
      .then((body) => handler(req.method ?? "GET", path, body))
      .then((reply) => send(res, reply))
      .catch((e: unknown) => send(res, { status: 500, body: { error: (e as Error).message } }));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One Prometheus sample line set: `# TYPE` then `name{labels} value` per entry. */
export type MetricFamily = {
  name: string;
  help: string;
  type: "counter" | "gauge";
  samples: { labels?: Record<string, string | number>; value: number }[];
};

/** Renders metric families in the Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {})
        .map(([k, v]) => `${k}="${String(v).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)
        .join(",");
      lines.push(`${f.name}${labels ? `{${labels}}` : ""} ${Number.isFinite(s.value) ? s.value : 0}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
