/**
 * Vault Transit through the real command line: every VaultTransit CUT against `--endpoint
 * vault-local` (one scenario, one throwaway server), `pylogen vault serve --token-file` with
 * VAULT_TOKEN, the preflight's one line and exit 2 (wrong token, sealed server, missing key), errors
 * by type with --no-preflight (PermissionDenied, RateLimited), `pylogen vault setup` (idempotent),
 * and scenarios/VaultMixed.txt: Vault, KMS and PKCS#11 lines giving one summary and one verdict.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, BIN, pylogen, readJson, ROOT, tempDir } from './helpers.js';

// Each run forks runners and loads the SDK-laden package on 2 cores shared with other suites: tens
// of seconds per run when the machine is loaded.
const RUN_MS = 240_000;

interface Served {
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  /** SIGTERM, then the exit code once it has exited */
  stop(): Promise<number | null>;
}

/** `pylogen vault serve ARGS`, resolved when its URL is on stdout. */
function vaultServe(args: string[]): Promise<Served> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'vault', 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = /^(http:\/\/\S+)\n/.exec(out);
      if (line !== null) resolve({ url: line[1]!, proc, stderr: () => err, stop: () => (proc.kill('SIGTERM'), exited) });
    });
    proc.once('exit', (code) => reject(new Error(`vault serve exited ${code} before listening: ${err}`)));
  });
}

const dir = tempDir('pylogen-vault-');
const TOKEN = 'test-token-s3cr3t';
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, `${TOKEN}\n`);
let served: Served;

beforeAll(async () => {
  served = await vaultServe(['--token-file', tokenFile]);
}, 60_000);
afterAll(async () => {
  await served?.stop();
});

function summaryOf(name: string): { path: string; args: string[] } {
  const path = join(dir, `${name}.json`);
  return { path, args: ['--outformat', 'none', '--quiet', '--summary-json', path] };
}

