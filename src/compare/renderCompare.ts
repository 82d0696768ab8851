/**
 * `pylogen compare --report FILE.html`: one self-contained page, like the run report
 * (src/report/renderReport.ts, whose uPlot and stylesheet it inlines): what differs besides the
 * results, the delta table with its verdicts, the regression thresholds, and charts drawn by
 * assets/compare-page.js (with the chart helpers of assets/charts.js) from the JSON below: every run's throughput and latency over time on one
 * axis of seconds since its own start, and their latency distributions overlaid.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';
import { esc, readAssets, scriptJson, table } from '../report/renderReport.js';
import { reportData } from '../report/reportData.js';
import { figureUnit, type Comparison, type RunInput } from './compareRuns.js';
import type { DeltaVerdict } from './deltaThreshold.js';
import type { Difference } from './differences.js';

interface Curve {
  name: string;
  values: (number | null)[];
}

/** What the charts draw: one x axis (seconds since each run's start, the union of every run's), a curve per run. */
export interface CompareData {
  runs: string[];
  intervalS: number;
  /** seconds since the run's start (its first runner's) */
  time: number[];
  /** ok requests per second of each run */
  throughput: Curve[];
  /** p50 and p99 of each interval, each run (ok requests, ms) */
  latency: Curve[];
  /** x: log10(1 / (1 - p)); one curve per run and request (the run report's distribution) */
  distribution: { x: number[]; curves: Curve[] };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function compareData(runs: readonly RunInput[], names: readonly string[]): CompareData {
  const per = runs.map((r) => {
    const d = reportData(r.summary);
    const se = r.summary.series;
    const at = d.time.map((t) => r3(t - se.span.from / 1000));
    const ok = at.map((_, i) => d.throughput.ok.reduce((s, c) => s + (c.values[i] ?? 0), 0));
    return { d, at, ok };
  });
  const time = [...new Set(per.flatMap((p) => p.at))].sort((a, b) => a - b);
  const on = (at: number[], v: readonly (number | null)[]) => {
    const m = new Map(at.map((t, i) => [t, v[i] ?? null]));
    return time.map((t) => m.get(t) ?? null);
  };
  return {
    runs: [...names],
    intervalS: Math.min(...runs.map((r) => r.summary.series.intervalMs / 1000)),
    time,
    throughput: per.map((p, i) => ({ name: names[i]!, values: on(p.at, p.ok.map(r3)) })),
    latency: per.flatMap((p, i) => [
      { name: `${names[i]} p50`, values: on(p.at, p.d.latency.p50) },
      { name: `${names[i]} p99`, values: on(p.at, p.d.latency.p99) },
    ]),
    distribution: {
      x: per[0]?.d.distribution.x ?? [],
      curves: per.flatMap((p, i) => p.d.distribution.curves.map((c) => ({ name: `${names[i]} ${c.name}`, values: c.values }))),
    },
  };
}

const pct = (rel: number | null) => (rel === null ? '-' : `${rel > 0 ? '+' : ''}${(rel * 100).toFixed(1)}%`);
const n = (x: number | null) => (x === null ? '-' : String(x));

function deltaTable(c: Comparison, names: readonly string[]): string {
  const others = names.slice(1);
  if (c.capacity !== undefined) {
    const k = c.capacity;
    const row = [
      'highest sustainable rate /s',
      n(k.values[0] ?? null),
      ...others.flatMap((_, i) => [n(k.values[i + 1] ?? null), pct(k.deltas[i]?.rel ?? null), k.deltas[i]?.verdict ?? '-']),
    ];
    return table(['capacity', names[0]!, ...others.flatMap((o) => [o, 'diff %', 'verdict'])], [row], 1);
  }
  const head = ['id', 'cut', 'nature', 'request', 'length', 'figure', names[0]!, ...others.flatMap((o) => [o, 'diff', 'diff %', '95% interval', 'verdict'])];
  const rows: string[][] = [];
  const classes: string[] = [];
  for (const r of c.rows) {
    for (const [f, fr] of Object.entries(r.figures)) {
      const unit = figureUnit(f as keyof typeof r.figures);
      const cells = others.flatMap((_, i) => {
        const d = fr.deltas[i] ?? null;
        const missing = !r.present[0] ? 'absent in base' : !r.present[i + 1] ? 'only in base' : undefined;
        const ci = d?.ci == null ? '-' : f === 'errors' ? `${d.ci.low} to ${d.ci.high} points` : `${pct(d.ci.low)} to ${pct(d.ci.high)}`;
        return [n(fr.values[i + 1] ?? null), d === null ? '-' : String(d.abs), pct(d?.rel ?? null), ci, missing ?? d?.verdict ?? '-'];
      });
      rows.push([r.id, r.cut, r.nature, r.request, r.perLength ? `  ${r.lengths}` : r.lengths, `${f} ${unit}`, n(fr.values[0] ?? null), ...cells]);
      const vs = fr.deltas.map((d) => d?.verdict);
      classes.push(
        r.present.some((p) => !p)
          ? 'missing'
          : vs.some((v) => v === 'slower' || v === 'more errors')
            ? 'fail'
            : vs.some((v) => v === 'faster' || v === 'fewer errors')
              ? 'better'
              : '',
      );
    }
  }
  return table(head, rows, 6, (i) => classes[i]!);
}

function thresholdsSection(vs: readonly DeltaVerdict[]): string {
  if (vs.length === 0) return '';
  const rows = vs.map((v) => [v.threshold, v.run, v.row, v.measured === null ? '-' : String(v.measured), v.ok ? 'pass' : 'FAIL', v.note ?? '']);
  return (
    '<section id="thresholds"><h2>Regression thresholds</h2>' +
    table(['threshold', 'run', 'row', 'change', 'verdict', 'note'], rows, 3, (i) => (vs[i]!.ok ? 'pass' : 'fail')) +
    '</section>'
  );
}

const CHARTS: [string, string][] = [
  ['throughput', 'Throughput over time: ok requests per second of each run, seconds since its start'],
  ['latency', 'Latency over time: p50 and p99 of each interval, each run (ok requests, ms)'],
  ['distribution', 'Latency percentile distributions, overlaid (ok requests, ms)'],
];

const EXTRA_CSS = 'tr.better td { background: #e6f4ea; } tr.missing td { background: #fff4d6; }';

export function renderCompare(runs: readonly RunInput[], c: Comparison, diffs: readonly Difference[], verdicts: readonly DeltaVerdict[]): string {
  const a = readAssets();
  const pageJs = readFileSync(join(packageRoot, 'assets', 'compare-page.js'), 'utf8');
  const names = ['base', ...runs.slice(1).map((_, i) => `#${i + 1}`)];
  const m = c.method;
  const differ = diffs.filter((d) => !d.same);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>pylogen compare</title>
<style>${a.uplotCss}</style>
<style>${a.pageCss}${EXTRA_CSS}</style>
</head><body>
<header><h1>pylogen compare</h1><p>${runs.map((r, i) => `${esc(names[i]!)}: ${esc(r.source)} (${esc(r.summary.startedAt)}, ${r.summary.wallSeconds.toFixed(2)} s)`).join('<br>')}</p></header>
<section id="differences"><h2>What differs besides the results</h2>
${
  differ.length === 0
    ? '<p>Nothing recorded differs.</p>'
    : table(
        ['what', ...names],
        differ.map((d) => [d.what, ...d.values]),
        1 + names.length,
      )
}
</section>
<section id="delta"><h2>Differences to the base</h2>
<p>A verdict is beyond the noise when the ${Math.round(m.confidence * 100)}% interval of the difference (a bootstrap over the runs' --summary intervals, ${m.resamples} resamples) excludes 0 and the change is at least ${Math.round(m.noise * 1000) / 10}% (errors: ${m.errorNoisePoints} percentage point).</p>
${deltaTable(c, names)}
</section>
${thresholdsSection(verdicts)}
<section id="charts">
${CHARTS.map(([name, h]) => `<h2>${esc(h)}</h2><div class="chart" data-chart="${name}"></div>`).join('\n')}
</section>
<script type="application/json" id="pylogen-data">${scriptJson(compareData(runs, names))}</script>
<script>${a.uplotJs}</script>
<script>${a.chartsJs}</script>
<script>${pageJs}</script>
</body></html>
`;
}
