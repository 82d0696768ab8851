/**
 * The end-of-run summary: the JSON of README "Summary JSON" (--summary-json) and the table on stderr, built from
 * the stats queue and the runners' done messages.
 */
import type { StatsQueue } from './StatsQueue.js';
import { allOf, decodeLatencies, encodeLatencies, newAgg, latencyFigures, mergeAggs, serviceFigures, type RequestAgg, type Latencies } from './aggregate.js';
import { bestFullInterval } from './series.js';
import { percent, plural } from '../core/text/plural.js';
import type { ByRequest, LatencyFigures, Outcome, RunnerEnd, RunnerSummary, Series, ShardSummary, Summary } from '../summary/schema.js';

export type { ByRequest, Outcome, RunnerEnd, RunnerSummary, ShardSummary, Summary } from '../summary/schema.js';

const iso = (ms: number) => new Date(ms).toISOString();
const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * The instants (epoch ms) the runners ran between: from the first start to the last end; undefined
 * when none started. With `id` and `cut`: of that line's runners only. The one time over which every
 * throughput of a line (the table's, the live block's last state) and of the run is a rate.
 */
export function activeSpan(runners: RunnerEnd[], id?: string, cut?: string): { from: number; to: number } | undefined {
  let from = Infinity;
  let to = -Infinity;
  for (const r of runners) {
    if ((id !== undefined && r.id !== id) || (cut !== undefined && r.cut !== cut) || r.startedAt === undefined) continue;
    from = Math.min(from, r.startedAt);
    to = Math.max(to, r.endedAt ?? r.startedAt);
  }
  return to > from ? { from, to } : undefined;
}

/** A runner of the summary JSON back to epoch ms, for activeSpan (a merge, a report). */
export function runnerEnd(r: RunnerSummary): RunnerEnd {
  const { startedAt, endedAt, ...rest } = r;
  return {
    ...rest,
    ...(startedAt !== undefined ? { startedAt: Date.parse(startedAt) } : {}),
    ...(endedAt !== undefined ? { endedAt: Date.parse(endedAt) } : {}),
  };
}

/** Seconds during which the runners of (id, cut) ran: from the first start to the last end. */
export function activeSeconds(runners: RunnerEnd[], id: string | undefined, cut: string | undefined, fallback: number): number {
  const s = activeSpan(runners, id, cut);
  return s === undefined ? fallback : (s.to - s.from) / 1000;
}

/**
 * `count`: the requests counted (every batch carries its counts; latencies ship at most every 250 ms,
 * so a runner killed mid-run leaves some counted without their latency): the row's figures are the
 * counts, its latencies those of the `t.timed` requests whose latencies arrived.
 */
function outcome(t: Latencies, count: number, seconds: number): Outcome {
  const empty = t.timed === 0;
  return {
    count,
    throughput: r2(count / seconds),
    latencyMs: empty ? null : latencyFigures(t),
    serviceMs: empty ? null : serviceFigures(t),
    hdr: encodeLatencies(t),
  };
}

/** A row of byRequest / byTransaction from its aggregate (all its lengths, or one). */
export function rowOf(a: RequestAgg, lengths: number[], seconds: number): ByRequest {
  const all = allOf(a);
  const latencyMs = latencyFigures(all);
  return {
    id: a.id,
    cut: a.cut,
    request: a.request,
    lengths,
    count: a.count,
    errors: a.errors,
    throughput: r2((a.count - a.errors) / seconds),
    errorRate: r2(a.errors / seconds),
    ...(a.items > 1
      ? { itemsPerRequest: a.items, items: (a.count - a.errors) * a.items, itemsThroughput: r2(((a.count - a.errors) * a.items) / seconds) }
      : {}),
    latencyMs,
    serviceMs: all.service === undefined ? latencyMs : serviceFigures(all),
    ok: outcome(a.ok, a.count - a.errors, seconds),
    failed: { ...outcome(a.failed, a.errors, seconds), byType: { ...a.errorsByType } },
  };
}

/** Items grouped by (id, cut, request), in the order each group first appears. */
export function byRequestKey<T extends { id: string; cut: string; request: string }>(items: Iterable<T>): T[][] {
  const groups = new Map<string, T[]>();
  for (const a of items) {
    const k = `${a.id}\0${a.cut}\0${a.request}`;
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [a]);
    else g.push(a);
  }
  return [...groups.values()];
}

