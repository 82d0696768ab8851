/**
 * The end-of-run summary: the JSON of README "Summary JSON" (--summary-json) and the table on stderr, built from
 * the stats queue and the runners' final tallies.
 */
import type { StatsQueue } from './StatsQueue.js';
import {
  allOf,
  decodeTally,
  encodeTally,
  newAgg,
  latencyFigures,
  mergeAggs,
  serviceFigures,
  type EncodedTally,
  type LatencyFigures,
  type RequestAgg,
  type Tally,
} from './aggregate.js';
import { bestFullInterval, type Series } from './series.js';
import { percent, plural } from '../core/text/plural.js';
import type { Verdict } from '../verdict/evaluateThresholds.js';
import type { PlanSummary } from '../report/planSummary.js';
import type { ErrorSamples } from '../core/errorSamples.js';
import type { MachineSummary } from './machine.js';

export interface RunnerEnd {
  slot: number;
  id: string;
  index: number;
  cut: string;
  pid: number | undefined;
  state: string;
  failure?: string;
  sentEvents?: number;
  receivedEvents: number;
  /** epoch ms */
  startedAt?: number;
  endedAt?: number;
  cpu?: number;
  blockedMs?: number;
  arrivals?: { planned: number; started: number; dropped: number };
}

/** A runner in the summary JSON: its times in ISO-8601 like every other time. */
export type RunnerSummary = Omit<RunnerEnd, 'startedAt' | 'endedAt'> & {
  startedAt?: string;
  endedAt?: string;
  /** a merged summary (`pylogen merge`): the shard this runner ran in */
  shard?: number;
};

/** One outcome (ok or failed) of a row: its own count, rate and latencies, and its encoded histograms. */
export interface Outcome {
  count: number;
  /** per second over the seconds its line's runners ran */
  throughput: number;
  /** null when count is 0 */
  latencyMs: LatencyFigures | null;
  /** from the actual start (open model); the same as latencyMs in the closed model */
  serviceMs: LatencyFigures | null;
  /** what an exact merge needs: counts, exact min / max / sums, HdrHistograms (µs, compressed base64) */
  hdr: EncodedTally;
}

export interface ByRequest {
  id: string;
  cut: string;
  request: string;
  /** the payload lengths (steps) this row covers */
  lengths: number[];
  /** ok and failed together (as before ok and failed were apart) */
  count: number;
  errors: number;
  /** ok requests per second (the same as ok.throughput): a failed request is not throughput */
  throughput: number;
  /** failed requests per second, beside it */
  errorRate: number;
  latencyMs: LatencyFigures;
  serviceMs: LatencyFigures;
  /** the headline: what the target served */
  ok: Outcome;
  failed: Outcome & { byType: Record<string, number> };
  /** one row per length, when the request ran at more than one */
  byLength?: ByRequest[];
}

export interface Summary {
  version: 2;
  startedAt: string;
  endedAt: string;
  wallSeconds: number;
  interrupted: boolean;
  runners: { planned: number; started: number; ended: number; failed: number };
  /** incomplete: the runners (id.index) that ended without their final tally: what they sent is unknown, so is lost */
  events: { sent: number; received: number; lost: number; incomplete?: string[] };
  /** throughputs are of ok requests; errorRateMean is the failed requests' mean rate beside them */
  requests: { count: number; errors: number; throughputMean: number; errorRateMean: number; throughputHwm: number; throughputHwmAt: string | null };
  transactions: { count: number; errors: number };
  queue: { lengthHwm: number; lengthHwmAt: string | null; lagMsHwm: number };
  arrivals?: { planned: number; started: number; dropped: number };
  byRequest: ByRequest[];
  byTransaction: ByRequest[];
  errorsByType: Record<string, number>;
  /** per error type: its first message, then up to two other distinct ones (secrets masked) */
  errorSamples?: ErrorSamples;
  byRunner: RunnerSummary[];
  warnings: string[];
  series: Series;
  /** --threshold: every threshold, its measured value and whether it held */
  thresholds?: Verdict[];
  /** --abort-on-fail: the threshold whose crossing stopped the run */
  abortedBy?: string;
  /** the command line and every line's options (what the HTML report shows as the plan) */
  plan?: PlanSummary;
  /** --shard / --start-at: this shard and its start */
  shard?: ShardSummary;
  /** `pylogen merge`: every shard merged, by index (their warnings are in `warnings`, prefixed "shard I:") */
  shards?: ShardSummary[];
  /** the pylogen that ran it (package version) */
  pylogen?: { version: string };
  /** the machine it ran on: cores, CPU model, load averages at its start and end (src/stats/machine.ts) */
  machine?: MachineSummary;
}

