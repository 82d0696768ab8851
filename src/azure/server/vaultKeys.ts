/**
 * The keys of the embedded Key Vault / Managed HSM server and their cryptography (node:crypto): each
 * key a list of versions, answered as Key Vault does (JWK public parts in base64url, `kid` with the
 * version, attributes in Unix seconds). A failure is a VaultError carrying Key Vault's status, code
 * and message, so the server answers it in Key Vault's error body.
 *
 * Signatures are over a digest the caller made (Key Vault's sign/verify take a digest): RSA through
 * the digest-level encodings shared with the KMS server, ECDSA through its scalar arithmetic, then in
 * the JWS form Key Vault uses (r || s, not DER).
 */
import { constants, createCipheriv, createDecipheriv, generateKeyPair, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { decodeDerSignature, encodeDerSignature, signEcdsaDigest, toBigInt, verifyEcdsaDigest, type CurveName } from '../../kms/server/signing/ecdsaDigest.js';
import { signPkcs1Digest, signPssDigest, verifyPkcs1Digest, verifyPssDigest } from '../../kms/server/signing/rsaDigest.js';
import { familyOf, type AzureCurve, type AzureFamily, type AzureKty } from '../keyfile.js';

/** Key Vault's answer to a request it refuses: HTTP status, error.code, error.message, innererror.code. */
export class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly inner?: string,
  ) {
    super(message);
  }
}

export const badParameter = (message: string): VaultError => new VaultError(400, 'BadParameter', message);

const CURVE_OF: Record<AzureCurve, { node: CurveName; bytes: number; alg: string; digest: number }> = {
  'P-256': { node: 'prime256v1', bytes: 32, alg: 'ES256', digest: 32 },
  'P-384': { node: 'secp384r1', bytes: 48, alg: 'ES384', digest: 48 },
  'P-521': { node: 'secp521r1', bytes: 66, alg: 'ES512', digest: 64 },
};
type RsaHash = 'sha256' | 'sha384' | 'sha512';
const RSA_SIGN: Record<string, { hash: RsaHash; pss: boolean; digest: number }> = {
  RS256: { hash: 'sha256', pss: false, digest: 32 },
  RS384: { hash: 'sha384', pss: false, digest: 48 },
  RS512: { hash: 'sha512', pss: false, digest: 64 },
  PS256: { hash: 'sha256', pss: true, digest: 32 },
  PS384: { hash: 'sha384', pss: true, digest: 48 },
  PS512: { hash: 'sha512', pss: true, digest: 64 },
};
const RSA_OAEP: Record<string, string> = { 'RSA-OAEP': 'sha1', 'RSA-OAEP-256': 'sha256' };
const GCM_BITS: Record<string, number> = { A128GCM: 128, A192GCM: 192, A256GCM: 256 };
const KW_BITS: Record<string, number> = { A128KW: 128, A192KW: 192, A256KW: 256 };
const KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');

export const DEFAULT_OPS: Record<AzureFamily, readonly string[]> = {
  rsa: ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'],
  ec: ['sign', 'verify'],
  oct: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
};

export interface KeySpecRequest {
  kty: AzureKty;
  size?: number;
  curve?: AzureCurve;
  keyOps?: readonly string[];
}

/** One version of a key. */
export class VaultKey {
  readonly family: AzureFamily;
  readonly created = Math.floor(Date.now() / 1000);
  enabled = true;
  /** the public JWK members (n/e or crv/x/y), in base64url */
  private readonly jwkPublic: Record<string, string>;
  private readonly bits: number;
  private readonly d?: bigint;

  constructor(
    readonly name: string,
    readonly version: string,
    readonly kty: AzureKty,
    readonly keyOps: readonly string[],
    private readonly privateKey: KeyObject | undefined,
    private readonly publicKey: KeyObject | undefined,
    private readonly secret: Buffer | undefined,
    readonly curve: AzureCurve | undefined,
  ) {
    this.family = familyOf(kty);
    if (publicKey !== undefined) {
      const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
      this.jwkPublic = this.family === 'rsa' ? { n: jwk.n!, e: jwk.e! } : { crv: curve!, x: jwk.x!, y: jwk.y! };
      this.bits = this.family === 'rsa' ? Buffer.from(jwk.n!, 'base64url').length * 8 : 0;
    } else {
      this.jwkPublic = {};
      this.bits = secret!.length * 8;
    }
    if (this.family === 'ec') this.d = toBigInt(Buffer.from((privateKey!.export({ format: 'jwk' }) as { d: string }).d, 'base64url'));
  }

