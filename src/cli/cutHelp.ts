/**
 * `pylogen <cut> --help`: what one CUT does (the doc comment that opens its file), the requests it
 * times, and the --extra keys it declares with their defaults; then where the run options are.
 */
import { headerOf, readSource, requestsOf } from '../cut/catalog.js';
import { findCut, loadCut } from '../cut/load.js';

export async function cutHelp(arg: string, cwd: string): Promise<string> {
  const { name, path } = findCut(arg, cwd);
  const source = readSource(path);
  const cls = await loadCut(name, path);
  const out = [`pylogen ${arg} [options]    (${path})`, ''];
  const header = headerOf(source);
  if (header.length > 0) out.push(...header.map((l) => `  ${l}`.trimEnd()), '');
  const requests = requestsOf(source);
  if (requests.length > 0) out.push(`requests: ${requests.join(', ')}`);
  const keys = cls.extraKeys;
  if (keys !== undefined) {
    const names = Object.keys(keys);
    if (names.length === 0) out.push('--extra keys: none');
    else {
      const w = Math.max(...names.map((k) => k.length));
      out.push('--extra keys:', ...names.map((k) => `  ${k.padEnd(w)}  ${keys[k]}`));
    }
  }
  out.push('', 'pylogen --help: the run options and their defaults');
  return out.join('\n');
}
