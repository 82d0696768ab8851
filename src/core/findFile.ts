/**
 * Where a file named on the command line is looked for: as given (relative to the working
 * directory), then in <cwd>/<folder>, then in the package's own <folder>/ (profiles/ for profiles and
 * key files, scenarios/ for scenario files). Each caller words its own error from what was looked at.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { packageRoot } from './paths.js';

export interface FileLookup {
  /** the first place that exists (and is a file, with `filesOnly`), or undefined */
  path: string | undefined;
  /** every place looked in, in order, each once */
  looked: string[];
}

export interface LookupOptions {
  /** the folder looked in under cwd and under `root` */
  folder: string;
  /** the package root (default: this package's) */
  root?: string;
  /** the names tried, in order (default: the name given); an absolute name is looked at only as is */
  names?: readonly string[];
  /** skip places that exist but are not files (folders) */
  filesOnly?: boolean;
}

export function lookUpFile(given: string, cwd: string, options: LookupOptions): FileLookup {
  const { folder, root = packageRoot, names = [given], filesOnly = false } = options;
  const candidates: string[] = [];
  for (const name of names) {
    if (isAbsolute(name)) candidates.push(name);
    else candidates.push(resolve(cwd, name), join(cwd, folder, name), join(root, folder, name));
  }
  const looked = [...new Set(candidates)];
  const path = looked.find((p) => existsSync(p) && (!filesOnly || statSync(p).isFile()));
  return { path, looked };
}
