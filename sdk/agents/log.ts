/** Where agents report progress; `console`-like. The default writes one JSON line per entry to stderr. */
export type AgentLogger = {
  info: (message: string, fields?: Record<string, unknown>) => void;
  warn: (message: string, fields?: Record<string, unknown>) => void;
  error: (message: string, fields?: Record<string, unknown>) => void;
};

/** JSON-lines logger on stderr, tagged with `name`. */
export function jsonLogger(name: string): AgentLogger {
  const write = (level: string, message: string, fields?: Record<string, unknown>) =>
    process.stderr.write(
      `${JSON.stringify({ t: new Date().toISOString(), level, agent: name, message, ...fields }, (_k, v) =>
        typeof v === "bigint" ? v.toString() : v,
      )}\n`,
    );
  return {
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: AgentLogger = { info: () => {}, warn: () => {}, error: () => {} };
