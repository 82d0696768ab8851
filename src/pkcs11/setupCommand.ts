/**
 * `pylogen pkcs11 setup` as this protocol contributes it (src/protocols/Protocol.ts `commands`):
 * its texts and option rows as data; its body (./setupRun.ts) loaded when it runs, so that the
 * registry, which every runner loads, stays light.
 */
import type { Command } from '../core/command.js';
import type { OptionRow } from '../config/options.js';
import { DEFAULT_PKCS11_KEY_FILE } from './keyfile.js';

export const PKCS11_SETUP_OPTIONS: readonly OptionRow[] = [
  {
    name: 'module',
    value: 'M',
    kind: { type: 'string', nonEmpty: true },
    describe: 'the PKCS#11 module (shared library) of the HSM (default: the key file\'s "module")',
  },
  { name: 'token', value: 'LABEL', kind: { type: 'string', nonEmpty: true }, describe: 'the token label (default: the key file\'s "token")' },
  {
    name: 'keys',
    value: 'FILE',
    kind: { type: 'string', nonEmpty: true },
    describe: "PKCS#11 key file (as given, then in ./profiles, then the package's profiles/)",
    default: DEFAULT_PKCS11_KEY_FILE,
  },
];

export const pkcs11SetupCommand: Command = {
  path: ['pkcs11', 'setup'],
  describe: 'create on a PKCS#11 token the keys that a key file names',
  details:
    'Creates on a PKCS#11 token the keys that a key file names, by their labels: labels already on the ' +
    'token are checked (key type, size or curve, usage) and left alone; the others are created as ' +
    'persistent, private, sensitive, non-extractable token objects. Nothing is deleted. The user PIN ' +
    'comes from the environment variable PKCS11_PIN and is never shown. Runs without a token of your own: ' +
    '--endpoint softhsm. Any unambiguous prefix of an option works: --mod, --tok.',
  options: PKCS11_SETUP_OPTIONS,
  examples: [['PKCS11_PIN=... pylogen pkcs11 setup --module /usr/lib/softhsm/libsofthsm2.so --token pylogen', 'on a SoftHSM2 token']],
  run: async (a) => (await import('./setupRun.js')).pkcs11Setup(a.positionals, a.values, a.cwd),
};
