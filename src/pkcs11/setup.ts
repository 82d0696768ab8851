/**
 * Making the keys of a PKCS#11 key file exist on a token, for `pylogen pkcs11 setup` and for the
 * throwaway token of `--endpoint softhsm`: an entry whose label is on the token is checked (key type,
 * size or curve, what it may do) and left alone; an entry whose label is not there gets a new key
 * (persistent, private, sensitive, not extractable). Nothing is ever deleted.
 */
import { describeError, Problems } from '../core/errors.js';
import { describePkcs11Key, type Pkcs11KeyEntry } from './keyfile.js';
import { findKey, generateKey, Pkcs11KeyError } from './keys.js';
import type { Pkcs11Token } from './Token.js';

export async function setupPkcs11Keys(
  token: Pkcs11Token,
  entries: readonly Pkcs11KeyEntry[],
  log: (line: string) => void,
): Promise<{ existing: string[]; created: string[] }> {
  const existing: string[] = [];
  const created: string[] = [];
  const problems = new Problems();
  const s = token.acquire();
  try {
    for (const e of entries) {
      try {
        if (findKey(token, s, e) !== undefined) {
          log(`key "${e.name}": "${e.label}" exists (${describePkcs11Key(e)})`);
          existing.push(e.name);
          continue;
        }
        generateKey(token, s, e);
        log(`key "${e.name}": created "${e.label}" (${describePkcs11Key(e)})`);
        created.push(e.name);
      } catch (err) {
        if (!(err instanceof Pkcs11KeyError)) throw new Error(`key "${e.name}" (label "${e.label}"): ${describeError(err)}`);
        problems.add(`key "${e.name}": ${err.message}`);
      }
      // Key generation (RSA above all) is long and synchronous: let signals and timers through.
      await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    token.release(s);
  }
  problems.throwIfAny('pkcs11 setup: ');
  return { existing, created };
}
