import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { Problems, UsageError } from '../../core/errors.js';
import {
  algorithmsFor,
  ENCRYPTION_ALGORITHMS,
  HASH_NAMES,
  isOneOf,
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

const FIELDS = [
  'alias',
  'keyId',
  'keySpec',
  'keyUsage',
  'signingAlgorithm',
  'encryptionAlgorithm',
  'macAlgorithm',
  'sha',
  'description',
] as const;

// AWS's own constraints (CreateAlias AliasName, and key ids as DescribeKey accepts them).
const ALIAS_PATTERN = /^alias\/[a-zA-Z0-9/_-]+$/;
const KEY_ID_PATTERN =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+)$/;

/** What a CUT passes as KeyId for this entry. */
export function keyRef(entry: KeyEntry): string {
  return entry.keyId ?? (entry.alias as string);
}

const quote = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v));

/**
 * Parses and checks a key file. Every problem of every entry is reported at once, in one line
 * prefixed by the file label (k6's Validate() habit), so a user fixes the file in one go.
 */
export function parseKeyFile(text: string, fileLabel: string): Map<string, KeyEntry> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${fileLabel}: not valid JSON: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new UsageError(`${fileLabel}: must be a JSON object of named key entries, but is ${Array.isArray(doc) ? 'an array' : quote(doc)}`);
  }
  const problems = new Problems();
  const entries = new Map<string, KeyEntry>();
  const aliases = new Map<string, string>();
  for (const [name, raw] of Object.entries(doc as Record<string, unknown>)) {
    const entry = parseEntry(name, raw, problems);
    if (entry === undefined) continue;
    if (entry.alias !== undefined) {
      const other = aliases.get(entry.alias);
      if (other !== undefined) problems.add(`key "${name}": alias "${entry.alias}" is already used by key "${other}"`);
      aliases.set(entry.alias, name);
    }
    entries.set(name, entry);
  }
  if (Object.keys(doc).length === 0) problems.add('defines no keys');
  problems.throwIfAny(`${fileLabel}: `);
  return entries;
}

