import { Problems } from '../../core/errors.js';
import { findKeyFile, keyFileObject, oneOf, parseEntries, quote, unknownFields } from '../../core/keyFile.js';
import {
  algorithmsFor,
  ENCRYPTION_ALGORITHMS,
  HASH_NAMES,
  KEY_SPECS,
  KEY_USAGES,
  MAC_ALGORITHMS,
  SIGNING_ALGORITHMS,
  signingHash,
  SPEC_INFO,
  type EncryptionAlgorithm,
  type HashName,
  type KeySpec,
  type KeyUsage,
  type MacAlgorithm,
  type SigningAlgorithm,
} from './specs.js';

/**
 * One named key of a key file (profiles/KmsDefault.json), as PYLOGEN's `--extra '{"key": ...}'`
 * picks it. A CUT addresses the key by `keyId` when given, else by `alias`.
 */
export interface KeyEntry {
  name: string;
  alias?: string;
  /** A fixed key id or key ARN: `kms setup` only checks that it exists. */
  keyId?: string;
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  signingAlgorithm?: SigningAlgorithm;
  encryptionAlgorithm?: EncryptionAlgorithm;
  macAlgorithm?: MacAlgorithm;
  /** The node:crypto digest a CUT computes locally before a DIGEST Sign (PYLOGEN's `sha`). */
  sha?: HashName;
  description?: string;
}

const FIELDS = ['alias', 'keyId', 'keySpec', 'keyUsage', 'signingAlgorithm', 'encryptionAlgorithm', 'macAlgorithm', 'sha', 'description'] as const;

// AWS's own constraints (CreateAlias AliasName, and key ids as DescribeKey accepts them).
const ALIAS_PATTERN = /^alias\/[a-zA-Z0-9/_-]+$/;
const KEY_ID_PATTERN =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+)$/;

/** What a CUT passes as KeyId for this entry. */
export function keyRef(entry: KeyEntry): string {
  return entry.keyId ?? (entry.alias as string);
}

/** The key file the KMS CUTs read when --extra names none (PYLOGEN's `--extra '{"file": ...}'`). */
export const DEFAULT_KEY_FILE = 'KmsDefault.json';

/**
 * Parses and checks a key file. Every problem of every entry is reported at once, in one line
 * prefixed by the file label (k6's Validate() habit), so a user fixes the file in one go.
 */
export function parseKeyFile(text: string, fileLabel: string): Map<string, KeyEntry> {
  const doc = keyFileObject(text, fileLabel);
  const problems = new Problems();
  const entries = parseEntries(doc, problems, parseEntry, { unique: { field: 'alias', of: (e) => e.alias } });
  problems.throwIfAny(`${fileLabel}: `);
  return entries;
}

