/**
 * What every key file shares, whatever its protocol: where it is found (as given, ./profiles, the
 * package's profiles/), how its text is read as a JSON object, and the checks of its named entries.
 * Every problem of a file is collected and reported at once, in one line prefixed by the file label
 * (k6's Validate() habit), each naming its key, so a user fixes the file in one go. A protocol's own
 * key file module checks only its own fields.
 */
import { readFileSync } from 'node:fs';
import { Problems, UsageError } from './errors.js';
import { lookUpFile } from './findFile.js';
import { isJsonObject, parseJson } from './jsonFile.js';

/** A value as messages show it: strings quoted, anything else as JSON. */
export const quote = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : (JSON.stringify(v) ?? String(v)));

export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

/**
 * Finds a key file: as given (relative to cwd), then in <cwd>/profiles, then in the package's own
 * profiles/, each also with ".json" appended when the name has no extension; returns its text.
 */
export function findKeyFile(nameOrPath: string, cwd: string, packageRoot: string): { path: string; text: string } {
  if (nameOrPath.trim() === '') throw new UsageError('key file: the name is empty');
  const names = /\.[A-Za-z0-9]+$/.test(nameOrPath) ? [nameOrPath] : [nameOrPath, `${nameOrPath}.json`];
  const { path, looked } = lookUpFile(nameOrPath, cwd, { folder: 'profiles', root: packageRoot, names, filesOnly: true });
  if (path === undefined) throw new UsageError(`key file "${nameOrPath}" not found (looked in: ${looked.join(', ')})`);
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (err) {
    throw new UsageError(`${nameOrPath}: cannot be read: ${(err as Error).message}`);
  }
}

/**
 * The JSON object a key file's text holds, or a UsageError naming the file: not valid JSON, or not
 * an object (`must be <expected>`, followed by what it is when `sayWhatItIs`).
 */
export function keyFileObject(text: string, fileLabel: string, expected = 'a JSON object of named key entries', sayWhatItIs = true): Record<string, unknown> {
  const doc = parseJson(text, fileLabel, (why) => `not valid JSON: ${why.replace(/\s*\n\s*/g, ' ')}`);
  if (!isJsonObject(doc)) {
    const is = sayWhatItIs ? `, but is ${Array.isArray(doc) ? 'an array' : quote(doc)}` : '';
    throw new UsageError(`${fileLabel}: must be ${expected}${is}`);
  }
  return doc;
}

/** Which key uses which value of a field no two keys may share (an alias, a token label, a name). */
export class Owners {
  private readonly byValue = new Map<string, string>();
  constructor(private readonly field: string) {}

  /** Records that key `name` uses `value`: a problem when another key already does. */
  claim(value: string, name: string, problems: Problems): void {
    const other = this.byValue.get(value);
    if (other !== undefined) problems.add(`key "${name}": ${this.field} "${value}" is already used by key "${other}"`);
    this.byValue.set(value, name);
  }
}

/**
 * Checks one entry, an object, of a key file: adds its problems (prefixed by `at`, `key "<name>"`) and
 * returns the entry, or undefined when it cannot be made.
 */
export type EntryParser<E> = (name: string, o: Record<string, unknown>, at: string, problems: Problems) => E | undefined;

export interface EntriesOptions<E> {
  /** a field no two entries may share: checked on the entries without problems */
  unique?: { field: string; of: (entry: E) => string | undefined };
  /** the problem when there are no entries (default "defines no keys") */
  noKeys?: string;
}

/**
 * The named entries of a key file: each name checked, each entry an object given to `parse`; an
 * entry with any problem is left out. Problems go to `problems`.
 */
export function parseEntries<E>(keys: Record<string, unknown>, problems: Problems, parse: EntryParser<E>, options: EntriesOptions<E> = {}): Map<string, E> {
  const entries = new Map<string, E>();
  const owners = new Owners(options.unique?.field ?? '');
  for (const [name, raw] of Object.entries(keys)) {
    const at = `key "${name}"`;
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
      problems.add(`${at}: names may only use letters, digits, '_', '.' and '-'`);
      continue;
    }
    if (!isJsonObject(raw)) {
      problems.add(`${at}: must be an object, but is ${quote(raw)}`);
      continue;
    }
    const before = problems.list.length;
    const entry = parse(name, raw, at, problems);
    if (entry === undefined || problems.list.length > before) continue;
    const value = options.unique?.of(entry);
    if (value !== undefined) owners.claim(value, name, problems);
    entries.set(name, entry);
  }
  if (Object.keys(keys).length === 0) problems.add(options.noKeys ?? 'defines no keys');
  return entries;
}

/** A problem for each field of `o` that is not one of `known` (prefixed by `at`, when given). */
export function unknownFields(o: Record<string, unknown>, known: readonly string[], problems: Problems, at?: string): void {
  const prefix = at === undefined ? '' : `${at}: `;
  for (const f of Object.keys(o)) if (!known.includes(f)) problems.add(`${prefix}unknown field "${f}" (known: ${known.join(', ')})`);
}

/** `o[field]` when it is one of `values`; else the problem `<at>: <field> must be one of ...` and undefined. */
export function oneOf<T extends string>(o: Record<string, unknown>, field: string, values: readonly T[], at: string, problems: Problems): T | undefined {
  const value = o[field];
  if (isOneOf(values, value)) return value;
  problems.add(`${at}: ${field} must be one of ${values.join(', ')}, but is ${quote(value)}`);
  return undefined;
}

/** The entry called `name`, or a one-line error that lists the names the file knows. */
export function resolveKey<E>(entries: Map<string, E>, name: string, fileLabel: string): E {
  const entry = entries.get(name);
  if (entry === undefined) {
    throw new UsageError(`${fileLabel}: no key named ${quote(name)} (known keys: ${[...entries.keys()].join(', ')})`);
  }
  return entry;
}
