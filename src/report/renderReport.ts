/**
 * The HTML report: one self-contained file. The plan, the summary table, thresholds,
 * warnings and the capacity search are written as HTML here; the charts are drawn in the browser by
 * uPlot from the data of reportData.ts, embedded as JSON. uPlot's script and stylesheet are read
 * from node_modules when the report is written and inlined, with the page's own script and style
 * (assets/report-page.js, .css) and the chart helpers it shares with `pylogen compare`'s page (assets/charts.js): opening
 * the file makes no request at all.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { CapacityResult } from '../summary/schema.js';
import { LINE_DEFAULTS } from '../core/plan.js';
import { packageRoot } from '../core/paths.js';
import { itemsLine, sampleLines, summaryTableRows, type Summary } from '../stats/summary.js';
import type { PlanLine } from './planSummary.js';
import { reportData } from './reportData.js';

export type ReportSummary = Summary & { capacity?: CapacityResult };

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON inside <script>: `<` escaped, so no `</script>` in a value can end the element. */
export const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

let assets: { uplotJs: string; uplotCss: string; chartsJs: string; pageJs: string; pageCss: string } | undefined;

/** uPlot's script and stylesheet, the pages' chart helpers, and the report page's own (read once); `pylogen compare --report` inlines them too. */
export function readAssets(): NonNullable<typeof assets> {
  if (assets !== undefined) return assets;
  const require = createRequire(import.meta.url);
  const read = (p: string) => readFileSync(p, 'utf8');
  assets = {
    uplotJs: read(require.resolve('uplot/dist/uPlot.iife.min.js')),
    uplotCss: read(require.resolve('uplot/dist/uPlot.min.css')),
    chartsJs: read(join(packageRoot, 'assets', 'charts.js')),
    pageJs: read(join(packageRoot, 'assets', 'report-page.js')),
    pageCss: read(join(packageRoot, 'assets', 'report-page.css')),
  };
  return assets;
}

