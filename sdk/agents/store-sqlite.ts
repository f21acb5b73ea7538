// SQLite back end of the relayer store (node:sqlite, one file, WAL): the default for a single relayer.
import { AsyncLocalStorage } from "node:async_hooks";
import { StoreError } from "./errors.js";
import { loadSqlite } from "./sqlite.js";
import { type SqlDriver, SqlRelayerStore } from "./store.js";

/** `$1` placeholders -> SQLite's `?1`. */
const toSqlite = (sql: string) => sql.replace(/\$(\d+)/g, "?$1");

/** Opens (creating) the SQLite relayer store at `path` (":memory:" for a throwaway one). */
export async function openSqliteStore(path: string): Promise<SqlRelayerStore> {
  const { DatabaseSync } = loadSqlite();
  let db: InstanceType<typeof DatabaseSync>;
  try {
    db = new DatabaseSync(path);
    const check = db.prepare("PRAGMA quick_check").get() as { quick_check?: string } | undefined;
    if (check?.quick_check !== "ok") throw new Error(`quick_check: ${JSON.stringify(check)}`);
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
  } catch (e) {
    throw new StoreError(`relayer store ${path} is unreadable or corrupt`, (e as Error).message);
  }
  const inTx = new AsyncLocalStorage<boolean>();
  let lock: Promise<void> = Promise.resolve();
  // Prepared statements are compiled once per SQL text.
  const statements = new Map<string, ReturnType<typeof db.prepare>>();
  const run = (sql: string, params: readonly unknown[] = []) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(toSqlite(sql));
      statements.set(sql, statement);
    }
    return statement.all(...(params as (string | number | null)[])) as Record<string, unknown>[];
  };
  const driver: SqlDriver = {
    kind: "sqlite",
    async query(sql, params) {
      if (!inTx.getStore()) await lock; // never interleave with another loop's open transaction
      return run(sql, params);
    },
    async exec(sql) {
      db.exec(sql);
    },
    async transaction(fn) {
      if (inTx.getStore()) return fn(); // nested: join the open transaction
      const previous = lock;
      let release!: () => void;
      lock = new Promise<void>((r) => (release = r));
      await previous;
      db.exec("BEGIN IMMEDIATE");
      try {
        const result = await inTx.run(true, fn);
        db.exec("COMMIT");
        return result;
      } catch (e) {
        if (db.isTransaction) db.exec("ROLLBACK");
        throw e;
      } finally {
        release();
      }
    },
    async close() {
      await lock;
      if (db.isOpen) db.close();
    },
  };
  const store = new SqlRelayerStore(driver);
  try {
    await store.init();
  } catch (e) {
    throw new StoreError(`relayer store ${path} cannot be initialized`, (e as Error).message);
  }
  return store;
}