/** One row per (id, cut, request), all lengths merged exactly, with a row per length when there are several. */
function byKey(aggs: RequestAgg[], runners: RunnerEnd[], wall: number): ByRequest[] {
  return byRequestKey(aggs).map((g) => {
    g.sort((x, y) => x.step - y.step);
    const seconds = activeSeconds(runners, g[0]!.id, g[0]!.cut, wall);
    const lengths = g.map((a) => a.step);
    const r = rowOf(g.length === 1 ? g[0]! : mergeAggs(g), lengths, seconds);
    if (g.length > 1) r.byLength = g.map((a) => rowOf(a, [a.step], seconds));
    return r;
  });
}

/** The inverse of rowOf: a row's aggregate, its tallies decoded (a merge, a verdict over a summary). */
export function aggOfRow(row: ByRequest, nature: 'req' | 'tra'): RequestAgg {
  const a = newAgg(row.id, row.cut, nature, row.request, row.lengths.length === 1 ? row.lengths[0]! : 0, row.itemsPerRequest ?? 1);
  a.count = row.count;
  a.errors = row.errors;
  a.errorsByType = { ...row.failed.byType };
  a.ok = decodeLatencies(row.ok.hdr);
  a.failed = decodeLatencies(row.failed.hdr);
  return a;
}

/**
 * The throughput high-water mark: the best full --summary interval of ok requests (never a partial
 * one, whose few requests over a short time would inflate it), and never below the run's mean.
 */
export function throughputHwm(series: Series, mean: number, requests: number, endedAt: number): { tps: number; at: string | null } {
  const best = bestFullInterval(series);
  return best !== null && best.throughput >= mean ? { tps: r2(best.throughput), at: iso(best.at) } : { tps: mean, at: requests > 0 ? iso(endedAt) : null };
}

/** `{ retries }` summed over runners (or shards), or nothing when none retried. */
export function retriesOf(from: readonly { retries?: number }[]): { retries?: number } {
  const n = from.reduce((s, r) => s + (r.retries ?? 0), 0);
  return n > 0 ? { retries: n } : {};
}

export function buildSummary(q: StatsQueue, runners: RunnerEnd[], startedAt: number, endedAt: number, interrupted: boolean, warnings: string[]): Summary {
  const wall = (endedAt - startedAt) / 1000;
  const sent = runners.reduce((s, r) => s + (r.sentEvents ?? r.receivedEvents), 0);
  const active = activeSpan(runners);
  const span = active !== undefined ? (active.to - active.from) / 1000 : wall;
  const series = q.series.build(active ?? { from: startedAt, to: endedAt });
  const aggs = [...q.aggs.values()];
  // One set of figures: the totals are the sums of the rows (the same per-batch counts).
  const sum = (nature: 'req' | 'tra') =>
    aggs.filter((a) => a.nature === nature).reduce((t, a) => ({ count: t.count + a.count, errors: t.errors + a.errors }), { count: 0, errors: 0 });
  const req = sum('req');
  const arrivals = runners.some((r) => r.arrivals !== undefined)
    ? runners.reduce(
        (s, r) => ({
          planned: s.planned + (r.arrivals?.planned ?? 0),
          started: s.started + (r.arrivals?.started ?? 0),
          dropped: s.dropped + (r.arrivals?.dropped ?? 0),
        }),
        { planned: 0, started: 0, dropped: 0 },
      )
    : undefined;
  const mean = span > 0 ? r2((req.count - req.errors) / span) : 0;
  // at the runners' end, not the summary's: closing the targets after the run takes time
  const hwm = throughputHwm(series, mean, req.count, active?.to ?? endedAt);
  return {
    version: 2,
    startedAt: iso(startedAt),
    endedAt: iso(endedAt),
    wallSeconds: r2(wall),
    interrupted,
    runners: {
      planned: runners.length,
      started: runners.filter((r) => r.startedAt !== undefined).length,
      ended: runners.filter((r) => r.state === 'stopped').length,
      failed: runners.filter((r) => r.state === 'failed').length,
    },
    events: { sent, received: q.receivedEvents, lost: sent - q.receivedEvents },
    requests: {
      count: req.count,
      errors: req.errors,
      throughputMean: mean,
      errorRateMean: span > 0 ? r2(req.errors / span) : 0,
      throughputHwm: hwm.tps,
      throughputHwmAt: hwm.at,
      ...retriesOf(runners),
    },
    transactions: sum('tra'),
    queue: {
      lengthHwm: q.queueLengthHwm,
      lengthHwmAt: q.queueLengthHwmAt > 0 ? iso(q.queueLengthHwmAt) : null,
      lagMsHwm: Math.round(q.lagMsHwm),
    },
    ...(arrivals !== undefined ? { arrivals } : {}),
    byRequest: byKey(
      aggs.filter((a) => a.nature === 'req'),
      runners,
      span,
    ),
    byTransaction: byKey(
      aggs.filter((a) => a.nature === 'tra'),
      runners,
      span,
    ),
    errorsByType: { ...q.errorsByType },
    errorSamples: structuredClone(q.errorSamples),
    byRunner: runners.map((r) => {
      const { startedAt: s, endedAt: e, ...rest } = r;
      return { ...rest, ...(s !== undefined ? { startedAt: iso(s) } : {}), ...(e !== undefined ? { endedAt: iso(e) } : {}) };
    }),
    warnings,
    series,
  };
}

