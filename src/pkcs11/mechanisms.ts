/**
 * The mechanisms of the PKCS#11 CUTs and what goes in and out of them. Signatures are made on a
 * digest computed locally (PYLOGEN's DIGEST signing, as the KMS CUTs): CKM_ECDSA on the digest,
 * CKM_RSA_PKCS on DigestInfo || digest (RFC 8017 9.2), CKM_RSA_PKCS_PSS on the digest with MGF1 of
 * the same hash and a salt as long as the digest; so the token does only the private-key operation,
 * and any holder of the public key verifies the signature of the message with node:crypto.
 */
import { constants, verify, type KeyObject } from 'node:crypto';
import type { Mechanism, P11Module } from './api.js';
import type { Pkcs11Hash, Pkcs11KeyEntry } from './keyfile.js';

export const HASH_BYTES: Record<Pkcs11Hash, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** RFC 8017 section 9.2, note 1: the DER prefix of DigestInfo for each hash. */
const DIGEST_INFO: Record<Pkcs11Hash, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

/** The bytes of a signature at most, for the output buffer: ECDSA r || s, or the RSA modulus. */
export function signatureBytes(e: Pkcs11KeyEntry): number {
  if (e.type === 'EC') return e.curve === 'P-521' ? 132 : e.curve === 'P-384' ? 96 : 64;
  return e.size! / 8;
}

/** The signing (or HMAC) mechanism of a key entry. */
export function signMechanism(ck: P11Module, e: Pkcs11KeyEntry): Mechanism {
  if (e.type === 'EC') return { mechanism: ck.CKM_ECDSA! };
  if (e.type === 'HMAC') return { mechanism: { sha256: ck.CKM_SHA256_HMAC!, sha384: ck.CKM_SHA384_HMAC!, sha512: ck.CKM_SHA512_HMAC! }[e.hash] };
  if (e.padding === 'PSS') {
    const h = { sha256: [ck.CKM_SHA256!, ck.CKG_MGF1_SHA256!], sha384: [ck.CKM_SHA384!, ck.CKG_MGF1_SHA384!], sha512: [ck.CKM_SHA512!, ck.CKG_MGF1_SHA512!] }[
      e.hash
    ];
    return { mechanism: ck.CKM_RSA_PKCS_PSS!, parameter: { type: ck.CK_PARAMS_RSA_PSS!, hashAlg: h[0], mgf: h[1], saltLen: HASH_BYTES[e.hash] } };
  }
  return { mechanism: ck.CKM_RSA_PKCS! };
}

/** What the token signs for a digest: the digest, or DigestInfo || digest for RSA PKCS#1 v1.5. */
export function toBeSigned(e: Pkcs11KeyEntry, digest: Buffer): Buffer {
  return e.type === 'RSA' && e.padding === 'PKCS1' ? Buffer.concat([DIGEST_INFO[e.hash], digest]) : digest;
}

/**
 * A function that checks a token's signature of a message with the public key, as any party would:
 * ECDSA signatures from PKCS#11 are r || s (IEEE P1363), not DER.
 */
export function pkcs11Verifier(publicKey: KeyObject, e: Pkcs11KeyEntry): (message: Uint8Array, signature: Uint8Array) => boolean {
  const key =
    e.type === 'EC'
      ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const }
      : e.padding === 'PSS'
        ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[e.hash] }
        : publicKey;
  return (message, signature) => {
    try {
      return verify(e.hash, message, key, signature);
    } catch {
      return false;
    }
  };
}

/** AES-GCM with a 96-bit IV and a 128-bit tag (NIST SP 800-38D), for C_EncryptInit / C_DecryptInit. */
export function gcmMechanism(ck: P11Module, iv: Buffer): Mechanism {
  return { mechanism: ck.CKM_AES_GCM!, parameter: { type: ck.CK_PARAMS_AES_GCM!, iv, ivBits: 96, tagBits: 128 } };
}

export const GCM_TAG_BYTES = 16;

/** --lengths for a call whose input may not be empty (pkcs11js passes an empty buffer as NULL). */
export function atLeastOneByte(lengths: readonly number[], what: string): string[] {
  const p = lengths.includes(0)
    ? `--lengths: ${what} takes at least 1 byte (PKCS#11 modules refuse an empty input with CKR_ARGUMENTS_BAD), but a length is 0`
    : undefined;
  return p === undefined ? [] : [p];
}