/** A shard's identity and start, as its summary records them. */
export interface ShardSummary {
  index: number;
  count: number;
  /** the run's digest, the same in every shard of a run (src/config/shardOf.ts); '' without --shard */
  run: string;
  /** --start-at as given (null: none) */
  startAt: string | null;
  /** the instant this shard's runners started from, by its own clock (null: none started) */
  t0: string | null;
  /** how late t0 was on --start-at: the runners were ready after it (0: on time) */
  lateMs: number;
  /**
   * this shard's clock against the others': not measured, so null. Shards on one machine share its
   * clock; Kubernetes nodes keep theirs by NTP, typically within a few ms of each other.
   */
  clockOffsetMs: number | null;
}

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
  return { ...rest, ...(startedAt !== undefined ? { startedAt: Date.parse(startedAt) } : {}), ...(endedAt !== undefined ? { endedAt: Date.parse(endedAt) } : {}) };
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
function outcome(t: Tally, count: number, seconds: number): Outcome {
  const empty = t.timed === 0;
  return {
    count,
    throughput: r2(count / seconds),
    latencyMs: empty ? null : latencyFigures(t),
    serviceMs: empty ? null : serviceFigures(t),
    hdr: encodeTally(t),
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
  const a = newAgg(row.id, row.cut, nature, row.request, row.lengths.length === 1 ? row.lengths[0]! : 0);
  a.count = row.count;
  a.errors = row.errors;
  a.errorsByType = { ...row.failed.byType };
  a.ok = decodeTally(row.ok.hdr);
  a.failed = decodeTally(row.failed.hdr);
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

export function buildSummary(
  q: StatsQueue,
  runners: RunnerEnd[],
  startedAt: number,
  endedAt: number,
  interrupted: boolean,
  warnings: string[],
): Summary {
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
    },
    transactions: sum('tra'),
    queue: {
      lengthHwm: q.queueLengthHwm,
      lengthHwmAt: q.queueLengthHwmAt > 0 ? iso(q.queueLengthHwmAt) : null,
      lagMsHwm: Math.round(q.lagMsHwm),
    },
    ...(arrivals !== undefined ? { arrivals } : {}),
    byRequest: byKey(aggs.filter((a) => a.nature === 'req'), runners, span),
    byTransaction: byKey(aggs.filter((a) => a.nature === 'tra'), runners, span),
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
  const head = ['id', 'cut', 'nature', 'request', ...(perLength ? ['length'] : []), 'ok', 'tput/s', 'min', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max ms', 'errors'];
  if (anyErrors) head.push('err/s', 'err p50', 'err p99');
  const rows = [head];
  const add = (nature: string, b: ByRequest, length: string) => {
    const l = b.ok.latencyMs;
    const row = [b.id, b.cut, nature, b.request, ...(perLength ? [length] : []), String(b.ok.count), n1(b.ok.throughput)];
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

function summaryTable(s: Summary): string | undefined {
  const t = summaryTableRows(s);
  return t === undefined ? undefined : table(t.rows, t.left);
}

/** A merged summary's shards: how many, and how together they started (by each one's own clock). */
function shardsLine(shards: ShardSummary[]): string {
  const t0s = shards.filter((x) => x.t0 !== null).map((x) => Date.parse(x.t0!));
  const spread = t0s.length > 1 ? `, t0 spread ${Math.max(...t0s) - Math.min(...t0s)} ms (each by its own clock)` : '';
  const late = Math.max(0, ...shards.map((x) => x.lateMs));
  return `shards: ${shards.length} of ${shards[0]?.count ?? 0} merged (run ${shards[0]?.run || '-'})${spread}${late > 0 ? `, latest ${late} ms after --start-at` : ''}`;
}

/** The human summary for stderr. */
export function formatSummary(s: Summary): string {
  const lines: string[] = [];
  const { runners: r } = s;
  lines.push(
    `pylogen summary: ${plural(r.planned, 'runner')} (${r.ended} ended, ${r.failed} failed), wall ${s.wallSeconds.toFixed(2)} s${s.interrupted ? ', INTERRUPTED' : ''}`,
  );
  lines.push(summaryTable(s) ?? 'no request was recorded');
  if (s.arrivals !== undefined) {
    lines.push(`arrivals: planned ${s.arrivals.planned}, started ${s.arrivals.started}, dropped ${s.arrivals.dropped}`);
    const svc = s.byRequest.filter((b) => b.serviceMs !== b.latencyMs && b.ok.serviceMs !== null);
    for (const b of svc) {
      const f = b.ok.serviceMs!;
      lines.push(`  service time ${b.id} ${b.request}: p50 ${n3(f.p50)} p99 ${n3(f.p99)} max ${n3(f.max)} ms (ok requests; latency above is from the intended start)`);
    }
  }
  const hwmAt = s.requests.throughputHwmAt === null ? '' : ` at ${s.requests.throughputHwmAt}`;
  lines.push(
    `requests: ${s.requests.count} (${plural(s.requests.errors, 'error')}), throughput ${n1(s.requests.throughputMean)} ok/s` +
      `${s.requests.errors > 0 ? `, error rate ${n1(s.requests.errorRateMean ?? 0)}/s` : ''}; transactions: ${s.transactions.count} (${plural(s.transactions.errors, 'error')})`,
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
      `errors by type: ${types.map(([t, n]) => `${t} ${n}`).join(', ')}` +
        (total > 0 ? ` (mostly ${top}: ${percent(topN, total)} of the errors)` : ''),
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

