/**
 * PKCS#11 through the real CLI, real runner processes, pkcs11js and a real SoftHSM2 token: `pkcs11
 * setup` on a token the test made with softhsm2-util, the Pkcs11 CUTs against it and against
 * `--endpoint softhsm`, signatures checked by the test's own code (node:crypto, public keys read
 * with pkcs11js directly), PINs absent from every output, and bad input refused before anything runs.
 */
import { execFileSync } from 'node:child_process';
import { constants, verify } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pylogen, readJson, ROOT, tempDir } from './helpers.js';
import { makeToken, readPublicKey, SOFTHSM_MODULE, type TestToken } from './pkcs11-helpers.js';
import { errorType } from '../src/cut/errorType.js';

let token: TestToken;

beforeAll(async () => {
  token = makeToken('pylogen');
  const r = await pylogen(['pkcs11', 'setup', '--token', 'pylogen'], { env: token.env, timeoutMs: 60_000 });
  expect(r.code, r.stderr).toBe(0);
}, 90_000);

afterAll(() => token?.close());

/** A bound for runs of several processes on a loaded machine (2 cores shared with other test files). */
const SLOW = 90_000;

describe('pkcs11 setup', () => {
  it('created every key of Pkcs11Default.json, and a second run finds and checks them all', async () => {
    const r = await pylogen(['pkcs11', 'setup', '--tok', 'pylogen', '--keys', 'Pkcs11Default.json'], { env: token.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('key "ecc256": "pylogen-ecc256" exists (EC P-256 sign)');
    expect(r.stdout).toContain('key "rsa2048pss": "pylogen-rsa2048pss" exists (RSA-2048 PSS sign)');
    expect(r.stdout).toMatch(
      /pylogen pkcs11 setup: .*Pkcs11Default\.json on token "pylogen" of \/usr\/lib\/softhsm\/libsofthsm2\.so: 7 existing, 0 created\n$/,
    );
    expect(r.stdout + r.stderr).not.toContain(token.pin);
  });

  it('refuses a label that is another kind of key on the token: one line, exit 2', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'wrong.json'),
      JSON.stringify({
        module: '/usr/lib/softhsm/libsofthsm2.so',
        token: 'pylogen',
        keys: { k: { label: 'pylogen-ecc256', type: 'EC', curve: 'P-384' }, h: { label: 'pylogen-aes256', type: 'HMAC' } },
      }),
    );
    const r = await pylogen(['pkcs11', 'setup', '--keys', 'wrong.json'], { env: token.env, cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('key "k": label "pylogen-ecc256" is on another curve than P-384');
    expect(r.stderr).toContain('key "h": label "pylogen-aes256" is not an HMAC key on the token');
  });

  it('a wrong PIN is one line naming the problem, never the PIN, exit 1', async () => {
    const wrong = 'wrongPIN8642';
    const r = await pylogen(['pkcs11', 'setup'], { env: { ...token.env, PKCS11_PIN: wrong } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('CKR_PIN_INCORRECT');
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });
});

describe('signatures checked by the test itself', () => {
  it.each([['ecc256'], ['ecc384'], ['rsa2048'], ['rsa2048pss']])(
    'Pkcs11Sign with %s: node:crypto verifies each signature with the public key read from the token',
    (key) => {
      const labels: Record<string, string> = {
        ecc256: 'pylogen-ecc256',
        ecc384: 'pylogen-ecc384',
        rsa2048: 'pylogen-rsa2048',
        rsa2048pss: 'pylogen-rsa2048pss',
      };
      const text = execFileSync(process.execPath, [join(ROOT, 'test/fixtures/cutOutputs.mjs'), 'Pkcs11Sign', JSON.stringify({ key }), '0,16,1000'], {
        env: { ...process.env, ...token.env },
        encoding: 'utf8',
      });
      const { out, errors } = JSON.parse(text) as { out: { payload: string; output: string }[]; errors: string[] };
      expect(errors).toEqual([]);
      expect(out).toHaveLength(3);
      const pub = readPublicKey(token, labels[key]!);
      const hash = key === 'ecc384' ? 'sha384' : 'sha256';
      for (const { payload, output } of out) {
        const sig = Buffer.from(output, 'hex');
        const data = Buffer.from(payload, 'hex');
        const k = key.startsWith('ecc')
          ? { key: pub, dsaEncoding: 'ieee-p1363' as const }
          : key === 'rsa2048pss'
            ? { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
            : pub;
        expect(verify(hash, data, k, sig)).toBe(true);
        // And the check can fail: another message does not verify.
        expect(verify(hash, Buffer.concat([data, Buffer.from([1])]), k, sig)).toBe(false);
      }
    },
  );
});

describe('the Pkcs11 CUTs through the CLI', () => {
  it(
    'Pkcs11Sign on the test token: 2 runners, no errors, the PIN nowhere (-vvv)',
    async () => {
      const json = join(tempDir(), 's.json');
      const r = await pylogen(['cuts.Pkcs11Sign', '--proc', '2', '--loops', '200', '--lengths', '16,64', '-vvv', '--summary-json', json], {
        env: token.env,
        timeoutMs: SLOW,
      });
      expect(r.code, r.stderr).toBe(0);
      const s = readJson(json);
      expect(s.requests).toMatchObject({ count: 800, errors: 0 });
      expect(r.stdout.split('\n').filter((l) => l.includes(',SIGN,')).length).toBe(800);
      for (const text of [r.stdout, r.stderr, readFileSync(json, 'utf8')]) expect(text).not.toContain(token.pin);
    },
    SLOW,
  );

  it(
    '--endpoint softhsm: a throwaway token for the run, removed at the end; the runners get a PIN that no output shows',
    async () => {
      const json = join(tempDir(), 's.json');
      let environ = '';
      const r = await pylogen(
        ['cuts.Pkcs11Sign', '--endpoint', 'softhsm', '--proc', '2', '--duration', '2', '--extra', '{"key":"rsa2048pss"}', '-vvv', '--summary-json', json],
        {
          timeoutMs: SLOW,
          onSpawn: (p) => {
            let err = '';
            p.stderr!.on('data', (d: Buffer) => {
              err += d.toString();
              const m = /runner run\.0 \(Pkcs11Sign, pid (\d+)\): running/.exec(err);
              if (m !== null && environ === '') {
                try {
                  environ = readFileSync(`/proc/${m[1]}/environ`, 'utf8');
                } catch {
                  environ = 'unreadable';
                }
              }
            });
          },
        },
      );
      expect(r.code, r.stderr).toBe(0);
      const s = readJson(json);
      expect(s.requests.count).toBeGreaterThan(0);
      expect(s.requests.errors).toBe(0);
      expect(s.runners).toMatchObject({ planned: 2, ended: 2, failed: 0 });
      const m = /throwaway SoftHSM2 token "pylogen" in (\S+) \(7 keys, module \/usr\/lib\/softhsm\/libsofthsm2\.so\)/.exec(r.stderr);
      expect(m, r.stderr).not.toBeNull();
      expect(existsSync(m![1]!)).toBe(false);
      const pin = /(?:^|\0)PKCS11_PIN=([^\0]+)/.exec(environ)?.[1];
      expect(pin, 'the runner environment has PKCS11_PIN').toMatch(/^[0-9a-f]{24}$/);
      for (const text of [r.stdout, r.stderr, readFileSync(json, 'utf8')]) expect(text).not.toContain(pin);
      expect(/(?:^|\0)SOFTHSM2_CONF=([^\0]+)/.exec(environ)?.[1]).toBe(join(m![1]!, 'softhsm2.conf'));
    },
    SLOW,
  );

  it(
    '--endpoint softhsm: the token store goes on SIGINT too',
    async () => {
      let dir = '';
      const r = await pylogen(['cuts.Pkcs11Sign', '--endpoint', 'softhsm', '--duration', '30', '--outformat', 'none', '-v'], {
        timeoutMs: SLOW,
        onSpawn: (p) => {
          let err = '';
          p.stderr!.on('data', (d: Buffer) => {
            err += d.toString();
            const m = /throwaway SoftHSM2 token "pylogen" in (\S+) /.exec(err);
            if (m !== null && dir === '' && /t0 /.test(err)) {
              dir = m[1]!;
              p.kill('SIGINT');
            }
          });
        },
      });
      expect(r.code, r.stderr).toBe(130);
      expect(dir).not.toBe('');
      expect(existsSync(dir)).toBe(false);
    },
    SLOW,
  );
});

/** Every shipped PKCS#11 CUT, the requests of one operation, and the lengths it runs with here. */
const CUTS: { cut: string; requests: string[]; tra?: string; lengths: string; extra?: Record<string, unknown> }[] = [
  { cut: 'Pkcs11Encrypt', requests: ['ENCRYPT'], lengths: '1,16,1024' },
  { cut: 'Pkcs11EncryptDecrypt', requests: ['ENCRYPT', 'DECRYPT'], tra: 'ENCRYPT-DECRYPT', lengths: '1,16,1024' },
  { cut: 'Pkcs11Sign', requests: ['SIGN'], lengths: '16,1024', extra: { key: 'ecc384' } },
  { cut: 'Pkcs11SignLocalVerify', requests: ['SIGN', 'LOCAL-VERIFY'], tra: 'SIGN-LOCAL-VERIFY', lengths: '16,1024' },
  { cut: 'Pkcs11Mac', requests: ['MAC', 'VERIFY-MAC'], tra: 'MAC-VERIFY', lengths: '1,16,1024' },
  { cut: 'Pkcs11Random', requests: ['GENERATE-RANDOM'], lengths: '1,32,1024' },
  { cut: 'Pkcs11Wrap', requests: ['WRAP', 'UNWRAP'], tra: 'WRAP-UNWRAP', lengths: '16,24,32' },
];

/** Runs the lines as one scenario (one main process, one stats queue), returns its summary. */
async function scenario(lines: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; stdout: string; s: any }> {
  const dir = tempDir();
  writeFileSync(join(dir, 'p11.txt'), lines.join('\n') + '\n');
  const json = join(dir, 's.json');
  const r = await pylogen(['scenario', '--file', 'p11.txt', '--outformat', 'none', '--summary-json', json], { cwd: dir, env, timeoutMs: SLOW });
  return { ...r, s: existsSync(json) ? readJson(json) : undefined };
}

describe('every Pkcs11 CUT end to end', () => {
  it('covers every cuts/Pkcs11*.ts', () => {
    const shipped = readdirSync(join(ROOT, 'cuts'))
      .filter((f) => /^Pkcs11.*\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(CUTS.map((c) => c.cut).sort()).toEqual(shipped);
  });

  for (const mode of ['sync', 'async'] as const) {
    it(
      `--endpoint softhsm --proc 2, ${mode} calls${mode === 'async' ? ' (--concurrency 3: one session per operation in flight)' : ''}: every request of every CUT, no error`,
      async () => {
        const loops = 20;
        const cuts = CUTS.filter((c) => mode === 'sync' || c.cut !== 'Pkcs11Random');
        const lines = cuts.map((c) => {
          const extra = { ...c.extra, ...(mode === 'async' ? { async: true } : {}) };
          return (
            `cuts.${c.cut} --id ${c.cut} --endpoint softhsm --proc 2 --loops ${loops} --lengths ${c.lengths}` +
            (mode === 'async' ? ' --concurrency 3' : '') +
            (Object.keys(extra).length > 0 ? ` --extra '${JSON.stringify(extra)}'` : '')
          );
        });
        const r = await scenario(lines);
        expect(r.code, r.stderr).toBe(0);
        expect(r.s.runners).toMatchObject({ planned: cuts.length * 2, ended: cuts.length * 2, failed: 0 });
        expect(r.s.errorsByType).toEqual({});
        for (const c of cuts) {
          const ops = 2 * loops * c.lengths.split(',').length;
          for (const req of c.requests) {
            const row = r.s.byRequest.find((b: any) => b.id === c.cut && b.request === req);
            expect(row, `${c.cut} ${req}`).toMatchObject({ count: ops, errors: 0 });
          }
          if (c.tra !== undefined) expect(r.s.byTransaction.find((b: any) => b.id === c.cut)).toMatchObject({ request: c.tra, count: ops, errors: 0 });
        }
      },
      SLOW,
    );
  }

  it(
    '6 runners opening one token at the same instant all start (the start-up race is retried)',
    async () => {
      const r = await scenario(['cuts.Pkcs11Sign --proc 6 --loops 5'], token.env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.s.runners).toMatchObject({ planned: 6, ended: 6, failed: 0 });
      expect(r.s.requests).toMatchObject({ count: 30, errors: 0 });
    },
    SLOW,
  );
});

describe('errors by their CKR_ names', () => {
  it('a real PKCS#11 error from pkcs11js is counted under its CKR_ name', () => {
    const p11js = createRequire(import.meta.url)('pkcs11js');
    const p = new p11js.PKCS11();
    p.load(SOFTHSM_MODULE);
    const saved = process.env.SOFTHSM2_CONF;
    process.env.SOFTHSM2_CONF = token.env.SOFTHSM2_CONF;
    p.C_Initialize();
    let caught: unknown;
    try {
      const slot = p.C_GetSlotList(true)[0];
      const s = p.C_OpenSession(slot, p11js.CKF_SERIAL_SESSION);
      // A handle that names no object.
      p.C_SignInit(s, { mechanism: p11js.CKM_ECDSA }, Buffer.from([0x7f, 0x7f, 0, 0, 0, 0, 0, 0]));
    } catch (err) {
      caught = err;
    } finally {
      p.C_Finalize();
      process.env.SOFTHSM2_CONF = saved;
    }
    expect((caught as Error).name).toBe('Pkcs11Error');
    expect(errorType(caught)).toBe('CKR_OBJECT_HANDLE_INVALID');
    expect(errorType(new Error('CKR_GENERAL_ERROR'))).toBe('Error');
  });
});

describe('bad input: one line, exit 2, nothing started', () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'badkeys.json'),
    JSON.stringify({ module: '/x.so', keys: { a: { label: 'a', type: 'DES' }, b: { label: 'b', type: 'EC', curve: 'P-192' } } }),
  );
  writeFileSync(
    join(dir, 'nomodule.json'),
    JSON.stringify({ module: '/nonexistent/libhsm.so', token: 't', keys: { e: { label: 'l', type: 'EC', curve: 'P-256' } } }),
  );
  it.concurrent.each([
    [['cuts.Pkcs11Sign', '--extra', '{"key":"nope"}'], '--extra "key": Pkcs11Default.json: no key named "nope" (known keys: aes256, ecc256'],
    [
      ['cuts.Pkcs11Sign', '--extra', '{"key":"aes256"}'],
      '--extra "key": key "aes256" of Pkcs11Default.json is AES-256 encrypt, but this CUT needs an EC or RSA sign key',
    ],
    [
      ['cuts.Pkcs11Sign', '--extra', '{"file":"nomodule.json","key":"e"}'],
      'PKCS#11 module "/nonexistent/libhsm.so" (the "module" of nomodule.json) does not exist',
    ],
    [['cuts.Pkcs11Sign', '--extra', '{"module":"/nonexistent/x.so"}'], 'PKCS#11 module "/nonexistent/x.so" (--extra "module") does not exist'],
    [['cuts.Pkcs11Sign', '--extra', '{"colour":"red"}'], '--extra: unknown member "colour"'],
    [['cuts.Pkcs11Sign', '--endpoint', 'local'], '--endpoint: a PKCS#11 CUT talks to the module of its key file'],
    [['cuts.KmsEncryptSymmetric', '--endpoint', 'softhsm'], '--endpoint softhsm is a throwaway SoftHSM2 token (PKCS#11), not a KMS'],
    [['pkcs11', 'setup', '--module', '/nonexistent/y.so'], 'pkcs11 setup: PKCS#11 module "/nonexistent/y.so" (--module) does not exist'],
    [['pkcs11', 'frob'], 'unknown pkcs11 command "frob"'],
    [['cuts.Pkcs11Wrap', '--lengths', '16,20'], '--lengths: Pkcs11Wrap wraps AES keys of 16, 24 or 32 bytes, but a length is 20'],
    [['cuts.Pkcs11Encrypt', '--lengths', '0,16'], '--lengths: C_Encrypt takes at least 1 byte'],
    [['cuts.Pkcs11Random', '--extra', '{"async":true}'], 'this CUT has no asynchronous call'],
    [['cuts.Pkcs11Mac', '--extra', '{"key":"ecc256"}'], 'key "ecc256" of Pkcs11Default.json is EC P-256 sign, but this CUT needs an HMAC mac key'],
    [
      ['cuts.Pkcs11Sign', '--extra', '{"file":"badkeys.json"}'],
      'badkeys.json: "token" must be a non-empty string, but is undefined; key "a": type must be one of AES, EC, RSA, HMAC, but is "DES"; key "b": curve must be one of P-256, P-384, P-521',
    ],
  ])('%j', async (args, message) => {
    const r = await pylogen(args, { cwd: dir, env: { PKCS11_PIN: '1234' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it.concurrent('PKCS11_PIN unset: one line, exit 2', async () => {
    const r = await pylogen(['cuts.Pkcs11Sign'], { env: { PKCS11_PIN: '' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('PKCS11_PIN is not set: export the user PIN of token "pylogen" in PKCS11_PIN');
  });

  it.concurrent('--endpoint softhsm without SoftHSM2: which package to install, exit 2', async () => {
    const r = await pylogen(['cuts.Pkcs11Sign', '--endpoint', 'softhsm'], { env: { PYLOGEN_SOFTHSM_MODULE: '/nonexistent/libsofthsm2.so' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('install the package softhsm2 (apt-get install softhsm2');
  });
});
