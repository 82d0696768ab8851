/**
 * Every AzureKeyVault CUT end to end through the real CLI: against an embedded Managed HSM server
 * started here (so that its counters can be read: one call per measured operation, plus the one call
 * each CUT makes in setup() to meet Key Vault's challenge), and against `--endpoint azure-local` in a
 * scenario mixing Azure and KMS (`--endpoint local`) lines: one summary, one verdict. Also the
 * preflight (a missing key: exit 2, one line), errors by type with --no-preflight, 429s retried with
 * --retries, and `pylogen azure setup` against the server.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAzureKeyFile } from '../src/azure/keyfile.js';
import { startAzureServer, type AzureServerHandle } from '../src/azure/server/server.js';
import { BIN, csvRows, pylogen, readJson, ROOT, tempDir } from './helpers.js';

/** Runs of several runner processes on a loaded machine (2 cores shared with other test files). */
const SLOW = 150_000;
const TOKEN = 'cuts-test-token';
let server: AzureServerHandle;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  const file = loadAzureKeyFile('AzureDefault.json', ROOT, ROOT);
  const keys = [...file.entries.values()].filter((k) => ['rsa2048', 'ec256', 'aes256'].includes(k.entry));
  server = await startAzureServer({ flavour: 'managedhsm', token: TOKEN, keys });
  dir = tempDir('pylogen-azure-cuts-');
  writeFileSync(join(dir, 'ca.pem'), server.ca);
  env = { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), PYLOGEN_AZURE_TOKEN: TOKEN };
  writeFileSync(join(dir, 'Missing.json'), JSON.stringify({ gone: { name: 'pylogen-not-there', kty: 'EC', curve: 'P-256' } }));
}, 60_000);
afterAll(() => server?.close());

interface Case {
  cut: string;
  extra?: Record<string, string>;
  /** the server operation each measured operation makes, and how many the CUT's setup() makes */
  op: string;
  setupCalls: number;
  requests: string[];
  lengths?: string;
}

const CASES: Case[] = [
  { cut: 'AzureKeyVaultSign', op: 'sign', setupCalls: 1, requests: ['SIGN'] },
  { cut: 'AzureKeyVaultSign', extra: { key: 'rsa2048', algorithm: 'RS256' }, op: 'sign', setupCalls: 1, requests: ['SIGN'] },
  { cut: 'AzureKeyVaultSignLocalVerify', extra: { key: 'rsa2048' }, op: 'sign', setupCalls: 1, requests: ['SIGN', 'LOCAL_VERIFY'] },
  { cut: 'AzureKeyVaultVerify', op: 'verify', setupCalls: 0, requests: ['VERIFY'] },
  { cut: 'AzureKeyVaultEncrypt', op: 'encrypt', setupCalls: 1, requests: ['ENCRYPT'] },
  // RSA-OAEP: what the SDK would do locally if it held the key
  { cut: 'AzureKeyVaultEncrypt', extra: { algorithm: 'RSA-OAEP' }, op: 'encrypt', setupCalls: 1, requests: ['ENCRYPT'] },
  { cut: 'AzureKeyVaultDecrypt', extra: { key: 'aes256' }, op: 'decrypt', setupCalls: 0, requests: ['DECRYPT'] },
  { cut: 'AzureKeyVaultEncryptDecrypt', op: 'decrypt', setupCalls: 0, requests: ['ENCRYPT', 'DECRYPT'] },
  { cut: 'AzureKeyVaultWrapKey', op: 'wrapkey', setupCalls: 1, requests: ['WRAP'] },
  { cut: 'AzureKeyVaultUnwrapKey', extra: { key: 'aes256' }, op: 'unwrapkey', setupCalls: 0, requests: ['UNWRAP'] },
  // its preflight is a GetRandomBytes of one byte too (the other CUTs' is a GET of their key)
  { cut: 'AzureKeyVaultGetRandomBytes', op: 'rng', setupCalls: 2, requests: ['RANDOM'], lengths: '16,128' },
];

describe('every AzureKeyVault CUT through the CLI, against the embedded Managed HSM server', () => {
  for (const c of CASES) {
    it(
      `${c.cut} ${JSON.stringify(c.extra ?? {})}: clean, one server call per measured operation`,
      async () => {
        const before = server.stats().ops[c.op] ?? 0;
        const args = [
          `cuts.${c.cut}`,
          '--endpoint',
          server.url,
          '--loops',
          '3',
          '--lengths',
          c.lengths ?? '16,64',
          ...(c.extra === undefined ? [] : ['--extra', JSON.stringify(c.extra)]),
        ];
        const r = await pylogen(args, { env, timeoutMs: SLOW });
        expect(r.stderr).not.toContain(TOKEN);
        expect(r.code, r.stderr).toBe(0);
        const rows = csvRows(r.stdout).filter((x) => x.nature === 'req');
        expect(rows.filter((x) => x.rc !== '0').map((x) => x.error)).toEqual([]);
        for (const name of c.requests)
          expect(
            rows.filter((x) => x.request === name),
            name,
          ).toHaveLength(6);
        expect((server.stats().ops[c.op] ?? 0) - before).toBe(6 + c.setupCalls);
      },
      SLOW,
    );
  }
});

