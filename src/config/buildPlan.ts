/**
 * From words (a command line, or a scenario file) to a validated RunPlan. Everything is checked
 * here, before anything is forked: every problem of a line is collected and reported in one line,
 * prefixed by FILE:LINE for a scenario.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Problems, UsageError } from '../core/errors.js';
import { findCut, loadCut } from '../cut/load.js';
import { unknownExtraKeys } from '../cut/ClassUnderTest.js';
import { protocolOf } from '../protocols/seam.js';
import { declaredNames, readSource } from '../cut/catalog.js';
import { didYouMean } from '../core/text/didYouMean.js';
import { LINE_DEFAULTS, OPTIONS, RUN_DEFAULTS, applyLineValues, checkLine, parseValue, type RunValues } from './options.js';
import type { CutLine, LineOptions, RunPlan } from '../core/plan.js';
import { specOfRows } from './normalize.js';
import { parseWords, type ParsedWords } from './parseWords.js';
import { findProfileFile, readJsonObject } from './profile.js';
import { scenarioLines } from './scenario/tokenize.js';
import { checkSchedule } from './checkSchedule.js';
import { shardOf } from './shardOf.js';
import { SUMMARY_TO_STDOUT } from '../stats/writeSummary.js';
import { DEFAULT_SEED } from '../schedule/arrival-plan.js';
import type { Threshold } from '../verdict/threshold.js';

/** Options of `pylogen <cut>`: every option but those of the capacity command. */
export const RUN_OPTIONS = OPTIONS.filter((d) => d.scope !== 'capacity');
export const RUN_SPEC = specOfRows(RUN_OPTIONS);
/** Options of `pylogen capacity <cut>`: every option. */
export const CAPACITY_SPEC = specOfRows(OPTIONS);
/** Options of `pylogen scenario`: the run-level ones, and thresholds over the whole run. */
export const SCENARIO_OPTIONS = OPTIONS.filter((d) => d.scope === 'run' || d.name === 'threshold');
export const SCENARIO_SPEC = specOfRows(SCENARIO_OPTIONS);
/** Options of one scenario line: the line-level ones and --defaults. */
export const LINE_SPEC = specOfRows(OPTIONS.filter((d) => d.scope === 'line' || d.name === 'defaults'));

const newRunValues = (): RunValues => ({
  outformat: RUN_DEFAULTS.outformat,
  out: '',
  summaryJson: '',
  report: '',
  metricsPort: -1,
  metricsHost: RUN_DEFAULTS['metrics-host'],
  abortOnFail: false,
  noPreflight: false,
  quiet: false,
});

/** A profile's values, checked: known keys only; the file and key are named in problems. */
function loadProfile(given: string, cwd: string): { path: string; values: Record<string, unknown> } {
  const path = findProfileFile(given, cwd, 'profile');
  const values = readJsonObject(path, path);
  for (const key of Object.keys(values)) {
    const def = OPTIONS.find((d) => d.name === key || d.aliases?.includes(key));
    if (def === undefined || def.scope === 'capacity' || def.name === 'defaults' || def.name === 'file' || def.name === 'verbose') {
      throw new UsageError(`${path}: unknown key "${key}" (a profile holds option values named like the flags: process, loops, lengths, extra, ...)`);
    }
  }
  return { path, values };
}

/** The options of one CUT line: built-in < profile < words. */
function lineOptions(
  values: Record<string, string | string[]>,
  cwd: string,
  defaultId: string,
  problems: Problems,
  run?: RunValues,
  sharded = false,
): LineOptions {
  let opts: LineOptions = { ...LINE_DEFAULTS, id: defaultId };
  let fixedSeed = sharded || values.shard !== undefined;
  if (typeof values.defaults === 'string') {
    const profile = loadProfile(values.defaults, cwd);
    if (profile.values.shard !== undefined) fixedSeed = true;
    opts = applyLineValues(opts, profile.values, problems, (k) => `${profile.path}: key "${k}"`);
    if (run !== undefined) applyRunValues(run, profile.values, problems, (k) => `${profile.path}: key "${k}"`);
  }
  opts = applyLineValues(opts, values, problems);
  checkLine(opts, problems);
  opts = checkSchedule(opts, problems, new Set(Object.keys(values)), fixedSeed ? DEFAULT_SEED : undefined);
  return opts;
}

