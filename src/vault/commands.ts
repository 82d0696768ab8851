/**
 * `pylogen vault serve` and `pylogen vault setup` as the command line registers them (Command of
 * src/cli/command.ts): their option rows and texts as data; `run` loads the body (commandRun.ts: the
 * server, the client) only when the command runs, so the registry, which every runner loads, stays light.
 */
import type { Command, CommandArgs } from '../core/command.js';
import type { OptionRow } from '../config/options.js';
import { faultRows, hostRow, keysRow, PORT_ROW } from '../protocols/serveOptions.js';
import { DEFAULT_VAULT_KEY_FILE } from './keyfile.js';

const KEYS = keysRow('Vault key file', DEFAULT_VAULT_KEY_FILE);

export const VAULT_SERVE_OPTIONS: readonly OptionRow[] = [
  hostRow('keep it on loopback: plain HTTP'),
  PORT_ROW,
  KEYS,
  {
    name: 'token',
    value: 'TOKEN',
    kind: { type: 'string', nonEmpty: true },
    describe:
      'require this token (X-Vault-Token); 403 "permission denied" otherwise. It shows in the process list (warned about): prefer --token-file or PYLOGEN_VAULT_TOKEN',
  },
  {
    name: 'token-file',
    value: 'FILE',
    kind: { type: 'string', nonEmpty: true },
    describe: 'require the token in this file (its first line); without either option PYLOGEN_VAULT_TOKEN, else any token',
  },
  ...faultRows({
    throttle: 'requests/s over all clients; above it 429 "rate limit quota exceeded" with Retry-After, as a Vault rate-limit quota',
    errorRate: 'probability (0..1) of answering 500 instead',
  }),
  { name: 'sealed', kind: { type: 'flag' }, describe: 'answer as a sealed Vault: 503 "Vault is sealed" (sys/seal-status says sealed)' },
];

export const VAULT_SETUP_OPTIONS: readonly OptionRow[] = [
  KEYS,
  { name: 'endpoint', value: 'URL', kind: { type: 'url' }, describe: 'Vault address (default VAULT_ADDR); the token is VAULT_TOKEN or ~/.vault-token' },
  { name: 'namespace', value: 'NS', kind: { type: 'string', nonEmpty: true }, describe: 'X-Vault-Namespace (default VAULT_NAMESPACE)' },
  { name: 'retries', value: 'N', kind: { type: 'int', min: 0, max: 100 }, describe: 'retries of a call answered 429 or 5xx', default: '2' },
  { name: 'timeout', value: 'S', kind: { type: 'number', min: 0, positive: true }, describe: 'seconds before a call times out', default: '10' },
];

export const vaultServeCommand: Command = {
  path: ['vault', 'serve'],
  describe: 'the embedded Vault Transit server, until Ctrl-C',
  details:
    "The embedded Vault Transit server (Vault's HTTP API v1, real cryptography with node:crypto), with the keys of a Vault key file " +
    'created at start under their mounts. Prints its URL on stdout, serves until Ctrl-C (SIGINT) or SIGTERM, then prints its counts ' +
    'and exits 0. Without a token (--token-file, PYLOGEN_VAULT_TOKEN or --token) it accepts any token; with one, others get 403 "permission denied" ' +
    'as Vault answers.',
  options: VAULT_SERVE_OPTIONS,
  examples: [
    ['pylogen vault serve --port 8200', 'keys of profiles/VaultDefault.json'],
    [
      'pylogen vault serve --port 8200 --token-file token.txt --throttle 500',
      'then: VAULT_TOKEN=$(cat token.txt) pylogen cuts.VaultTransitEncrypt --endpoint http://127.0.0.1:8200',
    ],
    ['pylogen vault serve --sealed', 'a sealed Vault, for the preflight'],
  ],
  run: async (a: CommandArgs) => (await import('./commandRun.js')).vaultServe(a.positionals, a.values, a.cwd),
};

export const vaultSetupCommand: Command = {
  path: ['vault', 'setup'],
  describe: 'enable the Transit mounts and create the keys that a Vault key file names',
  details:
    'Enables each mount of the key file as a Transit mount when missing, creates each key when missing (its type, derived, exportable), ' +
    'checks the existing ones against the file. Idempotent; nothing is deleted or rotated. One line per key on stdout, then a count; ' +
    'exit 1 when a key differs from the file or Vault refuses a call.',
  options: VAULT_SETUP_OPTIONS,
  examples: [
    ['VAULT_ADDR=https://vault:8200 VAULT_TOKEN=... pylogen vault setup', 'the keys of profiles/VaultDefault.json'],
    ['pylogen vault setup --endpoint http://127.0.0.1:8200 --keys my-vault-keys.json', 'against `pylogen vault serve`'],
  ],
  run: async (a: CommandArgs) => (await import('./commandRun.js')).vaultSetup(a.positionals, a.values, a.cwd),
};
