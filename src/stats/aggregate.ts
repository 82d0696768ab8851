/**
 * Aggregation of what runners ship: pure functions over mergeable summaries (autocannon
 * aggregateResult.js). Latencies are merged as HdrHistograms, exactly; percentiles are read from
 * the merged histogram, never averaged. Ok and failed requests are kept apart (a refused or
 * throttled request is fast: mixed in, it makes the target look faster than it is).
 */
import type { HistogramDelta, Nature, TallyDelta } from '../core/protocol.js';
import { addEncoded, encodeHistogram, newHistogram, type Histogram } from './histogram.js';

/** The latencies of one outcome (ok or failed): histograms of µs, and exact figures in ms beside them. */
export interface Tally {
  latency: Histogram;
  /** service time from the actual start: open model only (in the closed model it is the latency) */
  service: Histogram | undefined;
  /** events timed (the histograms' total count) */
  timed: number;
  min: number;
  max: number;
  sum: number;
  serviceSum: number;
}

export interface RequestAgg {
  id: string;
  cut: string;
  nature: Nature;
  request: string;
  /** the payload length (step) */
  step: number;
  /** items each request carries: more than 1 for a batch (Operation.req's items) */
  items: number;
  count: number;
  errors: number;
  errorsByType: Record<string, number>;
  ok: Tally;
  failed: Tally;
}

export interface LatencyFigures {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export function newTally(): Tally {
  return { latency: newHistogram(), service: undefined, timed: 0, min: Infinity, max: 0, sum: 0, serviceSum: 0 };
}

export function newAgg(id: string, cut: string, nature: Nature, request: string, step = 0, items = 1): RequestAgg {
  return { id, cut, nature, request, step, items, count: 0, errors: 0, errorsByType: {}, ok: newTally(), failed: newTally() };
}

/** Adds one runner's tally delta (encoded histograms and exact figures) to a tally. */
export function addTallyDelta(t: Tally, d: TallyDelta): void {
  addEncoded(t.latency, d.latency);
  if (d.service !== undefined) addEncoded((t.service ??= newHistogram()), d.service);
  addFigures(t, d.n, d.min, d.max, d.sum, d.serviceSum);
}

/** The exact figures beside the histograms: count, min, max and sums. */
function addFigures(into: Tally, timed: number, min: number, max: number, sum: number, serviceSum: number): void {
  into.timed += timed;
  if (min < into.min) into.min = min;
  if (max > into.max) into.max = max;
  into.sum += sum;
  into.serviceSum += serviceSum;
}

/** Adds one tally into another, exactly. */
export function addTally(into: Tally, t: Tally): void {
  into.latency.add(t.latency);
  if (t.service !== undefined) (into.service ??= newHistogram()).add(t.service);
  addFigures(into, t.timed, t.min, t.max, t.sum, t.serviceSum);
}

/** Adds one runner's histogram delta to an aggregate. */
export function mergeDelta(agg: RequestAgg, d: HistogramDelta): void {
  if (d.ok !== undefined) addTallyDelta(agg.ok, d.ok);
  if (d.failed !== undefined) addTallyDelta(agg.failed, d.failed);
}

/** One aggregate of several (the steps of a request): counts added, histograms merged exactly. */
export function mergeAggs(aggs: RequestAgg[]): RequestAgg {
  const a0 = aggs[0]!;
  // One request name carries one batch size (it names it: Vault's NAME-BATCH<N>); the largest is kept.
  const m = newAgg(a0.id, a0.cut, a0.nature, a0.request, a0.step, Math.max(...aggs.map((a) => a.items)));
  for (const a of aggs) {
    m.count += a.count;
    m.errors += a.errors;
    for (const [t, n] of Object.entries(a.errorsByType)) m.errorsByType[t] = (m.errorsByType[t] ?? 0) + n;
    addTally(m.ok, a.ok);
    addTally(m.failed, a.failed);
  }
  return m;
}

/** Ok and failed together: what the summary reported before ok and failed were apart. */
export function allOf(a: RequestAgg): Tally {
  const t = newTally();
  addTally(t, a.ok);
  addTally(t, a.failed);
  return t;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Latency figures in ms from a histogram of µs, with the exact min, mean and max beside it. */
export function figures(h: Histogram, exact: { min: number; max: number; mean: number }): LatencyFigures {
  if (h.totalCount === 0) return { min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const p = (q: number) => r3(Math.min(h.getValueAtPercentile(q) / 1000, exact.max));
  return { min: r3(exact.min), mean: r3(exact.mean), p50: p(50), p90: p(90), p99: p(99), p999: p(99.9), max: r3(exact.max) };
}

export function latencyFigures(t: Tally): LatencyFigures {
  return figures(t.latency, { min: t.min, max: t.max, mean: t.timed > 0 ? t.sum / t.timed : 0 });
}

/** Service time (from the actual start): in the closed model it is the latency itself. */
export function serviceFigures(t: Tally): LatencyFigures {
  if (t.service === undefined) return latencyFigures(t);
  const h = t.service;
  return figures(h, { min: h.minNonZeroValue / 1000, max: h.maxValue / 1000, mean: t.timed > 0 ? t.serviceSum / t.timed : 0 });
}

/** A tally as the summary JSON carries it: exact figures and encoded histograms, for an exact merge. */
export interface EncodedTally {
  count: number;
  /** exact, ms (null when count is 0) */
  minMs: number | null;
  maxMs: number | null;
  sumMs: number;
  serviceSumMs: number;
  /** HdrHistogram of the latency in µs, 3 significant digits, compressed base64 */
  latency: string;
  /** the same of the service time, open model only (absent: equal to latency) */
  service?: string;
}

export function encodeTally(t: Tally): EncodedTally {
  const e: EncodedTally = {
    count: t.timed,
    minMs: t.timed > 0 ? t.min : null,
    maxMs: t.timed > 0 ? t.max : null,
    sumMs: t.sum,
    serviceSumMs: t.serviceSum,
    latency: encodeHistogram(t.latency),
  };
  if (t.service !== undefined) e.service = encodeHistogram(t.service);
  return e;
}

/** The inverse of encodeTally: what `pylogen merge` and a report start from. */
export function decodeTally(e: EncodedTally): Tally {
  const t = newTally();
  addTallyDelta(t, {
    n: e.count,
    min: e.minMs ?? Infinity,
    max: e.maxMs ?? 0,
    sum: e.sumMs,
    serviceSum: e.serviceSumMs,
    latency: e.latency,
    ...(e.service !== undefined ? { service: e.service } : {}),
  });
  return t;
}
