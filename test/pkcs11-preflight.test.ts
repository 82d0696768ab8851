/**
 * The PKCS#11 preflight (src/pkcs11/preflight.ts) against a real SoftHSM2 token: the main process logs
 * in ONCE before any runner is forked. SoftHSM2 never locks a user PIN, so "one failed login" is
 * proven by what a locking HSM would count: with --process 3 and a wrong PIN no runner is ever forked
 * (-vv prints a line for every runner state), so the only C_Login made is the preflight's.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pylogen, tempDir } from './helpers.js';
import { makeToken, SOFTHSM_MODULE, type TestToken } from './pkcs11-helpers.js';
import { openToken } from '../src/pkcs11/Token.js';
import { missingMechanism, mechanismsOf } from '../src/pkcs11/preflight.js';
import { Pkcs11RefusedKeys, setupPkcs11Keys } from '../src/pkcs11/setup.js';

let token: TestToken;

/** A run forks runners and loads SoftHSM2 in each: generous on a loaded 2-core machine. */
const SLOW = 120_000;

beforeAll(async () => {
  token = makeToken('pylogen');
  const r = await pylogen(['pkcs11', 'setup', '--token', 'pylogen'], { env: token.env, timeoutMs: 90_000 });
  expect(r.code, r.stderr).toBe(0);
}, SLOW);

afterAll(() => token?.close());

/** Runs fn on the test token opened in this process (SOFTHSM2_CONF set meanwhile), then closes it. */
async function onToken(readWrite: boolean, fn: (t: Awaited<ReturnType<typeof openToken>>) => unknown): Promise<void> {
  const saved = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = token.env.SOFTHSM2_CONF;
  try {
    const t = await openToken({ module: SOFTHSM_MODULE, token: 'pylogen', pin: token.pin, readWrite });
    try {
      await fn(t);
    } finally {
      t.close();
    }
  } finally {
    if (saved === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = saved;
  }
}

describe('the PKCS#11 preflight: one login in the main process', () => {
  it(
    'a wrong PIN with --process 3: exit 2, one line, no runner forked, the PIN nowhere',
    async () => {
      const wrong = 'wrongPIN97531';
      const r = await pylogen(['cuts.Pkcs11Sign', '--process', '3', '--loops', '1', '-vv', '--outformat', 'none'], {
        env: { ...token.env, PKCS11_PIN: wrong },
        timeoutMs: SLOW,
      });
      expect(r.code, r.stderr).toBe(2);
      // -vv: the preflight says how many logins it made; nothing else but the one error line
      expect(r.stderr).toContain('pkcs11: preflight: 1 token, one C_Login each\n');
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('pkcs11: preflight: '));
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^pylogen: Pkcs11Sign: preflight: .*C_Login: CKR_PIN_INCORRECT: the PIN in PKCS11_PIN is not the token's user PIN/);
      expect(r.stderr).not.toMatch(/runner run\.\d/);
      expect(r.stdout + r.stderr).not.toContain(wrong);
    },
    SLOW,
  );

  it(
    'the right PIN: -v says the key was found and its mechanism offered, the run goes on',
    async () => {
      const r = await pylogen(['cuts.Pkcs11Sign', '--loops', '1', '-v', '--outformat', 'none'], { env: token.env, timeoutMs: SLOW });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('Pkcs11Sign: preflight pkcs11: key "ecc256" found on token "pylogen", CKM_ECDSA offered');
      expect(r.stderr).not.toContain(token.pin);
    },
    SLOW,
  );

  it(
    'a key that is not on the token: exit 2 before the run, naming the key and the fix',
    async () => {
      const dir = tempDir();
      writeFileSync(
        join(dir, 'ghost.json'),
        JSON.stringify({ module: SOFTHSM_MODULE, token: 'pylogen', keys: { ghost: { label: 'pylogen-ghost', type: 'EC', curve: 'P-256' } } }),
      );
      const r = await pylogen(
        ['cuts.Pkcs11Sign', '--process', '2', '--loops', '1', '--extra', '{"file":"ghost.json","key":"ghost"}', '-vv', '--outformat', 'none'],
        { env: token.env, cwd: dir, timeoutMs: SLOW },
      );
      expect(r.code, r.stderr).toBe(2);
      expect(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('pylogen:')),
      ).toHaveLength(1);
      expect(r.stderr).not.toMatch(/runner run\.\d/);
      expect(r.stderr).toContain('key "ghost" (label "pylogen-ghost") is not on token "pylogen": create it with `pylogen pkcs11 setup');
    },
    SLOW,
  );

  it(
    'C_GetMechanismInfo: what SoftHSM2 offers passes, a mechanism it lacks is named',
    async () => {
      await onToken(true, (t) => {
        const every = ['encrypt', 'wrap', 'mac', 'sign'].flatMap((usage) =>
          mechanismsOf({ name: 'k', label: 'k', type: usage === 'sign' ? 'EC' : 'AES', usage, hash: 'sha256' } as never),
        );
        expect(every).toEqual(['CKM_AES_GCM', 'CKM_AES_KEY_WRAP', 'CKM_SHA256_HMAC', 'CKM_ECDSA']);
        expect(missingMechanism(t, every)).toBeUndefined();
        expect(missingMechanism(t, ['CKM_AES_GCM', 'CKM_IDEA_CBC'])).toBe('CKM_IDEA_CBC');
      });
    },
    SLOW,
  );

  it(
    'setup goes on past a refused key and names every refused one with its call and mechanism',
    async () => {
      // a read-only session: the token refuses to make any token object (CKR_SESSION_READ_ONLY)
      await onToken(false, async (t) => {
        const seen: string[] = [];
        {
          const entries = [
            { name: 'a', label: 'pylogen-refused-a', type: 'AES', size: 256, usage: 'encrypt', hash: 'sha256' },
            { name: 'e', label: 'pylogen-refused-e', type: 'EC', curve: 'P-256', usage: 'sign', hash: 'sha256' },
            { name: 'ecc256', label: 'pylogen-ecc256', type: 'EC', curve: 'P-256', usage: 'sign', hash: 'sha256' },
          ] as never[];
          const err = await setupPkcs11Keys(t, entries, (l) => seen.push(l)).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(Pkcs11RefusedKeys);
          const m = (err as Error).message;
          expect(m).toContain('the token refused 2 keys (1 existing, 0 created)');
          expect(m).toContain('key "a" (label "pylogen-refused-a"): C_GenerateKey CKM_AES_KEY_GEN: ');
          expect(m).toContain('key "e" (label "pylogen-refused-e"): C_GenerateKeyPair CKM_EC_KEY_PAIR_GEN: ');
          expect(m).toMatch(/CKR_[A-Z_]+/);
          // the key after the refused ones was still looked at
          expect(seen).toEqual(['key "ecc256": "pylogen-ecc256" exists (EC P-256 sign)']);
        }
      });
    },
    SLOW,
  );
});
