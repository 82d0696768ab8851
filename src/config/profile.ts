/**
 * Profiles (--defaults FILE): a JSON object of option values with the flags' names, looked up as
 * given, then in ./profiles, then in the package's profiles/. Precedence: built-in < profile <
 * command line. Problems name the file and the key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';

/**
 * The path of a file given as-is, else in <cwd>/<folder>, else in the package's <folder>/ (profiles/
 * for profiles, scenarios/ for scenario files).
 */
export function findProfileFile(given: string, cwd: string, what: string, folder = 'profiles'): string {
  const candidates = isAbsolute(given) ? [given] : [resolve(cwd, given), join(cwd, folder, given), join(packageRoot, folder, given)];
  for (const c of candidates) if (existsSync(c)) return c;
  // `--defaults smoke`: the file is smoke.json
  const json = extname(given) === '' ? candidates.find((c) => existsSync(`${c}.json`)) : undefined;
  const hint = json !== undefined ? ` (did you mean ${given}.json?)` : '';
  throw new UsageError(`${what} "${given}": no such file${hint} (looked in ${[...new Set(candidates)].join(', ')})`);
}

/** Reads a JSON object file; a UsageError names the file on any problem. */
export function readJsonObject(path: string, label: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${label}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${label}: not valid JSON (${(err as Error).message})`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`${label}: must be a JSON object of option values`);
  return v as Record<string, unknown>;
}
