/**
 * The Cloud KMS key algorithms pylogen's CUTs and the embedded server know, with what each is for
 * (its CryptoKey purpose) and how it signs, decrypts or MACs. Shared by the key file, the CUTs, the
 * preflight, `gcp setup` and the embedded server (pure data: no SDK).
 */

export const GCP_ALGORITHMS = [
  'GOOGLE_SYMMETRIC_ENCRYPTION',
  'AES_256_GCM',
  'EC_SIGN_P256_SHA256',
  'EC_SIGN_P384_SHA384',
  'RSA_SIGN_PSS_2048_SHA256',
  'RSA_SIGN_PKCS1_2048_SHA256',
  'RSA_DECRYPT_OAEP_2048_SHA256',
  'HMAC_SHA256',
] as const;
export type GcpAlgorithm = (typeof GCP_ALGORITHMS)[number];

export const GCP_PURPOSES = ['ENCRYPT_DECRYPT', 'RAW_ENCRYPT_DECRYPT', 'ASYMMETRIC_SIGN', 'ASYMMETRIC_DECRYPT', 'MAC'] as const;
export type GcpPurpose = (typeof GCP_PURPOSES)[number];

export const PROTECTION_LEVELS = ['SOFTWARE', 'HSM'] as const;
export type ProtectionLevel = (typeof PROTECTION_LEVELS)[number];

export type DigestName = 'sha256' | 'sha384';

export interface AlgorithmInfo {
  purpose: GcpPurpose;
  /** signing: the digest field of AsymmetricSign; OAEP: its hash */
  digest?: DigestName;
  /** key family, for the embedded server's key generation */
  kind: 'aes' | 'ec' | 'rsa' | 'hmac';
  curve?: 'prime256v1' | 'secp384r1';
  padding?: 'pss' | 'pkcs1' | 'oaep';
}

export const ALGORITHM_INFO: Readonly<Record<GcpAlgorithm, AlgorithmInfo>> = {
  GOOGLE_SYMMETRIC_ENCRYPTION: { purpose: 'ENCRYPT_DECRYPT', kind: 'aes' },
  AES_256_GCM: { purpose: 'RAW_ENCRYPT_DECRYPT', kind: 'aes' },
  EC_SIGN_P256_SHA256: { purpose: 'ASYMMETRIC_SIGN', kind: 'ec', curve: 'prime256v1', digest: 'sha256' },
  EC_SIGN_P384_SHA384: { purpose: 'ASYMMETRIC_SIGN', kind: 'ec', curve: 'secp384r1', digest: 'sha384' },
  RSA_SIGN_PSS_2048_SHA256: { purpose: 'ASYMMETRIC_SIGN', kind: 'rsa', padding: 'pss', digest: 'sha256' },
  RSA_SIGN_PKCS1_2048_SHA256: { purpose: 'ASYMMETRIC_SIGN', kind: 'rsa', padding: 'pkcs1', digest: 'sha256' },
  RSA_DECRYPT_OAEP_2048_SHA256: { purpose: 'ASYMMETRIC_DECRYPT', kind: 'rsa', padding: 'oaep', digest: 'sha256' },
  HMAC_SHA256: { purpose: 'MAC', kind: 'hmac', digest: 'sha256' },
};

/** Cloud KMS's limit on the plaintext and the additional authenticated data of Encrypt: 64 KiB. */
export const MAX_PLAINTEXT = 64 * 1024;
/** GenerateRandomBytes: 8 to 1024 bytes. */
export const RANDOM_MIN = 8;
export const RANDOM_MAX = 1024;
/** RSA-2048 OAEP with SHA-256: 256 - 2*32 - 2 bytes of plaintext. */
export const OAEP_2048_SHA256_MAX = 190;
