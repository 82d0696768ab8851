/**
 * Every command of the command line, registered with yargs by main.ts: pylogen's own, then those the
 * protocols contribute (`commands` of the protocols of src/registry.ts: `vault setup`, ...). The command
 * line is the main process's composition root: loading this list installs every protocol
 * (src/protocols/seam.ts), before any command parses an option. To add a command,
 * write one file under src/cli/ that exports a `Command` (see command.ts) and add it to this list (a
 * protocol's: to its protocol.ts).
 */
import { capacityCommand } from './capacityCommand.js';
import type { Command } from './command.js';
import { compareCommand } from './compareCommand.js';
import { listCommand } from './listCommand.js';
import { k8sJobCommand } from './k8sJob.js';
import { mergeCommand } from './mergeCommand.js';
import { installProtocols } from '../registry.js';
import { reportCommand } from './reportCommand.js';
import { runCommand } from './runCommand.js';
import { scenarioCommand } from './scenarioCommand.js';

export const COMMANDS: readonly Command[] = [
  ...[runCommand, scenarioCommand, capacityCommand, reportCommand, listCommand, mergeCommand, compareCommand, k8sJobCommand],
  ...(await installProtocols()).flatMap((p) => p.commands ?? []),
];