  /** The KeyBundle Key Vault answers for this version at `base` (https://host:port). */
  bundle(base: string): object {
    return {
      key: { kid: `${base}/keys/${this.name}/${this.version}`, kty: this.kty, key_ops: this.keyOps, ...this.jwkPublic },
      attributes: {
        enabled: this.enabled,
        created: this.created,
        updated: this.created,
        recoveryLevel: 'Recoverable+Purgeable',
        recoverableDays: 90,
        exportable: false,
      },
    };
  }

  private allow(op: string): void {
    if (!this.enabled) throw new VaultError(403, 'Forbidden', `Operation ${op} is not allowed on a disabled key.`, 'KeyDisabled');
    if (!this.keyOps.includes(op)) throw new VaultError(403, 'Forbidden', `Operation ${op} is not permitted on this key.`, 'KeyOperationForbidden');
  }

  private unsupported(alg: string): VaultError {
    return badParameter(
      `Algorithm ${JSON.stringify(alg)} is not supported for a key of type ${this.kty}${this.bits > 0 && this.family === 'oct' ? ` of ${this.bits} bits` : ''}.`,
    );
  }

  encrypt(alg: string, value: Buffer, aad: Buffer | undefined): { value: Buffer; iv?: Buffer; tag?: Buffer } {
    this.allow('encrypt');
    if (this.family === 'rsa' && RSA_OAEP[alg] !== undefined) {
      return { value: publicEncrypt({ key: this.publicKey!, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: RSA_OAEP[alg] }, value) };
    }
    if (this.family === 'oct' && GCM_BITS[alg] === this.bits) {
      const iv = randomBytes(12);
      const c = createCipheriv(`aes-${this.bits}-gcm` as 'aes-256-gcm', this.secret!, iv);
      if (aad !== undefined) c.setAAD(aad);
      const out = Buffer.concat([c.update(value), c.final()]);
      return { value: out, iv, tag: c.getAuthTag() };
    }
    throw this.unsupported(alg);
  }

  decrypt(alg: string, value: Buffer, iv: Buffer | undefined, tag: Buffer | undefined, aad: Buffer | undefined): Buffer {
    this.allow('decrypt');
    try {
      if (this.family === 'rsa' && RSA_OAEP[alg] !== undefined) {
        return privateDecrypt({ key: this.privateKey!, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: RSA_OAEP[alg] }, value);
      }
      if (this.family === 'oct' && GCM_BITS[alg] === this.bits) {
        if (iv === undefined || tag === undefined) throw badParameter('Decrypt with an AES-GCM algorithm needs iv and tag.');
        const d = createDecipheriv(`aes-${this.bits}-gcm` as 'aes-256-gcm', this.secret!, iv);
        d.setAuthTag(tag);
        if (aad !== undefined) d.setAAD(aad);
        return Buffer.concat([d.update(value), d.final()]);
      }
    } catch (err) {
      if (err instanceof VaultError) throw err;
      throw badParameter('The ciphertext could not be decrypted (wrong key, algorithm or data).');
    }
    throw this.unsupported(alg);
  }

  wrap(alg: string, value: Buffer): Buffer {
    this.allow('wrapKey');
    if (this.family === 'oct' && KW_BITS[alg] === this.bits) {
      if (value.length < 16 || value.length % 8 !== 0) throw badParameter(`${alg} wraps keys of a multiple of 8 bytes, at least 16.`);
      const c = createCipheriv(`id-aes${this.bits}-wrap`, this.secret!, KW_IV);
      return Buffer.concat([c.update(value), c.final()]);
    }
    if (this.family === 'rsa' && RSA_OAEP[alg] !== undefined) {
      return publicEncrypt({ key: this.publicKey!, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: RSA_OAEP[alg] }, value);
    }
    throw this.unsupported(alg);
  }

