/**
 * The KMIP key file (profiles/KmipDefault.json): named entries, each a key that `kmip setup` (and
 * `--endpoint pykmip`) creates under its KMIP Name, and that a KMIP CUT finds by that Name (Locate)
 * or by a fixed Unique Identifier. Looked up like the KMS key file (findKeyFile: as given, then
 * ./profiles, then the package's profiles/); every problem of a file reported at once, one line.
 *
 *   { "aes-gcm": { "name": "pylogen-aes256-gcm", "type": "AES", "length": 256, "mode": "GCM" },
 *     "rsa2048": { "name": "pylogen-rsa2048", "type": "RSA", "length": 2048, "padding": "PSS", "hash": "SHA256" } }
 */
import { Problems } from '../core/errors.js';
import { findKeyFile, keyFileObject, oneOf, Owners, parseEntries, quote, unknownFields } from '../core/keyFile.js';
import { BlockCipherMode, CryptographicAlgorithm, HashingAlgorithm, PaddingMethod, UsageMask } from './tags.js';

export const KMIP_KEY_TYPES = ['AES', 'RSA', 'HMAC_SHA256', 'HMAC_SHA384', 'HMAC_SHA512'] as const;
export type KmipKeyType = (typeof KMIP_KEY_TYPES)[number];
export const KMIP_MODES = ['GCM', 'CBC'] as const;
export const KMIP_PADDINGS = ['PSS', 'PKCS1v15'] as const;
export const KMIP_HASHES = ['SHA256', 'SHA384', 'SHA512'] as const;

/** What a key is for, from its type: the CUTs check it. */
export type KmipUsage = 'encrypt' | 'sign' | 'mac';

export interface KmipKeyEntry {
  name: string;
  /** the KMIP Name attribute (the private key's; its public key is named `<kmipName>-public`) */
  kmipName?: string;
  /** a fixed Unique Identifier instead (the private key's for RSA; `publicUid` its public key) */
  uid?: string;
  publicUid?: string;
  type: KmipKeyType;
  length: number;
  usage: KmipUsage;
  /** AES: the block cipher mode of Encrypt and Decrypt */
  mode?: (typeof KMIP_MODES)[number];
  /** RSA: the signature padding */
  padding?: (typeof KMIP_PADDINGS)[number];
  /** RSA: the signature hash */
  hash?: (typeof KMIP_HASHES)[number];
}

const FIELDS = ['name', 'uid', 'publicUid', 'type', 'length', 'mode', 'padding', 'hash'];
const LENGTHS: Record<KmipKeyType, readonly number[]> = {
  AES: [128, 192, 256],
  RSA: [2048, 3072, 4096],
  HMAC_SHA256: [256],
  HMAC_SHA384: [384],
  HMAC_SHA512: [512],
};

export function parseKmipKeyFile(text: string, label: string): Map<string, KmipKeyEntry> {
  const doc = keyFileObject(text, label, undefined, false);
  const problems = new Problems();
  // a name is claimed by every entry of a known type, even one with other problems
  const names = new Owners('name');
  const entries = parseEntries(doc, problems, (name, o, at) => parseEntry(name, o, at, problems, names));
  problems.throwIfAny(`${label}: `);
  return entries;
}

function parseEntry(name: string, o: Record<string, unknown>, at: string, problems: Problems, names: Owners): KmipKeyEntry | undefined {
  unknownFields(o, FIELDS, problems, at);
  for (const f of ['name', 'uid', 'publicUid']) {
    if (o[f] !== undefined && (typeof o[f] !== 'string' || o[f] === '')) problems.add(`${at}: ${f} must be a non-empty string, but is ${quote(o[f])}`);
  }
  if (o.name === undefined && o.uid === undefined) problems.add(`${at}: needs a name (the KMIP Name that kmip setup creates) or a uid`);
  const type = oneOf(o, 'type', KMIP_KEY_TYPES, at, problems);
  if (type === undefined) return undefined;
  const length = o.length ?? LENGTHS[type][LENGTHS[type].length - 1];
  if (typeof length !== 'number' || !LENGTHS[type].includes(length)) {
    problems.add(`${at}: length must be ${LENGTHS[type].join(' or ')} for ${type}, but is ${quote(o.length)}`);
  }
  const only = (field: string, types: readonly KmipKeyType[], list: readonly string[]): void => {
    if (o[field] === undefined) return;
    if (!types.includes(type)) problems.add(`${at}: ${field} does not apply to a ${type} key`);
    else oneOf(o, field, list, at, problems);
  };
  only('mode', ['AES'], KMIP_MODES);
  only('padding', ['RSA'], KMIP_PADDINGS);
  only('hash', ['RSA'], KMIP_HASHES);
  if (o.publicUid !== undefined && (type !== 'RSA' || o.uid === undefined)) problems.add(`${at}: publicUid goes with the uid of an RSA key`);
  if (typeof o.name === 'string') names.claim(o.name, name, problems);
  const entry: KmipKeyEntry = {
    name,
    type,
    length: length as number,
    usage: type === 'AES' ? 'encrypt' : type === 'RSA' ? 'sign' : 'mac',
  };
  if (typeof o.name === 'string') entry.kmipName = o.name;
  if (typeof o.uid === 'string') entry.uid = o.uid;
  if (typeof o.publicUid === 'string') entry.publicUid = o.publicUid;
  if (type === 'AES') entry.mode = (o.mode as KmipKeyEntry['mode']) ?? 'GCM';
  if (type === 'RSA') {
    entry.padding = (o.padding as KmipKeyEntry['padding']) ?? 'PSS';
    entry.hash = (o.hash as KmipKeyEntry['hash']) ?? 'SHA256';
  }
  return entry;
}

export const DEFAULT_KMIP_KEY_FILE = 'KmipDefault.json';

export interface KmipKeyFile {
  label: string;
  path: string;
  entries: Map<string, KmipKeyEntry>;
}

export function loadKmipKeyFile(file: string | undefined, cwd: string, packageRoot: string): KmipKeyFile {
  const label = file ?? DEFAULT_KMIP_KEY_FILE;
  const { path, text } = findKeyFile(label, cwd, packageRoot);
  return { label, path, entries: parseKmipKeyFile(text, label) };
}

// How an entry maps to KMIP.

export const ALGORITHM_OF: Record<KmipKeyType, number> = {
  AES: CryptographicAlgorithm.AES,
  RSA: CryptographicAlgorithm.RSA,
  HMAC_SHA256: CryptographicAlgorithm.HMAC_SHA256,
  HMAC_SHA384: CryptographicAlgorithm.HMAC_SHA384,
  HMAC_SHA512: CryptographicAlgorithm.HMAC_SHA512,
};

export const USAGE_MASK_OF: Record<KmipUsage, number> = {
  encrypt: UsageMask.Encrypt | UsageMask.Decrypt,
  sign: UsageMask.Sign | UsageMask.Verify,
  mac: UsageMask.MacGenerate | UsageMask.MacVerify,
};

export const MODE_OF = { GCM: BlockCipherMode.GCM, CBC: BlockCipherMode.CBC } as const;
export const PADDING_OF = { PSS: PaddingMethod.PSS, PKCS1v15: PaddingMethod.PKCS1v15 } as const;
export const HASH_OF = { SHA256: HashingAlgorithm.SHA_256, SHA384: HashingAlgorithm.SHA_384, SHA512: HashingAlgorithm.SHA_512 } as const;
/** node:crypto's names of the hashes. */
export const NODE_HASH_OF = { SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' } as const;
