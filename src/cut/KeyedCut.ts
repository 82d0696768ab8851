/**
 * The skeleton every keyed CUT base shares (KmsCut, Pkcs11Cut, KmipCut, VaultCut, GcpCut, AzureCut),
 * written once and instantiated by each protocol with its key-file reader and its own checks
 * (docs/writing-a-cut.md, "A CUT base of your own"): the --extra members a CUT declares, with their
 * descriptions (`static extraKeys`: refused when unknown, listed by `pylogen <cut> --help`); the
 * members that must be non-empty strings; the protocol's endpoint and other checks; then the key file
 * and the key; then the CUT's own limits. Every problem is one line, so a run with any is exit 2 and
 * nothing is forked.
 */
import { describeError, UsageError } from '../core/errors.js';
import { resolveKey } from '../core/keyFile.js';
import { unknownExtraKeys, type CutPlanView } from './ClassUnderTest.js';

/** The --extra keys of a CUT: each key with one line saying what it is and its default. */
export type ExtraKeys = Readonly<Record<string, string>>;

/** What a protocol gives the skeleton to check one line of a keyed CUT. */
export interface KeyedChecks<E> {
  /** the --extra members the CUT takes (its `static extraKeys`) */
  declared: ExtraKeys | undefined;
  /** the members that, when given, must be non-empty strings */
  strings: readonly string[];
  /** the protocol's checks that need no key (endpoint, TLS files, batch size): problems, one line each */
  basics?(): string[];
  /** the key file's entry the CUT uses (undefined: a keyless CUT); throws a one-line error */
  key(): E | undefined;
  /** the checks that need the key (the protocol's, then the CUT's own): problems, one line each */
  withKey?(key: E | undefined): string[];
}

/**
 * The problems of one line of a keyed CUT, in the order a user fixes them: --extra members, the
 * protocol's basics; when these pass, the key, then what needs the key (a key problem is the one to
 * fix first: the checks after it would only repeat it).
 */
export function validateKeyed<E>(plan: CutPlanView, c: KeyedChecks<E>): string[] {
  const extra = plan.extra;
  const problems = unknownExtraKeys(extra, c.declared);
  for (const m of c.strings) {
    if (extra[m] !== undefined && (typeof extra[m] !== 'string' || extra[m] === ''))
      problems.push(`--extra: "${m}" must be a non-empty string, but is ${JSON.stringify(extra[m])}`);
  }
  if (c.basics !== undefined) problems.push(...c.basics());
  if (problems.length > 0) return problems;
  try {
    const key = c.key();
    return c.withKey?.(key) ?? [];
  } catch (err) {
    return [(err as Error).message];
  }
}

/** A loaded key file as the skeleton reads it: the label messages show, and its named entries. */
export interface NamedEntries<E> {
  label: string;
  entries: Map<string, E>;
}

/**
 * The entry `name` of a key file, or a UsageError naming the file and the keys it knows; `mismatch`
 * says why an entry does not fit the CUT ("is AES-256, but this CUT needs an RSA key"), or undefined.
 * `member` is the --extra member that named it.
 */
export function pickEntry<E>(file: NamedEntries<E>, name: string, mismatch?: (entry: E) => string | undefined, member = 'key'): E {
  const entry = resolveKey(file.entries, name, `--extra "${member}": ${file.label}`);
  const why = mismatch?.(entry);
  if (why !== undefined) throw new UsageError(`--extra "${member}": key "${name}" of ${file.label} ${why}`);
  return entry;
}

/** "a" or "an" before a key kind as it is read aloud ("an AES", "an RSA", "an HMAC", "a SYMMETRIC"). */
export const article = (word: string): string => (/^(?:[AEIOU]|HMAC|RSA)/i.test(word) ? 'an' : 'a');

/** A call that a CUT's setup() needs failed: the runner cannot prepare. Each protocol names its own. */
export class CutSetupError extends Error {}

/** The setup error class of a protocol, named for its summaries and logs (`KmsSetupError`). */
export function setupErrorClass(name: string): typeof CutSetupError {
  return class extends CutSetupError {
    override name = name;
  };
}

/**
 * Runs a call that setup() needs: its failure fails the runner with what was asked (`what`, e.g.
 * `GetPublicKey with key "rsa2048"`), where (`where`), and why.
 */
export async function prepareCall<T>(Failure: typeof CutSetupError, what: string, where: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new Failure(`setup: ${what} at ${where} failed: ${describeError(err)}`);
  }
}
