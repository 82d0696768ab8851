/**
 * The algorithm a KMS CUT uses with a key of the key file: the entry's own, else the first one AWS
 * lists for its key spec and usage (DescribeKey's order), so a short entry still works.
 */
import type { KeyEntry } from './keyfile.js';
import {
  algorithmsFor,
  HASH_BYTES,
  SPEC_INFO,
  signingHash,
  type EncryptionAlgorithm,
  type HashName,
  type MacAlgorithm,
  type SigningAlgorithm,
} from './specs.js';

export function encryptionAlgorithmOf(entry: KeyEntry): EncryptionAlgorithm {
  return entry.encryptionAlgorithm ?? (algorithmsFor(entry.keySpec, entry.keyUsage).encryption[0] as EncryptionAlgorithm);
}

export function signingAlgorithmOf(entry: KeyEntry): SigningAlgorithm {
  return entry.signingAlgorithm ?? (algorithmsFor(entry.keySpec, entry.keyUsage).signing[0] as SigningAlgorithm);
}

/** The digest computed locally before a DIGEST Sign (PYLOGEN's `sha`): the one the algorithm uses. */
export function signingDigestOf(entry: KeyEntry): HashName {
  return entry.sha ?? signingHash(signingAlgorithmOf(entry));
}

export function macAlgorithmOf(entry: KeyEntry): MacAlgorithm {
  return entry.macAlgorithm ?? (algorithmsFor(entry.keySpec, entry.keyUsage).mac[0] as MacAlgorithm);
}

/** Whether a key is a symmetric (AES-GCM, SYMMETRIC_DEFAULT) key. */
export function isSymmetric(entry: KeyEntry): boolean {
  return SPEC_INFO[entry.keySpec].family === 'symmetric';
}

/** Bytes of plaintext that Encrypt takes with this key: 4096 (AWS's PlaintextType), or one OAEP block. */
export function maxPlaintext(entry: KeyEntry): number {
  const info = SPEC_INFO[entry.keySpec];
  if (info.family !== 'rsa') return MAX_PLAINTEXT;
  // RFC 8017 7.1.1: an OAEP block holds k - 2·hLen - 2 bytes (RSA_2048 with SHA-256: 190).
  const hash = encryptionAlgorithmOf(entry) === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256';
  return info.size / 8 - 2 * HASH_BYTES[hash] - 2;
}

/** AWS KMS API limits (the model's PlaintextType, message and NumberOfBytes constraints). */
export const MAX_PLAINTEXT = 4096;
export const MAX_MESSAGE = 4096;
export const MAX_RANDOM_BYTES = 1024;
