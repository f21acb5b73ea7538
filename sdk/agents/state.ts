// Where agents and the CLI keep state on this machine (agent stores, the demo's files): the user's state directory,
// never the working directory or the repository.
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/** `$XDG_STATE_HOME/concord` (an absolute XDG_STATE_HOME only, as the XDG spec says), else `~/.local/state/concord`. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME?.trim();
  return xdg && isAbsolute(xdg) ? join(xdg, "concord") : join(homedir(), ".local", "state", "concord");
}

/** `--data-dir` if given (resolved), else {@link stateDir}; created if missing. */
export function dataDir(option: unknown): string {
  const dir = typeof option === "string" && option !== "" ? resolve(option) : stateDir();
  mkdirSync(dir, { recursive: true });
  return dir;
}
