/**
 * The Cloud KMS CUTs through the real CLI: every CUT over gRPC and REST against `--endpoint
 * gcp-local` with 0 errors (and no connection leaving the machine), the preflight's one line for a
 * missing key and a disabled version, errors counted by type with --no-preflight (NOT_FOUND,
 * FAILED_PRECONDITION, RESOURCE_EXHAUSTED, Crc32cMismatch) against an embedded server the test
 * starts, `gcp setup` and `gcp serve`, and a scenario mixing CloudKms and Kms lines.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGcpClient } from '../src/gcp/client.js';
import { callOptions } from '../src/gcp/endpoint.js';
import { loadGcpKeyFile, versionName } from '../src/gcp/keyfile.js';
import { startGcpServer, type GcpServer } from '../src/gcp/server/server.js';
import { alive, pylogen, readJson, ROOT, tempDir } from './helpers.js';

// Every runner loads the official client (~1 s of CPU each); the machine is shared: generous bounds.
const RUN_MS = 240_000;
vi.setConfig({ testTimeout: 2 * RUN_MS, hookTimeout: RUN_MS });
const file = loadGcpKeyFile(undefined, ROOT, ROOT);
// The servers the test starts need only these keys (no RSA key pairs to generate on a loaded machine).
const small = { ...file, entries: new Map([...file.entries].filter(([k]) => k === 'symmetric' || k === 'hmac')) };

describe('--endpoint gcp-local', () => {
  it('runs every CloudKms CUT over gRPC and REST with 0 errors, one summary, nothing outside loopback', async () => {
    const dir = tempDir();
    const log = join(dir, 'connections.log');
    writeFileSync(log, '');
    // The 22 lines of CloudKmsAll.txt in runs of 6 lines: each runner loads the official client, and
    // 22 at once on a loaded 2-core machine may not all be ready within pylogen's start-up bound.
    const lines = readFileSync(join(ROOT, 'scenarios/CloudKmsAll.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('cuts.'));
    expect(lines.length).toBe(22);
    const ids = new Set<string>();
    for (let i = 0; i < lines.length; i += 6) {
      const part = join(dir, `part${i}.txt`);
      writeFileSync(part, lines.slice(i, i + 6).join('\n') + '\n');
      const r = await pylogen(['scenario', '--file', part, '--outformat', 'none', '--summary-json', join(dir, 's.json'), '-v'], {
        timeoutMs: RUN_MS,
        env: { NODE_OPTIONS: `--require ${join(ROOT, 'test/fixtures/record-connections.cjs')}`, PYLOGEN_CONNECTIONS_LOG: log },
      });
      expect(r.code, r.stderr).toBe(0);
      const s = readJson(join(dir, 's.json'));
      expect(s.runners.failed, r.stderr).toBe(0);
      expect(s.errorsByType).toEqual({});
      for (const b of s.byRequest as { id: string }[]) ids.add(b.id);
      // the embedded server was stopped
      const pid = Number(/embedded Cloud KMS server: .* pid (\d+)\)/.exec(r.stderr)?.[1]);
      expect(pid).toBeGreaterThan(0);
      expect(alive(pid)).toBe(false);
    }
    expect(ids.size).toBe(22);
    // every connection went to loopback (gRPC, REST, the runners' IPC), no name was looked up but localhost
    const seen = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(seen.some((l) => /connect 127\.0\.0\.1:\d+/.test(l))).toBe(true);
    const outside = seen.filter((l) => !/ (connect (127\.0\.0\.1|localhost|::1|unix:)|lookup (localhost|127\.0\.0\.1))/.test(l));
    expect(outside).toEqual([]);
  });

  it('a scenario mixing CloudKms and Kms lines gives one summary and one verdict', async () => {
    const dir = tempDir();
    const scenario = join(dir, 'mixed.txt');
    writeFileSync(
      scenario,
      ['cuts.CloudKmsEncrypt --endpoint gcp-local --client rest --loops 10 --id gcp', 'cuts.KmsEncryptSymmetric --endpoint local --loops 10 --id kms'].join(
        '\n',
      ) + '\n',
    );
    const r = await pylogen(['scenario', '--file', scenario, '--outformat', 'none', '--summary-json', join(dir, 's.json'), '--threshold', 'errors<1'], {
      timeoutMs: RUN_MS,
    });
    expect(r.code, r.stderr).toBe(0);
    const s = readJson(join(dir, 's.json'));
    expect(s.requests.count).toBe(20);
    expect(s.requests.errors).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/errors<1.*pass|PASS/i);
  });
});

describe('against an embedded server the test starts', () => {
  let server: GcpServer;
  beforeAll(async () => {
    server = await startGcpServer({ keyFiles: [small] });
  }, RUN_MS);
  afterAll(async () => {
    await server?.close();
  });

  it('a key the server does not have: the preflight says NOT_FOUND and gcp setup, exit 2; without it, errors by type', async () => {
    const dir = tempDir();
    const keys = JSON.parse(readFileSync(join(ROOT, 'profiles/GcpDefault.json'), 'utf8'));
    keys.keys.missing = { cryptoKey: 'not-made', algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION' };
    writeFileSync(join(dir, 'keys.json'), JSON.stringify(keys));
    const args = [
      'cuts.CloudKmsEncrypt',
      '--endpoint',
      server.grpcUrl,
      '--loops',
      '3',
      '--outformat',
      'none',
      '--extra',
      JSON.stringify({ file: join(dir, 'keys.json'), key: 'missing' }),
    ];
    const pre = await pylogen(args, { timeoutMs: RUN_MS });
    expect(pre.code).toBe(2);
    expect(pre.stderr).toMatch(/NOT_FOUND.*create the key file's keys with pylogen gcp setup/);
    const run = await pylogen([...args, '--no-preflight', '--summary-json', join(dir, 's.json')], { timeoutMs: RUN_MS });
    expect(run.code, run.stderr).not.toBe(2);
    expect(readJson(join(dir, 's.json')).errorsByType).toEqual({ NOT_FOUND: 3 });
  });

  it('a disabled version: the preflight says DISABLED, exit 2; without it, FAILED_PRECONDITION by type', async () => {
    const dir = tempDir();
    const c = createGcpClient({ endpoint: server.restUrl, transport: 'rest', timeoutMs: 20_000, retries: 0 });
    const name = versionName(file, file.entries.get('hmac')!);
    await c.updateCryptoKeyVersion(
      { cryptoKeyVersion: { name, state: 'DISABLED' }, updateMask: { paths: ['state'] } },
      callOptions({ timeoutMs: 20_000, retries: 0 }),
    );
    try {
      const args = ['cuts.CloudKmsMacSign', '--endpoint', server.restUrl, '--client', 'rest', '--loops', '3', '--outformat', 'none'];
      const pre = await pylogen(args, { timeoutMs: RUN_MS });
      expect(pre.code).toBe(2);
      expect(pre.stderr).toMatch(/is DISABLED, not ENABLED: enable it/);
      const run = await pylogen([...args, '--no-preflight', '--summary-json', join(dir, 's.json')], { timeoutMs: RUN_MS });
      expect(readJson(join(dir, 's.json')).errorsByType).toEqual({ FAILED_PRECONDITION: 3 });
      expect(run.code).not.toBe(2);
    } finally {
      await c.updateCryptoKeyVersion(
        { cryptoKeyVersion: { name, state: 'ENABLED' }, updateMask: { paths: ['state'] } },
        callOptions({ timeoutMs: 20_000, retries: 0 }),
      );
      await c.close();
    }
  });

  it('a throttled server: RESOURCE_EXHAUSTED by type; a wrong CRC32C: Crc32cMismatch', async () => {
    const throttled = await startGcpServer({ keyFiles: [small], throttleRps: 2 });
    const lying = await startGcpServer({ keyFiles: [small], badCrc: 1 });
    try {
      const dir = tempDir();
      const t = await pylogen(
        [
          'cuts.CloudKmsMacSign',
          '--endpoint',
          throttled.grpcUrl,
          '--loops',
          '20',
          '--concurrency',
          '10',
          '--outformat',
          'none',
          '--no-preflight',
          '--retries',
          '0',
          '--summary-json',
          join(dir, 't.json'),
        ],
        { timeoutMs: RUN_MS },
      );
      const ts = readJson(join(dir, 't.json'));
      expect(Object.keys(ts.errorsByType), t.stderr).toEqual(['RESOURCE_EXHAUSTED']);
      expect(ts.errorsByType.RESOURCE_EXHAUSTED).toBeGreaterThan(5);
      for (const client of ['grpc', 'rest']) {
        const url = client === 'grpc' ? lying.grpcUrl : lying.restUrl;
        await pylogen(
          ['cuts.CloudKmsEncrypt', '--endpoint', url, '--client', client, '--loops', '4', '--outformat', 'none', '--summary-json', join(dir, `${client}.json`)],
          { timeoutMs: RUN_MS },
        );
        expect(readJson(join(dir, `${client}.json`)).errorsByType).toEqual({ Crc32cMismatch: 4 });
      }
    } finally {
      await throttled.close();
      await lying.close();
    }
  });

  it('gcp setup creates what is missing on the server, checks what exists, and exits 1 on a mismatch', async () => {
    const dir = tempDir();
    const keys = JSON.parse(readFileSync(join(ROOT, 'profiles/GcpDefault.json'), 'utf8'));
    keys.keyRing = 'setup-ring';
    keys.keys = { sym: { cryptoKey: 'sym', algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', version: 2 }, ec: { cryptoKey: 'ec', algorithm: 'EC_SIGN_P256_SHA256' } };
    writeFileSync(join(dir, 'keys.json'), JSON.stringify(keys));
    const first = await pylogen(['gcp', 'setup', '--keys', join(dir, 'keys.json'), '--endpoint', server.restUrl, '--client', 'rest'], { timeoutMs: RUN_MS });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/key ring .*setup-ring: created/);
    expect(first.stdout).toMatch(/2 keys of .* 2 created, 0 with problems/);
    expect(first.stdout).toContain('cryptoKeys/sym/cryptoKeyVersions/2 ENABLED');
    const again = await pylogen(['gcp', 'setup', '--keys', join(dir, 'keys.json'), '--endpoint', server.grpcUrl], { timeoutMs: RUN_MS });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/setup-ring: exists/);
    expect(again.stdout).toMatch(/0 created, 0 with problems/);
    keys.keys.ec.algorithm = 'EC_SIGN_P384_SHA384';
    writeFileSync(join(dir, 'keys.json'), JSON.stringify(keys));
    const mismatch = await pylogen(['gcp', 'setup', '--keys', join(dir, 'keys.json'), '--endpoint', server.grpcUrl], { timeoutMs: RUN_MS });
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toMatch(/exists with algorithm EC_SIGN_P256_SHA256, not EC_SIGN_P384_SHA384/);
  });
});

it('gcp serve prints its two URLs, serves the official client, and stops on SIGTERM', async () => {
  let proc: import('node:child_process').ChildProcess | undefined;
  const urls = new Promise<string[]>((resolve) => {
    const r = pylogen(['gcp', 'serve'], {
      timeoutMs: RUN_MS,
      onSpawn: (p) => {
        proc = p;
        let out = '';
        p.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /grpc (\S+)\nrest (\S+)\n/.exec(out);
          if (m !== null) resolve([m[1]!, m[2]!]);
        });
      },
    });
    void r.then((res) => (ended = res));
  });
  let ended: Awaited<ReturnType<typeof pylogen>> | undefined;
  const [grpcUrl, restUrl] = await urls;
  const dir = tempDir();
  const r = await pylogen(
    ['cuts.CloudKmsEncryptDecrypt', '--endpoint', restUrl!, '--client', 'rest', '--loops', '3', '--outformat', 'none', '--summary-json', join(dir, 's.json')],
    { timeoutMs: RUN_MS },
  );
  expect(r.code, r.stderr).toBe(0);
  expect(grpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  proc!.kill('SIGTERM');
  await new Promise<void>((resolve) => proc!.once('close', () => resolve()));
  await new Promise((resolve) => setImmediate(resolve));
  expect(ended?.code).toBe(0);
  expect(ended?.stderr).toMatch(/stopped after .* \d+ calls/);
});
