/**
 * Finding and loading a CUT by name or path. A name is a plain identifier, `Name` or `cuts.Name`:
 * ./cuts of the working directory is searched first, then the package's own cuts/, for Name.ts, then
 * Name.js (an ES module). A path (`./cuts/MyCut.ts`, absolute or relative to the working directory,
 * ending in .ts, .js or .mjs) is that file, its class named like the file (docs/writing-a-cut.md).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../core/errors.js';
import { ClassUnderTest, type CutClass } from './ClassUnderTest.js';
import { packageRoot } from '../core/paths.js';
import { closest } from '../core/text/didYouMean.js';
import { cutDirs, listCuts } from './catalog.js';
import { compileError } from './compileOptions.js';

const NAME = /^(?:cuts\.)?([A-Za-z_$][A-Za-z0-9_$]*)$/;
const CUT_EXT = /\.(?:ts|js|mjs)$/;
const NOT_A_CUT = (arg: string): string =>
  `CUT "${arg}": a CUT is named by a plain identifier (Name or cuts.Name), or by the path of its .ts, .js or .mjs file`;

/** A CUT argument that is a file's path rather than a name: it has a folder or a CUT file's extension. */
function isPath(arg: string): boolean {
  return arg.includes('/') || arg.includes('\\') || CUT_EXT.test(arg);
}

/** The class name of a CUT argument, or a UsageError. */
export function cutName(arg: string): string {
  const m = NAME.exec(arg);
  if (m === null) {
    throw new UsageError(NOT_A_CUT(arg));
  }
  return m[1]!;
}

/** Absolute path of the CUT's module file, or a UsageError listing where it was looked for. */
export function findCut(arg: string, cwd: string): { name: string; path: string } {
  if (isPath(arg)) {
    const path = resolve(cwd, arg);
    if (!CUT_EXT.test(path)) throw new UsageError(NOT_A_CUT(arg));
    if (existsSync(path) && statSync(path).isFile()) return { name: basename(path, extname(path)), path };
    // `Dummy.ts`, not a file here: the CUT of that name, in the cuts/ folders
    if (!/[/\\]/.test(arg)) return findCut(arg.replace(CUT_EXT, ''), cwd);
    throw new UsageError(`CUT "${arg}": no such file (${path})`);
  }
  const name = cutName(arg);
  const dirs = cutDirs(cwd);
  for (const dir of dirs) {
    for (const ext of ['.ts', '.js', '.mjs']) {
      const path = join(dir, name + ext);
      if (existsSync(path)) return { name, path };
    }
  }
  const near = closest(
    name,
    listCuts(cwd).map((c) => c.name),
  );
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
    throw new UsageError(`CUT ${path}: cannot be loaded: ${await loadProblem(err, path)}`);
  }
  const isCut = (v: unknown): v is CutClass => typeof v === 'function' && v.prototype instanceof ClassUnderTest;
  const candidates = [mod[name], mod.default].filter(isCut);
  const all = Object.values(mod).filter(isCut);
  const cls = candidates[0] ?? (all.length === 1 ? all[0] : undefined);
  if (cls === undefined) {
    throw new UsageError(`CUT ${path}: exports no class that extends ClassUnderTest (imported from 'pylogen'); export class ${name} extends ClassUnderTest`);
  }
  if (typeof (cls.prototype as { func?: unknown }).func !== 'function') {
    throw new UsageError(
      `CUT ${path}: class ${cls.name} has no func() method: func(op) is called once per operation and times its requests (docs/writing-a-cut.md)`,
    );
  }
  return cls;
}

/**
 * Why a CUT module cannot be imported, in terms of the CUT: a compiler's `file:line:col: message`
 * with its source line (at most 3 lines), the package a CUT imports that is not installed and from
 * which file, a CommonJS file where an ES module is needed; else the error's first line.
 */
async function loadProblem(err: unknown, path: string): Promise<string> {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: unknown };
  // Compiled by the hooks (hooks.ts compileError): already `file:line:col: message` and its source line.
  if (/^\S+:\d+:\d+: /.test(e.message)) return e.message.split('\n').slice(0, 3).join('\n');
  // A .js / .mjs CUT parsed by Node, whose SyntaxError carries no place (Node prints it only for an
  // uncaught error): the same file parsed by the compiler the hooks use, for its place.
  if (e.name === 'SyntaxError' && /\.m?js$/.test(path)) {
    try {
      // one short-lived esbuild process, not a service that could outlive pylogen (as in hooks.ts)
      process.env.ESBUILD_WORKER_THREADS = '0';
      const { transformSync } = await import('esbuild');
      transformSync(readFileSync(path, 'utf8'), { loader: 'js', format: 'esm', sourcefile: path });
    } catch (parsed) {
      const located = compileError(parsed, path);
      if (located !== parsed) return located.message;
    }
  }
  const pkg = /^Cannot find package '([^']+)' imported from (.+)$/.exec(e.message.split('\n')[0]!);
  if (pkg !== null) {
    const name = pkg[1]!.startsWith('@') ? pkg[1]!.split('/').slice(0, 2).join('/') : pkg[1]!.split('/')[0]!;
    return `the package "${name}" imported by ${pkg[2]} is not installed: npm install ${name} (in the CUT's folder or pylogen's)`;
  }
  // A CommonJS file: require('pylogen') cannot reach the ES module hooks; require / module.exports do not exist in an ES module.
  if (/Cannot find module 'pylogen[/']|(require|module|exports) is not defined in ES module scope/.test(e.message)) {
    return "it is CommonJS (require / module.exports), and a pylogen CUT is an ES module: write `import { ClassUnderTest } from 'pylogen'` and `export class`, in a .mjs or .ts file";
  }
  return e.message.split('\n')[0]!;
}
