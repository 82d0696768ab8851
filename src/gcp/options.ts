/**
 * The options of `pylogen gcp serve` and `pylogen gcp setup`: rows in the shape of the run's option
 * table, plain data (protocol.ts imports them: no import of config/ here, which would close a cycle
 * through the registry); the commands' bodies check them with the command kit's parseKmsOptions.
 */
import type { OptionRow } from '../config/options.js';
import { hostRow, keysRow } from '../protocols/serveOptions.js';

const KEYS = keysRow('the Cloud KMS key file', 'GcpDefault.json');

export const GCP_SERVE_OPTIONS: readonly OptionRow[] = [
  hostRow('the server checks no credentials: keep it on loopback'),
  {
    name: 'grpc-port',
    value: 'N',
    kind: { type: 'int', min: 0, max: 65535 },
    describe: 'TCP port of the gRPC transport; 0 picks a free one (printed)',
    default: '0',
  },
  {
    name: 'rest-port',
    value: 'N',
    kind: { type: 'int', min: 0, max: 65535 },
    describe: 'TCP port of the REST (HTTP/JSON) transport; 0 picks a free one (printed)',
    default: '0',
  },
  KEYS,
  { name: 'latency', value: 'MS', kind: { type: 'number', min: 0 }, describe: 'added to every answer, ms', default: '0' },
  {
    name: 'throttle',
    value: 'RPS',
    kind: { type: 'number', min: 0, positive: true },
    describe: 'requests/s over all clients (token bucket); above it, RESOURCE_EXHAUSTED as Cloud KMS answers over its quota',
  },
  { name: 'error-rate', value: 'P', kind: { type: 'number', min: 0, max: 1 }, describe: 'probability (0..1) of answering UNAVAILABLE instead', default: '0' },
  {
    name: 'bad-crc',
    value: 'P',
    kind: { type: 'number', min: 0, max: 1 },
    describe: "probability (0..1) that an answer's CRC32C is wrong (to see clients catch it)",
    default: '0',
  },
];

export const GCP_SETUP_OPTIONS: readonly OptionRow[] = [
  KEYS,
  {
    name: 'endpoint',
    value: 'URL',
    kind: { type: 'string', nonEmpty: true },
    describe: 'http://host:port of an emulator (gcp serve), or https://host[:port] (default: cloudkms.googleapis.com)',
  },
  {
    name: 'client',
    kind: { type: 'enum', choices: ['grpc', 'rest'] },
    describe: 'transport of the official client: grpc or rest (HTTP/JSON)',
    default: 'grpc',
  },
  {
    name: 'retries',
    value: 'N',
    kind: { type: 'int', min: 0, max: 10 },
    describe: 'retries of a call on UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED',
    default: '2',
  },
  { name: 'timeout', value: 'S', kind: { type: 'seconds', min: 0.001, positive: true }, describe: 'seconds before a call times out', default: '30' },
];
