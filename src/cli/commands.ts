/**
 * Every command of the command line, registered with yargs by main.ts. To add a command, write one
 * file under src/cli/ that exports a `Command` (see command.ts) and add it to this list.
 */
import { capacityCommand } from './capacityCommand.js';
import type { Command } from './command.js';
import { compareCommand } from './compareCommand.js';
import { kmipSetupCommand } from './kmip.js';
import { listCommand } from './listCommand.js';
import { kmsServeCommand } from './kmsServe.js';
import { kmsSetupCommand } from './kmsSetup.js';
import { k8sJobCommand } from './k8sJob.js';
import { mergeCommand } from './mergeCommand.js';
import { pkcs11SetupCommand } from './pkcs11.js';
import { reportCommand } from './reportCommand.js';
import { runCommand } from './runCommand.js';
import { scenarioCommand } from './scenarioCommand.js';

export const COMMANDS: readonly Command[] = [runCommand, scenarioCommand, capacityCommand, reportCommand, listCommand, mergeCommand, compareCommand, k8sJobCommand, kmsServeCommand, kmsSetupCommand, pkcs11SetupCommand, kmipSetupCommand];
