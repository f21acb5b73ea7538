// PostgreSQL back end of the relayer store: several relayer instances share one database; `claim` takes rows
// with `FOR UPDATE SKIP LOCKED` plus a lease, so no two instances submit the same message.
import { AsyncLocalStorage } from "node:async_hooks";
import type { PoolClient } from "pg";
import { StoreError } from "./errors.js";
import { type SqlDriver, SqlRelayerStore } from "./store.js";

/** Opens the PostgreSQL relayer store (creating its tables); `pg` is loaded on demand. */
export async function openPostgresStore(connectionString: string, poolSize = 4): Promise<SqlRelayerStore> {
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString, max: poolSize });
  const txClient = new AsyncLocalStorage<PoolClient>();
  const driver: SqlDriver = {
    kind: "postgres",
    async query(sql, params = []) {
      const client = txClient.getStore();
      const result = await (client ?? pool).query(sql, params as unknown[]);
      return result.rows as Record<string, unknown>[];
    },
    async exec(sql) {
      await (txClient.getStore() ?? pool).query(sql);
    },
    async transaction(fn) {
      if (txClient.getStore()) return fn(); // nested: join the open transaction
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await txClient.run(client, fn);
        await client.query("COMMIT");
        return result;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
  const store = new SqlRelayerStore(driver);
  try {
    // Two instances may create the schema at once: serialize on an advisory lock.
    await driver.transaction(async () => {
      await driver.query("SELECT pg_advisory_xact_lock(7863)");
      await store.init();
    });
  } catch (e) {
    await pool.end().catch(() => {});
    throw new StoreError(
      `relayer store ${connectionString.replace(/:[^:@/]*@/, ":***@")} cannot be initialized`,
      (e as Error).message,
    );
  }
  return store;
}
