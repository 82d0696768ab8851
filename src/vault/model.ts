/**
 * What both sides of the Vault Transit API share (the embedded server, the client, the CUTs, the key
 * file): the key types and what each can do, the hash names of `hash_algorithm` and their node:crypto
 * names, the `vault:v<version>:` ciphertext / signature / HMAC format, and the body cap. Imports
 * nothing but node: a runner's error classification and the key file load it without the server.
 *
 * Source: Vault's Transit API reference (developer.hashicorp.com/vault/api-docs/secret/transit) and
 * OpenBao's, which is the same API.
 */

/** The key types of `POST /v1/{mount}/keys/{name}` `type` that pylogen's server and CUTs know. */
export const KEY_TYPES = [
  'aes128-gcm96',
  'aes256-gcm96',
  'chacha20-poly1305',
  'ecdsa-p256',
  'ecdsa-p384',
  'ecdsa-p521',
  'ed25519',
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
  'hmac',
] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export type KeyUse = 'encrypt' | 'sign' | 'hmac';

/** What a key type supports, as Vault's `supports_*` fields of keys/{name} say. */
export function usesOf(type: KeyType): { encryption: boolean; signing: boolean; derivation: boolean } {
  const sym = type === 'aes128-gcm96' || type === 'aes256-gcm96' || type === 'chacha20-poly1305';
  const rsa = type.startsWith('rsa-');
  return { encryption: sym || rsa, signing: type.startsWith('ecdsa-') || type === 'ed25519' || rsa, derivation: sym || type === 'ed25519' };
}

/** Whether a key of `type` can serve CUTs that need `use` (every key has HMAC keys in Vault). */
export function keyFits(type: KeyType, use: KeyUse): boolean {
  if (use === 'hmac') return true;
  if (use === 'sign') return usesOf(type).signing;
  return type === 'aes128-gcm96' || type === 'aes256-gcm96' || type === 'chacha20-poly1305';
}

/** `hash_algorithm` values → node:crypto digest names. */
export const HASHES: Readonly<Record<string, string>> = {
  sha1: 'sha1',
  'sha2-224': 'sha224',
  'sha2-256': 'sha256',
  'sha2-384': 'sha384',
  'sha2-512': 'sha512',
  'sha3-224': 'sha3-224',
  'sha3-256': 'sha3-256',
  'sha3-384': 'sha3-384',
  'sha3-512': 'sha3-512',
};

export const SIGNATURE_ALGORITHMS = ['pss', 'pkcs1v15'] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

/** Vault's answers are read up to this size; bigger is an error (a proxy's page, a runaway body). */
export const MAX_BODY = 1024 * 1024;
/** Vault's `random` refuses more than this many bytes per request. */
export const MAX_RANDOM_BYTES = 128 * 1024;

/** `vault:v3:` → 3 and the rest; undefined when the value is not in Vault's format. */
export function parseVersioned(value: string): { version: number; body: string } | undefined {
  if (!value.startsWith('vault:v')) return undefined;
  const colon = value.indexOf(':', 7);
  if (colon < 0) return undefined;
  const version = Number(value.slice(7, colon));
  if (!Number.isInteger(version) || version < 1) return undefined;
  return { version, body: value.slice(colon + 1) };
}

/** The default Transit mount. */
export const DEFAULT_MOUNT = 'transit';