function parseEntry(name: string, raw: unknown, problems: Problems): KeyEntry | undefined {
  const at = `key "${name}"`;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    problems.add(`${at}: names may only use letters, digits, '_', '.' and '-'`);
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.add(`${at}: must be an object, but is ${quote(raw)}`);
    return undefined;
  }
  const o = raw as Record<string, unknown>;
  const before = problems.list.length;
  for (const field of Object.keys(o)) {
    if (!(FIELDS as readonly string[]).includes(field)) problems.add(`${at}: unknown field "${field}" (known: ${FIELDS.join(', ')})`);
  }
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
  if (!isOneOf(KEY_SPECS, o.keySpec)) {
    problems.add(`${at}: keySpec must be one of ${KEY_SPECS.join(', ')}, but is ${quote(o.keySpec)}`);
    return undefined;
  }
  const keySpec = o.keySpec;
  const info = SPEC_INFO[keySpec];
  let keyUsage: KeyUsage;
  if (o.keyUsage === undefined) {
    // Only RSA keys have a choice of usage: the other specs default to their single one.
    if (info.usages.length > 1) {
      problems.add(`${at}: keyUsage is required for ${keySpec} (one of ${info.usages.join(', ')})`);
      return undefined;
    }
    keyUsage = info.usages[0] as KeyUsage;
  } else if (!isOneOf(KEY_USAGES, o.keyUsage)) {
    problems.add(`${at}: keyUsage must be one of ${KEY_USAGES.join(', ')}, but is ${quote(o.keyUsage)}`);
    return undefined;
  } else if (!info.usages.includes(o.keyUsage)) {
    problems.add(`${at}: keyUsage must be ${info.usages.join(' or ')} for keySpec ${keySpec}, but is ${quote(o.keyUsage)}`);
    return undefined;
  } else {
    keyUsage = o.keyUsage;
  }

  const algs = algorithmsFor(keySpec, keyUsage);
  const signingAlgorithm = pickAlgorithm(o, 'signingAlgorithm', SIGNING_ALGORITHMS, algs.signing, keySpec, keyUsage, at, problems);
  const encryptionAlgorithm = pickAlgorithm(o, 'encryptionAlgorithm', ENCRYPTION_ALGORITHMS, algs.encryption, keySpec, keyUsage, at, problems);
  const macAlgorithm = pickAlgorithm(o, 'macAlgorithm', MAC_ALGORITHMS, algs.mac, keySpec, keyUsage, at, problems);

  let sha: HashName | undefined;
  if (o.sha !== undefined) {
    if (!isOneOf(HASH_NAMES, o.sha)) {
      problems.add(`${at}: sha must be one of ${HASH_NAMES.join(', ')}, but is ${quote(o.sha)}`);
    } else {
      sha = o.sha;
      // KMS refuses a DIGEST whose length is not the algorithm's: catch the mismatch before a run.
      if (signingAlgorithm !== undefined && signingHash(signingAlgorithm) !== sha) {
        problems.add(`${at}: sha must be ${signingHash(signingAlgorithm)} for signingAlgorithm ${signingAlgorithm}, but is ${quote(sha)}`);
      }
    }
  }
  if (problems.list.length > before) return undefined;

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
  const value = o[field];
  if (value === undefined) return undefined;
  if (!isOneOf(known, value)) {
    problems.add(`${at}: ${field} must be one of ${known.join(', ')}, but is ${quote(value)}`);
  } else if (allowed.length === 0) {
    problems.add(`${at}: ${field} does not apply to a ${keySpec} ${keyUsage} key`);
  } else if (!allowed.includes(value)) {
    problems.add(`${at}: ${field} must be ${allowed.join(' or ')} for a ${keySpec} ${keyUsage} key, but is ${quote(value)}`);
  } else {
    return value;
  }
  return undefined;
}

/**
 * Finds a key file: as given (relative to cwd), then in <cwd>/profiles, then in the package's own
 * profiles/, each also with ".json" appended when the name has no extension. Shared by every kind of
 * key file (KMS here, PKCS#11 in src/pkcs11/keyfile.ts).
 */
export function findKeyFile(nameOrPath: string, cwd: string, packageRoot: string): { path: string; text: string } {
  if (nameOrPath.trim() === '') throw new UsageError('key file: the name is empty');
  const names = /\.[A-Za-z0-9]+$/.test(nameOrPath) ? [nameOrPath] : [nameOrPath, `${nameOrPath}.json`];
  const candidates: string[] = [];
  for (const name of names) {
    candidates.push(resolve(cwd, name));
    if (!isAbsolute(name)) candidates.push(join(cwd, 'profiles', name), join(packageRoot, 'profiles', name));
  }
  const path = [...new Set(candidates)].find((p) => existsSync(p) && statSync(p).isFile());
  if (path === undefined) {
    throw new UsageError(`key file "${nameOrPath}" not found (looked in: ${[...new Set(candidates)].join(', ')})`);
  }
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (err) {
    throw new UsageError(`${nameOrPath}: cannot be read: ${(err as Error).message}`);
  }
}

/** Finds and parses a KMS key file (see findKeyFile for where it is looked for). */
export function loadKeyFile(nameOrPath: string, cwd: string, packageRoot: string): { path: string; entries: Map<string, KeyEntry> } {
  const { path, text } = findKeyFile(nameOrPath, cwd, packageRoot);
  return { path, entries: parseKeyFile(text, nameOrPath) };
}

/** The entry called `name`, or a one-line error that lists the names the file knows. */
export function resolveKey<E>(entries: Map<string, E>, name: string, fileLabel: string): E {
  const entry = entries.get(name);
  if (entry === undefined) {
    throw new UsageError(`${fileLabel}: no key named ${quote(name)} (known keys: ${[...entries.keys()].join(', ')})`);
  }
  return entry;
}
