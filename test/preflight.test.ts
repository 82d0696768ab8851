/**
 * Issue 8, point 1: a KMS run checks its endpoint, credentials and key before t0 (one real call per
 * line, with its runners' settings), and a loopback endpoint needs no credentials. Real CLI, real
 * `kms serve`, real sockets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackEndpoint, loopbackAwareCredentials, THROWAWAY_CREDENTIALS } from '../src/kms/client/credentials.js';
import { BIN, pylogen, readJson, ROOT, tempDir } from './helpers.js';

/** An environment with no AWS credentials anywhere: no AWS_* keys, an empty home, no config files. */
function noCredentialsEnv(): Record<string, string> {
  const home = tempDir('pylogen-nohome-');
  return {
    HOME: home,
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_REGION: '',
    AWS_DEFAULT_REGION: '',
    AWS_ENDPOINT_URL: '',
    AWS_ENDPOINT_URL_KMS: '',
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    // No instance metadata service here; without this the SDK's chain would try to reach one.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

let server: ChildProcess | undefined;
let url = '';
const sockets = new Set<Socket>();
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  // `pylogen kms serve` as a newcomer starts it: no credentials of any kind in its environment.
  server = spawn(process.execPath, [BIN, 'kms', 'serve'], { cwd: ROOT, env: { ...process.env, ...noCredentialsEnv() }, stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    server!.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    server!.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    server!.once('exit', (code) => reject(new Error(`kms serve exited with ${code}: ${err}`)));
  });
});

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGINT');
    await exited;
  }
  for (const s of sockets) s.destroy();
  for (const c of closers) await c();
});

/** A loopback listener that accepts connections and never answers. */
async function silentListener(): Promise<string> {
  const srv = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => srv.close(() => r())));
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

/** A loopback port that nothing listens on (bound, then closed). */
async function closedPort(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return `http://127.0.0.1:${port}`;
}

