/**
 * The shape of one option row (src/config/options.ts holds the run's table and parses the values):
 * a type only, here on the floor so that the protocol seam (src/protocols/Protocol.ts) and the command
 * kit may name it without importing the table, which asks the installed protocols.
 */
import type { LineOptions, OutFormat } from './plan.js';

export type Kind =
  | { type: 'int'; min: number; max?: number }
  | { type: 'seconds'; min: number; positive?: boolean }
  | { type: 'number'; min: number; max?: number; positive?: boolean }
  /**
   * a URL of one of `schemes` (default http, https), or one of `named` (NAMED_ENDPOINTS: throwaway
   * targets started for the run)
   */
  | { type: 'url'; schemes?: readonly string[]; named?: readonly string[] }
  | { type: 'lengths' }
  | { type: 'json-object' }
  | { type: 'enum'; choices: readonly string[] }
  | { type: 'string'; nonEmpty?: boolean }
  | { type: 'count' }
  /** a flag: no value on the command line, true / false in a profile (`--abort-on-fail`) */
  | { type: 'flag' }
  /** thresholds, [REQUEST:]METRIC OP VALUE (src/verdict/threshold.ts); repeatable, they add up */
  | { type: 'thresholds' }
  /** whole numbers separated by commas, increasing (capacity --concurrency-steps) */
  | { type: 'int-list'; min: number }
  /** I/N: shard I of a run split N ways (--shard) */
  | { type: 'shard' }
  /** a wall-clock instant: ISO-8601 with a date, or epoch seconds (--start-at); the value is epoch ms */
  | { type: 'instant' };

/** The values of a run's run-scope options (`--out`, `--quiet`, ...): each set by the row whose `run` names it. */
export interface RunValues {
  outformat: OutFormat;
  out: string;
  summaryJson: string;
  report: string;
  metricsPort: number;
  metricsHost: string;
  abortOnFail: boolean;
  noPreflight: boolean;
  quiet: boolean;
  shard?: { index: number; count: number };
  startAt?: number;
}

/**
 * One option of any command: a row of the run table below (OPTIONS: `pylogen <cut>`, scenario,
 * capacity, k8s job, merge) or of a command's own rows (`kms serve`, `vault setup`, ...), all
 * parsed by parseValue and declared to yargs by cli/command.ts.
 */
export interface OptionRow {
  /** the long name, as typed after `--` */
  name: string;
  /** other full names (PYLOGEN's --steps and --pausestep) */
  aliases?: string[];
  /** short flag */
  short?: string;
  kind: Kind;
  describe: string;
  /**
   * rows of the run table: `line`, per CUT line (command line or scenario line); `run`, for the whole
   * run; `capacity`, of `pylogen capacity` only. A command's own rows have none.
   */
  scope?: 'line' | 'run' | 'capacity';
  /** the key of LineOptions it sets (line options) */
  key?: keyof LineOptions;
  /** the field of RunValues it sets (run options; none for those a command reads itself: --defaults, --file, -v) */
  run?: keyof RunValues;
  /** a command's own row: the value used when the option is absent (and shown by --help) */
  default?: string;
  /** whether a profile may set it */
  profile?: boolean;
  /** may be given several times: every value counts (a profile gives a list) */
  repeatable?: boolean;
  /** what --help shows after the name (`--process N`); default from the kind */
  value?: string;
  /** what --help shows as the default when the built-in value does not say it well */
  defaultText?: string;
}
