/**
 * `pylogen kmip setup` as this protocol contributes it (src/protocols/Protocol.ts `commands`):
 * its texts and option rows as data; its body (./setupRun.ts) loaded when it runs, so that the
 * registry, which every runner loads, stays light.
 */
import type { Command } from '../core/command.js';
import type { OptionRow } from '../config/options.js';
import { DEFAULT_KMIP_KEY_FILE } from './keyfile.js';
import { KMIP_FILE_ENV } from './target.js';

/** `--endpoint pykmip` (KmipCut.ts's PYKMIP_ENDPOINT, not imported: KmipCut is heavy) */
const PYKMIP_ENDPOINT = 'pykmip';

export const KMIP_SETUP_OPTIONS: readonly OptionRow[] = [
  {
    name: 'endpoint',
    value: 'kmip://HOST:PORT',
    kind: { type: 'string', nonEmpty: true },
    describe: 'the KMIP server, kmip://host[:port] (port 5696 by default)',
  },
  {
    name: 'ca',
    value: 'FILE',
    kind: { type: 'string', nonEmpty: true },
    describe: `PEM file of the CA that signed the server's certificate (default: ${KMIP_FILE_ENV.ca})`,
  },
  { name: 'cert', value: 'FILE', kind: { type: 'string', nonEmpty: true }, describe: `PEM file of the client certificate (default: ${KMIP_FILE_ENV.cert})` },
  {
    name: 'client-key',
    value: 'FILE',
    kind: { type: 'string', nonEmpty: true },
    describe: `PEM file of the client certificate's private key, never shown (default: ${KMIP_FILE_ENV.clientKey})`,
  },
  {
    name: 'servername',
    value: 'NAME',
    kind: { type: 'string', nonEmpty: true },
    describe: "the server certificate's name, when it is not the endpoint's host",
  },
  {
    name: 'keys',
    value: 'FILE',
    kind: { type: 'string', nonEmpty: true },
    describe: "KMIP key file (as given, then in ./profiles, then the package's profiles/)",
    default: DEFAULT_KMIP_KEY_FILE,
  },
  {
    name: 'timeout',
    kind: { type: 'seconds', min: 0.001, positive: true },
    describe: 'seconds before a call times out (RSA key pairs take a while)',
    default: '60',
  },
];

export const kmipSetupCommand: Command = {
  path: ['kmip', 'setup'],
  synopsis: '--endpoint kmip://host:5696 --ca CA.pem --cert CLIENT.pem --client-key CLIENT-KEY.pem [--keys FILE] [--servername NAME] [--timeout S]',
  describe: 'create on a KMIP server the keys that a KMIP key file names',
  details:
    'Creates on a KMIP server the keys that a KMIP key file names, under their KMIP Names, and activates ' +
    'them: AES keys by Create, RSA key pairs by CreateKeyPair (the public key named <name>-public), HMAC ' +
    'keys by Register of random bytes. Names already on the server are checked (object type, algorithm, ' +
    'length, Active) and left alone; an entry with a fixed uid is only checked. Nothing is deleted. ' +
    `Runs without a KMIP server of your own: --endpoint ${PYKMIP_ENDPOINT} on a run starts a throwaway PyKMIP ` +
    "server and creates the key file's keys on it. Any unambiguous prefix of an option works: --end, --cl.",
  options: KMIP_SETUP_OPTIONS,
  run: async (a) => (await import('./setupRun.js')).kmipSetup(a.positionals, a.values, a.cwd),
};
