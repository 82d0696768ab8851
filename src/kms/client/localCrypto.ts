/**
 * The client side of the KMS CUTs, with node:crypto (OpenSSL): what a KMS user does locally around
 * a KMS call, on the hot path. node-forge is only for certificate structures (certificate.ts).
 */
import { constants, createCipheriv, createHash, createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { HASH_BYTES, signingHash, type HashName, type SigningAlgorithm } from '../model/specs.js';

/** A KMS public key (GetPublicKey's DER SubjectPublicKeyInfo) as a node:crypto key. */
export function publicKeyFromSpki(der: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'spki' });
}

/**
 * A function that checks a KMS signature of a message (the message itself, also when KMS was given
 * its DIGEST) with the key's public key, as any party holding the public key would. Built once per
 * key. AWS KMS's RSASSA-PSS uses MGF1 with the same hash and a salt as long as the digest; its ECDSA
 * signatures are DER-encoded, node:crypto's default.
 */
export function signatureVerifier(publicKey: KeyObject, alg: SigningAlgorithm): (message: Uint8Array, signature: Uint8Array) => boolean {
  const hash = signingHash(alg);
  const key = alg.startsWith('RSASSA_PSS') ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[hash] } : publicKey;
  return (message, signature) => {
    try {
      return verify(hash, message, key, signature);
    } catch {
      // OpenSSL throws on some malformed signatures rather than answering false: both are invalid.
      return false;
    }
  };
}

/**
 * Digests of payloads, each computed once: a runner's payload for a length is one buffer reused for
 * every operation (read-only by contract), so its digest is too. Keyed by the buffer itself, so a
 * different buffer (another length, another runner's loop) is always hashed afresh.
 */
export class DigestCache {
  private readonly digests = new WeakMap<Uint8Array, Buffer>();
  constructor(readonly hash: HashName) {}

  of(data: Uint8Array): Buffer {
    let d = this.digests.get(data);
    if (d === undefined) {
      d = createHash(this.hash).update(data).digest();
      this.digests.set(data, d);
    }
    return d;
  }
}

/** What envelope encryption keeps: the data key encrypted by KMS, and the payload sealed with it. */
export interface Sealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** AES-256-GCM of a payload under a plaintext data key (a fresh 96-bit IV each time, NIST SP 800-38D). */
export function sealAes256Gcm(dataKey: Uint8Array, payload: Uint8Array): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  const ciphertext = payload.length === 0 ? cipher.final() : Buffer.concat([cipher.update(payload), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}
