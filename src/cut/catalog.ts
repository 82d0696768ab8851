/**
 * What the CUTs say about themselves, for `pylogen list` and `pylogen <cut> --help`: the CUTs found
 * (./cuts first, then the package's), the doc comment that opens each file, the requests its source
 * names (`op.req('NAME')`), and the --extra keys its class declares (ClassUnderTest.extraKeys).
 * Reading the source keeps `pylogen list` quick: no CUT module is imported for it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';

const CUT_FILE = /^([A-Za-z_$][A-Za-z0-9_$]*)\.(?:ts|js|mjs)$/;

/** The folders a CUT name is looked up in, in order. */
export function cutDirs(cwd: string): string[] {
  return [...new Set([join(cwd, 'cuts'), join(packageRoot, 'cuts')])];
}

export interface CutEntry {
  name: string;
  path: string;
  /** true for a CUT of the package (not of ./cuts) */
  shipped: boolean;
}

/** Every CUT found, ./cuts first; a name of ./cuts hides the package's CUT of that name. */
export function listCuts(cwd: string): CutEntry[] {
  const out = new Map<string, CutEntry>();
  for (const dir of cutDirs(cwd)) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      const m = CUT_FILE.exec(f);
      if (m === null || f.endsWith('.d.ts') || out.has(m[1]!)) continue;
      out.set(m[1]!, { name: m[1]!, path: join(dir, f), shipped: dir === join(packageRoot, 'cuts') });
    }
  }
  return [...out.values()];
}

/** The doc comment that opens a CUT's file, its lines without the ` * `, or [] when it has none. */
export function headerOf(source: string): string[] {
  const m = /^\s*\/\*\*([\s\S]*?)\*\//.exec(source);
  if (m === null) return [];
  return m[1]!
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, '').trimEnd())
    .filter((l, i, a) => l !== '' || (i > 0 && i < a.length - 1));
}

/** The first sentence of the doc comment, at most `max` characters. */
export function oneLine(source: string, max = 100): string {
  const text = headerOf(source).join(' ').replace(/\s+/g, ' ').trim();
  const end = text.search(/\.(\s|$)/);
  let first = end < 0 ? text : text.slice(0, end);
  // a long first sentence: up to its first colon ("KMIP Decrypt, request DECRYPT: setup() ...")
  const colon = first.indexOf(': ', 20);
  if (first.length > 100 && colon > 0) first = first.slice(0, colon);
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

/** The request names a CUT's source gives to op.req('NAME') / op.time('NAME', ...). */
export function requestsOf(source: string): string[] {
  const names = [...source.matchAll(/\.(?:req|time)\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return [...new Set(names)];
}

/**
 * The names a threshold may give a CUT's requests: those its source names and its transaction's
 * (`transactionName = '...'`, else TRANSACTION); undefined when its source names none (the names
 * are made at run time: nothing can be checked before the run).
 */
export function declaredNames(source: string): string[] | undefined {
  const requests = requestsOf(source);
  const calls = source.match(/\.(?:req|time)\(/g)?.length ?? 0;
  const literal = source.match(/\.(?:req|time)\(\s*['"][^'"]+['"]/g)?.length ?? 0;
  // a name computed at run time (op.req(this.requests[i])): the names cannot be known before the run
  if (requests.length === 0 || literal < calls) return undefined;
  const tx = /transactionName\s*=\s*['"]([^'"]+)['"]/.exec(source)?.[1] ?? 'TRANSACTION';
  return [...requests, tx];
}

export function readSource(path: string): string {
  return readFileSync(path, 'utf8');
}