function applyRunValues(run: RunValues, raw: Record<string, unknown>, problems: Problems, label: (k: string) => string): void {
  for (const [name, value] of Object.entries(raw)) {
    const def = OPTIONS.find((d) => d.name === name);
    if (def?.run === undefined) continue;
    const r = parseValue(def, value, label(name));
    if ('problem' in r) {
      problems.add(r.problem);
      continue;
    }
    Object.assign(run, { [def.run]: r.value });
  }
}

/** An output file must be creatable: its folder exists and is writable, and it is not a folder. */
export function checkWritable(path: string, flag: string, cwd: string, problems: Problems): void {
  const abs = resolve(cwd, path);
  try {
    if (existsSync(abs)) {
      if (statSync(abs).isDirectory()) throw new Error('it is a folder');
      accessSync(abs, constants.W_OK);
    } else {
      accessSync(dirname(abs), constants.W_OK);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.add(`${flag} "${path}" cannot be written (${code === 'ENOENT' ? 'no such folder' : (code ?? (err as Error).message)})`);
  }
}

/** Resolves and loads the CUT, and lets its class check the line (lengths, extra). */
async function cutLine(arg: string, options: LineOptions, line: number, cwd: string): Promise<CutLine> {
  const { name, path } = findCut(arg, cwd);
  const cls = await loadCut(name, path);
  const found = unknownExtraKeys(options.extra, cls.extraKeys);
  if (typeof cls.validate === 'function') {
    const own = await cls.validate({ extra: options.extra, lengths: options.lengths, concurrency: options.concurrency, endpoint: options.endpoint });
    if (Array.isArray(own)) found.push(...own);
  }
  // --client is the line's protocol's to say (a CUT of no protocol, or of one without clients, ignores it)
  const clients = protocolOf(cls)?.clients ?? [];
  if (options.client !== '' && clients.length > 0 && !clients.includes(options.client)) {
    found.push(`--client must be one of ${clients.join(', ')} for a ${protocolOf(cls)!.name} CUT, but is "${options.client}"`);
  }
  if (found.length > 0) throw new UsageError(`${name}: ${[...new Set(found)].join('; ')}`);
  return { cut: name, modulePath: path, line, options };
}

/**
 * The run's thresholds: a command line's judge the whole run; a scenario's own (`pylogen scenario
 * --threshold`) too, and a scenario line's judge that line's requests (its id).
 */
function planThresholds(lines: CutLine[], runThresholds: Threshold[]): Threshold[] {
  if (lines.length === 1 && lines[0]!.line === 0) return lines[0]!.options.thresholds;
  return [...runThresholds, ...lines.flatMap((l) => l.options.thresholds.map((t) => ({ ...t, id: l.options.id })))];
}

/**
 * The options that name a file the run writes: each must be writable, and no two may name the same
 * file (one would overwrite the other). An option that writes a file is one row here.
 */
const OUTPUT_FILES: readonly { flag: string; of: (run: RunValues) => string }[] = [
  { flag: '--out', of: (r) => r.out },
  { flag: '--summary-json', of: (r) => r.summaryJson },
  { flag: '--report', of: (r) => r.report },
];

function checkOutputFiles(run: RunValues, cwd: string, problems: Problems): void {
  const seen = new Map<string, string>();
  // `-` is standard output for --out as for --summary-json (the event stream's default place)
  if (run.out === SUMMARY_TO_STDOUT && run.summaryJson === SUMMARY_TO_STDOUT) {
    problems.add('--out - and --summary-json - would both write on standard output: give one of them a file');
  }
  for (const { flag, of } of OUTPUT_FILES) {
    const given = of(run);
    if (given === '' || (flag === '--out' && given === SUMMARY_TO_STDOUT)) continue;
    if (flag === '--summary-json' && given === SUMMARY_TO_STDOUT) {
      if (run.outformat !== 'none' && run.out === '')
        problems.add('--summary-json - writes the summary on standard output, where the event stream goes: give --out FILE or --outformat none');
      continue;
    }
    if (flag === '--report' && given === SUMMARY_TO_STDOUT) {
      problems.add(
        '--report - : the report is a self-contained HTML file, written whole at the end of the run (and on an interrupt), not a stream: give a file name (--report run.html)',
      );
      continue;
    }
    const abs = resolve(cwd, given);
    const other = seen.get(abs);
    if (other !== undefined) problems.add(`${flag} "${given}" is the same file as ${other}: give each its own file`);
    else checkWritable(given, flag, cwd, problems);
    seen.set(abs, flag);
  }
  // --outformat none writes no event stream: a --out file would silently not be created
  if (run.outformat === 'none' && run.out !== '')
    problems.add(`--out "${run.out}" with --outformat none: no event stream is written; drop --out or choose a format (csv, long, jsonl, jtl)`);
}

/**
 * A threshold naming a request that no CUT of its scope declares would only fail after the whole run
 * ("no request named GET-BOTH"): refused before it, with the names the CUTs declare.
 */
function checkThresholdNames(lines: CutLine[], thresholds: Threshold[], problems: Problems): void {
  const names = new Map<CutLine, string[] | undefined>();
  const namesOf = (l: CutLine) => {
    if (!names.has(l)) {
      let n: string[] | undefined;
      try {
        n = declaredNames(readSource(l.modulePath));
      } catch {
        n = undefined;
      }
      names.set(l, n);
    }
    return names.get(l);
  };
  for (const t of thresholds) {
    if (t.request === undefined) continue;
    const scope = lines.filter((l) => t.id === undefined || l.options.id === t.id);
    const known = scope.map(namesOf);
    if (known.length === 0 || known.some((n) => n === undefined || n.includes(t.request!))) continue;
    const all = [...new Set(known.flatMap((n) => n!))];
    problems.add(
      `--threshold "${t.text}": ${scope.map((l) => l.cut).join(', ')} has no request named ${t.request} (its requests: ${all.join(', ')})${didYouMean(t.request, all)}`,
    );
  }
}

function finishPlan(lines: CutLine[], run: RunValues, verbosity: number, cwd: string, runThresholds: Threshold[] = []): RunPlan {
  const problems = new Problems();
  checkOutputFiles(run, cwd, problems);
  checkThresholdNames(lines, planThresholds(lines, runThresholds), problems);
  for (const l of lines) {
    // --max-inflight is shared by the runners of every shard: each must get at least 1
    const all = (run.shard?.count ?? 1) * l.options.process;
    if (run.shard !== undefined && l.options.maxInflight > 0 && l.options.maxInflight < all) {
      problems.add(
        `${l.line > 0 ? `line ${l.line}: ` : ''}--max-inflight must be at least N × --process (${all}) with --shard ${run.shard.index}/${run.shard.count}, since it is split across the runners of every shard, but is ${l.options.maxInflight}`,
      );
    }
  }
  problems.throwIfAny();
  return {
    lines,
    outformat: run.outformat,
    out: run.out === '' || run.out === SUMMARY_TO_STDOUT ? '' : resolve(cwd, run.out),
    summaryJson: run.summaryJson === '' || run.summaryJson === SUMMARY_TO_STDOUT ? run.summaryJson : resolve(cwd, run.summaryJson),
    report: run.report === '' ? '' : resolve(cwd, run.report),
    metricsPort: run.metricsPort,
    metricsHost: run.metricsHost,
    verbosity,
    preflight: !run.noPreflight,
    summary: Math.min(...lines.map((l) => l.options.summary)),
    thresholds: planThresholds(lines, runThresholds),
    abortOnFail: run.abortOnFail,
    quiet: run.quiet,
    ...(run.shard !== undefined ? { shard: shardOf(run.shard, lines, run.startAt) } : {}),
    ...(run.startAt !== undefined ? { startAt: run.startAt } : {}),
  };
}

function runValues(values: Record<string, string>, problems: Problems): RunValues {
  const run = newRunValues();
  applyRunValues(run, values, problems, (k) => `--${k}`);
  return run;
}

/** `pylogen <cut> [options]` */
export async function planFromWords(words: readonly string[], cwd: string): Promise<RunPlan> {
  return planFromArgs(parseWords(words, RUN_SPEC), cwd);
}

/** `pylogen <cut> [options]`, its words already parsed (by yargs, in the CLI) */
export async function planFromArgs(parsed: ParsedWords, cwd: string): Promise<RunPlan> {
  if (parsed.positionals.length === 0) throw new UsageError('no CUT given: pylogen <cut> [options], e.g. pylogen cuts.Dummy --proc 2 --duration 10');
  // k6's habit: `pylogen run Dummy` is `pylogen Dummy` (docs/reference.md)
  if (parsed.positionals.length === 2 && parsed.positionals[0] === 'run') parsed = { ...parsed, positionals: parsed.positionals.slice(1) };
  if (parsed.positionals.length > 1)
    throw new UsageError(`one CUT per command line, but got ${parsed.positionals.map((p) => `"${p}"`).join(' ')} (use a scenario file to run several)`);
  if (parsed.values.file !== undefined) throw new UsageError('--file goes with the scenario command: pylogen scenario --file FILE');
  const problems = new Problems();
  // The run-level values of a profile are applied first, then the command line's.
  const run = newRunValues();
  const options = lineOptions({ ...parsed.values, ...parsed.lists }, cwd, LINE_DEFAULTS.id, problems, run);
  applyRunValues(run, parsed.values, problems, (k) => `--${k}`);
  problems.throwIfAny();
  const line = await cutLine(parsed.positionals[0]!, options, 0, cwd);
  return finishPlan([line], run, parsed.verbose, cwd);
}

/** One line of a scenario file: its CUT and options, checked; a UsageError (without FILE:LINE) otherwise. */
async function scenarioLine(w: string[], line: number, file: string, cwd: string, sharded: boolean): Promise<CutLine> {
  if (w[0] === 'scenario') throw new UsageError('a scenario line cannot run another scenario');
  if (w[0] === 'pylogen') w.shift();
  const lp = parseWords(w, LINE_SPEC);
  if (lp.positionals.length !== 1)
    throw new UsageError(lp.positionals.length === 0 ? 'no CUT on this line' : `one CUT per line, but got ${lp.positionals.join(' ')}`);
  const lineProblems = new Problems();
  const options = lineOptions({ ...lp.values, ...lp.lists }, cwd, `L${line}`, lineProblems, undefined, sharded);
  for (const t of options.thresholds) {
    if (t.target.kind === 'errorType') {
      lineProblems.add(
        `--threshold "${t.text}": error types are counted over the whole run, so give it to the scenario command (pylogen scenario --file ${file} --threshold '${t.text}')`,
      );
    }
  }
  lineProblems.throwIfAny();
  return cutLine(lp.positionals[0]!, options, line, cwd);
}

/** `pylogen scenario --file FILE [run options]` */
export async function planFromScenario(words: readonly string[], cwd: string): Promise<RunPlan> {
  return planFromScenarioArgs(parseWords(words, SCENARIO_SPEC), cwd);
}

/** `pylogen scenario --file FILE [run options]`, its words already parsed */
export async function planFromScenarioArgs(parsed: ParsedWords, cwd: string): Promise<RunPlan> {
  if (parsed.positionals.length > 0) throw new UsageError(`scenario takes no CUT: its lines name them, but got "${parsed.positionals[0]}"`);
  const file = parsed.values.file;
  if (file === undefined) throw new UsageError('scenario needs --file FILE');
  const path = findProfileFile(file, cwd, 'scenario file', 'scenarios');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const problems = new Problems();
  const run = runValues(parsed.values, problems);
  let runThresholds: Threshold[] = [];
  if (parsed.lists.threshold !== undefined) {
    const r = parseValue(
      OPTIONS.find((d) => d.name === 'threshold')!,
      parsed.lists.threshold,
    );
    if ('problem' in r) problems.add(r.problem);
    else runThresholds = r.value as Threshold[];
  }
  problems.throwIfAny();
  const entries = scenarioLines(text);
  if (entries.length === 0) throw new UsageError(`${file}: no CUT line (only blank lines and comments)`);
  // Every line is checked, and every bad one reported (one line each, FILE:LINE), before anything starts.
  const lines: CutLine[] = [];
  const bad: string[] = [];
  for (const entry of entries) {
    const at = `${file}:${entry.line}: `;
    try {
      if ('error' in entry) throw new UsageError(entry.error.message);
      lines.push(await scenarioLine(entry.words, entry.line, file, cwd, run.shard !== undefined));
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      bad.push(at + err.message);
    }
  }
  // Two lines with one --id would be counted as one row, silently merged.
  const firstOf = new Map<string, number>();
  for (const l of lines) {
    const other = firstOf.get(l.options.id);
    if (other !== undefined)
      bad.push(`${file}:${l.line}: --id ${l.options.id} is also line ${other}'s: give each line its own --id (their figures would be merged into one row)`);
    else firstOf.set(l.options.id, l.line);
  }
  if (bad.length > 0) throw new UsageError(bad.join('\n'));
  return finishPlan(lines, run, parsed.verbose, cwd, runThresholds);
}
