/**
 * The PKCS#11 key file (profiles/Pkcs11Default.json): which module, which token, and named keys by
 * their CKA_LABEL and kind. Found like a KMS key file (findKeyFile: as given, ./profiles, the
 * package's profiles/), checked the same way: every problem at once, one line, naming the file and
 * the key.
 *
 *   { "module": "/usr/lib/softhsm/libsofthsm2.so", "token": "pylogen",
 *     "keys": { "ecc256": { "label": "pylogen-ecc256", "type": "EC", "curve": "P-256" }, ... } }
 */
import { Problems } from '../core/errors.js';
import { findKeyFile, isOneOf, keyFileObject, oneOf, parseEntries, quote, unknownFields } from '../core/keyFile.js';
import { isJsonObject } from '../core/jsonFile.js';

export const KEY_TYPES = ['AES', 'EC', 'RSA', 'HMAC'] as const;
export type Pkcs11KeyType = (typeof KEY_TYPES)[number];
export const CURVES = ['P-256', 'P-384', 'P-521'] as const;
export type Curve = (typeof CURVES)[number];
export const HASHES = ['sha256', 'sha384', 'sha512'] as const;
export type Pkcs11Hash = (typeof HASHES)[number];
export const PADDINGS = ['PKCS1', 'PSS'] as const;
export type Padding = (typeof PADDINGS)[number];
/** What a key is for: AES keys encrypt or wrap; EC and RSA keys sign; HMAC keys make MACs. */
export const USAGES = ['encrypt', 'wrap', 'sign', 'mac'] as const;
export type Pkcs11Usage = (typeof USAGES)[number];

export interface Pkcs11KeyEntry {
  name: string;
  /** CKA_LABEL on the token: what a CUT finds the key by, and what `pkcs11 setup` creates */
  label: string;
  type: Pkcs11KeyType;
  usage: Pkcs11Usage;
  /** bits: AES 128/192/256, RSA 2048/3072/4096, HMAC 128..512 */
  size?: number;
  curve?: Curve;
  /** the digest signed (EC, RSA: computed locally, the token signs the digest) or the HMAC's */
  hash: Pkcs11Hash;
  /** RSA signatures: PKCS#1 v1.5 or PSS (MGF1 with the same hash, salt as long as the digest) */
  padding?: Padding;
}

export interface Pkcs11KeyFile {
  /** the name as given (what messages show) */
  label: string;
  path: string;
  /** the PKCS#11 module (shared library) path */
  module: string;
  /** the token label */
  token: string;
  entries: Map<string, Pkcs11KeyEntry>;
}

export const DEFAULT_PKCS11_KEY_FILE = 'Pkcs11Default.json';

const FILE_FIELDS = ['module', 'token', 'keys'];
const KEY_FIELDS = ['label', 'type', 'usage', 'size', 'curve', 'hash', 'padding'];
const SIZES: Record<Exclude<Pkcs11KeyType, 'EC'>, readonly number[]> = {
  AES: [128, 192, 256],
  RSA: [2048, 3072, 4096],
  HMAC: [128, 160, 192, 224, 256, 384, 512],
};
const DEFAULT_SIZE: Record<Exclude<Pkcs11KeyType, 'EC'>, number> = { AES: 256, RSA: 2048, HMAC: 256 };
const CURVE_HASH: Record<Curve, Pkcs11Hash> = { 'P-256': 'sha256', 'P-384': 'sha384', 'P-521': 'sha512' };
/** CKA_LABEL is a UTF-8 string; token labels are 32 bytes, blank-padded. */
const MAX_TOKEN_LABEL = 32;

