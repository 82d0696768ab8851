/**
 * A Transit key of the embedded server: its versions (each with its own key material and its own
 * HMAC key, as Vault keeps them), rotation, and the cryptography of every Transit endpoint with
 * node:crypto: AES-GCM and ChaCha20-Poly1305 in Vault's ciphertext format `vault:v<n>:` +
 * base64(nonce(12) || ciphertext || tag(16)), derived keys by HKDF-SHA256 of the context (Vault's
 * kdf hkdf_sha256), ECDSA (ASN.1 or JWS marshaling), Ed25519, RSA-PSS (salt as long as possible when
 * signing, as Go's PSSSaltLengthAuto) and PKCS#1 v1.5, HMAC. Errors are TransitError(400, Vault's message).
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHmac,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  sign,
  verify,
  privateEncrypt,
  publicDecrypt,
  createHash,
  timingSafeEqual,
  type CipherGCM,
  type DecipherGCM,
  type KeyObject,
} from 'node:crypto';
import { HASHES, parseVersioned, usesOf, type KeyType } from '../model.js';

/** An answer of Vault's in error: the HTTP status and the messages of `{"errors": [...]}`. */
export class TransitError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const bad = (message: string): TransitError => new TransitError(400, message);

interface Version {
  created: number;
  /** symmetric and hmac keys */
  secret?: Buffer;
  privateKey?: KeyObject;
  publicKey?: KeyObject;
  /** as keys/{name} shows it: PEM (ECDSA, RSA) or base64 of the raw key (Ed25519) */
  publicText?: string;
  hmacKey: Buffer;
}

