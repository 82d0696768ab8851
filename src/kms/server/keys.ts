import { createHash, createSecretKey, generateKeyPair, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { toBigInt, type CurveName } from './signing/ecdsaDigest.js';
import { algorithmsFor, SPEC_INFO, type KeyAlgorithms, type KeySpec, type KeyUsage } from '../model/specs.js';

/**
 * A key of the embedded server with its material decoded once into KeyObjects (and, for ECC, the
 * private scalar as a BigInt), so that no request pays for parsing a key.
 */
export type Material =
  | { readonly family: 'symmetric' | 'hmac'; readonly secret: KeyObject }
  | { readonly family: 'rsa'; readonly privateKey: KeyObject; readonly publicKey: KeyObject; readonly spki: Buffer; readonly bits: number }
  | {
      readonly family: 'ecc';
      readonly privateKey: KeyObject;
      readonly publicKey: KeyObject;
      readonly spki: Buffer;
      readonly curve: CurveName;
      readonly d: bigint;
    };

export interface KmsKey {
  readonly id: string;
  readonly arn: string;
  readonly spec: KeySpec;
  readonly usage: KeyUsage;
  readonly algorithms: KeyAlgorithms;
  /** The KeyMetadata structure of DescribeKey and CreateKey, built once. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** 16 bytes that name the key inside a symmetric ciphertext blob, so Decrypt needs no KeyId. */
  readonly blobId: Buffer;
  readonly material: Material;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function blobIdOf(id: string): Buffer {
  // A UUID is its own 16 bytes; any other id (mrk-..., a user's fixed id) is hashed down to 16.
  return UUID.test(id) ? Buffer.from(id.replace(/-/g, ''), 'hex') : createHash('sha256').update(id).digest().subarray(0, 16);
}

function keyPair(type: 'rsa' | 'ec', options: { modulusLength: number } | { namedCurve: string }): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  // Asynchronous: RSA-4096 generation takes a second and must not stall requests in flight.
  return new Promise((resolve, reject) => {
    generateKeyPair(type as 'rsa', options as { modulusLength: number }, (err, publicKey, privateKey) =>
      err ? reject(err) : resolve({ publicKey, privateKey }),
    );
  });
}

export async function generateMaterial(spec: KeySpec): Promise<Material> {
  const info = SPEC_INFO[spec];
  switch (info.family) {
    case 'symmetric':
    case 'hmac':
      return { family: info.family, secret: createSecretKey(randomBytes(info.size)) };
    case 'rsa': {
      const { publicKey, privateKey } = await keyPair('rsa', { modulusLength: info.size });
      return { family: 'rsa', privateKey, publicKey, spki: publicKey.export({ type: 'spki', format: 'der' }), bits: info.size };
    }
    case 'ecc': {
      const curve = info.curve as CurveName;
      const { publicKey, privateKey } = await keyPair('ec', { namedCurve: curve });
      const d = toBigInt(Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url'));
      return { family: 'ecc', privateKey, publicKey, spki: publicKey.export({ type: 'spki', format: 'der' }), curve, d };
    }
  }
}

export interface NewKey {
  spec: KeySpec;
  usage: KeyUsage;
  description?: string;
  /** A fixed id (a key file's keyId); a fresh UUID otherwise. */
  id?: string;
}

export async function createKmsKey(req: NewKey, region: string, account: string): Promise<KmsKey> {
  const id = req.id ?? randomUUID();
  const arn = `arn:aws:kms:${region}:${account}:key/${id}`;
  const algorithms = algorithmsFor(req.spec, req.usage);
  const metadata: Record<string, unknown> = {
    AWSAccountId: account,
    KeyId: id,
    Arn: arn,
    CreationDate: Date.now() / 1000,
    Enabled: true,
    Description: req.description ?? '',
    KeyUsage: req.usage,
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: req.spec,
    KeySpec: req.spec,
    MultiRegion: false,
  };
  if (algorithms.encryption.length > 0) metadata.EncryptionAlgorithms = algorithms.encryption;
  if (algorithms.signing.length > 0) metadata.SigningAlgorithms = algorithms.signing;
  if (algorithms.mac.length > 0) metadata.MacAlgorithms = algorithms.mac;
  return {
    id,
    arn,
    spec: req.spec,
    usage: req.usage,
    algorithms,
    metadata,
    blobId: blobIdOf(id),
    material: await generateMaterial(req.spec),
  };
}
