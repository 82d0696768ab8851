/**
 * Google Cloud KMS as a protocol of pylogen (src/protocols/Protocol.ts): the CloudKms CUTs (they
 * extend GcpCut: the static `gcp` spec), http(s):// endpoints, the embedded server as
 * `--endpoint gcp-local`, --client grpc|rest, the preflight, the errorsByType names (gRPC status
 * names, Crc32cMismatch) and the commands `gcp serve` and `gcp setup`. LIGHT: the SDK, the server
 * and the commands' bodies are loaded when used.
 */
import type { Command } from '../core/command.js';
import type { Protocol } from '../protocols/Protocol.js';
import { gcpErrorType } from './errorType.js';
import { GCP_SERVE_OPTIONS, GCP_SETUP_OPTIONS } from './options.js';

export const gcpServeCommand: Command = {
  path: ['gcp', 'serve'],
  describe: 'the embedded Cloud KMS server (gRPC and REST), until Ctrl-C',
  details:
    "The embedded Cloud KMS server: Google's KeyManagementService definition (the .proto files @google-cloud/kms ships) " +
    'over gRPC and over its REST mapping (HTTP/JSON), each on its own port, real cryptography, real CRC32C fields, the key ring and keys ' +
    'of a key file created at start. Prints its two URLs on stdout, serves until Ctrl-C or SIGTERM, then prints its counts and exits 0. ' +
    'It checks no credentials: keep it on loopback.',
  options: GCP_SERVE_OPTIONS,
  examples: [
    ['pylogen gcp serve --grpc-port 9090 --rest-port 9091', 'then: pylogen cuts.CloudKmsEncrypt --endpoint http://127.0.0.1:9090 --client grpc'],
    ['pylogen gcp serve --throttle 100 --latency 5', 'a Cloud KMS over its quota: RESOURCE_EXHAUSTED past 100 calls/s'],
    ['pylogen gcp serve --bad-crc 0.01', 'one answer in 100 with a wrong CRC32C: counted as Crc32cMismatch'],
  ],
  run: async (a) => (await import('./serveCommand.js')).gcpServe(a.positionals, a.values, a.cwd),
};

export const gcpSetupCommand: Command = {
  path: ['gcp', 'setup'],
  describe: "creates the key file's key ring and keys on Cloud KMS when missing; checks existing ones",
  details:
    "Creates the key ring and each key of a Cloud KMS key file (purpose, algorithm, protection level) when missing, and the versions up to each entry's " +
    'version; checks the existing ones (one line per key). It never deletes: Cloud KMS cannot delete key rings or keys. ' +
    'Credentials: Application Default Credentials (never printed). Exit 1 when a key exists with other settings or a version is not ENABLED.',
  options: GCP_SETUP_OPTIONS,
  examples: [
    ['pylogen gcp setup --keys my-project-keys.json', 'on Cloud KMS, with Application Default Credentials'],
    ['pylogen gcp setup --endpoint http://127.0.0.1:9090', 'on an emulator (gcp serve)'],
  ],
  run: async (a) => (await import('./setup.js')).gcpSetup(a.positionals, a.values, a.cwd),
};

export const gcp: Protocol = {
  name: 'gcp',
  describe: 'Google Cloud KMS through the official client, over gRPC or REST; or the embedded Cloud KMS server',
  owns: (cls) => {
    const c = cls as { gcp?: unknown } | null;
    return typeof c?.gcp === 'object' && c.gcp !== null;
  },
  schemes: ['http', 'https'],
  targets: [
    {
      name: 'gcp-local',
      describe: 'the embedded Cloud KMS server (gRPC and REST)',
      async start(lines, { cwd }) {
        const { startGcpLocal } = await import('./target.js');
        const t = await startGcpLocal(lines, cwd);
        return {
          describe: `embedded Cloud KMS server: gRPC ${t.grpcUrl}, REST ${t.restUrl} (${t.keys} keys, pid ${t.pid})`,
          forLine: t.forLine,
          died: t.died,
          close: t.close,
        };
      },
    },
  ],
  clients: ['grpc', 'rest'],
  preflight: async (lines) => (await import('./preflight.js')).gcpPreflight(lines),
  errorType: gcpErrorType,
  commands: [gcpServeCommand, gcpSetupCommand],
};
