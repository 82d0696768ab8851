/**
 * The Vault key file (profiles/VaultDefault.json): named entries, each a Transit key that `vault
 * setup` (and `--endpoint vault-local`) creates, and that a VaultTransit CUT uses by its Vault name
 * under its mount. Looked up like every key file (core/keyFile.ts: as given, ./profiles, the
 * package's profiles/); every problem of a file reported at once, one line.
 *
 *   { "aes256": { "name": "pylogen-aes256", "type": "aes256-gcm96" },
 *     "derived": { "name": "pylogen-derived", "type": "aes256-gcm96", "derived": true, "context": "cHlsb2dlbg==" },
 *     "rsa2048": { "name": "pylogen-rsa2048", "type": "rsa-2048", "signatureAlgorithm": "pkcs1v15", "hash": "sha2-256" } }
 */
import { Problems, UsageError } from '../core/errors.js';
import { findKeyFile, keyFileObject, oneOf, Owners, parseEntries, quote, resolveKey, unknownFields } from '../core/keyFile.js';
import { DEFAULT_MOUNT, HASHES, KEY_TYPES, keyFits, SIGNATURE_ALGORITHMS, usesOf, type KeyType, type KeyUse, type SignatureAlgorithm } from './model.js';

export const DEFAULT_VAULT_KEY_FILE = 'VaultDefault.json';

export interface VaultKeyEntry {
  /** the entry's name in the file */
  entry: string;
  /** the key's name in Vault (default: the entry's) */
  name: string;
  /** the Transit mount (default transit) */
  mount: string;
  type: KeyType;
  derived: boolean;
  exportable: boolean;
  /** base64 context of a derived key's requests */
  context?: string;
  /** sign / hmac: hash_algorithm (default sha2-256) */
  hash: string;
  /** RSA signing (default pss) */
  signatureAlgorithm: SignatureAlgorithm;
  /** ECDSA signatures: asn1 (default) or jws */
  marshaling: 'asn1' | 'jws';
}

export interface VaultKeyFile {
  label: string;
  path: string;
  entries: Map<string, VaultKeyEntry>;
}

const FIELDS = ['name', 'mount', 'type', 'derived', 'exportable', 'context', 'hash', 'signatureAlgorithm', 'marshaling'];

export function parseVaultKeyFile(text: string, label: string): Map<string, VaultKeyEntry> {
  const doc = keyFileObject(text, label, undefined, false);
  const problems = new Problems();
  const names = new Owners('mount/name');
  const entries = parseEntries(doc, problems, (entry, o, at) => {
    unknownFields(o, FIELDS, problems, at);
    const type = oneOf(o, 'type', KEY_TYPES, at, problems);
    const text = (field: string, fallback: string): string => {
      const v = o[field];
      if (v === undefined) return fallback;
      if (typeof v !== 'string' || !/^[A-Za-z0-9_.\-/]+$/.test(v) || v.startsWith('/') || v.endsWith('/')) {
        problems.add(`${at}: ${field} must be a name of letters, digits, '_', '.', '-' (and '/' inside a mount), but is ${quote(v)}`);
      }
      return String(v);
    };
    const flag = (field: string): boolean => {
      const v = o[field];
      if (v !== undefined && typeof v !== 'boolean') problems.add(`${at}: ${field} must be true or false, but is ${quote(v)}`);
      return v === true;
    };
    const name = text('name', entry);
    const mount = text('mount', DEFAULT_MOUNT);
    const derived = flag('derived');
    const exportable = flag('exportable');
    const hash = o.hash === undefined ? 'sha2-256' : oneOf(o, 'hash', Object.keys(HASHES), at, problems);
    const signatureAlgorithm = o.signatureAlgorithm === undefined ? 'pss' : oneOf(o, 'signatureAlgorithm', SIGNATURE_ALGORITHMS, at, problems);
    const marshaling = o.marshaling === undefined ? 'asn1' : oneOf(o, 'marshaling', ['asn1', 'jws'] as const, at, problems);
    let context: string | undefined;
    if (o.context !== undefined) {
      if (typeof o.context !== 'string' || o.context === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(o.context) || o.context.length % 4 !== 0) {
        problems.add(`${at}: context must be non-empty base64, but is ${quote(o.context)}`);
      } else context = o.context;
    }
    if (type === undefined || hash === undefined || signatureAlgorithm === undefined || marshaling === undefined) return undefined;
    if (derived && !usesOf(type).derivation) problems.add(`${at}: derived is only for aes*-gcm96, chacha20-poly1305 and ed25519 keys, but type is ${type}`);
    if (context !== undefined && !derived) problems.add(`${at}: context is for derived keys: add "derived": true or remove it`);
    if (marshaling === 'jws' && !type.startsWith('ecdsa-')) problems.add(`${at}: marshaling jws is only for ecdsa keys, but type is ${type}`);
    names.claim(`${mount}/${name}`, entry, problems);
    return { entry, name, mount, type, derived, exportable, ...(context === undefined ? {} : { context }), hash, signatureAlgorithm, marshaling };
  });
  problems.throwIfAny(`${label}: `);
  return entries;
}

/** Loads a Vault key file (UsageError: one line naming the file and every problem). */
export function loadVaultKeyFile(nameOrPath: string | undefined, cwd: string, packageRoot: string): VaultKeyFile {
  const label = nameOrPath ?? DEFAULT_VAULT_KEY_FILE;
  const { path, text } = findKeyFile(label, cwd, packageRoot);
  return { label, path, entries: parseVaultKeyFile(text, label) };
}

const USE_WORDS: Record<KeyUse, string> = {
  encrypt: 'an encryption key (aes128-gcm96, aes256-gcm96, chacha20-poly1305)',
  sign: 'a signing key (ecdsa-*, ed25519, rsa-*)',
  hmac: 'a key (any type has HMAC keys)',
};

/** The entry `name`, checked for what the CUT does with it (a UsageError naming the --extra member). */
export function pickVaultKey(file: VaultKeyFile, name: string, use: KeyUse): VaultKeyEntry {
  const entry = resolveKey(file.entries, name, `--extra "key": ${file.label}`);
  if (!keyFits(entry.type, use)) throw new UsageError(`--extra "key": key "${name}" of ${file.label} is ${entry.type}, but this CUT needs ${USE_WORDS[use]}`);
  return entry;
}