/** Rows as aligned columns: the first `left` columns left-aligned, the others right-aligned. */
export function table(rows: string[][], left: number): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c < left ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

const n1 = (x: number) => x.toFixed(1);
const n3 = (x: number) => (x >= 100 ? x.toFixed(1) : x >= 10 ? x.toFixed(2) : x.toFixed(3));
/** A latency figure, or "-" when there is none (no request of that outcome). */
const ms = (f: LatencyFigures | null, k: keyof LatencyFigures) => (f === null ? '-' : n3(f[k]));

/** The summary table: a header row then one row per request, and how many columns are text (left-aligned). */
export interface TableRows {
  rows: string[][];
  left: number;
}

/**
 * The rows in the order of the run's lines (of the scenario file: runners are numbered in that
 * order), and within a line each transaction first, its requests right under it.
 */
function tableOrder(s: Summary): { nature: 'req' | 'tra'; b: ByRequest }[] {
  const lineOf = new Map<string, number>();
  for (const r of s.byRunner) if (!lineOf.has(`${r.id}\0${r.cut}`)) lineOf.set(`${r.id}\0${r.cut}`, lineOf.size);
  const rank = (b: ByRequest) => lineOf.get(`${b.id}\0${b.cut}`) ?? lineOf.size;
  const rows = [...s.byTransaction.map((b) => ({ nature: 'tra' as const, b })), ...s.byRequest.map((b) => ({ nature: 'req' as const, b }))];
  // a stable sort: within a line, the transactions (listed first) stay above the requests
  return rows.sort((x, y) => rank(x.b) - rank(y.b));
}

/**
 * The rows of the table: ok requests as the headline (what the target served: count, throughput,
 * latencies), errors apart (count, rate, latencies); a row per length under its request when it ran
 * at several. The stderr table and the HTML report's both.
 */
export function summaryTableRows(s: Summary): TableRows | undefined {
  const all = [...s.byRequest, ...s.byTransaction];
  if (all.length === 0) return undefined;
  const perLength = all.some((b) => b.byLength !== undefined);
  const anyErrors = all.some((b) => b.errors > 0);
  const batches = all.some((b) => b.itemsPerRequest !== undefined);
  const head = [
    'id',
    'cut',
    'nature',
    'request',
    ...(perLength ? ['length'] : []),
    'ok',
    'tput/s',
    ...(batches ? ['items/s'] : []),
    'min',
    'mean',
    'p50',
    'p90',
    'p99',
    'p99.9',
    'max ms',
    'errors',
  ];
  if (anyErrors) head.push('err/s', 'err p50', 'err p99');
  const rows = [head];
  const add = (nature: string, b: ByRequest, length: string) => {
    const l = b.ok.latencyMs;
    const row = [b.id, b.cut, nature, b.request, ...(perLength ? [length] : []), String(b.ok.count), n1(b.ok.throughput)];
    if (batches) row.push(b.itemsThroughput === undefined ? '-' : n1(b.itemsThroughput));
    for (const k of ['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max'] as const) row.push(ms(l, k));
    row.push(String(b.failed.count));
    if (anyErrors) row.push(b.failed.count === 0 ? '-' : n1(b.failed.throughput), ms(b.failed.latencyMs, 'p50'), ms(b.failed.latencyMs, 'p99'));
    rows.push(row);
  };
  for (const { nature, b } of tableOrder(s)) {
    add(nature, b, b.byLength !== undefined ? 'all' : String(b.lengths[0] ?? ''));
    for (const bl of b.byLength ?? []) add(nature, bl, String(bl.lengths[0]));
  }
  return { rows, left: perLength ? 5 : 4 };
}