describe('the Azure protocol in runs', () => {
  it(
    'a scenario mixing AzureKeyVault lines on azure-local (Managed HSM) with a KMS line on local gives one summary and one verdict',
    async () => {
      const file = join(dir, 'mixed.txt');
      writeFileSync(
        file,
        [
          `cuts.AzureKeyVaultSign --id az-sign --endpoint azure-local --loops 3 --lengths 32`,
          `cuts.AzureKeyVaultEncryptDecrypt --id az-gcm --endpoint azure-local --loops 3 --lengths 32 --extra '{"key":"aes256"}'`,
          `cuts.AzureKeyVaultGetRandomBytes --id az-rng --endpoint azure-local --loops 3 --lengths 32`,
          `cuts.KmsEncryptSymmetric --id kms --endpoint local --loops 3 --lengths 32`,
        ].join('\n') + '\n',
      );
      const summary = join(dir, 'mixed.json');
      const r = await pylogen(['scenario', '--file', file, '--summary-json', summary, '--threshold', 'errors<1%'], { timeoutMs: SLOW });
      expect(r.code, r.stderr).toBe(0);
      const s = readJson(summary);
      const text = JSON.stringify(s);
      for (const id of ['az-sign', 'az-gcm', 'az-rng', 'kms']) expect(text).toContain(id);
      expect(text).toContain('errors<1%');
    },
    SLOW,
  );

  it(
    'the preflight stops a line whose key is missing: exit 2, one line naming azure setup',
    async () => {
      const r = await pylogen(
        ['cuts.AzureKeyVaultSign', '--endpoint', server.url, '--loops', '1', '--extra', JSON.stringify({ file: join(dir, 'Missing.json'), key: 'gone' })],
        { env, timeoutMs: SLOW },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/pylogen azure setup/);
      expect(r.stdout).toBe('');
    },
    SLOW,
  );

  it(
    'with --no-preflight the missing key fails the runner setup, counted under KeyNotFound',
    async () => {
      const summary = join(dir, 'missing.json');
      const r = await pylogen(
        [
          'cuts.AzureKeyVaultSign',
          '--endpoint',
          server.url,
          '--loops',
          '1',
          '--no-preflight',
          '--summary-json',
          summary,
          '--extra',
          JSON.stringify({ file: join(dir, 'Missing.json'), key: 'gone' }),
        ],
        { env, timeoutMs: SLOW },
      );
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/KeyNotFound/);
    },
    SLOW,
  );

  it(
    'errors by type: a server throttling at 20/s answers 429 Throttled, retried with --retries and counted',
    async () => {
      const throttling = await startAzureServer({
        flavour: 'vault',
        token: TOKEN,
        keys: [{ entry: 'ec256', name: 'pylogen-ec256', kty: 'EC', family: 'ec', curve: 'P-256' }],
        throttleRps: 20,
      });
      try {
        writeFileSync(join(dir, 'ca2.pem'), throttling.ca);
        const env2 = { ...env, NODE_EXTRA_CA_CERTS: join(dir, 'ca2.pem') };
        const summary = join(dir, 'throttled.json');
        const base = ['cuts.AzureKeyVaultSign', '--endpoint', throttling.url, '--loops', '8', '--concurrency', '4', '--lengths', '32', '--no-preflight'];
        const r = await pylogen([...base, '--summary-json', summary], { env: env2, timeoutMs: SLOW });
        expect(readJson(summary).errorsByType).toHaveProperty('Throttled');
        const retried = await pylogen([...base, '--retries', '5'], { env: env2, timeoutMs: SLOW });
        expect(retried.code, retried.stderr).toBe(0);
        expect(retried.stderr).toMatch(/Azure requests retried \(\d+ answers 429 Throttled\)/);
        expect(r.code).not.toBe(null);
      } finally {
        await throttling.close();
      }
    },
    SLOW,
  );

  it(
    'pylogen azure setup creates the missing keys and checks the existing ones',
    async () => {
      const keyFile = join(dir, 'Setup.json');
      writeFileSync(
        keyFile,
        JSON.stringify({ ec256: { name: 'pylogen-ec256', kty: 'EC', curve: 'P-256' }, fresh: { name: 'pylogen-fresh', kty: 'oct-HSM', size: 256 } }),
      );
      const r = await pylogen(['azure', 'setup', '--endpoint', server.url, '--keys', keyFile], { env, timeoutMs: SLOW });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/key "ec256": .* exists/);
      expect(r.stdout).toMatch(/key "fresh": .* created/);
      expect(r.stdout).toMatch(/1 existing, 1 created/);
      const again = await pylogen(['azure', 'setup', '--endpoint', server.url, '--keys', keyFile], { env, timeoutMs: SLOW });
      expect(again.stdout).toMatch(/2 existing, 0 created/);
    },
    SLOW,
  );
});

describe('pylogen azure serve', () => {
  it(
    'prints its URL, writes its CA, serves the official client, and prints its counts on SIGTERM, exit 0',
    async () => {
      const ca = join(dir, 'serve-ca.pem');
      const p = spawn(process.execPath, [BIN, 'azure', 'serve', '--flavour', 'vault', '--ca-file', ca], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const exited = new Promise<number | null>((done) => p.on('exit', (code) => done(code)));
      try {
        const url = await new Promise<string>((done, fail) => {
          p.stdout.setEncoding('utf8').on('data', (d: string) => {
            out += d;
            if (out.includes('\n')) done(out.trim());
          });
          p.on('exit', () => fail(new Error(`azure serve exited: ${err}`)));
        });
        expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        expect(readFileSync(ca, 'utf8')).toContain('BEGIN CERTIFICATE');
        const r = await pylogen(['cuts.AzureKeyVaultSign', '--endpoint', url, '--loops', '2', '--lengths', '32'], {
          env: { NODE_EXTRA_CA_CERTS: ca, PYLOGEN_AZURE_TOKEN: 'any' },
          timeoutMs: SLOW,
        });
        expect(r.code, r.stderr).toBe(0);
      } finally {
        p.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      // preflight GET + the CUT's GET, its setup call and the 2 measured signs
      expect(err).toMatch(/stopped after .* \(.*get 2, sign 3\)/);
      expect(existsSync(ca)).toBe(true);
    },
    SLOW,
  );
});
