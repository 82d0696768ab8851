/**
 * `pylogen kms setup`: makes the keys of a key file exist on a target (the embedded server of a
 * `kms serve`, AWS KMS, any KMS-compatible endpoint) with setupKeys, and prints what existed and what
 * was created, one line per key on stdout. A failure of the target (credentials, permissions, an
 * unreachable endpoint) is one line on stderr naming its type, exit 1; bad options or a key that
 * exists with another kind, exit 2.
 */
import { describeError, UsageError } from '../core/errors.js';
import { createKmsClient } from './client/client.js';
import { errorType } from '../cut/errorType.js';
import { loadKeyFile } from './model/keyfile.js';
import { setupKeys } from './admin/setup.js';
import { packageRoot } from '../core/paths.js';
import { checkNotLocal, SETUP_OPTIONS } from '../command/kmsOptions.js';
import { optionsCommand, runSetup } from '../command/optionsCommand.js';

/** What to add to a failure of the target, by its type. */
function hint(type: string): string {
  if (type === 'CredentialsProviderError') return ' (no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)';
  if (type === 'AccessDeniedException') return ' (kms setup needs kms:DescribeKey, kms:CreateKey and kms:CreateAlias: see README, KMS)';
  if (/region/i.test(type)) return ' (give --region or set AWS_REGION)';
  return '';
}

export const kmsSetup = optionsCommand('kms', 'setup', SETUP_OPTIONS, async (r) => {
  const { v, cwd } = r;
  const given = v.maybeText('endpoint');
  const endpoint = given === undefined ? undefined : checkNotLocal(given, 'setup');
  const keyFile = loadKeyFile(v.text('keys'), cwd, packageRoot);
  const region = v.maybeText('region');
  const client = createKmsClient({
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    retries: v.num('retries'),
    timeoutMs: v.num('timeout') * 1000,
    maxSockets: 4,
  });
  return runSetup(r, {
    file: keyFile.path,
    target: async () => {
      try {
        const region = await client.config.region();
        return endpoint ?? `AWS KMS, ${region}`;
      } catch (e) {
        throw new UsageError(`kms setup: no region: give --region or set AWS_REGION (${describeError(e)})`);
      }
    },
    create: (say) => setupKeys(client, [...keyFile.entries.values()], say),
    failure: (e) => {
      const type = errorType(e);
      return `${type}: ${describeError(e).replace(/^[^:]*: /, '')}${hint(type)}`;
    },
    close: () => client.destroy(),
  });
});