/**
 * The columns a table narrower than the terminal leaves out, least important first: the ok rate, the
 * p50 and p99, the errors and the row's names stay ('max ms' too: it says the unit).
 */
const DROPPABLE = ['p99.9', 'min', 'mean', 'nature', 'err p50', 'p90', 'cut', 'err/s'];

/**
 * The table as text, at most `width` columns wide when a width is given (a terminal's: a wider table
 * would wrap into a mess) by leaving out the least important columns, and a line saying which; the
 * full table without a width (not a terminal, a file).
 */
export function fitTable(t: TableRows, width?: number): string {
  let { rows, left } = t;
  const widest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));
  let text = table(rows, left);
  const dropped: string[] = [];
  for (const name of DROPPABLE) {
    if (width === undefined || widest(text) <= width) break;
    const c = rows[0]!.indexOf(name);
    if (c < 0) continue;
    rows = rows.map((r) => r.filter((_, i) => i !== c));
    if (c < left) left--;
    dropped.push(name);
    text = table(rows, left);
  }
  if (dropped.length === 0) return text;
  // the note too is cut at spaces to the width, never wrapped mid-word by the terminal
  const note: string[] = [''];
  for (const word of `(${dropped.join(', ')} left out to fit ${width} columns; --summary-json and --report have every column)`.split(' ')) {
    const last = note.length - 1;
    if (note[last] !== '' && note[last]!.length + 1 + word.length > width!) note.push(word);
    else note[last] = note[last] === '' ? word : `${note[last]} ${word}`;
  }
  return `${text}\n${note.join('\n')}`;
}

/** The width of the terminal stderr is, or undefined when it is not one (a file, a pipe: the full table). */
const stderrColumns = (): number | undefined => (process.stderr.isTTY === true && process.stderr.columns > 0 ? process.stderr.columns : undefined);

/**
 * What the items/s column says, when a row is a batch (Vault's batch_input): per batch row its ok
 * items and items per second, beside tput/s, which counts requests. Undefined without a batch row.
 */
export function itemsLine(s: Pick<Summary, 'byRequest'>): string | undefined {
  const rows = s.byRequest.filter((b) => b.itemsPerRequest !== undefined);
  if (rows.length === 0) return undefined;
  const each = rows.map((b) => `${b.id} ${b.request} ${b.items ?? 0} ok items, ${n1(b.itemsThroughput ?? 0)} ok items/s (${b.itemsPerRequest} per request)`);
  return `batches: tput/s counts ok requests, items/s the ok items they carried: ${each.join('; ')}`;
}

/** A merged summary's shards: how many, and how together they started (by each one's own clock). */
function shardsLine(shards: ShardSummary[]): string {
  const t0s = shards.filter((x) => x.t0 !== null).map((x) => Date.parse(x.t0!));
  const spread = t0s.length > 1 ? `, t0 spread ${Math.max(...t0s) - Math.min(...t0s)} ms (each by its own clock)` : '';
  const late = Math.max(0, ...shards.map((x) => x.lateMs));
  return `shards: ${shards.length} of ${shards[0]?.count ?? 0} merged (run ${shards[0]?.run || '-'})${spread}${late > 0 ? `, latest ${late} ms after --start-at` : ''}`;
}

/** Runners that ended well and timed nothing: the CUT's func() times no request. */
const NO_REQUEST_HINT =
  ': the CUT timed none; time each request in func() with a method decorated with @exec, or with op.time(NAME, fn) (docs/writing-a-cut.md)';

