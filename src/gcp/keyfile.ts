/**
 * The Cloud KMS key file (profiles/GcpDefault.json): where the keys live (project, location, key
 * ring) and named entries, each a CryptoKey with its algorithm (which gives its purpose) and
 * protection level, used at a version (default 1). `gcp setup` creates what is missing; a CloudKms
 * CUT names an entry with --extra "key". Looked up like every key file (core/keyFile.ts: as given,
 * then ./profiles, then the package's profiles/); every problem of a file reported at once, one line.
 *
 *   { "project": "my-project", "location": "us-east1", "keyRing": "pylogen",
 *     "keys": { "symmetric": { "cryptoKey": "pylogen-symmetric", "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION" } } }
 */
import { Problems } from '../core/errors.js';
import { findKeyFile, isOneOf, keyFileObject, oneOf, Owners, parseEntries, quote, unknownFields } from '../core/keyFile.js';
import { ALGORITHM_INFO, GCP_ALGORITHMS, PROTECTION_LEVELS, type GcpAlgorithm, type GcpPurpose, type ProtectionLevel } from './algorithms.js';

export const DEFAULT_GCP_KEY_FILE = 'GcpDefault.json';

export interface GcpKeyEntry {
  name: string;
  /** the CryptoKey id in the key ring */
  cryptoKey: string;
  algorithm: GcpAlgorithm;
  purpose: GcpPurpose;
  protectionLevel: ProtectionLevel;
  /** the CryptoKeyVersion the version-level calls use (RawEncrypt, AsymmetricSign, MacSign, ...) */
  version: number;
}

export interface GcpKeyFile {
  label: string;
  path: string;
  project: string;
  location: string;
  keyRing: string;
  entries: Map<string, GcpKeyEntry>;
}

/** Cloud KMS ids: letters, digits, '_' and '-', 1 to 63 characters. */
const ID = /^[a-zA-Z0-9_-]{1,63}$/;
const TOP = ['project', 'location', 'keyRing', 'keys'];
const FIELDS = ['cryptoKey', 'algorithm', 'protectionLevel', 'version'];

export function parseGcpKeyFile(text: string, label: string, path = label): GcpKeyFile {
  const doc = keyFileObject(text, label, 'a JSON object with project, location, keyRing and keys', false);
  const problems = new Problems();
  unknownFields(doc, TOP, problems);
  const at = (f: string): string => {
    const v = doc[f];
    if (typeof v !== 'string' || v === '' || /[/\s]/.test(v)) {
      problems.add(`${f} must be a non-empty string without '/' or spaces, but is ${quote(v)}`);
      return '';
    }
    return v;
  };
  const project = at('project');
  const location = at('location');
  const keyRing = at('keyRing');
  if (keyRing !== '' && !ID.test(keyRing)) problems.add(`keyRing "${keyRing}": a key ring id is 1-63 letters, digits, '_' or '-'`);
  let entries = new Map<string, GcpKeyEntry>();
  if (typeof doc.keys !== 'object' || doc.keys === null || Array.isArray(doc.keys))
    problems.add(`keys must be an object of named key entries, but is ${quote(doc.keys)}`);
  else {
    const ids = new Owners('cryptoKey');
    entries = parseEntries(doc.keys as Record<string, unknown>, problems, (name, o, where) => parseEntry(name, o, where, problems, ids));
  }
  problems.throwIfAny(`${label}: `);
  return { label, path, project, location, keyRing, entries };
}

function parseEntry(name: string, o: Record<string, unknown>, at: string, problems: Problems, ids: Owners): GcpKeyEntry | undefined {
  unknownFields(o, FIELDS, problems, at);
  const cryptoKey = o.cryptoKey;
  if (typeof cryptoKey !== 'string' || !ID.test(cryptoKey))
    problems.add(`${at}: cryptoKey must be a CryptoKey id (1-63 letters, digits, '_' or '-'), but is ${quote(cryptoKey)}`);
  else ids.claim(cryptoKey, name, problems);
  const algorithm = oneOf(o, 'algorithm', GCP_ALGORITHMS, at, problems);
  const protectionLevel = o.protectionLevel === undefined ? 'SOFTWARE' : oneOf(o, 'protectionLevel', PROTECTION_LEVELS, at, problems);
  const version = o.version ?? 1;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    problems.add(`${at}: version must be a CryptoKeyVersion number (1, 2, ...), but is ${quote(o.version)}`);
  if (algorithm === undefined || protectionLevel === undefined || typeof cryptoKey !== 'string' || !isOneOf(PROTECTION_LEVELS, protectionLevel))
    return undefined;
  return { name, cryptoKey, algorithm, purpose: ALGORITHM_INFO[algorithm].purpose, protectionLevel, version: version as number };
}

export function loadGcpKeyFile(file: string | undefined, cwd: string, packageRoot: string): GcpKeyFile {
  const label = file ?? DEFAULT_GCP_KEY_FILE;
  const { path, text } = findKeyFile(label, cwd, packageRoot);
  return parseGcpKeyFile(text, label, path);
}

/** Resource names of a key file's parts. */
export const locationName = (f: Pick<GcpKeyFile, 'project' | 'location'>): string => `projects/${f.project}/locations/${f.location}`;
export const keyRingName = (f: Pick<GcpKeyFile, 'project' | 'location' | 'keyRing'>): string => `${locationName(f)}/keyRings/${f.keyRing}`;
export const cryptoKeyName = (f: Pick<GcpKeyFile, 'project' | 'location' | 'keyRing'>, e: Pick<GcpKeyEntry, 'cryptoKey'>): string =>
  `${keyRingName(f)}/cryptoKeys/${e.cryptoKey}`;
export const versionName = (f: Pick<GcpKeyFile, 'project' | 'location' | 'keyRing'>, e: Pick<GcpKeyEntry, 'cryptoKey' | 'version'>): string =>
  `${cryptoKeyName(f, e)}/cryptoKeyVersions/${e.version}`;
