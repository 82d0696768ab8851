/**
 * The KMS target of a run, through the real CLI: `--endpoint local` (the embedded server in its own
 * process), `kms serve`, `kms setup`, endpoint trouble classified in errorsByType (issue 5 item 4),
 * and secrets that never reach any output (issue 5 item 8).
 */
import { GenerateRandomCommand } from '@aws-sdk/client-kms';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { errorType } from '../src/cut/errorType.js';
import { classifyError, createKmsClient } from '../src/kms/client/client.js';
import { alive, BIN, pylogen, readJson, ROOT, tempDir } from './helpers.js';

/** Credentials for runs against an explicit endpoint: the servers here check none. */
const FAKE_ENV = { AWS_ACCESS_KEY_ID: 'AKIDPYLOGENENDPOINTTEST', AWS_SECRET_ACCESS_KEY: 'endpoint-test-secret', AWS_REGION: 'eu-west-3' };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Served {
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  /** SIGINT, then its exit code and everything it wrote on stderr */
  stop(): Promise<{ code: number | null; stderr: string }>;
}

/** `pylogen kms serve ARGS` in the background; resolves once its URL is on stdout. */
function serve(args: string[] = [], env: Record<string, string> = {}): Promise<Served> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'kms', 'serve', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
    const stop = async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGINT');
      return { code: await exited, stderr };
    };
    cleanups.push(stop);
    const timer = setTimeout(() => reject(new Error(`kms serve did not start: ${stderr}`)), 20_000);
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve({ url: stdout.trim(), proc, stderr: () => stderr, stop });
      }
    });
    void exited.then((code) => reject(new Error(`kms serve exited with ${code}: ${stderr}`)));
  });
}

/** A TCP listener on a free loopback port that does `onSocket` with each connection. */
async function listener(onSocket: (s: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A loopback port that nothing listens on (bound, then closed). */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: any;
  wallMs: number;
  jsonText: string;
}

/** A KmsEncryptSymmetric run against `endpoint`, its summary JSON and its wall time. */
async function runAgainst(endpoint: string, extraArgs: string[] = [], env: Record<string, string> = FAKE_ENV): Promise<Outcome> {
  const json = join(tempDir(), 'summary.json');
  const t0 = performance.now();
  const r = await pylogen(['cuts.KmsEncryptSymmetric', '--endpoint', endpoint, '--outformat', 'none', '--summary-json', json, ...extraArgs], { env });
  const wallMs = performance.now() - t0;
  const jsonText = readFileSync(json, 'utf8');
  return { ...r, summary: JSON.parse(jsonText), wallMs, jsonText };
}

describe('--endpoint local', () => {
  it('runs a KMS CUT against the embedded server in its own process, with throwaway credentials, and leaves nothing behind', async () => {
    const json = join(tempDir(), 'summary.json');
    // Real-looking credentials and a profile that does not exist: the runners must not use them
    // (with AWS_PROFILE set, the SDK would skip the environment's keys and fail on the profile).
    const env = {
      AWS_ACCESS_KEY_ID: 'AKIAREALLOOKING0000',
      AWS_SECRET_ACCESS_KEY: 'real-looking-secret',
      AWS_SESSION_TOKEN: 'real-looking-token',
      AWS_PROFILE: 'pylogen-no-such-profile',
    };
    const r = await pylogen(
      [
        'cuts.KmsEncryptSymmetric',
        '--endpoint',
        'local',
        '--loops',
        '20',
        '--le',
        '16,4096',
        '--concurrency',
        '2',
        '--region',
        'ap-south-2',
        '-v',
        '--summary-json',
        json,
      ],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    const m = /embedded KMS server on (http:\/\/127\.0\.0\.1:\d+) \(region ap-south-2, 7 keys, pid (\d+)\)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const s = readJson(json);
    expect(s.requests).toMatchObject({ count: 40, errors: 0 });
    expect(s.errorsByType).toEqual({});
    // The server process is gone with the run, and its port is closed.
    expect(alive(Number(m![2]))).toBe(false);
    const kms = createKmsClient({ endpoint: m![1], region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, timeoutMs: 2000 });
    expect(classifyError(await kms.send(new GenerateRandomCommand({ NumberOfBytes: 1 })).catch((e: unknown) => e))).toBe('ECONNREFUSED');
    kms.destroy();
  });

  it('never leaves the server behind: SIGKILL of the main process ends it within a second or two', async () => {
    let pid = 0;
    const r = await pylogen(['cuts.KmsEncryptSymmetric', '--endpoint', 'local', '--duration', '30', '--pauseloop', '0.01', '--outformat', 'none', '-v'], {
      onSpawn: (p) => {
        let err = '';
        p.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /embedded KMS server on \S+ \(.*pid (\d+)\)/.exec(err);
          if (m !== null && pid === 0) {
            pid = Number(m[1]);
            p.kill('SIGKILL');
          }
        });
      },
    });
    expect(r.signal).toBe('SIGKILL');
    expect(pid).toBeGreaterThan(0);
    const deadline = Date.now() + 3000;
    while (alive(pid) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    expect(alive(pid)).toBe(false);
  });

  it('refuses a key file problem before anything starts, with nothing on stdout', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ symmetric1: { alias: 'alias/pylogen-symmetric1', keySpec: 'HMAC_256' } }));
    // Two lines, two key files, one alias of two kinds: one embedded server cannot hold both.
    writeFileSync(
      join(dir, 'two.txt'),
      `cuts.KmsEncryptSymmetric --endpoint local --loops 1\ncuts.KmsMac --endpoint local --loops 1 --extra '{"file":"keys.json","key":"symmetric1"}'\n`,
    );
    const r = await pylogen(['scenario', '--file', 'two.txt'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('alias/pylogen-symmetric1 is a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key in');
  });
});

