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
import { KmipClient } from './KmipClient.js';
import { PYKMIP_ENDPOINT } from './KmipCut.js';
import { DEFAULT_KMIP_KEY_FILE, loadKmipKeyFile } from './keyfile.js';
import { setupKmipKeys } from './setup.js';
import { KMIP_FILE_ENV, kmipFiles, parseKmipUrl, readKmipFiles, tlsOptions } from './target.js';
import { packageRoot } from '../core/paths.js';
import { KMIP_SETUP_OPTIONS } from './setupCommand.js';
import { optionsCommand, runSetup } from '../cli/optionsCommand.js';

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