function parseEntry(name: string, o: Record<string, unknown>, at: string, problems: Problems): KeyEntry | undefined {
  unknownFields(o, FIELDS, problems, at);
  for (const field of ['alias', 'keyId', 'description'] as const) {
    if (o[field] !== undefined && typeof o[field] !== 'string') problems.add(`${at}: ${field} must be a string, but is ${quote(o[field])}`);
  }
  const alias = typeof o.alias === 'string' ? o.alias : undefined;
  const keyId = typeof o.keyId === 'string' ? o.keyId : undefined;
  if (alias === undefined && keyId === undefined) problems.add(`${at}: needs an alias or a keyId`);
  if (alias !== undefined && (!ALIAS_PATTERN.test(alias) || alias.length > 256)) {
    problems.add(`${at}: alias must look like "alias/name" (letters, digits, '/', '_', '-'), but is ${quote(alias)}`);
  } else if (alias?.startsWith('alias/aws/')) {
    problems.add(`${at}: alias must not start with "alias/aws/" (reserved for AWS managed keys), but is ${quote(alias)}`);
  }
  if (keyId !== undefined && !KEY_ID_PATTERN.test(keyId)) {
    problems.add(`${at}: keyId must be a key id (UUID or mrk-...) or a key ARN, but is ${quote(keyId)}`);
  }

  if (o.keySpec === undefined) {
    problems.add(`${at}: keySpec is required (one of ${KEY_SPECS.join(', ')})`);
    return undefined;
  }
  const keySpec = oneOf(o, 'keySpec', KEY_SPECS, at, problems);
  if (keySpec === undefined) return undefined;
  const info = SPEC_INFO[keySpec];
  let keyUsage: KeyUsage;
  if (o.keyUsage === undefined) {
    // Only RSA keys have a choice of usage: the other specs default to their single one.
    if (info.usages.length > 1) {
      problems.add(`${at}: keyUsage is required for ${keySpec} (one of ${info.usages.join(', ')})`);
      return undefined;
    }
    keyUsage = info.usages[0] as KeyUsage;
  } else {
    const given = oneOf(o, 'keyUsage', KEY_USAGES, at, problems);
    if (given === undefined) return undefined;
    if (!info.usages.includes(given)) {
      problems.add(`${at}: keyUsage must be ${info.usages.join(' or ')} for keySpec ${keySpec}, but is ${quote(given)}`);
      return undefined;
    }
    keyUsage = given;
  }

  const algs = algorithmsFor(keySpec, keyUsage);
  const signingAlgorithm = pickAlgorithm(o, 'signingAlgorithm', SIGNING_ALGORITHMS, algs.signing, keySpec, keyUsage, at, problems);
  const encryptionAlgorithm = pickAlgorithm(o, 'encryptionAlgorithm', ENCRYPTION_ALGORITHMS, algs.encryption, keySpec, keyUsage, at, problems);
  const macAlgorithm = pickAlgorithm(o, 'macAlgorithm', MAC_ALGORITHMS, algs.mac, keySpec, keyUsage, at, problems);

  let sha: HashName | undefined;
  if (o.sha !== undefined) {
    sha = oneOf(o, 'sha', HASH_NAMES, at, problems);
    // KMS refuses a DIGEST whose length is not the algorithm's: catch the mismatch before a run.
    if (sha !== undefined && signingAlgorithm !== undefined && signingHash(signingAlgorithm) !== sha) {
      problems.add(`${at}: sha must be ${signingHash(signingAlgorithm)} for signingAlgorithm ${signingAlgorithm}, but is ${quote(sha)}`);
    }
  }

  const entry: KeyEntry = { name, keySpec, keyUsage };
  if (alias !== undefined) entry.alias = alias;
  if (keyId !== undefined) entry.keyId = keyId;
  if (signingAlgorithm !== undefined) entry.signingAlgorithm = signingAlgorithm;
  if (encryptionAlgorithm !== undefined) entry.encryptionAlgorithm = encryptionAlgorithm;
  if (macAlgorithm !== undefined) entry.macAlgorithm = macAlgorithm;
  if (sha !== undefined) entry.sha = sha;
  if (typeof o.description === 'string') entry.description = o.description;
  return entry;
}

function pickAlgorithm<T extends string>(
  o: Record<string, unknown>,
  field: string,
  known: readonly T[],
  allowed: readonly T[],
  keySpec: KeySpec,
  keyUsage: KeyUsage,
  at: string,
  problems: Problems,
): T | undefined {
  if (o[field] === undefined) return undefined;
  const value = oneOf(o, field, known, at, problems);
  if (value === undefined) return undefined;
  if (allowed.length === 0) {
    problems.add(`${at}: ${field} does not apply to a ${keySpec} ${keyUsage} key`);
    return undefined;
  }
  if (!allowed.includes(value)) {
    problems.add(`${at}: ${field} must be ${allowed.join(' or ')} for a ${keySpec} ${keyUsage} key, but is ${quote(value)}`);
    return undefined;
  }
  return value;
}

/** Finds and parses a KMS key file (see findKeyFile for where it is looked for). */
export function loadKeyFile(nameOrPath: string, cwd: string, packageRoot: string): { path: string; entries: Map<string, KeyEntry> } {
  const { path, text } = findKeyFile(nameOrPath, cwd, packageRoot);
  return { path, entries: parseKeyFile(text, nameOrPath) };
}

/** The entry called `name` of a key file (shared by every kind of key file). */
export { resolveKey } from '../../core/keyFile.js';
