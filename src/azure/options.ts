/**
 * The options of `pylogen azure serve` and `pylogen azure setup`: plain rows in the shape of the
 * option table (src/config/options.ts), so that the registry stays light.
 */
import type { OptionRow } from '../config/options.js';
import { AZURE_API_VERSION } from './apiVersion.js';
import { DEFAULT_AZURE_KEY_FILE } from './keyfile.js';
import { faultRows, hostRow, keysRow, PORT_ROW } from '../protocols/serveOptions.js';

type Row = OptionRow;

const KEYS = keysRow('Azure key file of named key entries', DEFAULT_AZURE_KEY_FILE);

export const AZURE_SERVE_OPTIONS: readonly Row[] = [
  hostRow('any bearer token is accepted: keep it on loopback'),
  PORT_ROW,
  KEYS,
  {
    name: 'flavour',
    kind: { type: 'enum', choices: ['vault', 'managedhsm'] },
    describe: 'Key Vault (RSA, EC, RSA-HSM, EC-HSM) or Managed HSM (also oct-HSM keys and random bytes)',
    default: 'managedhsm',
  },
  ...faultRows({
    throttle: 'requests/s over all clients (token bucket); above it, 429 Throttled with Retry-After as Key Vault answers',
    errorRate: 'probability (0..1) of answering 503 ServiceUnavailable instead',
  }),
  {
    name: 'ca-file',
    value: 'FILE',
    kind: { type: 'string', nonEmpty: true },
    describe: 'where to write the PEM of its throwaway CA (default: a temporary file, removed at exit)',
  },
];

export const AZURE_SETUP_OPTIONS: readonly Row[] = [
  KEYS,
  {
    name: 'endpoint',
    value: 'URL',
    kind: { type: 'string', nonEmpty: true },
    describe: 'the vault: https://NAME.vault.azure.net or https://NAME.managedhsm.azure.net (default: the key file\'s "vaultUrl")',
  },
  {
    name: 'retries',
    value: 'N',
    kind: { type: 'int', min: 0, max: 20 },
    describe: 'retries of each call (429 and 503 after Retry-After, 5xx with backoff)',
    default: '3',
  },
  {
    name: 'timeout',
    value: 'S',
    kind: { type: 'seconds', min: 0.001, positive: true },
    describe: 'seconds before a call times out (RSA 4096 keys take a while)',
    default: '60',
  },
];

export const API_NOTE = `Key Vault REST API version ${AZURE_API_VERSION}.`;
