/**
 * Retries are counted in the summary, in one place for every client that retries: `requests.retries`
 * (their sum) and `byRunner[].retries`, and the text summary's requests line. Each server throttles
 * (429 with Retry-After, or KMS's ThrottlingException) and `--retries 5` lets every request through:
 * the KMS fast client and the SDK, the Vault client, the Azure SDK, and google-gax (Cloud KMS, both
 * transports).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAzureServer } from '../src/azure/server/server.js';
import { loadGcpKeyFile } from '../src/gcp/keyfile.js';
import { startGcpServer } from '../src/gcp/server/server.js';
import { BIN, kmsServe, pylogen, readJson, ROOT, tempDir } from './helpers.js';

// Runners fork on 2 cores shared with other suites, and retried requests wait out Retry-After (1 s):
// tens of seconds per run when the machine is loaded.
const SLOW = 180_000;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});
const dir = tempDir('pylogen-retries-');
// 4 in flight against 10 requests/s: the first ones are throttled, each retried until it passes.
const LOAD = ['--loops', '20', '--concurrency', '4', '--retries', '5', '--outformat', 'none'];

/** Runs ARGS and checks the retries in the summary and on stderr; gives the summary. */
async function counted(name: string, args: string[], env: Record<string, string> = {}, maxErrors = 0): Promise<void> {
  const path = join(dir, `${name}.json`);
  const r = await pylogen([...args, ...LOAD, '--summary-json', path], { env, timeoutMs: SLOW });
  expect(r.code, r.stderr).toBe(0);
  const s = readJson(path);
  expect(s.requests.count).toBe(20);
  expect(s.requests.errors).toBeLessThanOrEqual(maxErrors);
  expect(s.requests.retries).toBeGreaterThan(0);
  expect(s.byRunner.reduce((n: number, b: { retries?: number }) => n + (b.retries ?? 0), 0)).toBe(s.requests.retries);
  expect(r.stderr).toContain(`${s.requests.retries} retries (--retries)`);
}

/** `pylogen vault serve ARGS`: its URL once it listens. */
function vaultServe(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'vault', 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((r) => proc.once('exit', r));
    cleanups.push(() => (proc.kill('SIGTERM'), exited));
    let out = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = /^(http:\/\/\S+)\n/.exec(out);
      if (line !== null) resolve(line[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`vault serve exited ${code}`)));
  });
}

describe('retries in the summary', () => {
  it(
    'KMS, fast client and SDK',
    async () => {
      const url = await kmsServe(['--throttle', '10'], cleanups);
      await counted('kms-fast', ['cuts.KmsEncryptSymmetric', '--endpoint', url]);
      await counted('kms-sdk', ['cuts.KmsEncryptSymmetric', '--endpoint', url, '--client', 'sdk']);
    },
    SLOW * 2,
  );

  it(
    'Vault',
    async () => {
      const url = await vaultServe(['--throttle', '10']);
      await counted('vault', ['cuts.VaultTransitEncrypt', '--endpoint', url, '--no-preflight'], { VAULT_TOKEN: 'any' });
    },
    SLOW,
  );

  it(
    'Azure',
    async () => {
      const server = await startAzureServer({
        flavour: 'vault',
        token: 'T',
        keys: [{ entry: 'ec256', name: 'pylogen-ec256', kty: 'EC', family: 'ec', curve: 'P-256' }],
        throttleRps: 10,
      });
      cleanups.push(() => server.close());
      writeFileSync(join(dir, 'ca.pem'), server.ca);
      await counted(
        'azure',
        ['cuts.AzureKeyVaultSign', '--endpoint', server.url, '--lengths', '32', '--no-preflight'],
        { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), PYLOGEN_AZURE_TOKEN: 'T' },
        19,
      );
      // The SDK's throttling policy gives up on a request whose retries keep meeting 429s (1 to 4 of 20
      // seen on a loaded machine), counted as Throttled: what is checked here is that retries are counted.
    },
    SLOW,
  );

  it(
    'Cloud KMS, gRPC and REST',
    async () => {
      const file = loadGcpKeyFile(undefined, ROOT, ROOT);
      // 4/s: a runner slowed by a loaded machine sends fewer than 10/s, which would never be throttled.
      const server = await startGcpServer({ keyFiles: [{ ...file, entries: new Map([...file.entries].filter(([k]) => k === 'symmetric')) }], throttleRps: 4 });
      cleanups.push(() => server.close());
      // google-gax's backoff (100 ms x1.3) gives up on a request after about 1 s of refusals (counted as
      // DEADLINE_EXCEEDED): what is checked here is that its retries are counted.
      await counted('gcp-grpc', ['cuts.CloudKmsEncrypt', '--endpoint', server.grpcUrl, '--no-preflight'], {}, 19);
      await counted('gcp-rest', ['cuts.CloudKmsEncrypt', '--endpoint', server.restUrl, '--client', 'rest', '--no-preflight'], {}, 19);
    },
    SLOW * 2,
  );
});
