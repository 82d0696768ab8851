/**
 * The AWS KMS API as a protocol of pylogen (src/protocols/Protocol.ts): the KMS CUTs (they extend
 * KmsCut: the static `kms` spec), http(s) endpoints, the embedded server as `--endpoint local`, the
 * fast and sdk clients, the preflight (one DescribeKey, GetPublicKey or GenerateRandom per line) and
 * `HTTP <status>` for answers not in AWS's shape. Light: the server, the SDK and the preflight's
 * client are imported when used.
 */
import type { Protocol } from '../protocols/Protocol.js';
import { kmsServeCommand, kmsSetupCommand } from './commands.js';
import { kmsErrorType } from './errorType.js';

export const kms: Protocol = {
  name: 'kms',
  // the SDK's credential chain reads the AWS_* ones; `kms serve` and the fast client PYLOGEN_KMS_CREDENTIALS (ID:SECRET)
  secretEnv: ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'PYLOGEN_KMS_CREDENTIALS'],
  describe: 'the AWS KMS API: AWS KMS, the embedded server, any KMS-compatible endpoint',
  owns: (cls) => {
    const c = cls as { keyFor?: unknown; kms?: unknown } | null;
    return typeof c?.keyFor === 'function' && typeof c.kms === 'object' && c.kms !== null;
  },
  schemes: ['http', 'https'],
  clients: ['fast', 'sdk'],
  targets: [
    {
      name: 'local',
      describe: 'the embedded KMS server',
      async start(_lines, { plan, cwd }) {
        const { startLocalEndpoint, LOCAL_RUNNER_ENV } = await import('./localEndpoint.js');
        const local = await startLocalEndpoint(plan, cwd);
        plan.localEndpoint = local.url;
        return {
          describe: `embedded KMS server on ${local.url} (region ${local.region}, ${local.keys} keys, pid ${local.pid})`,
          // The embedded server's runners sign with its region, whatever the environment says.
          forLine: () => ({ endpoint: local.url, env: LOCAL_RUNNER_ENV, region: local.region }),
          died: local.died,
          close: local.close,
        };
      },
    },
  ],
  preflight: async (lines, ctx) => (await import('./preflightLines.js')).preflightKmsLines(lines, ctx),
  errorType: kmsErrorType,
  commands: [kmsServeCommand, kmsSetupCommand],
};
