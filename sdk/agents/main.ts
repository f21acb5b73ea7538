/**
 * Process entry for one agent, used by the crash tests (a relayer killed with SIGKILL must be a real process):
 *   node --import tsx sdk/agents/main.ts relayer|validator <config.json>
 * The config is the agent's config as JSON (keys as hex strings). Prints `ready <url>` once serving; SIGTERM
 * stops it cleanly.
 */
import { readFileSync } from "node:fs";
import { stopOnSignals } from "./lifecycle.js";
import { type RelayerConfig, runRelayer } from "./relayer.js";
import { type ValidatorConfig, runValidator } from "./validator.js";

const [kind, path] = process.argv.slice(2);
if ((kind !== "relayer" && kind !== "validator") || !path) {
  process.stderr.write("usage: main.ts relayer|validator <config.json>\n");
  process.exit(2);
}
const config = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
const agent =
  kind === "relayer"
    ? await runRelayer(config as unknown as RelayerConfig)
    : await runValidator({
        ...(config as unknown as ValidatorConfig),
        fromBlock: config.fromBlock === undefined ? undefined : BigInt(config.fromBlock as number),
      });
process.stdout.write(`ready ${agent.url ?? ""}\n`);
stopOnSignals(agent, () => process.exit(0), ["SIGTERM"]);
