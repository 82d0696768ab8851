/**
 * The step before yargs: finds which command the words name, expands PYLOGEN's option prefixes
 * against that command's rows (normalize.ts), and hands yargs every value as `--name=value`, so a
 * value is never mistaken for an option (`--postpone -1`) and yargs never guesses. A short option
 * other than -v (for commands that count it) and -h is an error here, in our words.
 */
import { UsageError } from '../core/errors.js';
import type { Command } from './command.js';
import { normalizeArgv, specOfRows } from '../config/normalize.js';

const NEGATIVE_NUMBER = /^-\d/;

/** The command the leading words name: the longest path that matches, else the default (path []). */
export function commandOf(argv: readonly string[], commands: readonly Command[]): Command {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (best === undefined || c.path.length > best.path.length)) best = c;
  }
  const group = argv[0] !== undefined ? commands.filter((c) => c.path.length > 1 && c.path[0] === argv[0]) : [];
  if (group.length > 0 && (best === undefined || best.path.length < 2)) {
    const sub = argv[1];
    const list = group.map((c) => c.path.join(' ')).join(', ');
    if (sub !== undefined && !sub.startsWith('-')) throw new UsageError(`unknown ${argv[0]} command "${sub}" (${list})`);
  }
  if (best === undefined) throw new Error('no default command registered');
  return best;
}

/** The words yargs parses: the command's words, then its options as --name=value. */
export function expandArgv(argv: readonly string[], c: Command): string[] {
  const spec = specOfRows([...c.options, ...(c.hiddenOptions ?? [])]);
  const counts = c.options.filter((d) => d.kind.type === 'count' && d.short !== undefined).map((d) => d.short!);
  const norm = normalizeArgv(argv.slice(c.path.length), spec);
  const out: string[] = [...c.path];
  for (let i = 0; i < norm.length; i++) {
    const w = norm[i]!;
    if (w === '--') {
      out.push(...norm.slice(i));
      break;
    }
    if (w === '--help' || w === '--version' || w === '-h') {
      out.push(w);
    } else if (w.startsWith('--')) {
      const name = w.slice(2);
      if (spec.flags.has(name)) out.push(w);
      else out.push(`${w}=${norm[++i]!}`);
    } else if (w.startsWith('-') && w.length > 1 && !NEGATIVE_NUMBER.test(w)) {
      if (!counts.some((s) => new RegExp(`^-${s}+$`).test(w))) throw new UsageError(`unknown option ${w}`);
      out.push(w);
    } else {
      out.push(w);
    }
  }
  return out;
}
