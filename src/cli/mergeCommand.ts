/**
 * `pylogen merge FILE... | -`: the shards' summaries of one run (--shard I/N) merged exactly into one
 * summary of the same schema (src/merge/mergeSummaries.ts), written as JSON on stdout or to
 * --summary-json FILE, with the usual summary table on stderr; --threshold judges the merge like a
 * single run: a verdict for the whole distributed run. Exit 2 with one line for summaries of
 * different runs, a shard given twice or missing (unless --partial); 1 when a threshold fails, a
 * runner of some shard failed or events were lost; else 0.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import { ExitCode } from '../core/exitcodes.js';
import { Problems, UsageError } from '../core/errors.js';
import { OPTIONS, parseValue } from '../config/options.js';
import { mergeSummaries, type SummaryInput } from '../merge/mergeSummaries.js';
import { readSummaries } from '../merge/readSummaries.js';
import { formatSummary } from '../stats/summary.js';
import { tryReport } from '../report/writeReport.js';
import { checkWritable } from '../config/buildPlan.js';
import { SUMMARY_TO_STDOUT, writeSummaryJson } from '../stats/writeSummary.js';
import { evaluateSummary } from '../verdict/sourceFromSummary.js';
import { formatVerdicts, verdicts } from '../verdict/evaluateThresholds.js';
import type { Threshold } from '../verdict/threshold.js';
import type { Command, OptionRow } from './command.js';

const row = (name: string): OptionRow => OPTIONS.find((d) => d.name === name)!;

export const MERGE_OPTIONS: readonly OptionRow[] = [
  { ...row('summary-json'), default: '-', describe: 'where the merged summary goes: a file, or - (standard output)' },
  { name: 'partial', kind: { type: 'flag' }, describe: "merge the shards given even when some of the run's are missing (a warning says which)" },
  row('threshold'),
  { ...row('report'), describe: 'the HTML report of the merged summary (see Reports): the whole distributed run' },
];

export interface MergeIO {
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: (text: string) => void;
}

export async function merge(
  sources: readonly string[],
  raw: Readonly<Record<string, string>>,
  lists: Readonly<Record<string, string[]>>,
  cwd: string,
  io: MergeIO = {},
): Promise<number> {
  const say = io.stderr ?? ((t: string) => void process.stderr.write(t));
  if (sources.length === 0)
    throw new UsageError('merge needs the summaries: pylogen merge FILE... or - (JSON documents on standard input, e.g. kubectl logs ... | pylogen merge -)');
  if (sources.filter((s) => s === '-').length > 1) throw new UsageError('merge: - (standard input) given twice');
  const problems = new Problems();
  let thresholds: Threshold[] = [];
  if (lists.threshold !== undefined) {
    const r = parseValue(row('threshold'), lists.threshold);
    if ('problem' in r) problems.add(r.problem);
    else thresholds = r.value as Threshold[];
  }
  const out = raw['summary-json'] ?? SUMMARY_TO_STDOUT;
  const report = raw.report;
  if (report !== undefined) {
    if (report.trim() === '') problems.add('--report needs a file: --report FILE.html');
    else if (out !== SUMMARY_TO_STDOUT && resolve(cwd, out) === resolve(cwd, report))
      problems.add(`--report "${report}" is the same file as --summary-json: give each its own file`);
    else checkWritable(report, '--report', cwd, problems);
  }
  problems.throwIfAny();
  const inputs: SummaryInput[] = [];
  for (const source of sources) {
    let content: string;
    if (source === '-') content = await text(io.stdin ?? process.stdin);
    else {
      try {
        content = readFileSync(resolve(cwd, source), 'utf8');
      } catch (err) {
        throw new UsageError(`${source}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    const found = readSummaries(content, source);
    if (found.length === 0) throw new UsageError(`${source}: no pylogen summary in it (a JSON document with "version": 2; see README, Beyond one machine)`);
    inputs.push(...found);
  }
  const summary = mergeSummaries(inputs, { partial: raw.partial === 'true' });
  const judged = evaluateSummary(thresholds, summary);
  if (judged.length > 0) summary.thresholds = verdicts(judged);
  say(formatSummary(summary));
  if (judged.length > 0) say(formatVerdicts(judged));
  writeSummaryJson(out === SUMMARY_TO_STDOUT ? out : resolve(cwd, out), summary, io.stdout, say);
  const reportFailed = report !== undefined && !tryReport(resolve(cwd, report), summary, say);
  return reportFailed || summary.runners.failed > 0 || summary.events.lost !== 0 || judged.some((j) => !j.ok) ? ExitCode.runFailed : ExitCode.ok;
}

export const mergeCommand: Command = {
  path: ['merge'],
  synopsis: 'FILE... | - [options]',
  describe: "merge the shards' summaries of a run (--shard I/N) into one, exactly",
  details:
    "Reads summaries from files, or - for standard input: any number of JSON documents among other lines (the pods' logs). " +
    "Counts are added, histograms merged exactly; the merged summary has the same schema as a run's.",
  options: MERGE_OPTIONS,
  examples: [
    ['pylogen merge s0.json s1.json s2.json --summary-json run.json', 'three shards into run.json'],
    ['kubectl logs --selector job-name=pylogen --tail=-1 | pylogen merge - > run.json', "a Kubernetes Job's pods"],
    ['pylogen merge s0.json s1.json --summary-json run.json --report run.html', 'and its HTML report'],
  ],
  run: (a) => merge(a.positionals, a.values, a.lists, a.cwd),
};
