/**
 * The plumbing that `kms serve`, `kms setup`, `pkcs11 setup` and `kmip setup` share: commands of
 * options only, whose raw values are checked (parseKmsOptions, every problem at once) before the
 * command's own body runs, and which write to stdout / stderr unless a test gives its own writers.
 * The three setup commands also end alike (runSetup): one line per key and a count line on stdout,
 * a failure of the target one line on stderr, exit 1.
 */
import { UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exitcodes.js';
import type { OptionRow } from '../config/options.js';
import { parseKmsOptions, type OptionValues } from './kmsOptions.js';

/** Where a command writes (default: process.stdout, process.stderr). */
export interface CommandIO {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

/** What the body of an options-only command gets. */
export interface OptionsRun<IO extends CommandIO> {
  /** the command's words, e.g. 'kms setup' (its messages begin with them) */
  name: string;
  /** the checked values: option name → parsed value (defaults filled in) */
  v: OptionValues;
  cwd: string;
  out: (text: string) => void;
  err: (text: string) => void;
  io: IO;
}

/** An options-only command as a function: raw values (by yargs, main.ts) → exit code. */
export type OptionsCommandFn<IO extends CommandIO> = (
  positionals: readonly string[],
  raw: Readonly<Record<string, string>>,
  cwd: string,
  io?: IO,
) => Promise<number>;

/**
 * `family command` (kms serve, pkcs11 setup, ...) of the options `defs`: checks the raw values
 * (UsageError for any word that is not an option, or any bad value), then runs `body` with them.
 */
export function optionsCommand<IO extends CommandIO = CommandIO>(
  family: string,
  command: string,
  defs: readonly OptionRow[],
  body: (r: OptionsRun<IO>) => Promise<number>,
): OptionsCommandFn<IO> {
  return async (positionals, raw, cwd, io = {} as IO) => {
    const out = io.stdout ?? ((t: string) => void process.stdout.write(t));
    const err = io.stderr ?? ((t: string) => void process.stderr.write(t));
    const v = parseKmsOptions(command, positionals, raw, defs, family);
    return body({ name: `${family} ${command}`, v, cwd, out, err, io });
  };
}

/** The steps of a setup command against its target (a KMS, a PKCS#11 token, a KMIP server). */
export interface SetupSteps {
  /** the key file's path, for the count line */
  file: string;
  /** what the count line says the keys are on (may ask the target; a UsageError stops the command) */
  target: () => string | Promise<string>;
  /** makes the keys exist, saying one line per key */
  create: (say: (line: string) => void) => Promise<{ existing: readonly unknown[]; created: readonly unknown[] }>;
  /** a failure of the target: the text after `pylogen: <name>: ` on stderr (or a UsageError thrown, exit 2) */
  failure: (e: unknown) => string;
  /** releases the client or session, however it went */
  close: () => void;
}

/**
 * Runs a setup command's steps: one line per key and `pylogen <name>: FILE on TARGET: N existing,
 * M created` on stdout, exit 0; a UsageError goes on (exit 2); any other failure is one line on
 * stderr, exit 1. The target is closed in every case.
 */
export async function runSetup(r: Pick<OptionsRun<CommandIO>, 'name' | 'out' | 'err'>, steps: SetupSteps): Promise<number> {
  try {
    const target = await steps.target();
    const done = await steps.create((line) => r.out(`${line}\n`));
    r.out(`pylogen ${r.name}: ${steps.file} on ${target}: ${done.existing.length} existing, ${done.created.length} created\n`);
    return ExitCode.ok;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    r.err(`pylogen: ${r.name}: ${steps.failure(e)}\n`);
    return ExitCode.runFailed;
  } finally {
    steps.close();
  }
}
