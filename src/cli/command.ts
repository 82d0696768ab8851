/**
 * What a command of the command line is: the words that name it, its options (rows in the shape of
 * the option table, src/config/options.ts), its help text and what it does. main.ts registers every
 * Command with yargs; expandArgv.ts expands option prefixes against the command's rows first.
 */
import type { Argv } from 'yargs';
import { defaultShown, valueName, type OptionRow } from '../config/options.js';
import type { Command, CommandArgs } from '../core/command.js';

/** One option of a command: a row of the option table, or a command's own row (src/config/options.ts). */
export type { Command, CommandArgs, OptionRow };

/** `pylogen kms serve [--host HOST] [--port N] ...`, or `[options]` when there are many. */
export function usageLine(c: Command, short = false): string {
  const head = ['pylogen', ...c.path].join(' ');
  if (c.synopsis !== undefined) return `${head} ${c.synopsis}`;
  if (short || c.options.length > 8) return `${head} [options]`;
  return `${head} ${c.options.map((o) => `[--${o.name}${valueName(o) === '' ? '' : ` ${valueName(o)}`}]`).join(' ')}`;
}

/** Declares a command's rows to yargs: values stay strings (the table validates them), help shows defaults. */
export function declareOptions(y: Argv, rows: readonly OptionRow[], hidden = false): Argv {
  for (const d of rows) {
    const shown = defaultShown(d);
    const v = valueName(d);
    const aliases = (d.aliases ?? []).map((a) => `--${a}`);
    y.option(d.name, {
      describe: `${v === '' || v === 'VALUE' ? '' : `${v}: `}${d.describe}${aliases.length > 0 ? ` (also ${aliases.join(', ')})` : ''}`,
      ...(d.kind.type === 'count'
        ? { type: 'count' as const }
        : d.kind.type === 'flag'
          ? { type: 'boolean' as const }
          : d.repeatable === true
            ? { type: 'array' as const }
            : {}),
      ...(d.short !== undefined ? { alias: d.short } : {}),
      ...(shown !== undefined ? { defaultDescription: shown } : {}),
      ...(hidden ? { hidden: true } : {}),
    });
  }
  return y;
}

/** The yargs result of a command, back to raw values by the table's names. */
export function argsOf(argv: Record<string, unknown>, c: Command, cwd: string, given: readonly string[] = []): CommandArgs {
  const values: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  let verbose = 0;
  for (const d of c.options) {
    const v = argv[d.name];
    if (v === undefined) continue;
    if (d.kind.type === 'count') verbose = Number(v);
    else if (d.repeatable === true) lists[d.name] = (Array.isArray(v) ? v : [v]).map(String);
    else if (d.kind.type === 'flag') {
      if (v === true) values[d.name] = 'true';
    } else values[d.name] = String(Array.isArray(v) ? v[v.length - 1] : v);
  }
  const words = ((argv._ as unknown[]) ?? []).map(String);
  return { positionals: words.slice(c.path.length), values, lists, verbose, cwd, words: given.slice(c.path.length) };
}

/** The command line a command ran with (its words, option prefixes expanded): what a report shows. */
export function commandLine(c: Command, a: CommandArgs): string[] {
  return ['pylogen', ...c.path, ...a.words];
}
