/**
 * Judges thresholds over a VerdictSource: the figures of one run, of one capacity step, or of
 * several shards merged. Pure: no clock, no process, no I/O (k6 thresholds, evaluated after the
 * metrics are final). What it needs from a source is small on purpose, so that anything holding
 * mergeable histograms and counters can be judged the same way.
 */
import { compare, type LatencyMetric, type Threshold } from './threshold.js';
import { didYouMean } from '../core/text/didYouMean.js';
import type { Verdict } from '../summary/schema.js';

export type { Verdict };

/** The figures of the requests a threshold selects (all of a run, one line, one request name). */
export interface ScopeFigures {
  count: number;
  errors: number;
  /** ok requests per second over the scope's time (failed ones are not throughput) */
  throughput: number;
  /** ms, read from histograms merged exactly; undefined when nothing was timed */
  latencyMs(metric: LatencyMetric, service: boolean): number | undefined;
}

export interface VerdictSource {
  /**
   * The requests of line `id` (all lines when absent) named `request` (all requests when absent;
   * a transaction name when no request has it); undefined when there is no such request.
   */
  scope(id: string | undefined, request: string | undefined): ScopeFigures | undefined;
  /** request errors by type, over the whole run */
  errorsByType: Readonly<Record<string, number>>;
  /** open-model arrivals of line `id` (all lines when absent); undefined in the closed model */
  arrivals(id: string | undefined): { planned: number; dropped: number } | undefined;
}

export interface Judged {
  t: Threshold;
  value: number | null;
  ok: boolean;
  /** why there is no value */
  missing?: string;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const share = (n: number, of: number) => (of > 0 ? (n * 100) / of : 0);

/** The measured value of one threshold, or why there is none. */
export function measure(t: Threshold, src: VerdictSource): { value: number } | { missing: string } {
  const tg = t.target;
  if (tg.kind === 'errorType') {
    const seen = Object.keys(src.errorsByType);
    // A name never seen while others were is most likely misspelt: passing it would hide the errors
    // it meant to bound ("ThrottlingExeption<1%" passed with 997 ThrottlingExceptions).
    if (!Object.hasOwn(src.errorsByType, tg.type) && seen.length > 0) {
      return { missing: `${tg.type} never seen; seen: ${seen.join(', ')}${didYouMean(tg.type, seen)}` };
    }
    const n = src.errorsByType[tg.type] ?? 0;
    if (!t.percent) return { value: n };
    const all = src.scope(t.id, undefined);
    return { value: share(n, all?.count ?? 0) };
  }
  if (tg.kind === 'dropped') {
    const a = src.arrivals(t.id);
    if (a === undefined) return { missing: 'no open-model arrivals (dropped needs --schedule)' };
    return { value: t.percent ? share(a.dropped, a.planned) : a.dropped };
  }
  const s = src.scope(t.id, t.request);
  if (s === undefined) return { missing: t.request !== undefined ? `no request named ${t.request}` : 'no request' };
  switch (tg.kind) {
    case 'errors':
      return { value: t.percent ? share(s.errors, s.count) : s.errors };
    case 'throughput':
      return { value: s.throughput };
    case 'latency': {
      const v = s.latencyMs(tg.metric, tg.service);
      return v === undefined ? { missing: 'no request was timed' } : { value: v };
    }
  }
}

/** Judges every threshold. A threshold with nothing to measure fails: a typo must not pass. */
export function evaluateThresholds(list: readonly Threshold[], src: VerdictSource): Judged[] {
  return list.map((t) => {
    const m = measure(t, src);
    if ('missing' in m) return { t, value: null, ok: false, missing: m.missing };
    return { t, value: r3(m.value), ok: compare(m.value, t.op, t.value) };
  });
}

/** The summary JSON's `thresholds`. */
export function verdicts(judged: readonly Judged[]): Verdict[] {
  return judged.map((j) => ({ threshold: j.t.text, value: j.value, ok: j.ok, ...(j.t.id !== undefined ? { id: j.t.id } : {}) }));
}

function unitOf(t: Threshold): string {
  if (t.percent) return '%';
  switch (t.target.kind) {
    case 'latency':
      return ' ms';
    case 'throughput':
      return '/s';
    default:
      return '';
  }
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x >= 100 ? x.toFixed(1) : x >= 10 ? x.toFixed(2) : x.toFixed(3));

/** The measured value with its unit: `23.5 ms`, `14.2%`, `3`, `998.1/s`. */
export function shown(j: Judged): string {
  return j.value === null ? `- (${j.missing})` : `${num(j.value)}${unitOf(j.t)}`;
}

/** How far a failed threshold is from its limit: `14.2% (limit 1%, over by 13.2 points)`. */
export function howFar(j: Judged): string {
  if (j.value === null) return j.missing ?? 'nothing measured';
  const u = unitOf(j.t);
  const limit = `${num(j.t.value)}${u}`;
  const d = Math.abs(j.value - j.t.value);
  const by = j.t.percent ? `${num(r3(d))} points` : `${num(r3(d))}${u}`;
  const side = j.t.op === '<' || j.t.op === '<=' ? 'over' : 'under';
  const ratio = j.t.value > 0 && !j.t.percent && j.t.target.kind !== 'errors' ? `, ${(j.value / j.t.value).toFixed(2)}× the limit` : '';
  return `${shown(j)} (limit ${j.t.op} ${limit}: ${side} by ${by}${ratio})`;
}

/** The verdict table for stderr: threshold, measured value, pass / FAIL. */
export function formatVerdicts(judged: readonly Judged[]): string {
  const rows = [['threshold', 'measured', 'verdict']];
  for (const j of judged) rows.push([j.t.id !== undefined ? `${j.t.text} (line ${j.t.id})` : j.t.text, shown(j), j.ok ? 'pass' : 'FAIL']);
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const failed = judged.filter((j) => !j.ok).length;
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (c === 1 ? cell.padStart(w[c]!) : cell.padEnd(w[c]!)))
      .join('  ')
      .trimEnd(),
  );
  lines.unshift(failed === 0 ? `thresholds: all ${judged.length} hold` : `thresholds: ${failed} of ${judged.length} FAILED`);
  return lines.join('\n') + '\n';
}
