/**
 * Making the keys of a PKCS#11 key file exist on a token, for `pylogen pkcs11 setup` and for the
 * throwaway token of `--endpoint softhsm`: an entry whose label is on the token is checked (key type,
 * size or curve, what it may do) and left alone; an entry whose label is not there gets a new key
 * (persistent, private, sensitive, not extractable). Nothing is ever deleted. A key the token refuses
 * to look up or make does not stop the others: every refused one is reported at the end, with the
 * call and the mechanism (a token may lack CKM_RSA_PKCS_KEY_PAIR_GEN, or refuse a curve).
 */
import { describeError, Problems } from '../core/errors.js';
import { describePkcs11Key, type Pkcs11KeyEntry } from './keyfile.js';
import { findKey, generateKey, Pkcs11KeyError } from './keys.js';
import type { Pkcs11Token } from './Token.js';

/** The call and mechanism that make a key of this entry (src/pkcs11/keys.ts generateKey). */
export function keyGenCall(e: Pick<Pkcs11KeyEntry, 'type'>): string {
  if (e.type === 'AES') return 'C_GenerateKey CKM_AES_KEY_GEN';
  if (e.type === 'HMAC') return 'C_GenerateKey CKM_GENERIC_SECRET_KEY_GEN';
  return e.type === 'EC' ? 'C_GenerateKeyPair CKM_EC_KEY_PAIR_GEN' : 'C_GenerateKeyPair CKM_RSA_PKCS_KEY_PAIR_GEN';
}

/** Keys the token refused to look up or make: every one of them, with the call and the mechanism. */
export class Pkcs11RefusedKeys extends Error {
  override name = 'Pkcs11RefusedKeys';
}

export async function setupPkcs11Keys(
  token: Pkcs11Token,
  entries: readonly Pkcs11KeyEntry[],
  log: (line: string) => void,
): Promise<{ existing: string[]; created: string[] }> {
  const existing: string[] = [];
  const created: string[] = [];
  const problems = new Problems();
  const refused: string[] = [];
  const s = token.acquire();
  try {
    for (const e of entries) {
      let call = 'C_FindObjects';
      try {
        if (findKey(token, s, e) !== undefined) {
          log(`key "${e.name}": "${e.label}" exists (${describePkcs11Key(e)})`);
          existing.push(e.name);
          continue;
        }
        call = keyGenCall(e);
        generateKey(token, s, e);
        log(`key "${e.name}": created "${e.label}" (${describePkcs11Key(e)})`);
        created.push(e.name);
      } catch (err) {
        if (err instanceof Pkcs11KeyError) problems.add(`key "${e.name}": ${err.message}`);
        else refused.push(`key "${e.name}" (label "${e.label}"): ${call}: ${describeError(err)}`);
      }
      // Key generation (RSA above all) is long and synchronous: let signals and timers through.
      await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    token.release(s);
  }
  problems.throwIfAny('pkcs11 setup: ');
  if (refused.length > 0)
    throw new Pkcs11RefusedKeys(
      `the token refused ${refused.length} key${refused.length === 1 ? '' : 's'} (${existing.length} existing, ${created.length} created): ${refused.join('; ')}`,
    );
  return { existing, created };
}
