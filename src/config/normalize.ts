/**
 * Long options may be abbreviated to any unambiguous prefix (PYLOGEN's argparse did this, and its
 * users type --proc, --le, --pauselo, --ram, --def). Before yargs sees argv, every `--prefix` and
 * `--prefix=value` is rewritten to its full name; an unknown or ambiguous one is a UsageError
 * listing the candidates. Values are never touched: a word that follows an option taking a value
 * is kept as is when it starts with a dash and a digit (`--postpone -1` is a bad value, not a flag);
 * a word that looks like an option (`--id -v`, `--region --loops 1`) means the value is missing.
 */
import { UsageError } from '../core/errors.js';
import { didYouMean } from '../core/text/didYouMean.js';

export interface NormalizeSpec {
  /** full long names (and aliases) of this command, mapped to the option they belong to */
  names: ReadonlyMap<string, string>;
  /** names that take no value */
  flags: ReadonlySet<string>;
  /** names that may be given several times, every value kept */
  repeatable?: ReadonlySet<string>;
  /**
   * names whose value may start with a dash, like an option (none today): for every other option, a
   * next word that looks like an option (`--loops`, `-v`) means its value is missing
   */
  dashValues?: ReadonlySet<string>;
}

/** A word that reads as an option rather than a value: `--x`, `-v`, `-vv` (never a negative number). */
const OPTION_LIKE = /^--?[A-Za-z]/;

export function expandPrefix(given: string, spec: NormalizeSpec): string {
  if (spec.names.has(given)) return spec.names.get(given)!;
  const options = [...new Set([...spec.names.keys()].filter((n) => n.startsWith(given)).map((n) => spec.names.get(n)!))];
  if (options.length === 1) return options[0]!;
  if (options.length === 0) throw new UsageError(`unknown option --${given}${didYouMean(given, spec.names.keys(), (n) => `--${n}`)}`);
  throw new UsageError(
    `ambiguous option --${given}: it could be ${options
      .sort()
      .map((o) => `--${o}`)
      .join(', ')}`,
  );
}

export function normalizeArgv(argv: readonly string[], spec: NormalizeSpec): string[] {
  const out: string[] = [];
  /** option → how it was first typed: a single-valued option given twice is refused, not the first dropped */
  const typed = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (!w.startsWith('--') || w === '--help' || w === '--version') {
      out.push(w);
      continue;
    }
    const eq = w.indexOf('=');
    const given = eq < 0 ? w.slice(2) : w.slice(2, eq);
    if (given === '') throw new UsageError(`bad option "${w}"`);
    const name = expandPrefix(given, spec);
    const first = typed.get(name);
    if (first !== undefined) throw new UsageError(twice(name, first, w.slice(0, eq < 0 ? undefined : eq)));
    if (!spec.flags.has(name) && !(spec.repeatable?.has(name) ?? false)) typed.set(name, eq < 0 ? w : w.slice(0, eq));
    if (eq >= 0) {
      out.push(`--${name}`, w.slice(eq + 1));
    } else if (spec.flags.has(name)) {
      out.push(`--${name}`);
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value`);
      const next = argv[i + 1]!;
      if (OPTION_LIKE.test(next) && !(spec.dashValues?.has(name) ?? false)) {
        throw new UsageError(`option --${name} needs a value, but is followed by the option ${next} (a value that starts with a dash: --${name}=${next})`);
      }
      out.push(`--${name}`, argv[++i]!);
    }
  }
  return out;
}

/**
 * yargs keeps the last value of an option given twice, silently. The values are not shown: some
 * options carry secrets (--token, --credentials).
 */
function twice(name: string, first: string, second: string): string {
  const how = first === second ? '' : ` (as ${first} and ${second})`;
  const hint = name === 'extra' ? `: give one JSON object with every parameter, --extra '{"a":1,"b":2}'` : ': give it once';
  return `--${name} is given twice${how}, and only one value would be used${hint}`;
}

/** The prefix-expansion spec of option rows (config/options.ts, a command's own rows). */
export function specOfRows(rows: readonly { name: string; aliases?: readonly string[]; kind: { type: string }; repeatable?: boolean }[]): NormalizeSpec {
  const names = new Map<string, string>();
  const flags = new Set<string>();
  const repeatable = new Set<string>();
  for (const d of rows) {
    names.set(d.name, d.name);
    for (const a of d.aliases ?? []) names.set(a, d.name);
    if (d.kind.type === 'count' || d.kind.type === 'flag') flags.add(d.name);
    if (d.repeatable === true) repeatable.add(d.name);
  }
  return { names, flags, repeatable };
}
