/**
 * The keys of an embedded server as plain data, so that the workers of `kms serve --workers N` serve
 * the same keys: the primary generates them once, each worker rebuilds the same store from this
 * snapshot (a ciphertext made by one worker decrypts on any other). Key material crosses only the
 * IPC channel between pylogen's own processes, never a log or an answer.
 */
import { createPrivateKey, createPublicKey, createSecretKey } from 'node:crypto';
import { toBigInt, type CurveName } from './signing/ecdsaDigest.js';
import { blobIdOf, type KmsKey, type Material } from './keys.js';
import type { KeyStore } from './store.js';
import { SPEC_INFO, algorithmsFor } from '../model/specs.js';

export interface SharedKey {
  id: string;
  arn: string;
  spec: KmsKey['spec'];
  usage: KmsKey['usage'];
  metadata: Record<string, unknown>;
  /** the secret (symmetric, HMAC) or the PKCS#8 DER private key (RSA, ECC) */
  material: Buffer;
}

export interface SharedKeys {
  keys: SharedKey[];
  aliases: Array<{ name: string; keyId: string; created: number }>;
}

function exportMaterial(m: Material): Buffer {
  if ('secret' in m) return m.secret.export();
  return m.privateKey.export({ type: 'pkcs8', format: 'der' });
}

function importMaterial(spec: KmsKey['spec'], raw: Buffer): Material {
  const info = SPEC_INFO[spec];
  if (info.family === 'symmetric' || info.family === 'hmac') return { family: info.family, secret: createSecretKey(Buffer.from(raw)) };
  const privateKey = createPrivateKey({ key: Buffer.from(raw), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  if (info.family === 'rsa') return { family: 'rsa', privateKey, publicKey, spki, bits: info.size };
  const d = toBigInt(Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url'));
  return { family: 'ecc', privateKey, publicKey, spki, curve: info.curve as CurveName, d };
}

export function exportKeys(store: KeyStore): SharedKeys {
  return {
    keys: [...store.keys.values()].map((k) => ({
      id: k.id,
      arn: k.arn,
      spec: k.spec,
      usage: k.usage,
      metadata: { ...k.metadata },
      material: exportMaterial(k.material),
    })),
    aliases: [...store.aliases.values()].map((a) => ({ ...a })),
  };
}

/** Rebuilds the keys and aliases of a snapshot in an empty store. */
export function importKeys(store: KeyStore, shared: SharedKeys): void {
  for (const k of shared.keys) {
    const key: KmsKey = {
      id: k.id,
      arn: k.arn,
      spec: k.spec,
      usage: k.usage,
      algorithms: algorithmsFor(k.spec, k.usage),
      metadata: k.metadata,
      blobId: blobIdOf(k.id),
      material: importMaterial(k.spec, k.material),
    };
    store.insert(key);
  }
  for (const a of shared.aliases) store.aliases.set(a.name, { ...a });
}