describe('vault: every CUT against --endpoint vault-local', () => {
  it(
    'runs every VaultTransit CUT (batches, derived keys, every key type) clean in one scenario, the throwaway server gone after',
    async () => {
      const s = summaryOf('all');
      const r = await pylogen(['scenario', '--file', 'test/fixtures/vault-all.txt', ...s.args, '-v'], { timeoutMs: RUN_MS });
      expect(r.code, r.stderr).toBe(0);
      const sum = readJson(s.path);
      expect(sum.runners).toMatchObject({ planned: 12, ended: 12, failed: 0 });
      expect(sum.errorsByType).toEqual({});
      const counts = Object.fromEntries(sum.byRequest.map((b: { id: string; request: string; count: number }) => [`${b.id} ${b.request}`, b.count]));
      expect(counts).toMatchObject({
        'encrypt ENCRYPT': 10,
        'encrypt-derived-batch ENCRYPT-BATCH8': 5,
        'decrypt DECRYPT-BATCH4': 5,
        'roundtrip ENCRYPT': 5,
        'roundtrip DECRYPT': 5,
        'rewrap REWRAP': 5,
        'datakey DATAKEY': 5,
        'sign SIGN-BATCH4': 5,
        'sign-local LOCAL-VERIFY': 5,
        'verify VERIFY': 5,
        'hmac HMAC': 5,
        'hmac-verify VERIFY-HMAC-BATCH4': 5,
        'random RANDOM': 5,
      });
      const pid = Number(/embedded Vault server at http:\/\/127\.0\.0\.1:\d+ \(pid (\d+)/.exec(r.stderr)?.[1]);
      expect(pid).toBeGreaterThan(0);
      expect(alive(pid)).toBe(false);
    },
    RUN_MS,
  );
});

describe('vault: against pylogen vault serve --token-file', () => {
  it(
    'runs with VAULT_TOKEN set to its token, and never prints the token',
    async () => {
      const s = summaryOf('served');
      const r = await pylogen(['cuts.VaultTransitEncrypt', '--endpoint', served.url, '--loops', '20', ...s.args, '-v'], {
        env: { VAULT_TOKEN: TOKEN },
        timeoutMs: RUN_MS,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(readJson(s.path).requests).toMatchObject({ count: 20, errors: 0 });
      expect(r.stderr + r.stdout).not.toContain(TOKEN);
    },
    RUN_MS,
  );

  it(
    'stops at the preflight with one line and exit 2 for a wrong token, and for a key that is not there',
    async () => {
      const wrong = await pylogen(['cuts.VaultTransitEncrypt', '--endpoint', served.url, '--loops', '5', '--outformat', 'none'], {
        env: { VAULT_TOKEN: 'wrong' },
        timeoutMs: RUN_MS,
      });
      expect(wrong.code).toBe(2);
      expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
      expect(wrong.stderr).toMatch(/token of VAULT_TOKEN is refused .*permission denied/);
      const keys = join(dir, 'missing.json');
      writeFileSync(keys, JSON.stringify({ gone: { name: 'not-created', type: 'aes256-gcm96' } }));
      const missing = await pylogen(
        ['cuts.VaultTransitEncrypt', '--endpoint', served.url, '--loops', '5', '--outformat', 'none', '--extra', JSON.stringify({ file: keys, key: 'gone' })],
        {
          env: { VAULT_TOKEN: TOKEN },
          timeoutMs: RUN_MS,
        },
      );
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/has no key transit\/keys\/not-created .*pylogen vault setup/);
    },
    RUN_MS,
  );

  it(
    'counts a refused token as PermissionDenied with --no-preflight',
    async () => {
      const s = summaryOf('denied');
      const r = await pylogen(['cuts.VaultTransitHmac', '--endpoint', served.url, '--loops', '5', '--no-preflight', ...s.args], {
        env: { VAULT_TOKEN: 'wrong' },
        timeoutMs: RUN_MS,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(readJson(s.path).errorsByType).toEqual({ PermissionDenied: 5 });
    },
    RUN_MS,
  );

  it(
    'vault setup enables a mount and creates the keys of a key file, then finds them there',
    async () => {
      const keys = join(dir, 'setup.json');
      writeFileSync(
        keys,
        JSON.stringify({
          a: { name: 'set-aes', mount: 'transit-perf', type: 'aes256-gcm96' },
          e: { name: 'set-ed', mount: 'transit-perf', type: 'ed25519', derived: true },
        }),
      );
      const first = await pylogen(['vault', 'setup', '--endpoint', served.url, '--keys', keys], { env: { VAULT_TOKEN: TOKEN }, timeoutMs: RUN_MS });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain('mount transit-perf/: enabled (transit)');
      expect(first.stdout).toMatch(/2 keys of .* 2 created, 0 already there/);
      const again = await pylogen(['vault', 'setup', '--endpoint', served.url, '--keys', keys], { env: { VAULT_TOKEN: TOKEN }, timeoutMs: RUN_MS });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).not.toContain('enabled');
      expect(again.stdout).toMatch(/0 created, 2 already there/);
    },
    RUN_MS,
  );
});

describe('vault: a sealed or throttled server', () => {
  it(
    'a sealed Vault is one line and exit 2 at the preflight',
    async () => {
      const sealed = await vaultServe(['--sealed']);
      try {
        const r = await pylogen(['cuts.VaultTransitEncrypt', '--endpoint', sealed.url, '--loops', '5', '--outformat', 'none'], {
          env: { VAULT_TOKEN: 'any' },
          timeoutMs: RUN_MS,
        });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/Vault at http:\/\/127\.0\.0\.1:\d+ is sealed/);
      } finally {
        expect(await sealed.stop()).toBe(0);
        expect(sealed.stderr()).toMatch(/stopped after .* requests/);
      }
    },
    RUN_MS,
  );

  it(
    'a throttled Vault gives RateLimited errors with --retries 0',
    async () => {
      const throttled = await vaultServe(['--throttle', '2']);
      try {
        const s = summaryOf('throttled');
        const r = await pylogen(
          ['cuts.VaultTransitEncrypt', '--endpoint', throttled.url, '--loops', '30', '--concurrency', '4', '--retries', '0', '--no-preflight', ...s.args],
          {
            env: { VAULT_TOKEN: 'any' },
            timeoutMs: RUN_MS,
          },
        );
        expect(r.code, r.stderr).toBe(0);
        const sum = readJson(s.path);
        expect(sum.errorsByType.RateLimited).toBeGreaterThan(0);
        expect(Object.keys(sum.errorsByType)).toEqual(['RateLimited']);
      } finally {
        await throttled.stop();
      }
    },
    RUN_MS,
  );
});

describe('vault: scenarios/VaultMixed.txt', () => {
  it(
    'runs Vault, KMS and PKCS#11 lines as one test: one summary, one verdict',
    async () => {
      const s = summaryOf('mixed');
      const r = await pylogen(['scenario', '--file', 'VaultMixed.txt', ...s.args, '--threshold', 'errors<1%'], { timeoutMs: RUN_MS });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.match(/^pylogen summary:/gm)).toHaveLength(1);
      const sum = readJson(s.path);
      expect(sum.runners).toMatchObject({ planned: 5, ended: 5, failed: 0 });
      expect(sum.requests.errors).toBe(0);
      const counts = Object.fromEntries(sum.byRequest.map((b: { id: string; request: string; count: number }) => [`${b.id} ${b.request}`, b.count]));
      expect(counts).toMatchObject({
        'vault-encrypt ENCRYPT': 50,
        'vault-batch ENCRYPT-BATCH16': 10,
        'vault-sign SIGN': 20,
        'kms ENCRYPT': 50,
        'pkcs11 SIGN': 50,
      });
      expect(sum.thresholds).toEqual([{ threshold: 'errors<1%', value: 0, ok: true }]);
    },
    RUN_MS,
  );
});
