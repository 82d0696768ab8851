import { constants, randomBytes, sign, verify } from 'node:crypto';
import { signEcdsaDigest, verifyEcdsaDigest } from './ecdsaDigest.js';
import { signPkcs1Digest, signPssDigest, verifyPkcs1Digest, verifyPssDigest } from './rsaDigest.js';
import type { KmsKey } from '../keys.js';
import { HASH_BYTES, signingHash, type SigningAlgorithm } from '../../model/specs.js';

/**
 * Sign and Verify for RSA and ECC keys. A RAW message goes through node:crypto's one-shot sign/verify
 * (OpenSSL hashes it); a DIGEST goes through the digest-level encodings of ecdsa-digest.ts and
 * rsa-digest.ts. Signatures are what AWS KMS returns: raw RSA bytes, DER-encoded ECDSA.
 */
export function signMessage(key: KmsKey, alg: SigningAlgorithm, message: Buffer, isDigest: boolean): Buffer {
  const m = key.material;
  const hash = signingHash(alg);
  if (m.family === 'rsa') {
    const pss = alg.startsWith('RSASSA_PSS');
    if (isDigest) return pss ? signPssDigest(m.privateKey, m.bits, hash, message, randomBytes(HASH_BYTES[hash])) : signPkcs1Digest(m.privateKey, hash, message);
    return sign(hash, message, pss ? { key: m.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[hash] } : m.privateKey);
  }
  if (m.family === 'ecc') return isDigest ? signEcdsaDigest(m.curve, m.d, message) : sign(hash, message, m.privateKey);
  throw new Error(`signMessage: ${key.spec} is not a signing key`);
}

export function verifyMessage(key: KmsKey, alg: SigningAlgorithm, message: Buffer, isDigest: boolean, signature: Buffer): boolean {
  const m = key.material;
  const hash = signingHash(alg);
  if (m.family === 'rsa') {
    const pss = alg.startsWith('RSASSA_PSS');
    if (isDigest) {
      return pss ? verifyPssDigest(m.publicKey, m.bits, hash, message, signature) : verifyPkcs1Digest(m.publicKey, m.bits / 8, hash, message, signature);
    }
    const key = pss ? { key: m.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[hash] } : m.publicKey;
    return safeVerify(() => verify(hash, message, key, signature));
  }
  if (m.family === 'ecc') {
    return isDigest ? verifyEcdsaDigest(m.curve, m.d, message, signature) : safeVerify(() => verify(hash, message, m.publicKey, signature));
  }
  return false;
}

/** OpenSSL throws on some malformed signatures instead of answering false: both mean invalid. */
function safeVerify(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
