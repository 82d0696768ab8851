/**
 * The embedded server's key rings, CryptoKeys and CryptoKeyVersions, each version with real key
 * material made by node:crypto: AES-256 for GOOGLE_SYMMETRIC_ENCRYPTION and AES_256_GCM, P-256 /
 * P-384 and RSA-2048 key pairs, HMAC-SHA256 keys. Everything lives in memory for the server's life.
 */
import { createHmac, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { ALGORITHM_INFO, type GcpAlgorithm, type GcpPurpose, type ProtectionLevel } from '../algorithms.js';
import { GcpStatus } from './status.js';

export type VersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED' | 'DESTROY_SCHEDULED';

export interface Version {
  name: string;
  id: number;
  state: VersionState;
  algorithm: GcpAlgorithm;
  protectionLevel: ProtectionLevel;
  createTime: { seconds: number; nanos: number };
  /** AES or HMAC key bytes */
  secret?: Buffer;
  privateKey?: KeyObject;
  publicKey?: KeyObject;
  publicPem?: string;
  /** EC private scalar (digest signing) */
  d?: bigint;
}

export interface CryptoKey {
  name: string;
  purpose: GcpPurpose;
  algorithm: GcpAlgorithm;
  protectionLevel: ProtectionLevel;
  createTime: { seconds: number; nanos: number };
  versions: Map<number, Version>;
  primary?: number;
  nextVersion: number;
}

const now = (): { seconds: number; nanos: number } => {
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
};

function material(algorithm: GcpAlgorithm): Partial<Version> {
  const info = ALGORITHM_INFO[algorithm];
  if (info.kind === 'aes' || info.kind === 'hmac') return { secret: randomBytes(32) };
  const pair =
    info.kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: info.curve! }) : generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  const out: Partial<Version> = {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
  if (info.kind === 'ec') out.d = BigInt(`0x${Buffer.from(pair.privateKey.export({ format: 'jwk' }).d!, 'base64url').toString('hex')}`);
  return out;
}

export class Store {
  readonly keyRings = new Map<string, { name: string; createTime: { seconds: number; nanos: number } }>();
  readonly keys = new Map<string, CryptoKey>();

  createKeyRing(parent: string, id: string): { name: string; createTime: { seconds: number; nanos: number } } {
    const name = `${parent}/keyRings/${id}`;
    if (this.keyRings.has(name)) throw new GcpStatus('ALREADY_EXISTS', `KeyRing ${name} already exists.`);
    const ring = { name, createTime: now() };
    this.keyRings.set(name, ring);
    return ring;
  }

  keyRing(name: string): { name: string; createTime: { seconds: number; nanos: number } } {
    const ring = this.keyRings.get(name);
    if (ring === undefined) throw new GcpStatus('NOT_FOUND', `KeyRing ${name} not found.`);
    return ring;
  }

  createCryptoKey(parent: string, id: string, purpose: GcpPurpose, algorithm: GcpAlgorithm, protectionLevel: ProtectionLevel, withVersion = true): CryptoKey {
    this.keyRing(parent);
    const name = `${parent}/cryptoKeys/${id}`;
    if (this.keys.has(name)) throw new GcpStatus('ALREADY_EXISTS', `CryptoKey ${name} already exists.`);
    if (ALGORITHM_INFO[algorithm].purpose !== purpose) {
      throw new GcpStatus('INVALID_ARGUMENT', `The specified algorithm ${algorithm} is not compatible with the CryptoKey purpose ${purpose}.`);
    }
    const key: CryptoKey = { name, purpose, algorithm, protectionLevel, createTime: now(), versions: new Map(), nextVersion: 1 };
    this.keys.set(name, key);
    if (withVersion) this.createVersion(key);
    return key;
  }

  createVersion(key: CryptoKey): Version {
    const id = key.nextVersion++;
    const v: Version = {
      name: `${key.name}/cryptoKeyVersions/${id}`,
      id,
      state: 'ENABLED',
      algorithm: key.algorithm,
      protectionLevel: key.protectionLevel,
      createTime: now(),
      ...material(key.algorithm),
    };
    key.versions.set(id, v);
    // Symmetric keys have a primary version: the first one made.
    if (key.purpose === 'ENCRYPT_DECRYPT' && key.primary === undefined) key.primary = id;
    return v;
  }

  cryptoKey(name: string): CryptoKey {
    const key = this.keys.get(name);
    if (key === undefined) throw new GcpStatus('NOT_FOUND', `CryptoKey ${name} not found.`);
    return key;
  }

  /** A version by its full name. */
  version(name: string): Version {
    const m = /^(.*)\/cryptoKeyVersions\/(\d+)$/.exec(name);
    if (m === null) throw new GcpStatus('INVALID_ARGUMENT', `Resource name ${name} is not a CryptoKeyVersion name.`);
    const v = this.cryptoKey(m[1]!).versions.get(Number(m[2]));
    if (v === undefined) throw new GcpStatus('NOT_FOUND', `CryptoKeyVersion ${name} not found.`);
    return v;
  }

  /** The version a crypto call may use: it must be enabled and of the purpose the call needs. */
  usable(v: Version, purpose: GcpPurpose, call: string): Version {
    if (ALGORITHM_INFO[v.algorithm].purpose !== purpose)
      throw new GcpStatus('INVALID_ARGUMENT', `${v.name} has purpose ${ALGORITHM_INFO[v.algorithm].purpose}; ${call} needs ${purpose}.`);
    if (v.state !== 'ENABLED') throw new GcpStatus('FAILED_PRECONDITION', `${v.name} is not enabled, current state is: ${v.state}.`);
    return v;
  }
}

/** HMAC-SHA256 of data with a version's key. */
export const hmacOf = (v: Version, data: Uint8Array): Buffer => createHmac('sha256', v.secret!).update(data).digest();
