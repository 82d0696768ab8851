/** `pylogen kms serve|setup`: dispatch and --help. */
import { UsageError } from '../errors.js';
import { ExitCode } from '../exitcodes.js';
import { SERVE_OPTIONS, SETUP_OPTIONS, type KmsOptionDef } from './kmsOptions.js';
import { kmsServe } from './kmsServe.js';
import { kmsSetup } from './kmsSetup.js';

const VALUE_NAMES: Record<string, string> = {
  host: 'HOST',
  port: 'N',
  keys: 'FILE',
  latency: 'MS|MIN-MAX',
  throttle: 'RPS',
  'error-rate': 'P',
  region: 'R',
  credentials: 'AK:SECRET[:TOKEN]',
  workers: 'N',
  endpoint: 'URL',
  retries: 'N',
  timeout: 'S',
};

function optionLines(defs: readonly KmsOptionDef[]): string {
  const heads = defs.map((d) => `  --${d.name} ${VALUE_NAMES[d.name] ?? 'VALUE'}`);
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  return defs.map((d, i) => `${heads[i]!.padEnd(width)}${d.describe}${d.default !== undefined ? ` (default ${d.default})` : ''}`).join('\n');
}

const SERVE_HELP = `pylogen kms serve [options]

The embedded KMS-compatible server (AWS KMS JSON 1.1 over HTTP, real cryptography with node:crypto),
with the keys of a key file created at start. Prints its URL on stdout, serves until Ctrl-C (SIGINT)
or SIGTERM, then prints its counts and exits 0. Without --credentials it checks none (clients may
sign with any); with it, every SigV4 signature is verified and refused as AWS does.

Options (any unambiguous prefix works: --po, --thr, --err):
${optionLines(SERVE_OPTIONS)}

Examples:
  pylogen kms serve --port 8080
  pylogen kms serve --port 8080 --throttle 50 --latency 2-8     then: pylogen cuts.KmsEncryptSymmetric --endpoint http://127.0.0.1:8080
  pylogen kms serve --keys my-keys.json --error-rate 0.01
  pylogen kms serve --credentials AKIDEXAMPLE:secret     then sign with AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret
`;

const SETUP_HELP = `pylogen kms setup [options]

Creates on a target the keys that a key file names: for each entry whose alias does not resolve, a key
of its key spec and usage, and the alias; entries that resolve are checked (kind, state) and left
alone; a fixed keyId is only checked. Prints one line per key. Works on AWS KMS (IAM permissions:
kms:DescribeKey, kms:CreateKey, kms:CreateAlias; see README, KMS), a kms serve, or any
KMS-compatible endpoint. Credentials and region come from the SDK's chain unless given.

Options (any unambiguous prefix works: --end, --reg):
${optionLines(SETUP_OPTIONS)}

Examples:
  pylogen kms setup --region eu-west-1                               on AWS KMS, with the SDK's credentials
  pylogen kms setup --endpoint http://127.0.0.1:8080 --keys my-keys.json
`;

const KMS_HELP = `pylogen kms serve [options]    the embedded KMS-compatible server, until Ctrl-C
pylogen kms setup [options]    create on a target the keys that a key file names

pylogen kms serve --help and pylogen kms setup --help for their options.
`;

const COMMANDS = ['serve', 'setup'] as const;

export async function kmsCommand(argv: string[], cwd: string = process.cwd()): Promise<number> {
  const [command, ...words] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(KMS_HELP);
    return command === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown kms command "${command}" (kms serve, kms setup)`);
  }
  if (words.includes('--help') || words.includes('-h')) {
    process.stdout.write(command === 'serve' ? SERVE_HELP : SETUP_HELP);
    return ExitCode.ok;
  }
  return command === 'serve' ? kmsServe(words, cwd) : kmsSetup(words, cwd);
}
