/**
 * The embedded server's KeyManagementService methods, on decoded protobuf messages (protobufjs, the
 * field names in lowerCamelCase), whichever transport carried them: each takes the request message
 * and returns the response as a plain object for the response type's fromObject(). Real
 * cryptography; every checksum of a request is checked (INVALID_ARGUMENT when it does not match, as
 * Google answers) and every answer carries its own and the `verified_*` flags.
 */
import { createCipheriv, createDecipheriv, constants, privateDecrypt, randomBytes, timingSafeEqual } from 'node:crypto';
import { signEcdsaDigest } from '../../kms/server/signing/ecdsaDigest.js';
import { signPkcs1Digest, signPssDigest } from '../../kms/server/signing/rsaDigest.js';
import {
  ALGORITHM_INFO,
  GCP_ALGORITHMS,
  MAX_PLAINTEXT,
  RANDOM_MAX,
  RANDOM_MIN,
  type GcpAlgorithm,
  type GcpPurpose,
  type ProtectionLevel,
} from '../algorithms.js';
import { crc32c, int64Value } from '../crc32c.js';
import { GcpStatus } from './status.js';
import { hmacOf, type CryptoKey, type Store, type Version } from './store.js';

/** Request messages as protobufjs decodes them. */
type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Handler = (req: Msg) => object;

export interface EnumNames {
  protectionLevel: Record<number, string>;
  algorithm: Record<number, string>;
  purpose: Record<number, string>;
  state: Record<number, string>;
}

/** Ciphertext of Encrypt: a format byte, the version id, the GCM IV and tag, then the ciphertext. */
const FORMAT = 0x9c;
const HEADER = 1 + 4 + 12 + 16;

const bytes = (b: unknown): Buffer => (b instanceof Uint8Array ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.alloc(0));

export interface ServiceOptions {
  /** fraction of answers whose checksum is made wrong on purpose (--bad-crc) */
  badCrc: number;
}

