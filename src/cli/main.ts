/**
 * The command line: a thin shell over planFromWords / planFromScenario and run() (autocannon.js over
 * lib/). yargs routes the commands and prints --help and --version; option words go through the
 * option table (src/options.ts), with PYLOGEN's prefix abbreviations. Exit codes are set here once,
 * through process.exitCode (k6 errext/exitcodes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { ExitCode } from '../exitcodes.js';
import { UsageError, describeError } from '../errors.js';
import { planFromScenario, planFromWords } from '../config/buildPlan.js';
import { run } from '../controller/run.js';
import { OPTIONS } from '../options.js';
import { packageRoot } from '../paths.js';
import { kmsCommand } from './kms.js';
import { pkcs11Command } from './pkcs11.js';
import { kmipCommand } from './kmip.js';
import { planCapacity } from '../capacity/capacityPlan.js';
import { runCapacity } from '../capacity/runCapacity.js';

const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

function help(): string {
  const y = yargs([])
    .scriptName('pylogen')
    .usage(
      'pylogen <cut> [options]          run one CUT (cuts.Dummy, cuts.KmsEncryptSymmetric, or ./cuts/MyCut.ts)\n' +
        'pylogen scenario --file FILE     run every line of a scenario file at the same time\n' +
        'pylogen capacity <cut> [options] --start R --step R --step-seconds S [--max R] [--refine] --threshold ...\n' +
        '                                 raise the rate step by step until a threshold fails (or --concurrency-steps 1,2,4,...)\n' +
        'pylogen kms serve [options]      the embedded KMS-compatible server\n' +
        'pylogen kms setup [options]      create on a target the keys that a key file names\n' +
        'pylogen pkcs11 setup [options]   create on a PKCS#11 token the keys that a key file names\n' +
        'pylogen kmip setup [options]     create on a KMIP server the keys that a KMIP key file names\n\n' +
        'Long options may be abbreviated to any unambiguous prefix (--proc, --le, --pauselo, --def).',
    )
    .example('pylogen cuts.Dummy --proc 2 --duration 10', 'two runners for 10 s, CSV events on stdout')
    .example("pylogen cuts.Dummy --le 384 --pauselen 0 --pauselo 0.001 --duration 10 --ram 0 --proc 2", "PYLOGEN's example")
    .example("pylogen cuts.Dummy --loops 5 --extra '{\"transaction\":true}' --out run.csv --summary-json run.json", 'transactions, files')
    .example('pylogen scenario --file scenarios/Scenario.txt', 'a scenario file')
    .version(false)
    .help(false)
    .wrap(Math.min(110, process.stderr.columns ?? 100));
  for (const d of OPTIONS) {
    y.option(d.name, {
      describe: d.describe + (d.aliases ? ` (alias --${d.aliases.join(', --')})` : ''),
      type: d.kind.type === 'count' ? 'count' : d.kind.type === 'flag' ? 'boolean' : 'string',
      ...(d.short ? { alias: d.short } : {}),
    });
  }
  y.option('help', { describe: 'show this help', type: 'boolean' }).option('version', { describe: 'show the version', type: 'boolean' });
  return y.getHelp() as unknown as string;
}

// The AWS SDK prints a 9-line notice about the Node version in every process that loads it (kms
// setup, the runners): it would drown the status lines. The README says which Node versions work.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// An interrupt before the run has started (while the plan is validated, or runners load): nothing
// to stop or write yet, exit 130. run() takes the signals over once the runners exist.
let running = false;
const early = () => {
  if (!running) process.exit(ExitCode.interrupted);
};
process.on('SIGINT', early);
process.on('SIGTERM', early);
/** From here on, the command handles SIGINT / SIGTERM itself. */
const takeSignals = () => {
  running = true;
  process.off('SIGINT', early);
  process.off('SIGTERM', early);
};

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write((await help()) + '\n');
    return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
  }
  if (argv[0] === '--version') {
    process.stdout.write(version + '\n');
    return ExitCode.ok;
  }
  // kms serve|setup have their own options and --help; kms serve stops on a signal, prints its
  // counts and exits 0.
  if (argv[0] === 'kms') {
    if (argv[1] === 'serve') takeSignals();
    return kmsCommand(argv.slice(1));
  }
  if (argv[0] === 'pkcs11') return pkcs11Command(argv.slice(1));
  if (argv[0] === 'kmip') return kmipCommand(argv.slice(1));
  if (argv.includes('--help')) {
    process.stdout.write((await help()) + '\n');
    return ExitCode.ok;
  }
  const cwd = process.cwd();
  const capacity = argv[0] === 'capacity' ? await planCapacity(argv.slice(1), cwd) : undefined;
  const plan = capacity !== undefined ? capacity.plan : argv[0] === 'scenario' ? await planFromScenario(argv.slice(1), cwd) : await planFromWords(argv, cwd);

  // SIGINT / SIGTERM: stop gracefully, write everything received, print the summary, exit 130; a
  // second SIGINT forces the runners down.
  const graceful = new AbortController();
  const force = new AbortController();
  const onSignal = () => {
    if (!graceful.signal.aborted) graceful.abort();
    else force.abort();
  };
  takeSignals();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const signals = { signal: graceful.signal, forceSignal: force.signal };
  const result = capacity !== undefined ? await runCapacity(capacity, signals) : await run(plan, signals);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return result.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`pylogen: ${err.message}\n`);
      process.exitCode = ExitCode.usage;
    } else {
      process.stderr.write(`pylogen: internal error: ${describeError(err)}\n`);
      if (process.env.PYLOGEN_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
      process.exitCode = ExitCode.runFailed;
    }
  },
);