  unwrap(alg: string, value: Buffer): Buffer {
    this.allow('unwrapKey');
    try {
      if (this.family === 'oct' && KW_BITS[alg] === this.bits) {
        const d = createDecipheriv(`id-aes${this.bits}-wrap`, this.secret!, KW_IV);
        return Buffer.concat([d.update(value), d.final()]);
      }
      if (this.family === 'rsa' && RSA_OAEP[alg] !== undefined) {
        return privateDecrypt({ key: this.privateKey!, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: RSA_OAEP[alg] }, value);
      }
    } catch {
      throw badParameter('The wrapped key could not be unwrapped (wrong key, algorithm or data).');
    }
    throw this.unsupported(alg);
  }

  sign(alg: string, digest: Buffer): Buffer {
    this.allow('sign');
    if (this.family === 'rsa' && RSA_SIGN[alg] !== undefined) {
      const s = RSA_SIGN[alg];
      this.digestLength(alg, digest, s.digest);
      return s.pss ? signPssDigest(this.privateKey!, this.bits, s.hash, digest, randomBytes(s.digest)) : signPkcs1Digest(this.privateKey!, s.hash, digest);
    }
    const c = this.curve === undefined ? undefined : CURVE_OF[this.curve];
    if (c !== undefined && c.alg === alg) {
      this.digestLength(alg, digest, c.digest);
      const [r, s] = decodeDerSignature(signEcdsaDigest(c.node, this.d!, digest))!;
      return Buffer.concat([fixed(r, c.bytes), fixed(s, c.bytes)]);
    }
    throw this.unsupported(alg);
  }

  verify(alg: string, digest: Buffer, signature: Buffer): boolean {
    this.allow('verify');
    if (this.family === 'rsa' && RSA_SIGN[alg] !== undefined) {
      const s = RSA_SIGN[alg];
      this.digestLength(alg, digest, s.digest);
      return s.pss
        ? verifyPssDigest(this.publicKey!, this.bits, s.hash, digest, signature)
        : verifyPkcs1Digest(this.publicKey!, this.bits / 8, s.hash, digest, signature);
    }
    const c = this.curve === undefined ? undefined : CURVE_OF[this.curve];
    if (c !== undefined && c.alg === alg) {
      this.digestLength(alg, digest, c.digest);
      if (signature.length !== 2 * c.bytes) return false;
      const der = encodeDerSignature(toBigInt(signature.subarray(0, c.bytes)), toBigInt(signature.subarray(c.bytes)));
      return verifyEcdsaDigest(c.node, this.d!, digest, der);
    }
    throw this.unsupported(alg);
  }

  private digestLength(alg: string, digest: Buffer, bytes: number): void {
    if (digest.length !== bytes) throw badParameter(`The digest of ${alg} must be ${bytes} bytes, but is ${digest.length}.`);
  }
}

function fixed(x: bigint, bytes: number): Buffer {
  return Buffer.from(x.toString(16).padStart(bytes * 2, '0'), 'hex');
}

const generate = promisify(generateKeyPair);

/** Makes a new version of a key (real key material, node:crypto). */
export async function makeVaultKey(name: string, spec: KeySpecRequest): Promise<VaultKey> {
  const family = familyOf(spec.kty);
  const version = randomBytes(16).toString('hex');
  const ops = spec.keyOps ?? DEFAULT_OPS[family];
  if (family === 'oct') return new VaultKey(name, version, spec.kty, ops, undefined, undefined, randomBytes((spec.size ?? 256) / 8), undefined);
  const pair =
    family === 'rsa'
      ? await generate('rsa', { modulusLength: spec.size ?? 2048, publicExponent: 65537 })
      : await generate('ec', { namedCurve: CURVE_OF[spec.curve ?? 'P-256'].node });
  return new VaultKey(name, version, spec.kty, ops, pair.privateKey, pair.publicKey, undefined, family === 'ec' ? (spec.curve ?? 'P-256') : undefined);
}