export function table(head: readonly string[], rows: readonly (readonly string[])[], left: number, rowClass: (i: number) => string = () => ''): string {
  const cell = (tag: string, c: string, i: number) => `<${tag}${i >= left ? ' class="num"' : ''}>${esc(c)}</${tag}>`;
  return (
    `<table><thead><tr>${head.map((h, i) => cell('th', h, i)).join('')}</tr></thead><tbody>` +
    rows.map((r, j) => `<tr${rowClass(j) === '' ? '' : ` class="${rowClass(j)}"`}>${r.map((c, i) => cell('td', c, i)).join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}

/** How a line's load is shaped, in words. */
function loadOf(o: PlanLine['options']): string {
  const start = `${o.postpone > 0 ? `, first after ${o.postpone} s` : ''}${o.rampup > 0 ? `, one more every ${o.rampup} s` : ''}`;
  if (o.schedule !== '')
    return `open model: ${o.schedule} (seconds@arrivals/s), ${o.arrival}${o.maxInflight > 0 ? `, ${o.maxInflight} in flight at most` : ''}${start}`;
  return `${o.duration > 0 ? `${o.duration} s` : `${o.loops} loops`} per runner${start}`;
}

/** shown in their own columns, or (thresholds) under the table */
const SHOWN = new Set([
  'id',
  'process',
  'concurrency',
  'lengths',
  'endpoint',
  'duration',
  'loops',
  'postpone',
  'rampup',
  'schedule',
  'arrival',
  'maxInflight',
  'thresholds',
]);

/** The options of a line that differ from the built-in defaults, beside those shown in their own columns. */
function otherOptions(o: PlanLine['options']): string {
  const defaults = LINE_DEFAULTS as unknown as Record<string, unknown>;
  return Object.entries(o)
    .filter(([k, v]) => !SHOWN.has(k) && JSON.stringify(v) !== JSON.stringify(defaults[k]))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

function planSection(s: ReportSummary): string {
  const p = s.plan;
  if (p === undefined) return '<section><h2>Plan</h2><p>This summary does not record its plan.</p></section>';
  const rows = p.lines.map((l) => [
    l.id,
    l.cut,
    l.line === 0 ? 'command line' : `line ${l.line}`,
    String(l.options.process),
    String(l.options.concurrency),
    l.options.lengths.join(','),
    loadOf(l.options),
    l.options.endpoint === '' ? "SDK's" : l.options.endpoint,
    otherOptions(l.options),
  ]);
  return (
    '<section id="plan"><h2>Plan</h2>' +
    (p.command !== undefined
      ? `<pre class="command">${esc(p.command.map((w) => (/^[\w./:=@,+-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`)).join(' '))}</pre>`
      : '') +
    table(['id', 'CUT', 'from', 'runners', 'concurrency', 'lengths', 'load', 'endpoint', 'other options'], rows, 9) +
    (p.thresholds.length > 0 ? `<p>Thresholds: ${p.thresholds.map((t) => `<code>${esc(t)}</code>`).join(', ')}</p>` : '') +
    '</section>'
  );
}

const n1 = (x: number) => x.toFixed(1);

function summarySection(s: ReportSummary): string {
  const t = summaryTableRows(s);
  const facts: [string, string][] = [
    ['runners', `${s.runners.planned} (${s.runners.ended} ended, ${s.runners.failed} failed)`],
    [
      'requests',
      `${s.requests.count} (${s.requests.errors} errors), throughput ${n1(s.requests.throughputMean)} ok/s, error rate ${n1(s.requests.errorRateMean ?? 0)}/s, high-water mark ${n1(s.requests.throughputHwm)} ok/s${s.requests.throughputHwmAt === null ? '' : ` at ${s.requests.throughputHwmAt}`}`,
    ],
    ['transactions', `${s.transactions.count} (${s.transactions.errors} errors)`],
    ['queue', `length high-water mark ${s.queue.lengthHwm} events, lag ${s.queue.lagMsHwm} ms`],
    ['events', `sent ${s.events.sent}, received ${s.events.received}, lost ${s.events.lost}`],
  ];
  const items = itemsLine(s);
  if (items !== undefined) facts.push(['items', items]);
  if (s.arrivals !== undefined) facts.push(['arrivals', `planned ${s.arrivals.planned}, started ${s.arrivals.started}, dropped ${s.arrivals.dropped}`]);
  const types = Object.entries(s.errorsByType).sort((a, b) => b[1] - a[1]);
  if (types.length > 0) facts.push(['errors by type', types.map(([k, n]) => `${k} ${n}`).join(', ')]);
  const samples = sampleLines(s);
  return (
    '<section id="summary"><h2>Summary</h2>' +
    (t === undefined ? '<p>No request was recorded.</p>' : table(t.rows[0]!, t.rows.slice(1), t.left)) +
    `<dl>${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>` +
    (samples.length > 0 ? `<h3>Error messages</h3><pre class="error-samples">${esc(samples.map((l) => l.trim()).join('\n'))}</pre>` : '') +
    '</section>'
  );
}

function thresholdsSection(s: ReportSummary): string {
  if (s.thresholds === undefined || s.thresholds.length === 0) return '';
  const rows = s.thresholds.map((v) => [
    v.id !== undefined ? `${v.id}: ${v.threshold}` : v.threshold,
    v.value === null ? '-' : String(v.value),
    v.ok ? 'pass' : 'FAIL',
  ]);
  return (
    '<section id="thresholds"><h2>Thresholds</h2>' +
    table(['threshold', 'measured', 'verdict'], rows, 1, (i) => (s.thresholds![i]!.ok ? 'pass' : 'fail')) +
    (s.abortedBy !== undefined ? `<p>Stopped early by --abort-on-fail: <code>${esc(s.abortedBy)}</code> was crossed.</p>` : '') +
    '</section>'
  );
}

function capacitySection(s: ReportSummary): string {
  const c = s.capacity;
  if (c === undefined) return '';
  const level = c.mode === 'rate' ? 'offered/s' : 'concurrency';
  const rows = c.steps.map((x) => [
    String(c.mode === 'rate' ? x.rate : x.concurrency) + (x.refine === true ? ' (refine)' : ''),
    n1(x.achieved),
    x.p50 === null ? '-' : String(x.p50),
    x.p99 === null ? '-' : String(x.p99),
    String(x.errors),
    x.ok ? 'held' : `FAILED${x.failed !== undefined ? `: ${x.failed.map((f) => f.reason).join('; ')}` : ''}`,
  ]);
  const held = c.maxRate === null ? 'no step held' : `${c.mode === 'rate' ? 'highest rate that held' : 'highest throughput that held'}: ${c.maxRate}/s`;
  return (
    '<section id="capacity"><h2>Capacity</h2>' +
    `<p>${esc(held)}${c.failedAt != null ? `; next: ${esc(c.failedAt.reason)}` : ''}${c.knee != null ? `; knee at concurrency ${c.knee.concurrency} (${n1(c.knee.achieved)}/s)` : ''} (search ended: ${c.end}).</p>` +
    table([level, 'achieved/s', 'p50 ms', 'p99 ms', 'errors', 'step'], rows, 5, (i) => (c.steps[i]!.ok ? 'pass' : 'fail')) +
    '<h3>Steps: achieved against offered, p99</h3><div class="chart" data-chart="capacity"></div></section>'
  );
}

/** An interrupted run says so above everything: its figures are of what ran until then. */
function interruptedBanner(s: ReportSummary): string {
  if (!s.interrupted) return '';
  return (
    `<div class="banner" id="interrupted" role="alert"><strong>This run was interrupted</strong> at ${esc(s.endedAt)}, ` +
    `${esc(s.wallSeconds.toFixed(2))} s after it began: every figure below is of what ran until then, not of the whole run planned.</div>`
  );
}

const CHARTS: [string, string][] = [
  ['throughput', 'Throughput over time: ok requests per second by request, errors stacked on top'],
  ['latency', 'Latency over time: p50, p90, p99 and max of each interval, or p50 and p99 of each request when there are several (ok requests, ms)'],
  ['distribution', 'Latency percentile distribution over the whole run (ok requests, ms)'],
  ['errors', 'Errors per second by type'],
  ['runners', 'Active runners and arrivals per second'],
];

/** The report of a summary, as one HTML document. */
export function renderReport(s: ReportSummary): string {
  const a = readAssets();
  const title = `pylogen report ${s.startedAt}`;
  const status = `${s.startedAt} to ${s.endedAt}, wall ${s.wallSeconds.toFixed(2)} s${s.interrupted ? ', INTERRUPTED' : ''}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${a.uplotCss}</style>
<style>${a.pageCss}</style>
</head><body>
<header><h1>pylogen report</h1><p>${esc(status)}</p></header>
${interruptedBanner(s)}
${planSection(s)}
${summarySection(s)}
${thresholdsSection(s)}
${s.warnings.length > 0 ? `<section id="warnings"><h2>Warnings</h2><ul>${s.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></section>` : ''}
${capacitySection(s)}
<section id="charts">
${CHARTS.map(([name, h]) => `<h2>${esc(h)}</h2><div class="chart" data-chart="${name}"></div>`).join('\n')}
</section>
<script type="application/json" id="pylogen-data">${scriptJson(reportData(s))}</script>
<script>${a.uplotJs}</script>
<script>${a.chartsJs}</script>
<script>${a.pageJs}</script>
</body></html>
`;
}
