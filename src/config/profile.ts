/**
 * Profiles (--defaults FILE): a JSON object of option values with the flags' names, looked up as
 * given, then in ./profiles, then in the package's profiles/. Precedence: built-in < profile <
 * command line. Problems name the file and the key.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { UsageError } from '../core/errors.js';
import { lookUpFile } from '../core/findFile.js';
import { isJsonObject, readJsonFile } from '../core/jsonFile.js';

/**
 * The path of a file given as-is, else in <cwd>/<folder>, else in the package's <folder>/ (profiles/
 * for profiles, scenarios/ for scenario files).
 */
export function findProfileFile(given: string, cwd: string, what: string, folder = 'profiles'): string {
  const { path, looked } = lookUpFile(given, cwd, { folder });
  if (path !== undefined) return path;
  // `--defaults smoke`: the file is smoke.json
  const hint = extname(given) === '' && looked.some((c) => existsSync(`${c}.json`)) ? ` (did you mean ${given}.json?)` : '';
  throw new UsageError(`${what} "${given}": no such file${hint} (looked in ${looked.join(', ')})`);
}

/** Reads a JSON object file; a UsageError names the file on any problem. */
export function readJsonObject(path: string, label: string): Record<string, unknown> {
  const v = readJsonFile(path, label);
  if (!isJsonObject(v)) throw new UsageError(`${label}: must be a JSON object of option values`);
  return v;
}
