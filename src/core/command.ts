/**
 * What a command of the command line is (types only): the words that name it, its options, its help
 * text and what it does. src/cli/command.ts declares them to yargs; here on the floor so that a
 * protocol's contribution (src/protocols/Protocol.ts `commands`) names the type without importing cli/.
 */
import type { OptionRow } from './optionRow.js';

/** What a command's handler gets: raw option values (validated by the command, through the table). */
export interface CommandArgs {
  /** words that are not options, after the command's own words */
  positionals: string[];
  /** option name → raw value as typed ('true' for a flag) */
  values: Record<string, string>;
  /** every value of a repeatable option (--threshold), in order */
  lists: Record<string, string[]>;
  /** -v count */
  verbose: number;
  cwd: string;
  /** the words after the command's own, options expanded (for a command that splits them itself) */
  words: string[];
}

export interface Command {
  /** the words that name it: [] for the default command (pylogen <cut>), ['kms', 'serve'] */
  path: readonly string[];
  /** what follows `pylogen <path>` in the usage line, e.g. '<cut> [options]' (default: the options) */
  synopsis?: string;
  /** one line, for the command list */
  describe: string;
  /** a paragraph under the usage line of its --help */
  details?: string;
  options: readonly OptionRow[];
  /** options taken as words but not shown by --help: the command refuses them itself, saying why */
  hiddenOptions?: readonly OptionRow[];
  examples?: readonly (readonly [string, string])[];
  /** runs it; the exit code. UsageError → one line, exit 2 (main.ts). */
  run(args: CommandArgs): Promise<number>;
}
