/**
 * Every command of the command line, registered with yargs by main.ts: pylogen's own, then those the
 * protocols contribute (`commands` of src/protocols/registry.ts: `vault setup`, ...). To add a command,
 * write one file under src/cli/ that exports a `Command` (see command.ts) and add it to this list (a
 * protocol's: to its protocol.ts).
 */
import { capacityCommand } from './capacityCommand.js';
import type { Command } from './command.js';
import { compareCommand } from './compareCommand.js';
import { listCommand } from './listCommand.js';
import { kmsServeCommand } from './kmsServe.js';
import { kmsSetupCommand } from './kmsSetup.js';
import { k8sJobCommand } from './k8sJob.js';
import { mergeCommand } from './mergeCommand.js';
import { PROTOCOLS } from '../protocols/registry.js';
import { reportCommand } from './reportCommand.js';
import { runCommand } from './runCommand.js';
import { scenarioCommand } from './scenarioCommand.js';

export const COMMANDS: readonly Command[] = [
  ...[runCommand, scenarioCommand, capacityCommand, reportCommand, listCommand, mergeCommand, compareCommand, k8sJobCommand, kmsServeCommand, kmsSetupCommand],
  ...PROTOCOLS.flatMap((p) => p.commands ?? []),
];