/** Parses and checks a PKCS#11 key file; every problem at once, in one line. */
export function parsePkcs11KeyFile(text: string, fileLabel: string, path = fileLabel): Pkcs11KeyFile {
  const o = keyFileObject(text, fileLabel, 'a JSON object {"module": ..., "token": ..., "keys": {...}}');
  const problems = new Problems();
  unknownFields(o, FILE_FIELDS, problems);
  for (const f of ['module', 'token'] as const) {
    if (typeof o[f] !== 'string' || (o[f] as string).trim() === '') problems.add(`"${f}" must be a non-empty string, but is ${quote(o[f])}`);
  }
  if (typeof o.token === 'string' && Buffer.byteLength(o.token) > MAX_TOKEN_LABEL)
    problems.add(`"token": a token label has at most ${MAX_TOKEN_LABEL} bytes, but ${quote(o.token)} has ${Buffer.byteLength(o.token)}`);
  let entries = new Map<string, Pkcs11KeyEntry>();
  if (!isJsonObject(o.keys)) {
    problems.add(`"keys" must be an object of named key entries, but is ${quote(o.keys)}`);
  } else {
    entries = parseEntries(o.keys, problems, parseEntry, { unique: { field: 'label', of: (e) => e.label }, noKeys: '"keys" defines no keys' });
  }
  problems.throwIfAny(`${fileLabel}: `);
  return { label: fileLabel, path, module: o.module as string, token: o.token as string, entries };
}

function parseEntry(name: string, o: Record<string, unknown>, at: string, problems: Problems): Pkcs11KeyEntry | undefined {
  unknownFields(o, KEY_FIELDS, problems, at);
  if (typeof o.label !== 'string' || o.label === '') problems.add(`${at}: label must be a non-empty string (the key's CKA_LABEL), but is ${quote(o.label)}`);
  const type = oneOf(o, 'type', KEY_TYPES, at, problems);
  if (type === undefined) return undefined;
  const usages: readonly Pkcs11Usage[] = type === 'AES' ? ['encrypt', 'wrap'] : type === 'HMAC' ? ['mac'] : ['sign'];
  let usage = usages[0]!;
  if (o.usage !== undefined) {
    if (!isOneOf(usages, o.usage)) problems.add(`${at}: usage must be ${usages.join(' or ')} for a ${type} key, but is ${quote(o.usage)}`);
    else usage = o.usage;
  }
  const entry: Pkcs11KeyEntry = { name, label: o.label as string, type, usage, hash: 'sha256' };
  if (type === 'EC') {
    if (o.size !== undefined) problems.add(`${at}: size does not apply to an EC key (give its curve)`);
    const curve = oneOf(o, 'curve', CURVES, at, problems);
    if (curve !== undefined) entry.curve = curve;
  } else {
    if (o.curve !== undefined) problems.add(`${at}: curve applies to EC keys only`);
    if (o.size === undefined) entry.size = DEFAULT_SIZE[type];
    else if (typeof o.size !== 'number' || !SIZES[type].includes(o.size))
      problems.add(`${at}: size must be one of ${SIZES[type].join(', ')} bits for a ${type} key, but is ${quote(o.size)}`);
    else entry.size = o.size;
  }
  if (o.hash !== undefined) {
    if (type === 'AES') problems.add(`${at}: hash does not apply to an AES key`);
    else entry.hash = oneOf(o, 'hash', HASHES, at, problems) ?? entry.hash;
  } else if (entry.curve !== undefined) {
    entry.hash = CURVE_HASH[entry.curve];
  }
  if (o.padding !== undefined) {
    if (type !== 'RSA') problems.add(`${at}: padding applies to RSA keys only`);
    else if (!isOneOf(PADDINGS, o.padding)) problems.add(`${at}: padding must be ${PADDINGS.join(' or ')}, but is ${quote(o.padding)}`);
    else entry.padding = o.padding;
  } else if (type === 'RSA') {
    entry.padding = 'PKCS1';
  }
  return entry;
}

/** Finds and parses a PKCS#11 key file (where: as a KMS key file, see findKeyFile). */
export function loadPkcs11KeyFile(nameOrPath: string, cwd: string, packageRoot: string): Pkcs11KeyFile {
  const { path, text } = findKeyFile(nameOrPath, cwd, packageRoot);
  return parsePkcs11KeyFile(text, nameOrPath, path);
}

/** How a key is described in messages: `EC P-256 sign`, `AES-256 encrypt`. */
export function describePkcs11Key(e: Pkcs11KeyEntry): string {
  const kind = e.type === 'EC' ? `EC ${e.curve}` : e.type === 'RSA' ? `RSA-${e.size} ${e.padding}` : `${e.type}-${e.size}`;
  return `${kind} ${e.usage}`;
}
