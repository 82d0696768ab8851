/**
 * `pylogen compare BASE.json OTHER.json [MORE.json ...]`: summaries of runs, merges or capacity
 * searches compared with the first (src/compare/): what differs besides the results, then every
 * row's figures with their differences and verdicts on stderr; --threshold makes it a CI gate
 * (exit 1 on a regression beyond the noise), --summary-json and --report write the comparison.
 */
import { resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { ExitCode } from '../core/exitcodes.js';
import { Problems, UsageError } from '../core/errors.js';
import { checkWritable } from '../config/buildPlan.js';
import { readSummary } from '../report/readSummary.js';
import { SUMMARY_TO_STDOUT, writeSummaryJson } from '../stats/writeSummary.js';
import { compareRuns, type RunInput } from '../compare/compareRuns.js';
import { judgeDeltas, parseDeltaThreshold, unmatchedScopes, type DeltaThreshold } from '../compare/deltaThreshold.js';
import { differences, overloadWarnings } from '../compare/differences.js';
import { formatComparison, formatDeltaVerdicts, formatDifferences } from '../compare/formatCompare.js';
import { renderCompare } from '../compare/renderCompare.js';
import type { Command, OptionRow } from './command.js';

const OPTIONS: readonly OptionRow[] = [
  {
    name: 'threshold',
    value: 'T',
    kind: { type: 'string', nonEmpty: true },
    repeatable: true,
    describe:
      "a regression threshold [REQUEST:]FIGURE OP CHANGE relative to the base ('p99 < +10%', 'rate > -5%', 'ENCRYPT:errors < +0.5%', 'p50 < +2ms'); repeatable; exit 1 when one fails beyond the noise",
  },
  {
    name: 'across-cuts',
    kind: { type: 'flag' },
    describe: 'match rows by line id, request and length, whatever the CUT: the same operation by two CUTs (a KMS against a PKCS#11 token)',
  },
  { name: 'raw', kind: { type: 'flag' }, describe: 'judge the thresholds on the raw differences, even those within noise' },
  {
    name: 'noise',
    value: 'PCT',
    kind: { type: 'string', nonEmpty: true },
    default: '5%',
    describe: 'the noise floor: a change smaller than this is within noise, whatever its interval',
  },
  { name: 'summary-json', value: 'FILE', kind: { type: 'string', nonEmpty: true }, describe: 'the comparison as JSON: a file, or - (standard output)' },
  {
    name: 'report',
    value: 'FILE',
    kind: { type: 'string', nonEmpty: true },
    describe: 'a self-contained HTML page: the differences, the delta table, overlaid charts',
  },
];

function parseNoise(text: string, problems: Problems): number {
  const m = /^(\d+(?:\.\d*)?|\.\d+)\s*%$/.exec(text.trim());
  if (m === null || Number(m[1]) >= 100) {
    problems.add(`--noise "${text}": a percentage from 0% to under 100%, like 5%`);
    return 0;
  }
  return Number(m[1]) / 100;
}

export async function compare(
  files: readonly string[],
  raw: Readonly<Record<string, string>>,
  lists: Readonly<Record<string, string[]>>,
  cwd: string,
): Promise<number> {
  if (files.length < 2)
    throw new UsageError(
      `compare needs two summaries at least${files.length === 1 ? `, but got only ${files[0]}` : ''}: pylogen compare BASE.json OTHER.json [MORE.json ...]`,
    );
  const problems = new Problems();
  const thresholds: DeltaThreshold[] = [];
  for (const t of lists.threshold ?? []) {
    const r = parseDeltaThreshold(t);
    if ('problem' in r) problems.add(r.problem);
    else thresholds.push(r.threshold);
  }
  const noise = parseNoise(raw.noise ?? '5%', problems);
  const out = raw['summary-json'];
  const report = raw.report;
  for (const [flag, f] of [
    ['--summary-json', out],
    ['--report', report],
  ] as const) {
    if (f === undefined || f === SUMMARY_TO_STDOUT) continue;
    if (files.some((x) => resolve(cwd, x) === resolve(cwd, f))) problems.add(`${flag} "${f}" is one of the summaries compared: give it its own file`);
    else checkWritable(f, flag, cwd, problems);
  }
  if (report !== undefined && out !== undefined && resolve(cwd, out) === resolve(cwd, report))
    problems.add(`--report "${report}" is the same file as --summary-json: give each its own file`);
  problems.throwIfAny();

  const runs: RunInput[] = files.map((f) => ({ source: f, summary: readSummary(resolve(cwd, f), f) }));
  const kinds = runs.map((r) => r.summary.capacity !== undefined);
  if (kinds.some((k) => k !== kinds[0])) {
    const odd = runs.find((r) => (r.summary.capacity !== undefined) !== kinds[0])!;
    throw new UsageError(
      `${odd.source}: ${kinds[0] ? 'a run, not a capacity search like' : 'a capacity search, not a run like'} ${runs[0]!.source}: compare runs with runs, searches with searches`,
    );
  }
  const acrossCuts = raw['across-cuts'] === 'true';
  const comparison = compareRuns(runs, { noise, acrossCuts });
  const scopes = unmatchedScopes(thresholds, comparison);
  if (scopes.length > 0) throw new UsageError(scopes.join('; '));
  const diffs = differences(runs, acrossCuts);
  const verdicts = judgeDeltas(thresholds, comparison, raw.raw === 'true');
  const names = ['base', ...runs.slice(1).map((_, i) => `#${i + 1}`)];
  const warnings = overloadWarnings(runs, names);
  process.stderr.write(
    formatComparison(comparison) +
      formatDifferences(diffs, names) +
      warnings.map((w) => `warning: ${w}\n`).join('') +
      (verdicts.length > 0 ? formatDeltaVerdicts(verdicts) : ''),
  );
  const regression = verdicts.some((v) => !v.ok);
  const say = (t: string) => void process.stderr.write(t);
  if (out !== undefined)
    writeSummaryJson(
      out === SUMMARY_TO_STDOUT ? out : resolve(cwd, out),
      { version: 1, ...comparison, differences: diffs, warnings, thresholds: verdicts, regression },
      process.stdout,
      say,
    );
  if (report !== undefined) {
    writeFileSync(resolve(cwd, report), renderCompare(runs, comparison, diffs, verdicts));
    say(`report written to ${resolve(cwd, report)}\n`);
  }
  return regression ? ExitCode.runFailed : ExitCode.ok;
}

export const compareCommand: Command = {
  path: ['compare'],
  synopsis: 'BASE.json OTHER.json [MORE.json ...] [options]',
  describe: 'compare runs (summaries, merges, capacity searches) with a base: differences, beyond the noise or not',
  details:
    'Rows are matched by line id, CUT, request and length; each figure (ok rate, error share, p50 .. max) gets its difference to the base and a verdict: ' +
    'faster, slower or within noise (a 95% bootstrap over the --summary intervals and a noise floor). Exit 1 when a --threshold fails beyond the noise.',
  options: OPTIONS,
  examples: [
    ['pylogen compare before.json after.json', 'the table of differences on stderr'],
    ["pylogen compare before.json after.json --threshold 'p99 < +10%' --threshold 'rate > -5%'", 'a CI gate: exit 1 on a regression'],
    ['pylogen compare a.json b.json c.json --report compare.html', 'three runs, and the HTML page'],
  ],
  run: (a) => compare(a.positionals, a.values, a.lists, a.cwd),
};
