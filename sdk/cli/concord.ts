#!/usr/bin/env node
// The `concord` executable (package.json "bin"): runs the CLI and exits with its code.
import { main } from "./main.js";
import { ExitCode } from "./output.js";

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`fatal: ${(e as Error).stack}\n`);
    process.exit(ExitCode.FAILED);
  },
);