describe('a loopback endpoint needs no credentials', () => {
  it('kms serve + a KMS CUT with no AWS_* variables and no ~/.aws: throwaway credentials (said at -v), 0 errors', async () => {
    const json = join(tempDir(), 's.json');
    const r = await pylogen(['cuts.KmsEncryptSymmetric', '--endpoint', url, '--loops', '20', '--outformat', 'none', '-v', '--summary-json', json], {
      env: noCredentialsEnv(),
    });
    expect(r.code, r.stderr).toBe(0);
    const s = readJson(json);
    expect(s.errorsByType).toEqual({});
    expect(s.requests).toMatchObject({ count: 20, errors: 0 });
    expect(r.stderr).toContain(`no AWS credentials in the SDK's chain: requests to the loopback endpoint ${url} are signed with throwaway credentials`);
    expect(r.stderr).toContain('preflight kms:DescribeKey ok');
  });

  it('the same with localhost, and real credentials when present are used (nothing said about throwaway ones)', async () => {
    const local = url.replace('127.0.0.1', 'localhost');
    const json = join(tempDir(), 's.json');
    const r = await pylogen(['cuts.KmsGenerateRandom', '--endpoint', local, '--loops', '5', '--outformat', 'none', '-v', '--summary-json', json], {
      env: { ...noCredentialsEnv(), AWS_ACCESS_KEY_ID: 'AKIDREALONE', AWS_SECRET_ACCESS_KEY: 'a-real-looking-secret' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readJson(json).requests).toMatchObject({ count: 5, errors: 0 });
    expect(r.stderr).toContain('preflight kms:GenerateRandom ok');
    expect(r.stderr).not.toContain('throwaway');
  });

  it('which endpoints are on the loopback', () => {
    for (const u of ['http://127.0.0.1:1', 'http://127.9.8.7', 'https://localhost:4566', 'http://LOCALHOST.', 'http://[::1]:8080', 'http://kms.localhost']) {
      expect(isLoopbackEndpoint(u), u).toBe(true);
    }
    for (const u of [
      'http://128.0.0.1',
      'https://kms.eu-west-1.amazonaws.com',
      'http://[::2]',
      'http://localhost.example.com',
      'http://10.0.0.1',
      '',
      undefined,
      'not a url',
    ]) {
      expect(isLoopbackEndpoint(u), String(u)).toBe(false);
    }
  });

  it('the credentials decision: the SDK chain first; throwaway only on the loopback; nothing changed elsewhere', async () => {
    expect(loopbackAwareCredentials('https://kms.eu-west-1.amazonaws.com')).toBeUndefined();
    const saved = { ...process.env };
    try {
      Object.assign(process.env, noCredentialsEnv());
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      expect(await loopbackAwareCredentials('http://127.0.0.1:9')!()).toEqual(THROWAWAY_CREDENTIALS);
    } finally {
      process.env = saved;
    }
  });
});

describe('the preflight refuses a run that would measure nothing: exit 2, one line, nothing started', () => {
  const keys = join(tempDir(), 'keys.json');
  writeFileSync(
    keys,
    JSON.stringify({
      typo: { alias: 'alias/pylogen-symmetirc1', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' },
      mac: { alias: 'alias/pylogen-symmetric1', keySpec: 'HMAC_256' },
    }),
  );
  const cases: [string, () => Promise<{ cut: string; args: string[]; env?: Record<string, string> }>, RegExp][] = [
    [
      'a non-loopback endpoint and no credentials',
      async () => ({ cut: 'cuts.KmsEncryptSymmetric', args: ['--endpoint', 'http://192.0.2.1:9'] }),
      /^pylogen: KmsEncryptSymmetric: preflight: no AWS credentials found for http:\/\/192\.0\.2\.1:9: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    ],
    [
      'a wrong alias',
      async () => ({ cut: 'cuts.KmsEncryptSymmetric', args: ['--endpoint', url, '--extra', JSON.stringify({ file: keys, key: 'typo' })] }),
      /^pylogen: KmsEncryptSymmetric: preflight: key "typo" \(alias\/pylogen-symmetirc1\) does not exist at http:\/\/127\.0\.0\.1:\d+ \(NotFoundException\): create the keys with `pylogen kms setup --endpoint/,
    ],
    [
      'a key of the wrong kind',
      async () => ({ cut: 'cuts.KmsMac', args: ['--endpoint', url, '--extra', JSON.stringify({ file: keys, key: 'mac' })] }),
      /^pylogen: KmsMac: preflight: key "mac" \(alias\/pylogen-symmetric1\) at http:\/\/127\.0\.0\.1:\d+ is a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key, but the key file says HMAC_256 GENERATE_VERIFY_MAC/,
    ],
    [
      'a refused endpoint',
      async () => ({ cut: 'cuts.KmsSignature', args: ['--endpoint', await closedPort()] }),
      /^pylogen: KmsSignature: preflight: http:\/\/127\.0\.0\.1:\d+ refused the connection \(ECONNREFUSED\): is the server running\? check --endpoint$/,
    ],
    [
      'a silent endpoint (bounded by --timeout)',
      async () => ({ cut: 'cuts.KmsGenerateRandom', args: ['--endpoint', await silentListener(), '--timeout', '1'] }),
      /^pylogen: KmsGenerateRandom: preflight: no answer from http:\/\/127\.0\.0\.1:\d+ within --timeout 1s \(TimeoutError\)/,
    ],
    [
      'AWS KMS with no region anywhere',
      async () => ({ cut: 'cuts.KmsGenerateRandom', args: [], env: { AWS_ACCESS_KEY_ID: 'AKIDX', AWS_SECRET_ACCESS_KEY: 'x' } }),
      /^pylogen: KmsGenerateRandom: preflight: no region for AWS KMS: give --region, or set AWS_REGION$/,
    ],
  ];

  it.each(cases)('%s', async (_name, make, message) => {
    const { cut, args, env } = await make();
    const t = performance.now();
    // --duration 30: a run that started would take 30 s; the preflight ends it within --timeout.
    const r = await pylogen([cut, '--duration', '30', '-vv', ...args], { env: { ...noCredentialsEnv(), ...env } });
    const wallMs = performance.now() - t;
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    // One line: no runner started (at -vv each runner's states would be listed), no summary.
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^(line \d+ \()?Kms\w+\)?: /.test(l));
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/runner run\.0/);
    // Bound: --timeout (10 s default, 1 s for the silent case) plus a node start and a CUT load on
    // two busy cores; far below the 30 s a started run would take.
    expect(wallMs).toBeLessThan(20_000);
  });

  it('a scenario names the line that failed', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'scenarios'));
    writeFileSync(
      join(dir, 'two.txt'),
      `cuts.KmsEncryptSymmetric --endpoint ${url} --loops 1\n\ncuts.KmsGenerateRandom --endpoint ${await closedPort()} --loops 1\n`,
    );
    const r = await pylogen(['scenario', '--file', 'two.txt'], { cwd: dir, env: noCredentialsEnv() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^pylogen: line 3 \(KmsGenerateRandom, id L3\): preflight: http:\/\/127\.0\.0\.1:\d+ refused the connection/),
    ]);
  });

  it('--no-preflight runs against the refused endpoint and counts the errors by type (in --help too)', async () => {
    const json = join(tempDir(), 's.json');
    const r = await pylogen(
      ['cuts.KmsEncryptSymmetric', '--endpoint', await closedPort(), '--loops', '10', '--no-preflight', '--outformat', 'none', '--summary-json', json],
      {
        env: noCredentialsEnv(),
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readJson(json).errorsByType).toEqual({ ECONNREFUSED: 10 });
    const help = await pylogen(['--help']);
    expect(help.stdout).toMatch(/--no-preflight +skip the preflight/);
  });

  it('--endpoint local: the preflight signs with the throwaway credentials too, never the real ones', async () => {
    const json = join(tempDir(), 's.json');
    const r = await pylogen(['cuts.KmsVerify', '--endpoint', 'local', '--loops', '2', '-v', '--outformat', 'none', '--summary-json', json], {
      env: { ...noCredentialsEnv(), AWS_PROFILE: 'pylogen-no-such-profile' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('KmsVerify: preflight kms:GetPublicKey ok');
    expect(readJson(json).requests).toMatchObject({ count: 2, errors: 0 });
  });
});