describe('kms serve and kms setup', () => {
  it('kms serve: listens on 127.0.0.1, answers the SDK, stops on SIGINT with its counts, exit 0', async () => {
    const s = await serve(['--po', '0', '--reg', 'eu-north-1']);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.stderr()).toContain(`pylogen kms server listening on ${s.url} (7 keys from ${join(ROOT, 'profiles/KmsDefault.json')})`);
    const kms = createKmsClient({ endpoint: s.url, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    for (let i = 0; i < 3; i++) expect((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }))).Plaintext).toHaveLength(32);
    kms.destroy();
    const end = await s.stop();
    expect(end.code).toBe(0);
    expect(end.stderr).toMatch(/pylogen kms server: stopped after [\d.]+ s: 3 requests \([\d.]+\/s\), 0 throttled, 0 injected errors/);
  });

  it('kms serve --credentials: both clients run clean with the right secret; a wrong one is InvalidSignatureException, counted by type', async () => {
    const s = await serve(['--credentials', 'AKIDEXAMPLE:secret']);
    expect(s.stderr()).toContain('requests must be signed with the --credentials given');
    expect(s.stderr()).not.toContain('AKIDEXAMPLE');
    const right = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1' };
    for (const client of ['fast', 'sdk']) {
      const ok = await runAgainst(s.url, ['--client', client, '--loops', '5', '--concurrency', '2'], right);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.summary.requests).toMatchObject({ count: 5, errors: 0 });
      const badEnv = { ...right, AWS_SECRET_ACCESS_KEY: 'not-the-secret' };
      // Counted by type when the run goes ahead anyway...
      const wrong = await runAgainst(s.url, ['--client', client, '--loops', '5', '--concurrency', '2', '--no-preflight'], badEnv);
      expect(wrong.code, wrong.stderr).toBe(0);
      expect(wrong.summary.errorsByType).toEqual({ InvalidSignatureException: 5 });
      expect(wrong.stderr + wrong.stdout + wrong.jsonText).not.toContain('not-the-secret');
      // ...and refused before t0 by the preflight, which signs with the runners' client.
      const refused = await pylogen(['cuts.KmsEncryptSymmetric', '--endpoint', s.url, '--client', client, '--loops', '5'], { env: badEnv });
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/preflight: .* refused the credentials \(InvalidSignatureException: /);
      expect(refused.stderr).not.toContain('not-the-secret');
    }
    const end = await s.stop();
    expect(end.code).toBe(0);
    expect(end.stderr).not.toContain('secret');
  });

  it('kms setup: creates the missing keys on a kms serve, then reports them existing', async () => {
    const s = await serve();
    const dir = tempDir();
    writeFileSync(
      join(dir, 'mykeys.json'),
      JSON.stringify({
        one: { alias: 'alias/setup-test-one', keySpec: 'ECC_NIST_P256', signingAlgorithm: 'ECDSA_SHA_256', sha: 'sha256' },
        two: { alias: 'alias/setup-test-two', keySpec: 'HMAC_512' },
        symmetric1: { alias: 'alias/pylogen-symmetric1', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' },
      }),
    );
    const first = await pylogen(['kms', 'setup', '--end', s.url, '--keys', 'mykeys.json'], { cwd: dir, env: FAKE_ENV });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/key "one": created [0-9a-f-]{36} \(ECC_NIST_P256 SIGN_VERIFY\) with alias alias\/setup-test-one/);
    expect(first.stdout).toMatch(/key "two": created [0-9a-f-]{36} \(HMAC_512 GENERATE_VERIFY_MAC\) with alias alias\/setup-test-two/);
    expect(first.stdout).toMatch(/key "symmetric1": alias\/pylogen-symmetric1 exists/);
    expect(first.stdout).toContain(`mykeys.json on ${s.url}: 1 existing, 2 created`);
    const again = await pylogen(['kms', 'setup', '--endpoint', s.url, '--keys', join(dir, 'mykeys.json')], { env: FAKE_ENV });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('3 existing, 0 created');
    expect(again.stdout).not.toContain('created ');
  });

  it('kms setup: an unreachable target is one line naming its type, exit 1', async () => {
    const r = await pylogen(['kms', 'setup', '--endpoint', await closedPort()], { env: FAKE_ENV });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('pylogen'))).toEqual([expect.stringMatching(/^pylogen: kms setup: ECONNREFUSED: /)]);
  });

  it.concurrent.each([
    [['serve', '--latency', '5-2'], '--latency MIN-MAX must have MIN <= MAX, but is "5-2"'],
    [['serve', '--latency', 'x'], '--latency must be a number, but is "x"'],
    [['serve', '--error-rate', '2'], '--error-rate must be at most 1, but is 2'],
    [['serve', '--thr', '0'], '--throttle must be more than 0, but is 0'],
    [['serve', '--port', '70000'], '--port must be at most 65535, but is 70000'],
    [['serve', '--keys', 'nope.json'], 'key file "nope.json" not found'],
    [['serve', '--bogus', '1'], 'unknown option --bogus'],
    [['serve', 'extra'], 'kms serve takes options only, but got "extra"'],
    [['serve', '--port'], 'option --port needs a value'],
    [['setup', '--endpoint', 'local'], 'kms setup --endpoint local: the embedded server of a run lives only for that run'],
    [
      ['setup', '--endpoint', 'not a url'],
      '--endpoint must be an http://, https:// or kmip:// URL or "local" or "softhsm" or "pykmip" or "azure-local" or "vault-local" or "gcp-local" (like https://kms.eu-west-1.amazonaws.com), but is "not a url"',
    ],
    [['setup', '--endpoint', 'softhsm'], 'kms setup --endpoint softhsm: that is a throwaway SoftHSM2 token (PKCS#11), not a KMS'],
    [['setup', '--endpoint', 'ftp://x'], '--endpoint must be an http://, https:// or kmip:// URL'],
    [
      ['setup', '--endpoint', 'kmip://127.0.0.1:5696'],
      'kms setup --endpoint kmip://127.0.0.1:5696: that is a KMIP server, not a KMS: pylogen kmip setup creates the keys of a KMIP key file',
    ],
    [['setup', '--re', '1'], 'ambiguous option --re: it could be --region, --retries'],
    [['setup', '--timeout', '0'], '--timeout must be at least 0.001s, but is 0'],
    [['frobnicate'], 'unknown kms command "frobnicate" (kms serve, kms setup)'],
  ])('kms %j: one line, exit 2, nothing on stdout', async (args, message) => {
    const r = await pylogen(['kms', ...args]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it.concurrent.each([
    [
      ['--endpoint', 'foo'],
      '--endpoint must be an http://, https:// or kmip:// URL or "local" or "softhsm" or "pykmip" or "azure-local" or "vault-local" or "gcp-local" (like https://kms.eu-west-1.amazonaws.com), but is "foo"',
    ],
    [['--endpoint', 'ftp://kms.example'], '--endpoint must be an http://, https:// or kmip:// URL'],
    [['--endpoint', ''], '--endpoint must be an http://, https:// or kmip:// URL'],
    [['--region', ''], '--region must not be empty'],
  ])('a run with %j: one line, exit 2, nothing on stdout', async (args, message) => {
    const r = await pylogen(['cuts.KmsEncryptSymmetric', '--loops', '1', ...args]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it('--help of kms serve and kms setup', async () => {
    const s = await pylogen(['kms', 'serve', '--help']);
    expect(s.code).toBe(0);
    // yargs lays out each option, then its value's name at the head of the description
    for (const o of [
      '--host HOST',
      '--port N',
      '--keys FILE',
      '--latency MS|MIN-MAX',
      '--throttle RPS',
      '--error-rate P',
      '--region R',
      '--credentials AK:SECRET[:TOKEN]',
    ]) {
      const [flag, value] = o.split(' ') as [string, string];
      expect(s.stdout).toMatch(new RegExp(`${flag}\\s+${value.replace(/[[\]|:]/g, (c) => `\\${c}`)}: `));
    }
    const u = await pylogen(['kms', 'setup', '--help']);
    expect(u.code).toBe(0);
    for (const o of ['--keys FILE', '--endpoint URL', '--region R', 'kms:CreateKey']) expect(u.stdout).toContain(o);
  });
});

// Both clients, the same faults, the same errorsByType.
describe.each(['fast', 'sdk'])(
  'endpoint trouble with --client %s: classified in errorsByType, the run ends on time, the summary says what dominated',
  (client) => {
    const DURATION = 2;
    // --no-preflight: these endpoints are broken on purpose, which the preflight would refuse (exit 2).
    const base = ['--client', client, '--duration', String(DURATION), '--concurrency', '2', '--timeout', '0.5', '--grace', '1', '--no-preflight'];

    /** `type` must be the only error type, or the dominant one when `alsoAllowed` may come too. */
    async function expectTrouble(endpoint: string, type: RegExp, alsoAllowed?: RegExp): Promise<Outcome> {
      const o = await runAgainst(endpoint, base);
      expect(o.code, o.stderr).toBe(0);
      const byType = o.summary.errorsByType as Record<string, number>;
      const types = Object.keys(byType).sort((a, b) => byType[b]! - byType[a]!);
      const shown = JSON.stringify(byType);
      expect(types[0], shown).toMatch(type);
      for (const t of types.slice(1)) expect(t, shown).toMatch(alsoAllowed ?? /^$/);
      expect(o.summary.requests.errors).toBeGreaterThan(0);
      expect(o.summary.requests.errors).toBe(o.summary.requests.count);
      // The share is rounded so that only the whole shows as 100% (issue 15).
      const share = (byType[types[0]!]! / o.summary.requests.errors) * 100;
      const mostly = new RegExp(`\\(mostly ${types[0]}: ([\\d.]+)% of the errors\\)`).exec(o.stderr);
      expect(mostly, o.stderr).not.toBeNull();
      expect(Math.abs(Number(mostly![1]) - share)).toBeLessThanOrEqual(0.5);
      expect(Number(mostly![1]) === 100).toBe(share === 100);
      // The run itself ends on time (the operations in flight at the end time out after --timeout), and
      // the whole process too, loosely: start-up took up to 8 s beside a benchmark (9.9 s seen for the
      // DNS case), where a run that hung on its endpoint would take the resolver's or the OS's timeouts.
      // The runners' own span: the duration, then at most --timeout (0.5 s) for the requests in flight,
      // within --grace (1 s); 1 s more for a loaded machine's timers. The summary's wall also counts
      // forking and loading the runners (5.7 s seen beside a CPU-heavy process).
      const runners = o.summary.byRunner as { startedAt: string; endedAt: string }[];
      const spanS = (Math.max(...runners.map((r) => Date.parse(r.endedAt))) - Math.min(...runners.map((r) => Date.parse(r.startedAt)))) / 1000;
      expect(spanS).toBeGreaterThanOrEqual(DURATION);
      expect(spanS).toBeLessThan(DURATION + 2.5);
      expect(o.wallMs).toBeLessThan((DURATION + 13) * 1000);
      return o;
    }

    it('connection refused (a closed port): ECONNREFUSED', async () => {
      await expectTrouble(await closedPort(), /^ECONNREFUSED$/);
    });

    it('a listener that never answers: TimeoutError after --timeout', async () => {
      const o = await expectTrouble(await listener(() => undefined), /^TimeoutError$/);
      // Each request waits its timeout: 2 in flight for 2 s at 0.5 s each, about 8.
      expect(o.summary.requests.count).toBeGreaterThanOrEqual(4);
      expect(o.summary.requests.count).toBeLessThanOrEqual(12);
    });

    it('a listener that resets connections: ECONNRESET (not TimeoutError, as the SDK names it)', async () => {
      // The listener runs in this test's process: on a loaded machine it may answer a request later
      // than --timeout (2 TimeoutError in 89 seen beside a CPU-heavy process); the resets dominate.
      await expectTrouble(await listener((s) => s.once('data', () => s.resetAndDestroy())), /^ECONNRESET$/, /^TimeoutError$/);
    });

    it('DNS failure (an unresolvable host): ENOTFOUND', async () => {
      // .invalid never resolves (RFC 6761), but the lookup may still go to the network's resolver,
      // which now and then answers after its 5 s retry: such a lookup is a TimeoutError, correctly.
      await expectTrouble('http://pylogen-test.invalid:1', /^(ENOTFOUND|EAI_AGAIN)$/, /^(TimeoutError|ENOTFOUND|EAI_AGAIN)$/);
    });

    it('5xx (kms serve --error-rate 1): KMSInternalException', async () => {
      const s = await serve(['--error-rate', '1']);
      await expectTrouble(s.url, /^KMSInternalException$/);
    });

    it('throttling (kms serve --throttle 50, concurrency 8 for 3 s): ~150 served, the rest ThrottlingException, exit 0', async () => {
      const s = await serve(['--throttle', '50']);
      const o = await runAgainst(s.url, ['--client', client, '--concurrency', '8', '--duration', '3']);
      expect(o.code, o.stderr).toBe(0);
      const served = o.summary.requests.count - o.summary.requests.errors;
      expect(served).toBeGreaterThanOrEqual(100);
      expect(served).toBeLessThanOrEqual(220);
      expect(o.summary.errorsByType).toEqual({ ThrottlingException: o.summary.requests.errors });
      // 8 workers offer far more than 50/s, but how many throttled calls end as errors depends on the
      // SDK's backoff between retries (full jitter) and the machine: 123 against 152 served on a CI
      // machine, several times the served count here. Many, not a ratio.
      expect(o.summary.requests.errors).toBeGreaterThanOrEqual(20);
      expect(o.stderr).toContain('(mostly ThrottlingException: 100% of the errors)');
      // The headline is what the KMS served: ok count and ok throughput; the throttles apart (issue 15).
      const row = o.summary.byRequest[0];
      expect(row.ok.count).toBe(served);
      expect(row.failed.count).toBe(o.summary.requests.errors);
      // The row's throughput is the ok rate, the error rate beside it (issue 19).
      expect(row.throughput).toBe(row.ok.throughput);
      expect(row.errorRate).toBe(row.failed.throughput);
      expect(row.ok.throughput).toBeCloseTo((served / o.summary.requests.errors) * row.errorRate, 0);
      expect(row.failed.byType).toEqual({ ThrottlingException: o.summary.requests.errors });
      const head = o.stderr
        .split('\n')
        .find((l) => l.startsWith('id '))!
        .split(/ {2,}/);
      const cells = o.stderr
        .split('\n')
        .find((l) => / req /.test(l))!
        .trim()
        .split(/ {2,}/);
      expect(cells[head.indexOf('ok')]).toBe(String(served));
      expect(cells[head.indexOf('tput/s')]).toBe(row.ok.throughput.toFixed(1));
      expect(cells[head.indexOf('errors')]).toBe(String(o.summary.requests.errors));
    });
  },
);

describe('secrets never reach any output', () => {
  const SECRET = 'wJalrXUtnFEMI/K7MDENG/pylogenSECRETkey0';
  const TOKEN = 'FwoGZXIvYXdzEPYLOGENsessionTOKENdoNotPrint';
  const ENV = { AWS_ACCESS_KEY_ID: 'AKIAPYLOGENSECRETTEST', AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN, AWS_REGION: 'us-east-1' };

  function expectClean(where: string, text: string): void {
    expect(text.includes(SECRET), `the secret key in ${where}`).toBe(false);
    expect(text.includes(TOKEN), `the session token in ${where}`).toBe(false);
    // Nor a recognizable part of them (a truncated or re-encoded copy).
    expect(text.includes('pylogenSECRETkey'), `part of the secret key in ${where}`).toBe(false);
    expect(text.includes('sessionTOKEN'), `part of the session token in ${where}`).toBe(false);
  }

  it('a -vvv run against a working endpoint and a refused one prints neither the secret key nor the session token', async () => {
    const s = await serve([], ENV);
    for (const endpoint of [s.url, await closedPort()]) {
      const dir = tempDir();
      const json = join(dir, 'summary.json');
      const r = await pylogen(['cuts.KmsEncryptSymmetric', '--endpoint', endpoint, '--loops', '5', '-vvv', '--no-preflight', '--summary-json', json], {
        env: ENV,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n').length).toBeGreaterThan(5); // the CSV went to stdout
      for (const [where, text] of [
        ['stdout (CSV)', r.stdout],
        ['stderr', r.stderr],
        ['--summary-json', readFileSync(json, 'utf8')],
      ] as const) {
        expectClean(`${where} (${endpoint})`, text);
      }
      const jsonl = join(dir, 'events.jsonl');
      const l = await pylogen(
        ['cuts.KmsEncryptSymmetric', '--endpoint', endpoint, '--loops', '2', '-vvv', '--no-preflight', '--outformat', 'jsonl', '--out', jsonl],
        { env: ENV },
      );
      expect(l.code).toBe(0);
      expectClean(`--out jsonl (${endpoint})`, readFileSync(jsonl, 'utf8') + l.stdout + l.stderr);
    }
    const end = await s.stop();
    expectClean('kms serve stderr', end.stderr);
  }, 120_000); // four runs one after the other: ~10 s alone, 30 s seen on a machine loaded several times over
});

describe('errorType: one classification', () => {
  it('names network failures by code, timeouts, SDK exceptions, and answers not in AWS shape by status', () => {
    const withCode = (code: string, name = 'Error') => Object.assign(new Error(code), { code, name });
    expect(errorType(withCode('ECONNREFUSED'))).toBe('ECONNREFUSED');
    // The SDK's HTTP handler renames a reset "TimeoutError": the code wins.
    expect(errorType(withCode('ECONNRESET', 'TimeoutError'))).toBe('ECONNRESET');
    expect(errorType(withCode('EPIPE', 'TimeoutError'))).toBe('EPIPE');
    expect(errorType(withCode('ETIMEDOUT', 'TimeoutError'))).toBe('TimeoutError');
    expect(errorType(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe('TimeoutError');
    expect(errorType(new Error('wrapped', { cause: withCode('ENOTFOUND') }))).toBe('ENOTFOUND');
    expect(errorType(new AggregateError([withCode('ECONNREFUSED')], 'happy eyeballs'))).toBe('ECONNREFUSED');
    expect(errorType(withCode('EAI_AGAIN'))).toBe('EAI_AGAIN');
    expect(errorType(Object.assign(new Error('x'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }))).toBe('ThrottlingException');
    expect(errorType(Object.assign(new Error('x'), { name: 'KMSInternalException', $metadata: { httpStatusCode: 500 } }))).toBe('KMSInternalException');
    expect(errorType(Object.assign(new Error('x'), { name: 'Unknown', $metadata: { httpStatusCode: 500 } }))).toBe('HTTP 500');
    expect(errorType(Object.assign(new SyntaxError('<html>'), { $metadata: { httpStatusCode: 503 } }))).toBe('HTTP 503');
    expect(errorType(Object.assign(new Error('x'), { name: 'DummyError' }))).toBe('DummyError');
    expect(errorType(withCode('ERR_SOMETHING'))).toBe('ERR_SOMETHING');
    expect(errorType(new TypeError('x'))).toBe('TypeError');
    expect(errorType('text')).toBe('string');
    expect(classifyError).toBe(errorType);
  });
});
