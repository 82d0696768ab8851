/**
 * `pylogen kmip setup`: makes the keys of a KMIP key file exist on a KMIP server (setupKmipKeys), as
 * `kms setup` does on a KMS: names found are checked and left alone, the others created and
 * activated. One line per key on stdout. A server that cannot be reached or refuses is one line on
 * stderr naming the error's type (a KMIP result reason, a TLS or network code), exit 1; bad options,
 * unreadable TLS files or a key of another kind on the server, exit 2. The client's private key is
 * read from its file, never shown.
 */
import { describeError, UsageError } from '../core/errors.js';
import { errorType } from '../cut/errorType.js';
import { KmipClient } from '../kmip/KmipClient.js';
import { PYKMIP_ENDPOINT } from '../kmip/KmipCut.js';
import { DEFAULT_KMIP_KEY_FILE, loadKmipKeyFile } from '../kmip/keyfile.js';
import { setupKmipKeys } from '../kmip/setup.js';
import { KMIP_FILE_ENV, kmipFiles, parseKmipUrl, readKmipFiles, tlsOptions } from '../kmip/target.js';
import { packageRoot } from '../core/paths.js';
import type { Command } from './command.js';
import type { KmsOptionDef } from './kmsOptions.js';
import { optionsCommand, runSetup } from './optionsCommand.js';

export const KMIP_SETUP_OPTIONS: readonly KmsOptionDef[] = [
  { name: 'endpoint', value: 'kmip://HOST:PORT', kind: { type: 'string', nonEmpty: true }, describe: 'the KMIP server, kmip://host[:port] (port 5696 by default)' },
  { name: 'ca', value: 'FILE', kind: { type: 'string', nonEmpty: true }, describe: `PEM file of the CA that signed the server's certificate (default: ${KMIP_FILE_ENV.ca})` },
  { name: 'cert', value: 'FILE', kind: { type: 'string', nonEmpty: true }, describe: `PEM file of the client certificate (default: ${KMIP_FILE_ENV.cert})` },
  { name: 'client-key', value: 'FILE', kind: { type: 'string', nonEmpty: true }, describe: `PEM file of the client certificate's private key, never shown (default: ${KMIP_FILE_ENV.clientKey})` },
  { name: 'servername', value: 'NAME', kind: { type: 'string', nonEmpty: true }, describe: "the server certificate's name, when it is not the endpoint's host" },
  { name: 'keys', value: 'FILE', kind: { type: 'string', nonEmpty: true }, describe: "KMIP key file (as given, then in ./profiles, then the package's profiles/)", default: DEFAULT_KMIP_KEY_FILE },
  { name: 'timeout', kind: { type: 'seconds', min: 0.001, positive: true }, describe: 'seconds before a call times out (RSA key pairs take a while)', default: '60' },
];

export const kmipSetup = optionsCommand('kmip', 'setup', KMIP_SETUP_OPTIONS, async (r) => {
  const { v, cwd } = r;
  if (v.maybeText('endpoint') === undefined) throw new UsageError('kmip setup: give --endpoint kmip://host:port');
  if (v.maybeText('endpoint') === PYKMIP_ENDPOINT) {
    throw new UsageError(`kmip setup --endpoint ${PYKMIP_ENDPOINT}: the throwaway server of a run lives only for that run and creates its keys itself`);
  }
  const where = parseKmipUrl(v.text('endpoint'));
  if ('problem' in where) throw new UsageError(`--endpoint: ${where.problem}`);
  const { files, missing } = kmipFiles({ ca: v.maybeText('ca'), cert: v.maybeText('cert'), clientKey: v.maybeText('client-key') });
  if (missing.length > 0) {
    throw new UsageError(`kmip setup: the TLS files are missing: give ${missing.map((m) => m.replace('"clientKey"', '--client-key').replace(/^"(\w+)"/, '--$1')).join(', ')}`);
  }
  const read = readKmipFiles(files, cwd);
  if ('problems' in read) throw new UsageError(read.problems.join('; ').replace(/--extra "clientKey"/g, '--client-key').replace(/--extra "(\w+)"/g, '--$1'));
  const file = loadKmipKeyFile(v.text('keys'), cwd, packageRoot);
  const client = new KmipClient({
    tls: tlsOptions(where.host, where.port, read.pem, v.maybeText('servername')),
    timeoutMs: v.num('timeout') * 1000,
    connections: 1,
  });
  return runSetup(r, {
    file: file.path,
    target: () => v.text('endpoint'),
    create: (say) => setupKmipKeys(client, [...file.entries.values()], say),
    failure: (e) => {
      if (e instanceof Error && e.message.startsWith('kmip setup: ')) throw new UsageError(e.message);
      return `${errorType(e)}: ${describeError(e).replace(/^[^:]*: /, '')}`;
    },
    close: () => client.close(),
  });
});

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
  run: (a) => kmipSetup(a.positionals, a.values, a.cwd),
};