/** The human summary for stderr; its table fits `width` columns (default: stderr's, when it is a terminal). */
export function formatSummary(s: Summary, width = stderrColumns()): string {
  const lines: string[] = [];
  const { runners: r } = s;
  lines.push(
    `pylogen summary: ${plural(r.planned, 'runner')} (${r.ended} ended, ${r.failed} failed), wall ${s.wallSeconds.toFixed(2)} s${s.interrupted ? ', INTERRUPTED' : ''}`,
  );
  const t = summaryTableRows(s);
  lines.push(t === undefined ? `no request was recorded${r.failed === 0 && !s.interrupted ? NO_REQUEST_HINT : ''}` : fitTable(t, width));
  const items = itemsLine(s);
  if (items !== undefined) lines.push(items);
  if (s.arrivals !== undefined) {
    lines.push(`arrivals: planned ${s.arrivals.planned}, started ${s.arrivals.started}, dropped ${s.arrivals.dropped}`);
    const svc = s.byRequest.filter((b) => b.serviceMs !== b.latencyMs && b.ok.serviceMs !== null);
    for (const b of svc) {
      const f = b.ok.serviceMs!;
      lines.push(
        `  service time ${b.id} ${b.request}: p50 ${n3(f.p50)} p99 ${n3(f.p99)} max ${n3(f.max)} ms (ok requests; latency above is from the intended start)`,
      );
    }
  }
  const hwmAt = s.requests.throughputHwmAt === null ? '' : ` at ${s.requests.throughputHwmAt}`;
  lines.push(
    `requests: ${s.requests.count} (${plural(s.requests.errors, 'error')}), throughput ${n1(s.requests.throughputMean)} ok/s` +
      `${s.requests.errors > 0 ? `, error rate ${n1(s.requests.errorRateMean ?? 0)}/s` : ''}` +
      `${s.requests.retries !== undefined ? `, ${plural(s.requests.retries, 'retry', 'retries')} (--retries)` : ''}; transactions: ${s.transactions.count} (${plural(s.transactions.errors, 'error')})`,
  );
  lines.push(
    `high-water marks: throughput ${n1(s.requests.throughputHwm)} ok/s${hwmAt}; queue length ${s.queue.lengthHwm} events${s.queue.lengthHwmAt === null ? '' : ` at ${s.queue.lengthHwmAt}`}; queue lag ${s.queue.lagMsHwm} ms`,
  );
  lines.push(
    s.events.incomplete !== undefined
      ? `events: sent ${s.events.sent}+, received ${s.events.received}, lost unknown (runner${s.events.incomplete.length > 1 ? 's' : ''} ${s.events.incomplete.join(', ')} ended without ${s.events.incomplete.length > 1 ? 'their' : 'its'} final figures)`
      : `events: sent ${s.events.sent}, received ${s.events.received}, lost ${s.events.lost}`,
  );
  if (s.shards !== undefined) lines.push(shardsLine(s.shards));
  const types = Object.entries(s.errorsByType).sort((a, b) => b[1] - a[1]);
  if (types.length > 0) {
    const total = types.reduce((sum, [, n]) => sum + n, 0);
    const [top, topN] = types[0]!;
    lines.push(
      `errors by type: ${types.map(([t, n]) => `${t} ${n}`).join(', ')}` + (total > 0 ? ` (mostly ${top}: ${percent(topN, total)} of the errors)` : ''),
    );
    lines.push(...sampleLines(s));
  }
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

/**
 * Why requests failed: per error type (most frequent first), its first message and the other
 * distinct ones kept, one line each, indented under "errors by type".
 */
export function sampleLines(s: Pick<Summary, 'errorsByType' | 'errorSamples'>): string[] {
  const out: string[] = [];
  const types = Object.entries(s.errorsByType).sort((a, b) => b[1] - a[1]);
  for (const [type] of types) {
    const texts = s.errorSamples?.[type] ?? [];
    texts.forEach((t, i) => out.push(`  ${i === 0 ? 'first' : 'also '} ${t.startsWith(type) ? t : `${type}: ${t}`}`));
  }
  return out;
}
