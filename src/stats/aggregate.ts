/**
 * Aggregation of what runners ship: pure functions over mergeable summaries (autocannon
 * aggregateResult.js). Latencies are merged as HdrHistograms, exactly; percentiles are read from
 * the merged histogram, never averaged. Ok and failed requests are kept apart (a refused or
 * throttled request is fast: mixed in, it makes the target look faster than it is).
 */
import type { HistogramDelta, Nature, LatencyDelta } from '../core/protocol.js';
import { addEncoded, encodeHistogram, newHistogram, type Histogram } from './histogram.js';
import type { EncodedLatencies, LatencyFigures } from '../summary/schema.js';

export type { EncodedLatencies, LatencyFigures };

/** The latencies of one outcome (ok or failed): histograms of µs, and exact figures in ms beside them. */
export interface Latencies {
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
  ok: Latencies;
  failed: Latencies;
}

export function newLatencies(): Latencies {
  return { latency: newHistogram(), service: undefined, timed: 0, min: Infinity, max: 0, sum: 0, serviceSum: 0 };
}

export function newAgg(id: string, cut: string, nature: Nature, request: string, step = 0, items = 1): RequestAgg {
  return { id, cut, nature, request, step, items, count: 0, errors: 0, errorsByType: {}, ok: newLatencies(), failed: newLatencies() };
}

/** Adds one runner's latency delta (encoded histograms and exact figures) to latencies. */
export function addLatencyDelta(t: Latencies, d: LatencyDelta): void {
  addEncoded(t.latency, d.latency);
  if (d.service !== undefined) addEncoded((t.service ??= newHistogram()), d.service);
  addFigures(t, d.n, d.min, d.max, d.sum, d.serviceSum);
}

/** The exact figures beside the histograms: count, min, max and sums. */
function addFigures(into: Latencies, timed: number, min: number, max: number, sum: number, serviceSum: number): void {
  into.timed += timed;
  if (min < into.min) into.min = min;
  if (max > into.max) into.max = max;
  into.sum += sum;
  into.serviceSum += serviceSum;
}

/** Adds latencies into others, exactly. */
export function addLatencies(into: Latencies, t: Latencies): void {
  into.latency.add(t.latency);
  if (t.service !== undefined) (into.service ??= newHistogram()).add(t.service);
  addFigures(into, t.timed, t.min, t.max, t.sum, t.serviceSum);
}

/** Adds one runner's histogram delta to an aggregate. */
export function mergeDelta(agg: RequestAgg, d: HistogramDelta): void {
  if (d.ok !== undefined) addLatencyDelta(agg.ok, d.ok);
  if (d.failed !== undefined) addLatencyDelta(agg.failed, d.failed);
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
    addLatencies(m.ok, a.ok);
    addLatencies(m.failed, a.failed);
  }
  return m;
}

/** Ok and failed together: what the summary reported before ok and failed were apart. */
export function allOf(a: RequestAgg): Latencies {
  const t = newLatencies();
  addLatencies(t, a.ok);
  addLatencies(t, a.failed);
  return t;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Latency figures in ms from a histogram of µs, with the exact min, mean and max beside it. */
export function figures(h: Histogram, exact: { min: number; max: number; mean: number }): LatencyFigures {
  if (h.totalCount === 0) return { min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const p = (q: number) => r3(Math.min(h.getValueAtPercentile(q) / 1000, exact.max));
  return { min: r3(exact.min), mean: r3(exact.mean), p50: p(50), p90: p(90), p99: p(99), p999: p(99.9), max: r3(exact.max) };
}

export function latencyFigures(t: Latencies): LatencyFigures {
  return figures(t.latency, { min: t.min, max: t.max, mean: t.timed > 0 ? t.sum / t.timed : 0 });
}

/** Service time (from the actual start): in the closed model it is the latency itself. */
export function serviceFigures(t: Latencies): LatencyFigures {
  if (t.service === undefined) return latencyFigures(t);
  const h = t.service;
  return figures(h, { min: h.minNonZeroValue / 1000, max: h.maxValue / 1000, mean: t.timed > 0 ? t.serviceSum / t.timed : 0 });
}

export function encodeLatencies(t: Latencies): EncodedLatencies {
  const e: EncodedLatencies = {
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

/** The inverse of encodeLatencies: what `pylogen merge` and a report start from. */
export function decodeLatencies(e: EncodedLatencies): Latencies {
  const t = newLatencies();
  addLatencyDelta(t, {
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
