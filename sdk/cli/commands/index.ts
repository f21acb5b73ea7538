// Every `concord` command, in the order `concord --help` lists them. Each module owns its options and help text.
import type { Command } from "../command.js";
import { validatorCommand, relayerCommand } from "./agents.js";
import { demoCommand } from "./demo.js";
import { deployCliCommand } from "./deploy.js";
import { payCommand } from "./pay.js";
import { relayCommand } from "./relay.js";
import { retryCommand } from "./retry.js";
import { sendCommand } from "./send.js";
import { statusCommand } from "./status.js";
import { watcherCommand } from "./watcher.js";

export const COMMANDS: Readonly<Record<string, Command>> = {
  demo: demoCommand,
  deploy: deployCliCommand,
  send: sendCommand,
  pay: payCommand,
  status: statusCommand,
  retry: retryCommand,
  relay: relayCommand,
  validator: validatorCommand,
  relayer: relayerCommand,
  watcher: watcherCommand,
};
