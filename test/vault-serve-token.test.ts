/**
 * `pylogen vault serve` keeps its token out of the process list: PYLOGEN_VAULT_TOKEN (and
 * --token-file) set it without a word in `ps`; --token still works but warns in one line that `ps`
 * shows it. The server then refuses any other token (403, PermissionDenied) and accepts its own.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, pylogen, readJson, ROOT, tempDir } from './helpers.js';
import { join } from 'node:path';

// A run forks a runner on 2 cores shared with other suites: tens of seconds when the machine is loaded.
const RUN_MS = 120_000;
const TOKEN = 'serve-token-s3cr3t';
const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

/** `pylogen vault serve ARGS` with ENV: its URL and stderr once it listens. */
function serve(args: string[], env: Record<string, string>): Promise<{ url: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'vault', 'serve', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((r) => proc.once('exit', r));
    stops.push(() => (proc.kill('SIGTERM'), exited));
    let out = '';
    let err = '';
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = /^(http:\/\/\S+)\n/.exec(out);
      if (line !== null) resolve({ url: line[1]!, stderr: err });
    });
    proc.once('exit', (code) => reject(new Error(`vault serve exited ${code} before listening: ${err}`)));
  });
}

async function errorsWith(url: string, token: string): Promise<Record<string, number>> {
  const path = join(tempDir('pylogen-vault-token-'), 's.json');
  const r = await pylogen(
    ['cuts.VaultTransitEncrypt', '--endpoint', url, '--loops', '3', '--no-preflight', '--outformat', 'none', '--quiet', '--summary-json', path],
    {
      env: { VAULT_TOKEN: token },
      timeoutMs: RUN_MS,
    },
  );
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).not.toContain(token);
  return readJson(path).errorsByType;
}

describe('vault serve: the token out of ps', () => {
  it(
    'takes PYLOGEN_VAULT_TOKEN without a warning, and then refuses any other token',
    async () => {
      const s = await serve([], { PYLOGEN_VAULT_TOKEN: TOKEN });
      expect(s.stderr).not.toContain('warning');
      expect(s.stderr).toContain('with VAULT_TOKEN set to the token given');
      expect(await errorsWith(s.url, 'wrong-token')).toEqual({ PermissionDenied: 3 });
      expect(await errorsWith(s.url, TOKEN)).toEqual({});
    },
    RUN_MS * 2,
  );

  it(
    'warns in one line that --token shows in ps',
    async () => {
      const s = await serve(['--token', TOKEN], {});
      const warnings = s.stderr.split('\n').filter((l) => l.includes('warning'));
      expect(warnings).toEqual([
        'pylogen vault server: warning: --token shows the token in the process list (ps): give --token-file FILE or PYLOGEN_VAULT_TOKEN instead',
      ]);
      expect(s.stderr).not.toContain(TOKEN);
    },
    RUN_MS,
  );
});
