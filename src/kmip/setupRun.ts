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
import { loadKmipKeyFile } from './keyfile.js';
import { setupKmipKeys } from './setup.js';
import { fileProblems, kmipFiles, missingFiles, parseKmipUrl, readKmipFiles, tlsOptions, type KmipFiles } from './target.js';
import { packageRoot } from '../core/paths.js';
import { KMIP_SETUP_OPTIONS } from './setupCommand.js';
import { optionsCommand, runSetup } from '../command/optionsCommand.js';

/** How kmip setup names a TLS file: its option. */
const flagOf = (m: keyof KmipFiles): string => (m === 'clientKey' ? '--client-key' : `--${m}`);

export const kmipSetup = optionsCommand('kmip', 'setup', KMIP_SETUP_OPTIONS, async (r) => {
  const { v, cwd } = r;
  if (v.maybeText('endpoint') === undefined) throw new UsageError('kmip setup: give --endpoint kmip://host:port');
  if (v.maybeText('endpoint') === PYKMIP_ENDPOINT) {
    throw new UsageError(`kmip setup --endpoint ${PYKMIP_ENDPOINT}: the throwaway server of a run lives only for that run and creates its keys itself`);
  }
  const where = parseKmipUrl(v.text('endpoint'));
  if ('problem' in where) throw new UsageError(`--endpoint: ${where.problem}`);
  const { files, missing } = kmipFiles({ ca: v.maybeText('ca'), cert: v.maybeText('cert'), clientKey: v.maybeText('client-key') });
  if (missing.length > 0) throw new UsageError(`kmip setup: the TLS files are missing: give ${missingFiles(missing, flagOf)}`);
  const read = readKmipFiles(files, cwd);
  if ('problems' in read) throw new UsageError(fileProblems(read.problems, flagOf).join('; '));
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
    // a key of another kind on the server is a UsageError of setupKmipKeys: runSetup passes it on, exit 2
    failure: (e) => `${errorType(e)}: ${describeError(e).replace(/^[^:]*: /, '')}`,
    close: () => client.close(),
  });
});
