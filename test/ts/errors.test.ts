/**
 * One error root: every error class the SDK, the agents and the CLI define extends `ConcordSdkError` (the only class
 * under sdk/ that extends `Error` directly), with its short message and details.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { AgentConfigError, AgentError, StoreError } from "../../sdk/agents/index.js";
import { CliError, ExitCode } from "../../sdk/cli/output.js";
import { ArtifactError, ConfigError, RegistryError } from "../../sdk/src/deploy/index.js";
import { CodecError, ConcordSdkError, MetadataError, ValidatorEndpointError } from "../../sdk/src/index.js";
import { repoRoot } from "../../sdk/src/repo.js";

describe("one error root", () => {
  it("SDK, deploy, agent and CLI errors are ConcordSdkErrors with a short message and details", () => {
    const errors = [
      new CodecError("bad", "field"),
      new MetadataError("bad", "field"),
      new ValidatorEndpointError("http://v", "HTTP 500"),
      new ArtifactError("no contract"),
      new ConfigError("chains.a.rpcUrl", "missing"),
      new RegistryError("unreadable"),
      new AgentError("agent failed", "why"),
      new AgentConfigError("pollIntervalMs", "must be positive"),
      new StoreError("corrupt"),
      new CliError("no such chain", ExitCode.CONFIG, "fix --from"),
    ];
    for (const e of errors) {
      assert.ok(e instanceof ConcordSdkError, e.name);
      assert.equal(typeof e.shortMessage, "string", e.name);
    }
    const agent = new AgentError("agent failed", "why");
    assert.equal(agent.message, "agent failed\n\nDetails: why");
    const cli = new CliError("no such chain", ExitCode.CONFIG, "fix --from");
    assert.equal(cli.message, "no such chain");
    assert.equal(cli.code, ExitCode.CONFIG);
  });

  it("no class under sdk/ extends Error directly except ConcordSdkError", () => {
    const root = repoRoot();
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!["dist", "generated", "node_modules"].includes(entry.name)) walk(path);
        } else if (entry.name.endsWith(".ts")) {
          for (const m of readFileSync(path, "utf8").matchAll(/class\s+(\w+)\s+extends\s+Error\b/g))
            if (m[1] !== "ConcordSdkError") offenders.push(`${relative(root, path)}: ${m[1]}`);
        }
      }
    };
    walk(join(root, "sdk"));
    assert.deepEqual(offenders, []);
  });
});
