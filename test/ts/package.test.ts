/**
 * `@concord/sdk` as users get it: `npm pack` of sdk/, installed into a throwaway project outside the repository (its
 * only dependency, viem, from the npm registry, preferring the local cache), then used there with plain `node`:
 * encode/decode a message, sign and build message-id metadata that recovers to the signer, decode a Concord error
 * with its NatSpec, read a typed ABI, load deployable bytecode from the `deploy` subpath, import the agents, and run
 * the `concord` binary. Nothing in the installed package may read the checkout (no artifacts/, no contracts/).
 * Needs sdk/dist (`npm run build`).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { repoRoot } from "../../sdk/src/repo.js";

const root = repoRoot();
const sdkDir = join(root, "sdk");

/** npm with the Node running this test first on PATH (npm's own shebang picks `node` from PATH). */
function npm(args: string[], cwd: string): string {
  const path = `${join(process.execPath, "..")}:${process.env.PATH ?? ""}`;
  return execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      PATH: path,
      npm_config_audit: "false",
      npm_config_fund: "false",
      npm_config_update_notifier: "false",
    },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 300_000,
  });
}

const USE = `
import assert from "node:assert/strict";
import { privateKeyToAccount } from "viem/accounts";
import { encodeErrorResult } from "viem";
import {
  concordGatewayAbi, decodeConcordError, decodeConcordMessage, encodeConcordMessage, messageId, messageIdDigest,
  messageIdMetadata, recoverSigner, signDigest, ConcordSdkError, CodecError,
} from "@concord/sdk";
import { loadArtifact } from "@concord/sdk/deploy";
import { Relayer, Validator, AgentConfigError } from "@concord/sdk/agents";

const sender = "0x1111111111111111111111111111111111111111";
const recipient = "0x2222222222222222222222222222222222222222";
const message = encodeConcordMessage({ nonce: 7, origin: 31337, sender, destination: 31338, recipient, gasLimit: 100000, payload: "0xc0ffee" });
const decoded = decodeConcordMessage(message);
assert.equal(decoded.nonce, 7);
assert.equal(decoded.payload, "0xc0ffee");
assert.equal(decoded.gasLimit, 100000);

const account = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const digest = messageIdDigest({ origin: 31337, originGateway: sender, messageId: messageId(message), nonce: 7 });
const signed = await signDigest(account, digest);
const metadata = messageIdMetadata({ signatures: [signed] });
assert.equal((metadata.length - 2) / 2, 65);
assert.equal(await recoverSigner(digest, metadata), account.address);

const data = encodeErrorResult({ abi: concordGatewayAbi, errorName: "ConcordGatewayUnknownOrigin", args: [999] });
const error = decodeConcordError(data);
assert.equal(error.name, "ConcordGatewayUnknownOrigin");
assert.match(error.text, /^ConcordGatewayUnknownOrigin\\(origin: 999\\): Thrown when/);

assert.ok(new CodecError("x", "y") instanceof ConcordSdkError);
assert.throws(() => decodeConcordMessage("0x01"), ConcordSdkError);
const gateway = loadArtifact("ConcordGateway");
assert.match(gateway.bytecode, /^0x[0-9a-f]{1000,}$/);
assert.equal(typeof Relayer, "function");
assert.equal(typeof Validator, "function");
assert.equal(typeof AgentConfigError, "function");
console.log("ok", error.text.length);
`;

describe("@concord/sdk packed and installed outside the repository", () => {
  let work: string;
  let project: string;
  let tarball: string;

  before(() => {
    assert.ok(
      existsSync(join(sdkDir, "dist", "src", "index.js")),
      "sdk/dist is missing: run `npm run build`",
    );
    work = mkdtempSync(join(tmpdir(), "concord-pack-"));
    const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", work], sdkDir)) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarball = join(work, packed[0]!.filename);
    project = join(work, "app");
    execFileSync("mkdir", ["-p", project]);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "app", private: true, type: "module" }),
    );
    npm(["install", "--prefer-offline", "--no-package-lock", "--loglevel=error", tarball], project);
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("ships dist and README only: no test helpers, no sources, no source maps", () => {
    const list = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n");
    assert.ok(list.includes("package/dist/src/index.js"));
    assert.ok(list.includes("package/dist/src/generated/abis.js"));
    const bad = list.filter((p) => /testing|\.map$|\.ts$(?<!\.d\.ts$)|\/test\//.test(p));
    assert.deepEqual(bad, []);
  });

  it("is used from a plain node project: codec, metadata, errors, ABIs, deploy bytecode, agents", () => {
    writeFileSync(join(project, "use.mjs"), USE);
    const out = execFileSync(process.execPath, ["use.mjs"], { cwd: project, encoding: "utf8" });
    assert.match(out, /^ok \d+/);
  });

  it("runs the installed `concord` binary (help, exit code 0)", () => {
    const bin = join(project, "node_modules", ".bin", "concord");
    const out = execFileSync(process.execPath, [bin, "--help"], { cwd: project, encoding: "utf8" });
    assert.match(out, /concord/);
    const installed = JSON.parse(
      readFileSync(join(project, "node_modules", "@concord", "sdk", "package.json"), "utf8"),
    );
    assert.equal(installed.name, "@concord/sdk");
  });
});
