/**
 * Module hooks (node:module register) that let a user drop a .ts CUT into ./cuts and run it with no
 * build step: .ts files are transformed by esbuild (types stripped, TC39 decorators lowered), the
 * specifiers `pylogen` and `pylogen/<entry>` (cut, run and one per protocol: package.json's exports) resolve
 * to this package wherever the CUT lives, and a bare import that the
 * CUT's folder cannot resolve falls back to this package's own dependencies (so a CUT in an empty
 * folder can import @aws-sdk/client-kms or node-forge). These hooks run on Node's hooks thread.
 */
import { readFile } from 'node:fs/promises';
import { compileError, CUT_TRANSFORM } from './compileOptions.js';

interface HookData {
  /** file URL of this package's dist/index.js */
  pylogenIndex: string;
  /** file URL of this package's dist/api/ folder (the subpath entries), with a trailing slash */
  pylogenApi: string;
  /** file URL inside this package, to resolve its dependencies from */
  packageAnchor: string;
}

let data: HookData;

export function initialize(d: HookData): void {
  data = d;
}

/**
 * esbuild, loaded on the first .ts file. Its async API and, off the main thread, its sync API keep a
 * service process running until the program exits, and that child outlived pylogen.
 * With ESBUILD_WORKER_THREADS=0 (read when esbuild loads; this thread's environment is its own copy)
 * transformSync runs one short-lived esbuild process per file: a few per run, only while CUTs load.
 */
let esbuild: typeof import('esbuild') | undefined;
async function compiler(): Promise<typeof import('esbuild')> {
  if (esbuild === undefined) {
    process.env.ESBUILD_WORKER_THREADS = '0';
    esbuild = await import('esbuild');
  }
  return esbuild;
}

/** A subpath entry of the package (package.json "exports": dist/api/NAME.js; one per protocol, cut and run). */
const ENTRY = /^pylogen\/([a-z0-9]+)$/;

type Resolve = (specifier: string, context: { parentURL?: string }) => Promise<{ url: string; format?: string | null }>;
type Load = (url: string, context: { format?: string | null }) => Promise<{ format: string; source?: string | Buffer | null }>;

export async function resolve(
  specifier: string,
  context: { parentURL?: string },
  nextResolve: Resolve,
): Promise<{ url: string; format?: string | null; shortCircuit?: boolean }> {
  if (specifier === 'pylogen') return { url: data.pylogenIndex, format: 'module', shortCircuit: true };
  const entry = ENTRY.exec(specifier);
  if (entry !== null) return { url: `${data.pylogenApi}${entry[1]}.js`, format: 'module', shortCircuit: true };
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const bare = !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.includes(':');
    if (bare && context.parentURL !== undefined && (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      // Not in pylogen's dependencies either: the first error, which names the module that imports it.
      return nextResolve(specifier, { ...context, parentURL: data.packageAnchor }).catch(() => Promise.reject(err));
    }
    throw err;
  }
}

export async function load(
  url: string,
  context: { format?: string | null },
  nextLoad: Load,
): Promise<{ format: string; source?: string | Buffer | null; shortCircuit?: boolean }> {
  if (url.startsWith('file:') && (url.endsWith('.ts') || url.endsWith('.mts'))) {
    const path = new URL(url);
    const source = await readFile(path, 'utf8');
    const file = decodeURIComponent(path.pathname);
    let code: string;
    try {
      code = (await compiler()).transformSync(source, { ...CUT_TRANSFORM, sourcefile: file }).code;
    } catch (err) {
      throw compileError(err, file);
    }
    return { format: 'module', source: code, shortCircuit: true };
  }
  return nextLoad(url, context);
}
