/**
 * The key specs, key usages and algorithms of AWS KMS, and which combinations AWS allows. Shared by
 * the key file (checked before a run) and the embedded server (checked per request), so that a key
 * file accepted here is one AWS KMS accepts too. Source: the AWS KMS developer guide, "Key spec
 * reference" (symmetric, RSA, ECC and HMAC key specs).
 */

/** Key specs that pylogen's key file and embedded server support. */
export const KEY_SPECS = [
  'SYMMETRIC_DEFAULT',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
] as const;
export type KeySpec = (typeof KEY_SPECS)[number];

/** Every KeySpec value of the AWS API: values outside KEY_SPECS are valid but unsupported here. */
export const AWS_KEY_SPECS: readonly string[] = [
  ...KEY_SPECS,
  'ECC_NIST_EDWARDS25519',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
  'ML_KEM_512',
  'ML_KEM_768',
  'ML_KEM_1024',
  'SM2',
];

export const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC'] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];
export const AWS_KEY_USAGES: readonly string[] = [...KEY_USAGES, 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE'];

export const SIGNING_ALGORITHMS = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
export const AWS_SIGNING_ALGORITHMS: readonly string[] = [...SIGNING_ALGORITHMS, 'ED25519_SHA_512', 'ED25519_PH_SHA_512', 'ML_DSA_SHAKE_256', 'SM2DSA'];

export const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const;
export type EncryptionAlgorithm = (typeof ENCRYPTION_ALGORITHMS)[number];
export const AWS_ENCRYPTION_ALGORITHMS: readonly string[] = [...ENCRYPTION_ALGORITHMS, 'SM2PKE'];

export const MAC_ALGORITHMS = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const;
export type MacAlgorithm = (typeof MAC_ALGORITHMS)[number];

/** node:crypto digest names. */
export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
export const HASH_NAMES: readonly HashName[] = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

export type KeyFamily = 'symmetric' | 'rsa' | 'ecc' | 'hmac';

export interface SpecInfo {
  readonly family: KeyFamily;
  /** Usages AWS allows for this spec, the first being the default when none is given. */
  readonly usages: readonly KeyUsage[];
  /** RSA modulus bits, HMAC key bytes. */
  readonly size: number;
  /** OpenSSL curve name, ECC only. */
  readonly curve?: 'prime256v1' | 'secp384r1' | 'secp521r1' | 'secp256k1';
}

const RSA_SIGNING: readonly SigningAlgorithm[] = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];

export const SPEC_INFO: Readonly<Record<KeySpec, SpecInfo>> = {
  SYMMETRIC_DEFAULT: { family: 'symmetric', usages: ['ENCRYPT_DECRYPT'], size: 32 },
  RSA_2048: { family: 'rsa', usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], size: 2048 },
  RSA_3072: { family: 'rsa', usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], size: 3072 },
  RSA_4096: { family: 'rsa', usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], size: 4096 },
  ECC_NIST_P256: { family: 'ecc', usages: ['SIGN_VERIFY'], size: 32, curve: 'prime256v1' },
  ECC_NIST_P384: { family: 'ecc', usages: ['SIGN_VERIFY'], size: 48, curve: 'secp384r1' },
  ECC_NIST_P521: { family: 'ecc', usages: ['SIGN_VERIFY'], size: 66, curve: 'secp521r1' },
  ECC_SECG_P256K1: { family: 'ecc', usages: ['SIGN_VERIFY'], size: 32, curve: 'secp256k1' },
  HMAC_224: { family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], size: 28 },
  HMAC_256: { family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], size: 32 },
  HMAC_384: { family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], size: 48 },
  HMAC_512: { family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], size: 64 },
};

export interface KeyAlgorithms {
  readonly encryption: readonly EncryptionAlgorithm[];
  readonly signing: readonly SigningAlgorithm[];
  readonly mac: readonly MacAlgorithm[];
}

const NONE: KeyAlgorithms = { encryption: [], signing: [], mac: [] };

/** The algorithms a key of this spec and usage offers, in the order DescribeKey lists them. */
export function algorithmsFor(spec: KeySpec, usage: KeyUsage): KeyAlgorithms {
  const info = SPEC_INFO[spec];
  if (!info.usages.includes(usage)) return NONE;
  switch (info.family) {
    case 'symmetric':
      return { ...NONE, encryption: ['SYMMETRIC_DEFAULT'] };
    case 'rsa':
      return usage === 'SIGN_VERIFY' ? { ...NONE, signing: RSA_SIGNING } : { ...NONE, encryption: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] };
    case 'ecc':
      // AWS pairs each curve with one digest: P-256 and secp256k1 SHA-256, P-384 SHA-384, P-521 SHA-512.
      return {
        ...NONE,
        signing: [spec === 'ECC_NIST_P384' ? 'ECDSA_SHA_384' : spec === 'ECC_NIST_P521' ? 'ECDSA_SHA_512' : 'ECDSA_SHA_256'],
      };
    case 'hmac':
      return { ...NONE, mac: [`HMAC_SHA_${spec.slice(5)}` as MacAlgorithm] };
  }
}

/** The digest a signing algorithm hashes with (and the length a DIGEST message must have). */
export function signingHash(alg: SigningAlgorithm): 'sha256' | 'sha384' | 'sha512' {
  return alg.endsWith('256') ? 'sha256' : alg.endsWith('384') ? 'sha384' : 'sha512';
}

export function macHash(alg: MacAlgorithm): 'sha224' | 'sha256' | 'sha384' | 'sha512' {
  return `sha${alg.slice(9)}` as 'sha224' | 'sha256' | 'sha384' | 'sha512';
}

export const HASH_BYTES: Readonly<Record<HashName, number>> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

export { isOneOf } from '../../core/keyFile.js';
