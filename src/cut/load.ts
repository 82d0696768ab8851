/**
 * Finding and loading a CUT by name. A name is a plain identifier, `Name` or `cuts.Name`: nothing
 * outside a cuts/ folder can be loaded. ./cuts of the working directory is searched first, then the
 * package's own cuts/, for Name.ts, then Name.js (an ES module).
 */
import { existsSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../core/errors.js';
import { ClassUnderTest, type CutClass } from './ClassUnderTest.js';
import { packageRoot } from '../core/paths.js';
import { closest } from '../core/text/didYouMean.js';
import { cutDirs, listCuts } from './catalog.js';

const NAME = /^(?:cuts\.)?([A-Za-z_$][A-Za-z0-9_$]*)$/;

/** The class name of a CUT argument, or a UsageError. */
export function cutName(arg: string): string {
  const m = NAME.exec(arg);
  if (m === null) {
    throw new UsageError(
      `CUT "${arg}": a CUT is named by a plain identifier (Name or cuts.Name) of a file in a cuts/ folder, not a path`,
    );
  }
  return m[1]!;
}

/** Absolute path of the CUT's module file, or a UsageError listing where it was looked for. */
export function findCut(arg: string, cwd: string): { name: string; path: string } {
  const name = cutName(arg);
  const dirs = cutDirs(cwd);
  for (const dir of dirs) {
    for (const ext of ['.ts', '.js', '.mjs']) {
      const path = join(dir, name + ext);
      if (existsSync(path)) return { name, path };
    }
  }
  const near = closest(name, listCuts(cwd).map((c) => c.name));
  const hint = near === undefined ? '' : `did you mean ${arg.startsWith('cuts.') ? 'cuts.' : ''}${near}? `;
  throw new UsageError(`CUT "${arg}": no ${name}.ts or ${name}.js in ${dirs.join(' or ')} (${hint}pylogen list shows them all)`);
}

let hooksRegistered = false;

/** Installs the .ts / `pylogen` module hooks, once per process. */
export function registerCutHooks(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  register(pathToFileURL(join(packageRoot, 'dist/cut/hooks.js')), {
    data: {
      pylogenIndex: pathToFileURL(join(packageRoot, 'dist/index.js')).href,
      pylogenApi: pathToFileURL(join(packageRoot, 'dist/api/')).href,
      packageAnchor: pathToFileURL(join(packageRoot, 'package.json')).href,
    },
  });
}

/**
 * The JavaScript that `npm run build` made of a CUT of the package's own cuts/ (dist/cuts/Name.js),
 * when it is at least as new as its source: importing it needs neither the module hooks (a thread of
 * its own, ~13 MB a runner) nor the compiler (~14 MB), and it resolves `pylogen/...` through the
 * package's own exports. A CUT of ./cuts, or a shipped one edited since the build, goes through the hooks.
 */
export function compiledShipped(path: string): string | undefined {
  if (!path.endsWith('.ts') || dirname(path) !== join(packageRoot, 'cuts')) return undefined;
  const js = join(packageRoot, 'dist', 'cuts', `${basename(path, '.ts')}.js`);
  try {
    return statSync(js).mtimeMs >= statSync(path).mtimeMs ? js : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Imports the CUT module and returns its class: the export named like the file, else the default
 * export, else the only exported ClassUnderTest subclass. Problems are UsageErrors naming the file.
 */
export async function loadCut(name: string, path: string): Promise<CutClass> {
  const compiled = compiledShipped(path);
  if (compiled === undefined) registerCutHooks();
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(compiled ?? path).href)) as Record<string, unknown>;
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UsageError(`CUT ${path}: cannot be loaded: ${msg}`);
  }
  const isCut = (v: unknown): v is CutClass => typeof v === 'function' && v.prototype instanceof ClassUnderTest;
  const candidates = [mod[name], mod.default].filter(isCut);
  const all = Object.values(mod).filter(isCut);
  const cls = candidates[0] ?? (all.length === 1 ? all[0] : undefined);
  if (cls === undefined) {
    throw new UsageError(
      `CUT ${path}: exports no class that extends ClassUnderTest (imported from 'pylogen'); export class ${name} extends ClassUnderTest`,
    );
  }
  return cls;
}
