/**
 * Verification of a Transit signature with node:crypto and the public key of `GET keys/{name}`: the
 * independent check of VaultTransitSignLocalVerify (and of the server's tests). ECDSA and RSA public
 * keys come as PEM, Ed25519 as base64 of the raw 32 bytes; signatures as `vault:v<n>:` + base64
 * (base64url for JWS-marshaled ECDSA, whose r||s is IEEE P1363).
 */
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { HASHES, parseVersioned, type KeyType } from './model.js';
import type { VaultKeyEntry } from './keyfile.js';

const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');

/** The public key object of a keys/{name} `public_key`. */
export function vaultPublicKey(type: KeyType, text: string): KeyObject {
  if (type === 'ed25519') return createPublicKey({ key: Buffer.concat([ED25519_SPKI, Buffer.from(text, 'base64')]), format: 'der', type: 'spki' });
  return createPublicKey(text);
}

/** Checks a `vault:v<n>:` signature of `message` made with the entry's settings and `key`. */
export function verifyVaultSignature(
  entry: Pick<VaultKeyEntry, 'type' | 'hash' | 'signatureAlgorithm' | 'marshaling'>,
  key: KeyObject,
  message: Buffer,
  signature: string,
): boolean {
  const parsed = parseVersioned(signature);
  if (parsed === undefined) return false;
  const jws = entry.marshaling === 'jws';
  const sig = Buffer.from(parsed.body, jws ? 'base64url' : 'base64');
  if (entry.type === 'ed25519') return verify(null, message, key, sig);
  const digest = HASHES[entry.hash]!;
  if (entry.type.startsWith('rsa-')) {
    const padding = entry.signatureAlgorithm === 'pkcs1v15' ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_PSS_PADDING;
    return verify(digest, message, { key, padding, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, sig);
  }
  return verify(digest, message, { key, dsaEncoding: jws ? 'ieee-p1363' : 'der' }, sig);
}
