/**
 * Azure through the real CLI: the vault URL from the key file's "vaultUrl" (no --endpoint needed;
 * --endpoint overrides it; a bad one is one line naming the file, exit 2), and a forbidden operation
 * (a key whose key_ops lack it): the preflight stops with exit 2 naming the fix, and with
 * --no-preflight every operation is counted under Forbidden/KeyOperationForbidden.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AzureKeyEntry } from '../src/azure/keyfile.js';
import { startAzureServer, type AzureServerHandle } from '../src/azure/server/server.js';
import { pylogen, readJson, tempDir } from './helpers.js';

// A run forks a runner that loads the Azure SDK on 2 cores shared with other suites: tens of seconds under load.
const SLOW = 180_000;
const TOKEN = 'azure-url-token';
let server: AzureServerHandle;
let dir: string;
let env: Record<string, string>;
const ok: AzureKeyEntry = { entry: 'ec', name: 'pylogen-ec-url', kty: 'EC', family: 'ec', curve: 'P-256' };
// The server makes a key with the key_ops given (makeVaultKey reads keyOps): this one may sign (what
// AzureKeyVaultVerify's setup does once), not verify (what it measures).
const signOnly = { entry: 'sign-only', name: 'pylogen-sign-only', kty: 'EC', family: 'ec', curve: 'P-256', keyOps: ['sign'] } as AzureKeyEntry;

/** A key file of both keys, with `vaultUrl` when given. */
function keyFile(name: string, vaultUrl?: string): string {
  const path = join(dir, name);
  const entry = (k: AzureKeyEntry) => ({ name: k.name, kty: k.kty, curve: k.curve });
  writeFileSync(path, JSON.stringify({ ...(vaultUrl === undefined ? {} : { vaultUrl }), ec: entry(ok), 'sign-only': entry(signOnly) }));
  return path;
}

beforeAll(async () => {
  server = await startAzureServer({ flavour: 'vault', token: TOKEN, keys: [ok, signOnly] });
  dir = tempDir('pylogen-azure-url-');
  writeFileSync(join(dir, 'ca.pem'), server.ca);
  env = { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), PYLOGEN_AZURE_TOKEN: TOKEN };
}, 60_000);
afterAll(() => server?.close());

const run = (cut: string, file: string, key: string, more: string[] = []) => [
  `cuts.${cut}`,
  '--loops',
  '3',
  '--lengths',
  '32',
  '--outformat',
  'none',
  '--extra',
  JSON.stringify({ file, key }),
  ...more,
];

describe('azure: the vault URL from the key file', () => {
  it(
    'runs without --endpoint when the key file has vaultUrl, every operation at that vault',
    async () => {
      const before = server.stats().ops.sign ?? 0;
      const r = await pylogen(run('AzureKeyVaultSign', keyFile('Url.json', server.url), 'ec'), { env, timeoutMs: SLOW });
      expect(r.code, r.stderr).toBe(0);
      expect((server.stats().ops.sign ?? 0) - before).toBe(3 + 1); // the CUT's setup() signs once
    },
    SLOW,
  );

  it(
    "--endpoint overrides the key file's vaultUrl",
    async () => {
      const before = server.stats().ops.sign ?? 0;
      const r = await pylogen(run('AzureKeyVaultSign', keyFile('Elsewhere.json', 'https://nowhere.invalid'), 'ec', ['--endpoint', server.url]), {
        env,
        timeoutMs: SLOW,
      });
      expect(r.code, r.stderr).toBe(0);
      expect((server.stats().ops.sign ?? 0) - before).toBe(3 + 1); // the CUT's setup() signs once
    },
    SLOW,
  );

  it(
    'a vaultUrl that is not https is one line naming the file, exit 2, nothing started',
    async () => {
      const r = await pylogen(run('AzureKeyVaultSign', keyFile('Plain.json', 'http://127.0.0.1:1'), 'ec'), { env, timeoutMs: SLOW });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/Plain\.json "vaultUrl": the SDK sends bearer tokens over https:\/\/ only/);
    },
    SLOW,
  );
});

describe('azure: a forbidden operation', () => {
  it(
    'stops at the preflight with one line naming the fix, exit 2',
    async () => {
      const r = await pylogen(run('AzureKeyVaultVerify', keyFile('Forbidden.json', server.url), 'sign-only'), { env, timeoutMs: SLOW });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/does not allow verify \(its key_ops: sign\): update the key's operations/);
    },
    SLOW,
  );

  it(
    'with --no-preflight, counts every operation under Forbidden/KeyOperationForbidden',
    async () => {
      const summary = join(dir, 'forbidden.json');
      const r = await pylogen(run('AzureKeyVaultVerify', keyFile('Forbidden2.json', server.url), 'sign-only', ['--no-preflight', '--summary-json', summary]), {
        env,
        timeoutMs: SLOW,
      });
      expect(r.code, r.stderr).toBe(0);
      // Key Vault's error.code / innererror.code, as errorsByType names them (src/azure/errorType.ts)
      expect(readJson(summary).errorsByType).toEqual({ 'Forbidden/KeyOperationForbidden': 3 });
      expect(r.stderr).toContain('the vault will answer 403 Forbidden');
    },
    SLOW,
  );
});
