// The relayer's HTTP status API: routes a GET to the message record, the parked messages, health or metrics.
// Part of sdk/agents/relayer.ts, split by concern; it reads only what `StatusSource` gives it.
import type { Hex } from "viem";
import { type HttpReply, type MetricFamily, PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "../http.js";
import type { RelayerStore } from "../store.js";

/** What the status API reads: the store, and the relayer's health and metrics. */
export type StatusSource = {
  store: RelayerStore;
  health: () => Promise<{ ok: boolean }>;
  metrics: () => Promise<MetricFamily[]>;
};

/** `GET /messages/<id>`, `/undeliverable`, `/health` (503 when not ok), `/metrics`; anything else 404/405. */
export async function statusReply(api: StatusSource, method: string, path: string): Promise<HttpReply> {
  const parts = path.split("/").filter(Boolean);
  if (method !== "GET") return { status: 405, body: { error: "only GET" } };
  if (parts[0] === "messages" && parts.length === 2) {
    const id = parts[1] as Hex;
    if (!/^0x[0-9a-fA-F]{64}$/.test(id))
      return { status: 400, body: { error: "messageId must be 32 bytes hex" } };
    const record = await api.store.get(id);
    if (!record) return { status: 404, body: { error: "unknown message", messageId: id } };
    return {
      status: 200,
      body: {
        ...record,
        retryAttempts: await api.store.retryAttempts(id),
        events: await api.store.events(id),
      },
    };
  }
  if (path === "/undeliverable") {
    const parked = await api.store.parked(500);
    return {
      status: 200,
      body: {
        count: parked.length,
        messages: parked.map((r) => ({
          id: r.id,
          origin: r.origin,
          destination: r.destination,
          nonce: r.nonce,
          reason: r.error,
          parked: r.parkCount,
          nextCheckAt: r.nextAttemptAt,
          updatedAt: r.updatedAt,
        })),
      },
    };
  }
  if (path === "/health") {
    const health = await api.health();
    return { status: health.ok ? 200 : 503, body: health };
  }
  if (path === "/metrics")
    return {
      status: 200,
      contentType: PROMETHEUS_CONTENT_TYPE,
      body: renderPrometheus(await api.metrics()),
    };
  return { status: 404, body: { error: `no route ${method} ${path}` } };
}
