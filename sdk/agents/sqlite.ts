// node:sqlite (Node >= 22.5) without its one-time ExperimentalWarning on stderr.
import type { DatabaseSync as DatabaseSyncType } from "node:sqlite";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

type SqliteModule = { DatabaseSync: typeof DatabaseSyncType };
let cached: SqliteModule | undefined;

/** Loads `node:sqlite`, muting the experimental-feature warning it emits on first load. */
export function loadSqlite(): SqliteModule {
  if (cached) return cached;
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (text.includes("SQLite")) return;
    (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    cached = require("node:sqlite") as SqliteModule;
  } finally {
    process.emitWarning = emit;
  }
  return cached;
}

export type { DatabaseSyncType as DatabaseSync };
