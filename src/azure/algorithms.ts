/**
 * Which Key Vault algorithm a CUT uses with a key of the Azure key file (its default, and the ones
 * `--extra '{"algorithm": ...}'` may choose), the hash of a signing algorithm's digest, and the
 * largest plaintext of an RSA-OAEP encryption. Pure tables: the main process (validate, preflight)
 * and the runners share them.
 */
import type { AzureKeyEntry } from './keyfile.js';

/** What a CUT does with its key's algorithm. */
export type AzureUse = 'sign' | 'encrypt' | 'wrap';

const RSA_SIGN = ['PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'];
const RSA_CRYPT = ['RSA-OAEP-256', 'RSA-OAEP'];
const EC_SIGN: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

/** The algorithms a key allows for a use, the default first ([] when none). */
export function algorithmsFor(key: AzureKeyEntry, use: AzureUse): string[] {
  if (key.family === 'rsa') return use === 'sign' ? RSA_SIGN : RSA_CRYPT;
  if (key.family === 'ec') return use === 'sign' ? [EC_SIGN[key.curve!]!] : [];
  if (use === 'sign') return [];
  return [use === 'encrypt' ? `A${key.size}GCM` : `A${key.size}KW`];
}

/** The node:crypto hash of a signing algorithm's digest (PS256 → sha256, ES384 → sha384). */
export const digestHash = (alg: string): 'sha256' | 'sha384' | 'sha512' => `sha${alg.slice(2)}` as 'sha256' | 'sha384' | 'sha512';

/** The most bytes an RSA-OAEP encryption takes with a modulus of `bits` (RFC 8017: k - 2hLen - 2). */
export const oaepMaxPlaintext = (bits: number, alg: string): number => bits / 8 - 2 * (alg === 'RSA-OAEP' ? 20 : 32) - 2;