export function kmsService(store: Store, names: EnumNames, options: ServiceOptions): Record<string, Handler> {
  /** The checksum field of an answer: its data's CRC32C, wrong on purpose for a --bad-crc fraction. */
  const crcOut = (data: Uint8Array): { value: number } => {
    const c = crc32c(data);
    return { value: options.badCrc > 0 && Math.random() < options.badCrc ? (c + 1) >>> 0 : c };
  };
  /** Checks a request checksum: true when one was given (and matched). */
  const crcIn = (req: Msg, field: string, dataField: string): boolean => {
    const want = int64Value(req[field]);
    if (want === undefined) return false;
    if (crc32c(bytes(req[dataField])) !== want) {
      throw new GcpStatus('INVALID_ARGUMENT', `The checksum in field ${snake(field)} did not match the data in field ${snake(dataField)}.`);
    }
    return true;
  };
  const limit = (req: Msg, field: string, max = MAX_PLAINTEXT): void => {
    if (bytes(req[field]).length > max) throw new GcpStatus('INVALID_ARGUMENT', `The ${snake(field)} must be at most ${max} bytes.`);
  };
  const name = (req: Msg, field = 'name'): string => {
    const n = req[field];
    if (typeof n !== 'string' || n === '') throw new GcpStatus('INVALID_ARGUMENT', `The request must specify ${snake(field)}.`);
    return n;
  };
  const versionFor = (req: Msg, purpose: GcpPurpose, call: string): Version => store.usable(store.version(name(req)), purpose, call);

  const keyJson = (k: CryptoKey): object => ({
    name: k.name,
    purpose: k.purpose,
    createTime: k.createTime,
    versionTemplate: { algorithm: k.algorithm, protectionLevel: k.protectionLevel },
    ...(k.primary !== undefined ? { primary: versionJson(k.versions.get(k.primary)!) } : {}),
  });
  const versionJson = (v: Version): object => ({
    name: v.name,
    state: v.state,
    protectionLevel: v.protectionLevel,
    algorithm: v.algorithm,
    createTime: v.createTime,
    generateTime: v.createTime,
  });

  return {
    GetKeyRing: (req) => store.keyRing(name(req)),
    CreateKeyRing: (req) => {
      const id = req.keyRingId;
      if (typeof id !== 'string' || !/^[a-zA-Z0-9_-]{1,63}$/.test(id)) throw new GcpStatus('INVALID_ARGUMENT', `Invalid key_ring_id: ${JSON.stringify(id)}.`);
      return store.createKeyRing(name(req, 'parent'), id);
    },
    GetCryptoKey: (req) => keyJson(store.cryptoKey(name(req))),
    CreateCryptoKey: (req) => {
      const id = req.cryptoKeyId;
      if (typeof id !== 'string' || !/^[a-zA-Z0-9_-]{1,63}$/.test(id)) throw new GcpStatus('INVALID_ARGUMENT', `Invalid crypto_key_id: ${JSON.stringify(id)}.`);
      const ck = (req.cryptoKey ?? {}) as Msg;
      const purpose = names.purpose[ck.purpose ?? 0] as GcpPurpose | undefined;
      if (purpose === undefined || purpose === ('CRYPTO_KEY_PURPOSE_UNSPECIFIED' as string))
        throw new GcpStatus('INVALID_ARGUMENT', 'The CryptoKey purpose must be specified.');
      const algorithmName = names.algorithm[ck.versionTemplate?.algorithm ?? 0] ?? '';
      const algorithm = (
        algorithmName === 'CRYPTO_KEY_VERSION_ALGORITHM_UNSPECIFIED' && purpose === 'ENCRYPT_DECRYPT' ? 'GOOGLE_SYMMETRIC_ENCRYPTION' : algorithmName
      ) as GcpAlgorithm;
      if (!(GCP_ALGORITHMS as readonly string[]).includes(algorithm))
        throw new GcpStatus('INVALID_ARGUMENT', `The algorithm ${algorithmName} is not supported by this server.`);
      const levelName = names.protectionLevel[ck.versionTemplate?.protectionLevel ?? 0] ?? 'SOFTWARE';
      const level = (levelName === 'PROTECTION_LEVEL_UNSPECIFIED' ? 'SOFTWARE' : levelName) as ProtectionLevel;
      return keyJson(store.createCryptoKey(name(req, 'parent'), id, purpose, algorithm, level, req.skipInitialVersionCreation !== true));
    },
    GetCryptoKeyVersion: (req) => versionJson(store.version(name(req))),
    // One page holds them all (the embedded server's keys have a few versions).
    ListCryptoKeyVersions: (req) => {
      const versions = [...store.cryptoKey(name(req, 'parent')).versions.values()].map(versionJson);
      return { cryptoKeyVersions: versions, totalSize: versions.length, nextPageToken: '' };
    },
    CreateCryptoKeyVersion: (req) => versionJson(store.createVersion(store.cryptoKey(name(req, 'parent')))),
    UpdateCryptoKeyVersion: (req) => {
      const body = (req.cryptoKeyVersion ?? {}) as Msg;
      const v = store.version(name(body));
      const paths: string[] = req.updateMask?.paths ?? [];
      if (paths.includes('state')) {
        const state = names.state[body.state ?? 0];
        if (state !== 'ENABLED' && state !== 'DISABLED')
          throw new GcpStatus('INVALID_ARGUMENT', `The state can only be updated to ENABLED or DISABLED, but is ${state}.`);
        if (v.state !== 'ENABLED' && v.state !== 'DISABLED')
          throw new GcpStatus('FAILED_PRECONDITION', `${v.name} is ${v.state}: its state cannot be updated.`);
        v.state = state;
      }
      return versionJson(v);
    },
    GetPublicKey: (req) => {
      const v = store.version(name(req));
      if (v.publicPem === undefined) throw new GcpStatus('FAILED_PRECONDITION', `${v.name} is not an asymmetric key: it has no public key.`);
      if (v.state !== 'ENABLED') throw new GcpStatus('FAILED_PRECONDITION', `${v.name} is not enabled, current state is: ${v.state}.`);
      const pem = Buffer.from(v.publicPem);
      return { pem: v.publicPem, algorithm: v.algorithm, pemCrc32c: crcOut(pem), name: v.name, protectionLevel: v.protectionLevel, publicKeyFormat: 'PEM' };
    },

    Encrypt: (req) => {
      const n = name(req);
      limit(req, 'plaintext');
      limit(req, 'additionalAuthenticatedData');
      const verifiedPlaintext = crcIn(req, 'plaintextCrc32c', 'plaintext');
      const verifiedAad = crcIn(req, 'additionalAuthenticatedDataCrc32c', 'additionalAuthenticatedData');
      let v: Version;
      if (n.includes('/cryptoKeyVersions/')) v = store.version(n);
      else {
        const key = store.cryptoKey(n);
        if (key.purpose !== 'ENCRYPT_DECRYPT' || key.primary === undefined)
          throw new GcpStatus('INVALID_ARGUMENT', `${n} has purpose ${key.purpose}; Encrypt needs ENCRYPT_DECRYPT.`);
        v = key.versions.get(key.primary)!;
      }
      store.usable(v, 'ENCRYPT_DECRYPT', 'Encrypt');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', v.secret!, iv);
      cipher.setAAD(bytes(req.additionalAuthenticatedData));
      const body = Buffer.concat([cipher.update(bytes(req.plaintext)), cipher.final()]);
      const head = Buffer.allocUnsafe(HEADER);
      head[0] = FORMAT;
      head.writeUInt32BE(v.id, 1);
      iv.copy(head, 5);
      cipher.getAuthTag().copy(head, 17);
      const ciphertext = Buffer.concat([head, body]);
      return {
        name: v.name,
        ciphertext,
        ciphertextCrc32c: crcOut(ciphertext),
        verifiedPlaintextCrc32c: verifiedPlaintext,
        verifiedAdditionalAuthenticatedDataCrc32c: verifiedAad,
        protectionLevel: v.protectionLevel,
      };
    },
    Decrypt: (req) => {
      const key = store.cryptoKey(name(req));
      if (key.purpose !== 'ENCRYPT_DECRYPT') throw new GcpStatus('INVALID_ARGUMENT', `${key.name} has purpose ${key.purpose}; Decrypt needs ENCRYPT_DECRYPT.`);
      crcIn(req, 'ciphertextCrc32c', 'ciphertext');
      crcIn(req, 'additionalAuthenticatedDataCrc32c', 'additionalAuthenticatedData');
      const ct = bytes(req.ciphertext);
      const v = ct.length >= HEADER && ct[0] === FORMAT ? key.versions.get(ct.readUInt32BE(1)) : undefined;
      if (v === undefined) throw new GcpStatus('INVALID_ARGUMENT', 'Decryption failed: the ciphertext is invalid.');
      store.usable(v, 'ENCRYPT_DECRYPT', 'Decrypt');
      const decipher = createDecipheriv('aes-256-gcm', v.secret!, ct.subarray(5, 17));
      decipher.setAuthTag(ct.subarray(17, HEADER));
      decipher.setAAD(bytes(req.additionalAuthenticatedData));
      let plaintext: Buffer;
      try {
        plaintext = Buffer.concat([decipher.update(ct.subarray(HEADER)), decipher.final()]);
      } catch {
        throw new GcpStatus('INVALID_ARGUMENT', 'Decryption failed: the ciphertext is invalid.');
      }
      return { plaintext, plaintextCrc32c: crcOut(plaintext), usedPrimary: v.id === key.primary, protectionLevel: v.protectionLevel };
    },
    RawEncrypt: (req) => {
      const v = versionFor(req, 'RAW_ENCRYPT_DECRYPT', 'RawEncrypt');
      limit(req, 'plaintext');
      limit(req, 'additionalAuthenticatedData');
      const verifiedPlaintext = crcIn(req, 'plaintextCrc32c', 'plaintext');
      const verifiedAad = crcIn(req, 'additionalAuthenticatedDataCrc32c', 'additionalAuthenticatedData');
      const verifiedIv = crcIn(req, 'initializationVectorCrc32c', 'initializationVector');
      const given = bytes(req.initializationVector);
      if (given.length > 0)
        throw new GcpStatus('INVALID_ARGUMENT', 'The initialization_vector must not be set for AES_256_GCM: it is generated by the service.');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', v.secret!, iv);
      cipher.setAAD(bytes(req.additionalAuthenticatedData));
      const ciphertext = Buffer.concat([cipher.update(bytes(req.plaintext)), cipher.final(), cipher.getAuthTag()]);
      return {
        ciphertext,
        initializationVector: iv,
        tagLength: 16,
        ciphertextCrc32c: crcOut(ciphertext),
        initializationVectorCrc32c: crcOut(iv),
        verifiedPlaintextCrc32c: verifiedPlaintext,
        verifiedAdditionalAuthenticatedDataCrc32c: verifiedAad,
        verifiedInitializationVectorCrc32c: verifiedIv,
        name: v.name,
        protectionLevel: v.protectionLevel,
      };
    },
    RawDecrypt: (req) => {
      const v = versionFor(req, 'RAW_ENCRYPT_DECRYPT', 'RawDecrypt');
      const verifiedCt = crcIn(req, 'ciphertextCrc32c', 'ciphertext');
      const verifiedAad = crcIn(req, 'additionalAuthenticatedDataCrc32c', 'additionalAuthenticatedData');
      const verifiedIv = crcIn(req, 'initializationVectorCrc32c', 'initializationVector');
      const ct = bytes(req.ciphertext);
      const tagLength = req.tagLength || 16;
      const iv = bytes(req.initializationVector);
      if (iv.length !== 12 || ct.length < tagLength)
        throw new GcpStatus('INVALID_ARGUMENT', 'Decryption failed: the ciphertext, initialization_vector or tag_length is invalid.');
      const decipher = createDecipheriv('aes-256-gcm', v.secret!, iv, { authTagLength: tagLength });
      decipher.setAuthTag(ct.subarray(ct.length - tagLength));
      decipher.setAAD(bytes(req.additionalAuthenticatedData));
      let plaintext: Buffer;
      try {
        plaintext = Buffer.concat([decipher.update(ct.subarray(0, ct.length - tagLength)), decipher.final()]);
      } catch {
        throw new GcpStatus('INVALID_ARGUMENT', 'Decryption failed: the ciphertext is invalid.');
      }
      return {
        plaintext,
        plaintextCrc32c: crcOut(plaintext),
        protectionLevel: v.protectionLevel,
        verifiedCiphertextCrc32c: verifiedCt,
        verifiedAdditionalAuthenticatedDataCrc32c: verifiedAad,
        verifiedInitializationVectorCrc32c: verifiedIv,
      };
    },
    AsymmetricSign: (req) => {
      const v = versionFor(req, 'ASYMMETRIC_SIGN', 'AsymmetricSign');
      const info = ALGORITHM_INFO[v.algorithm];
      const digest = bytes(req.digest?.[info.digest!]);
      if (digest.length !== (info.digest === 'sha384' ? 48 : 32)) {
        throw new GcpStatus('INVALID_ARGUMENT', `The digest of ${v.algorithm} must be a ${info.digest!.toUpperCase()} digest, in field digest.${info.digest}.`);
      }
      const wantDigestCrc = int64Value(req.digestCrc32c);
      if (wantDigestCrc !== undefined && crc32c(digest) !== wantDigestCrc)
        throw new GcpStatus('INVALID_ARGUMENT', 'The checksum in field digest_crc32c did not match the data in field digest.');
      const signature =
        info.kind === 'ec'
          ? signEcdsaDigest(info.curve!, v.d!, digest)
          : info.padding === 'pss'
            ? signPssDigest(v.privateKey!, 2048, info.digest!, digest, randomBytes(32))
            : signPkcs1Digest(v.privateKey!, info.digest!, digest);
      return {
        signature,
        signatureCrc32c: crcOut(signature),
        verifiedDigestCrc32c: wantDigestCrc !== undefined,
        name: v.name,
        verifiedDataCrc32c: false,
        protectionLevel: v.protectionLevel,
      };
    },
    AsymmetricDecrypt: (req) => {
      const v = versionFor(req, 'ASYMMETRIC_DECRYPT', 'AsymmetricDecrypt');
      const verified = crcIn(req, 'ciphertextCrc32c', 'ciphertext');
      let plaintext: Buffer;
      try {
        plaintext = privateDecrypt({ key: v.privateKey!, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, bytes(req.ciphertext));
      } catch {
        throw new GcpStatus('INVALID_ARGUMENT', 'Decryption failed: the ciphertext is invalid.');
      }
      return { plaintext, plaintextCrc32c: crcOut(plaintext), verifiedCiphertextCrc32c: verified, protectionLevel: v.protectionLevel };
    },
    MacSign: (req) => {
      const v = versionFor(req, 'MAC', 'MacSign');
      limit(req, 'data');
      const verified = crcIn(req, 'dataCrc32c', 'data');
      const mac = hmacOf(v, bytes(req.data));
      return { name: v.name, mac, macCrc32c: crcOut(mac), verifiedDataCrc32c: verified, protectionLevel: v.protectionLevel };
    },
    MacVerify: (req) => {
      const v = versionFor(req, 'MAC', 'MacVerify');
      limit(req, 'data');
      const verifiedData = crcIn(req, 'dataCrc32c', 'data');
      const verifiedMac = crcIn(req, 'macCrc32c', 'mac');
      const mac = bytes(req.mac);
      const expected = hmacOf(v, bytes(req.data));
      const success = mac.length === expected.length && timingSafeEqual(mac, expected);
      const flip = options.badCrc > 0 && Math.random() < options.badCrc;
      return {
        name: v.name,
        success,
        verifiedDataCrc32c: verifiedData,
        verifiedMacCrc32c: verifiedMac,
        verifiedSuccessIntegrity: flip ? !success : success,
        protectionLevel: v.protectionLevel,
      };
    },
    GenerateRandomBytes: (req) => {
      const location = name(req, 'location');
      if (!/^projects\/[^/]+\/locations\/[^/]+$/.test(location)) throw new GcpStatus('INVALID_ARGUMENT', `Invalid location: ${location}.`);
      const n = req.lengthBytes ?? 0;
      if (n < RANDOM_MIN || n > RANDOM_MAX)
        throw new GcpStatus('INVALID_ARGUMENT', `length_bytes must be between ${RANDOM_MIN} and ${RANDOM_MAX}, but is ${n}.`);
      const level = names.protectionLevel[req.protectionLevel ?? 0];
      if (level !== 'HSM') throw new GcpStatus('INVALID_ARGUMENT', `Unsupported protection_level ${level}: only HSM is supported.`);
      const data = randomBytes(n);
      return { data, dataCrc32c: crcOut(data) };
    },
  };
}

/** lowerCamelCase to the proto's snake_case, for messages. */
function snake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/crc_32c|crc32_c/, 'crc32c');
}