const CURVES: Partial<Record<KeyType, string>> = { 'ecdsa-p256': 'P-256', 'ecdsa-p384': 'P-384', 'ecdsa-p521': 'P-521' };
/** The hash Vault uses by default for each ECDSA curve's JWS marshaling and signing. */
const DIGEST_INFO: Record<string, Buffer> = {
  sha1: Buffer.from('3021300906052b0e03021a05000414', 'hex'),
  sha224: Buffer.from('302d300d06096086480165030402040500041c', 'hex'),
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

export interface KeyOptions {
  type: KeyType;
  derived?: boolean;
  exportable?: boolean;
  /** bytes of an hmac key (Vault: key_size, 16 to 512, default 32) */
  keySize?: number;
}

export interface SignOptions {
  hash: string;
  prehashed: boolean;
  signatureAlgorithm: string;
  marshaling: string;
  version: number;
  context?: Buffer;
}

export class TransitKey {
  readonly versions: Version[] = [];
  readonly created = Math.floor(Date.now() / 1000);
  readonly derived: boolean;
  readonly exportable: boolean;
  minDecryptionVersion = 1;
  /** Derived-key cache: context (base64) → key, per version; bounded so a flood of contexts cannot grow it. */
  private readonly derivedKeys = new Map<string, Buffer>();

  constructor(
    readonly name: string,
    readonly type: KeyType,
    o: Omit<KeyOptions, 'type'> = {},
    private readonly keySize = o.keySize ?? 32,
  ) {
    this.derived = o.derived === true;
    this.exportable = o.exportable === true;
    if (this.derived && !usesOf(type).derivation) throw bad(`key derivation is not supported for key type ${type}`);
    this.rotate();
  }

  get latest(): number {
    return this.versions.length;
  }

  rotate(): void {
    const v: Version = { created: Math.floor(Date.now() / 1000), hmacKey: randomBytes(32) };
    const t = this.type;
    if (t === 'aes128-gcm96') v.secret = randomBytes(16);
    else if (t === 'aes256-gcm96' || t === 'chacha20-poly1305') v.secret = randomBytes(32);
    else if (t === 'hmac') v.secret = randomBytes(this.keySize);
    else {
      const pair =
        t === 'ed25519'
          ? generateKeyPairSync('ed25519')
          : t.startsWith('rsa-')
            ? generateKeyPairSync('rsa', { modulusLength: Number(t.slice(4)) })
            : generateKeyPairSync('ec', { namedCurve: CURVES[t]! });
      v.privateKey = pair.privateKey;
      v.publicKey = pair.publicKey;
      v.publicText =
        t === 'ed25519'
          ? (pair.publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32).toString('base64')
          : (pair.publicKey.export({ format: 'pem', type: 'spki' }) as string);
    }
    this.versions.push(v);
  }

  /** The `data` of `GET keys/{name}`. */
  describe(): Record<string, unknown> {
    const uses = usesOf(this.type);
    const keys: Record<string, unknown> = {};
    this.versions.forEach((v, i) => {
      keys[String(i + 1)] =
        v.publicText === undefined
          ? v.created
          : {
              creation_time: new Date(v.created * 1000).toISOString(),
              name: this.type.startsWith('ecdsa-') ? `P-${this.type.slice(7)}` : this.type,
              public_key: v.publicText,
            };
    });
    return {
      allow_plaintext_backup: false,
      auto_rotate_period: 0,
      deletion_allowed: false,
      derived: this.derived,
      exportable: this.exportable,
      imported_key: false,
      keys,
      latest_version: this.latest,
      min_available_version: 0,
      min_decryption_version: this.minDecryptionVersion,
      min_encryption_version: 0,
      name: this.name,
      supports_decryption: uses.encryption,
      supports_derivation: uses.derivation,
      supports_encryption: uses.encryption,
      supports_signing: uses.signing,
      type: this.type,
      ...(this.derived ? { kdf: 'hkdf_sha256' } : {}),
    };
  }

  private version(n: number, forEncryption: boolean): Version {
    const want = n === 0 ? this.latest : n;
    if (want > this.latest) throw bad('requested version for encryption is higher than the latest key version');
    if (!forEncryption && want < this.minDecryptionVersion) throw bad('ciphertext or signature version is disallowed by policy (too old)');
    return this.versions[want - 1]!;
  }

  private symmetricKey(v: Version, context: Buffer | undefined): Buffer {
    if (!this.derived) return v.secret!;
    if (context === undefined || context.length === 0)
      throw bad(
        "missing 'context' for key derivation; the key was created using a derived key, which means additional, per-request information must be included in order to perform operations with the key",
      );
    const id = `${this.versions.indexOf(v)}:${context.toString('base64')}`;
    let key = this.derivedKeys.get(id);
    if (key === undefined) {
      key = Buffer.from(hkdfSync('sha256', v.secret!, Buffer.alloc(0), context, v.secret!.length));
      if (this.derivedKeys.size > 10_000) this.derivedKeys.clear();
      this.derivedKeys.set(id, key);
    }
    return key;
  }

  private cipherName(): 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' {
    if (this.type === 'aes128-gcm96') return 'aes-128-gcm';
    if (this.type === 'aes256-gcm96') return 'aes-256-gcm';
    if (this.type === 'chacha20-poly1305') return 'chacha20-poly1305';
    throw bad(`key type ${this.type} does not support encryption`);
  }

  encrypt(plaintext: Buffer, context: Buffer | undefined, aad: Buffer | undefined, versionAsked = 0): { ciphertext: string; key_version: number } {
    const cipherName = this.cipherName();
    const n = versionAsked === 0 ? this.latest : versionAsked;
    const key = this.symmetricKey(this.version(n, true), context);
    const nonce = randomBytes(12);
    // chacha20-poly1305 has the same AEAD methods as GCM.
    const cipher = createCipheriv(cipherName as 'aes-256-gcm', key, nonce, { authTagLength: 16 }) as CipherGCM;
    if (aad !== undefined && aad.length > 0) cipher.setAAD(aad, { plaintextLength: plaintext.length });
    const body = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { ciphertext: `vault:v${n}:${body.toString('base64')}`, key_version: n };
  }

  decrypt(ciphertext: string, context: Buffer | undefined, aad: Buffer | undefined): Buffer {
    const cipherName = this.cipherName();
    if (!ciphertext.startsWith('vault:')) throw bad('invalid ciphertext: no prefix');
    const parsed = parseVersioned(ciphertext);
    if (parsed === undefined) throw bad('invalid ciphertext: wrong number of fields');
    const key = this.symmetricKey(this.version(parsed.version, false), context);
    const raw = Buffer.from(parsed.body, 'base64');
    if (raw.length < 28) throw bad('invalid ciphertext: could not decode');
    const decipher = createDecipheriv(cipherName as 'aes-256-gcm', key, raw.subarray(0, 12), { authTagLength: 16 }) as DecipherGCM;
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    const body = raw.subarray(12, raw.length - 16);
    if (aad !== undefined && aad.length > 0) decipher.setAAD(aad, { plaintextLength: body.length });
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw bad('cipher: message authentication failed');
    }
  }

  hmac(input: Buffer, algorithm: string, versionAsked = 0): string {
    const digest = HASHES[algorithm];
    if (digest === undefined) throw bad(`unsupported algorithm ${algorithm}`);
    const n = versionAsked === 0 ? this.latest : versionAsked;
    const v = this.version(n, true);
    const key = this.type === 'hmac' ? v.secret! : v.hmacKey;
    return `vault:v${n}:${createHmac(digest, key).update(input).digest('base64')}`;
  }

  verifyHmac(input: Buffer, hmac: string, algorithm: string): boolean {
    const parsed = parseVersioned(hmac);
    if (parsed === undefined) throw bad('invalid HMAC to verify: no prefix');
    const expected = this.hmac(input, algorithm, parsed.version);
    const a = Buffer.from(expected);
    const b = Buffer.from(hmac);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private signingVersion(n: number): Version {
    if (!usesOf(this.type).signing) throw bad(`key type ${this.type} does not support signing`);
    return this.version(n, n !== 0);
  }

  sign(input: Buffer, o: SignOptions): { signature: string; key_version: number } {
    const n = o.version === 0 ? this.latest : o.version;
    const v = this.signingVersion(n);
    const sig = this.rawSign(v, input, o);
    const text = o.marshaling === 'jws' ? sig.toString('base64url') : sig.toString('base64');
    return { signature: `vault:v${n}:${text}`, key_version: n };
  }

  verifySignature(input: Buffer, signature: string, o: Omit<SignOptions, 'version'>): boolean {
    const parsed = parseVersioned(signature);
    if (parsed === undefined) throw bad('invalid signature: no prefix');
    const v = this.signingVersion(parsed.version);
    const sig = Buffer.from(parsed.body, o.marshaling === 'jws' ? 'base64url' : 'base64');
    const { digest, dsa } = this.signParams(o);
    const key = v.publicKey!;
    if (this.type === 'ed25519') return verify(null, input, key, sig);
    if (this.type.startsWith('rsa-')) {
      if (o.prehashed) return this.verifyPrehashedRsa(v, input, sig, o);
      const padding = o.signatureAlgorithm === 'pkcs1v15' ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_PSS_PADDING;
      return verify(digest, input, { key, padding, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, sig);
    }
    return verify(digest, input, { key, dsaEncoding: dsa }, sig);
  }

  private signParams(o: Omit<SignOptions, 'version'>): { digest: string; dsa: 'der' | 'ieee-p1363' } {
    if (this.type !== 'ed25519' && o.marshaling !== 'asn1' && o.marshaling !== 'jws') throw bad(`invalid marshaling type ${o.marshaling}`);
    if (o.marshaling === 'jws' && !this.type.startsWith('ecdsa-')) throw bad(`marshaling algorithm jws is only valid for ECDSA keys`);
    const digest = HASHES[o.hash];
    if (digest === undefined) throw bad(`unsupported hash algorithm ${o.hash}`);
    if (this.type.startsWith('rsa-') && o.signatureAlgorithm !== 'pss' && o.signatureAlgorithm !== 'pkcs1v15') {
      throw bad(`unsupported rsa signature algorithm ${o.signatureAlgorithm}`);
    }
    if (o.prehashed && (this.type.startsWith('ecdsa-') || (this.type.startsWith('rsa-') && o.signatureAlgorithm === 'pss'))) {
      // node:crypto signs only whole messages for these; a real Vault accepts them.
      throw bad(
        `prehashed input with key type ${this.type}${this.type.startsWith('rsa-') ? ' and signature_algorithm pss' : ''} is not supported by the pylogen embedded server (only rsa with pkcs1v15)`,
      );
    }
    return { digest, dsa: o.marshaling === 'jws' ? 'ieee-p1363' : 'der' };
  }

  private rawSign(v: Version, input: Buffer, o: SignOptions): Buffer {
    const { digest, dsa } = this.signParams(o);
    const key = v.privateKey!;
    if (this.type === 'ed25519') return sign(null, input, key);
    if (this.type.startsWith('rsa-')) {
      if (o.prehashed) return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, this.digestInfo(input, digest));
      const padding = o.signatureAlgorithm === 'pkcs1v15' ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_PSS_PADDING;
      return sign(digest, input, { key, padding, saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN });
    }
    return sign(digest, input, { key, dsaEncoding: dsa });
  }

  private digestInfo(hash: Buffer, digest: string): Buffer {
    const prefix = DIGEST_INFO[digest];
    if (prefix === undefined || hash.length !== createHash(digest).digest().length) throw bad(`the prehashed input must be a ${digest} digest`);
    return Buffer.concat([prefix, hash]);
  }

  private verifyPrehashedRsa(v: Version, hash: Buffer, sig: Buffer, o: Omit<SignOptions, 'version'>): boolean {
    const expected = this.digestInfo(hash, HASHES[o.hash]!);
    try {
      const got = publicDecrypt({ key: v.publicKey!, padding: constants.RSA_PKCS1_PADDING }, sig);
      return got.length === expected.length && timingSafeEqual(got, expected);
    } catch {
      return false;
    }
  }
}
