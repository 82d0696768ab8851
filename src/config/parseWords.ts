/**
 * Words of one invocation (the command line after the command, or a scenario line) into positional
 * words and raw option values, after prefix expansion. Values stay raw strings: src/config/options.ts
 * validates them, wherever they come from.
 */
import { UsageError } from '../core/errors.js';
import { normalizeArgv, type NormalizeSpec } from './normalize.js';

export interface ParsedWords {
  positionals: string[];
  values: Record<string, string>;
  /** every value of a repeatable option (--threshold), in order */
  lists: Record<string, string[]>;
  verbose: number;
}

export function parseWords(words: readonly string[], spec: NormalizeSpec): ParsedWords {
  const norm = normalizeArgv(words, spec);
  const out: ParsedWords = { positionals: [], values: {}, lists: {}, verbose: 0 };
  for (let i = 0; i < norm.length; i++) {
    const w = norm[i]!;
    if (w === '--') {
      out.positionals.push(...norm.slice(i + 1));
      break;
    }
    if (w.startsWith('--')) {
      const name = w.slice(2);
      if (name === 'verbose') out.verbose++;
      else if (spec.flags.has(name)) out.values[name] = 'true';
      else if (spec.repeatable?.has(name)) (out.lists[name] ??= []).push(norm[++i]!);
      else out.values[name] = norm[++i]!;
    } else if (/^-v+$/.test(w)) {
      out.verbose += w.length - 1;
    } else if (w.startsWith('-') && w.length > 1 && !/^-\d/.test(w)) {
      throw new UsageError(`unknown option ${w}`);
    } else {
      out.positionals.push(w);
    }
  }
  return out;
}
