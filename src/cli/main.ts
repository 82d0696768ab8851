/**
 * The command line: a thin shell over the commands (autocannon.js over lib/). yargs routes the
 * commands, checks their options and prints --help and --version; before it, expandArgv.ts expands
 * PYLOGEN's option prefixes (--proc, --le) against the command's options. Exit codes are set here
 * once, through process.exitCode (k6 errext/exitcodes); a UsageError is one line on stderr, exit 2.
 *
 * How to add a command: write one file under src/cli/ that exports a `Command` (src/cli/command.ts):
 * its words (`path: ['report']`, `['pkcs11', 'setup']`: a two-word path makes a group like `kms`),
 * its options (rows of OPTIONS in src/config/options.ts picked by name, or its own rows in that shape, like
 * src/command/kmsOptions.ts), a one-line `describe`, and `run(args)` that validates the raw values
 * through parseValue and returns an exit code. Then add it to COMMANDS in src/cli/commands.ts (a
 * protocol's command, like `pkcs11 setup`, goes to the `commands` of its protocol.ts instead). Its
 * --help, prefix expansion and one-line errors come with it.
 * How to add an option of a run (`pylogen <cut>`, scenario lines, profiles): one row of OPTIONS in
 * src/config/options.ts (kind `flag` for an option without a value, like --no-preflight).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { ExitCode } from '../core/exitcodes.js';
import { UsageError, describeError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';
import { argsOf, declareOptions, usageLine, type Command } from './command.js';
import { COMMANDS } from './commands.js';
import { cutHelp } from './cutHelp.js';
import { commandOf, expandArgv } from './expandArgv.js';
import { exitOnEarlySignals } from '../command/signals.js';

const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

// The AWS SDK prints a 9-line notice about the Node version in every process that loads it (kms
// setup, the runners): it would drown the status lines. The README says which Node versions work.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
exitOnEarlySignals();

const width = (): number => Math.min(110, process.stdout.columns ?? 100);

/** yargs, told not to guess: values stay strings (the option table checks them), no camel-case keys. */
function cli(): Argv {
  return yargs()
    .scriptName('pylogen')
    .parserConfiguration({
      'camel-case-expansion': false,
      'dot-notation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'boolean-negation': false,
      // an option given twice: the last wins (argsOf), except repeatable ones (--threshold) that keep all
      'duplicate-arguments-array': true,
      'greedy-arrays': false,
      'strip-aliased': true,
    })
    .strictOptions()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg.replace(/^Unknown arguments?: /, 'unknown option --'));
    })
    .help('help')
    .alias('help', 'h')
    .version(version)
    .wrap(width());
}

function builder(c: Command): (y: Argv) => Argv {
  return (y) => {
    // the default command's usage is the top level's (TOP_USAGE)
    if (c.path.length > 0) y.usage(`${usageLine(c)}${c.details !== undefined ? `\n\n${c.details}` : ''}`);
    declareOptions(y, c.options);
    declareOptions(y, c.hiddenOptions ?? [], true);
    for (const [cmd, what] of c.examples ?? []) y.example(cmd, what);
    return y;
  };
}

/** Registers every command; `done` receives the exit code of the one that ran. */
function register(y: Argv, commands: readonly Command[], cwd: string, words: readonly string[], done: (code: number) => void): Argv {
  const groups = new Map<string, Command[]>();
  for (const c of commands) {
    const handler = async (argv: Record<string, unknown>): Promise<void> => done(await c.run(argsOf(argv, c, cwd, words)));
    if (c.path.length <= 1) {
      y.command({ command: c.path.length === 0 ? '$0' : c.path[0]!, describe: c.path.length === 0 ? false : c.describe, builder: builder(c), handler });
    } else {
      const g = groups.get(c.path[0]!) ?? [];
      groups.set(c.path[0]!, g.concat(c));
    }
  }
  for (const [name, subs] of groups) {
    let group: Argv | undefined;
    y.command({
      command: name,
      describe: subs.map((c) => c.path.join(' ')).join(', '),
      builder: (gy) => {
        group = gy;
        gy.usage(subs.map((c) => `${usageLine(c)}\n    ${c.describe}`).join('\n'));
        for (const c of subs) {
          const handler = async (argv: Record<string, unknown>): Promise<void> => done(await c.run(argsOf(argv, c, cwd, words)));
          gy.command({ command: c.path[1]!, describe: c.describe, builder: builder(c), handler });
        }
        return gy;
      },
      // `pylogen kms` alone: its usage on stderr, exit 2 (an unknown subcommand is refused by commandOf)
      handler: () => {
        group?.showHelp((s: string) => process.stderr.write(`${s}\n`));
        done(ExitCode.usage);
      },
    });
  }
  return y;
}

const TOP_USAGE = [
  ...COMMANDS.map((c) => `${usageLine(c, true).padEnd(40)} ${c.describe}`),
  `${'pylogen <cut> --help'.padEnd(40)} that CUT: what it does, its requests, its --extra keys`,
  `${'pylogen --help | --version'.padEnd(40)} pylogen <command> --help: the options of a command`,
  '',
  'Long options may be abbreviated to any unambiguous prefix (--proc, --le, --pauselo, --ram, --def).',
  'The options below are those of pylogen <cut>.',
].join('\n');

async function main(argv: string[]): Promise<number> {
  const cwd = process.cwd();
  let code: number = ExitCode.ok;
  const done = (c: number): void => {
    code = c;
  };
  if (argv.length === 0 || argv[0] === 'help') {
    const help = await topLevel(cwd, [], done).getHelp();
    if (argv.length === 0) {
      process.stderr.write(`${help}\n`);
      return ExitCode.usage;
    }
    process.stdout.write(`${help}\n`);
    return ExitCode.ok;
  }
  const command = commandOf(argv, COMMANDS);
  const words = expandArgv(argv, command);
  // `pylogen cuts.X --help`: that CUT's own help (its requests and --extra keys), not the options'
  const cut = command.path.length === 0 ? words.find((w) => !w.startsWith('-')) : undefined;
  if (cut !== undefined && words.some((w) => w === '--help' || w === '-h')) {
    process.stdout.write(`${await cutHelp(cut, cwd)}\n`);
    return ExitCode.ok;
  }
  await topLevel(cwd, words, done).parseAsync(words);
  return code;
}

function topLevel(cwd: string, words: readonly string[], done: (code: number) => void): Argv {
  const y = register(cli(), COMMANDS, cwd, words, done);
  return y.usage(TOP_USAGE);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      // one line per problem (a scenario reports each bad line as FILE:LINE)
      process.stderr.write(
        err.message
          .split('\n')
          .map((l) => `pylogen: ${l}\n`)
          .join(''),
      );
      process.exitCode = ExitCode.usage;
    } else {
      process.stderr.write(`pylogen: internal error: ${describeError(err)}\n`);
      if (process.env.PYLOGEN_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
      process.exitCode = ExitCode.runFailed;
    }
  },
);
