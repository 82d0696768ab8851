/**
 * Aggregation of what runners ship: pure functions over mergeable summaries (autocannon
 * aggregateResult.js). Latencies are merged as HdrHistograms, exactly; percentiles are read from
 * the merged histogram, never averaged.
 */
import * as hdr from 'hdr-histogram-js';
import type { HistogramDelta, Nature } from '../protocol.js';

export interface RequestAgg {
  id: string;
  cut: string;
  nature: Nature;
  request: string;
  count: number;
  errors: number;
  latency: hdr.Histogram;
  service: hdr.Histogram | undefined;
  /** exact figures next to the histograms (their min/mean/max are bucketed) */
  timed: number;
  min: number;
  max: number;
  sum: number;
  serviceSum: number;
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

export function newAgg(id: string, cut: string, nature: Nature, request: string): RequestAgg {
  return {
    id,
    cut,
    nature,
    request,
    count: 0,
    errors: 0,
    latency: hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: 3, useWebAssembly: false }),
    service: undefined,
    timed: 0,
    min: Infinity,
    max: 0,
    sum: 0,
    serviceSum: 0,
  };
}

/** Adds one runner's histogram delta to an aggregate. */
export function mergeDelta(agg: RequestAgg, d: HistogramDelta): void {
  agg.latency.add(hdr.decodeFromCompressedBase64(d.latency, 32, false));
  if (d.service !== undefined) {
    agg.service ??= hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: 3, useWebAssembly: false });
    agg.service.add(hdr.decodeFromCompressedBase64(d.service, 32, false));
  }
  agg.timed += d.count;
  if (d.min < agg.min) agg.min = d.min;
  if (d.max > agg.max) agg.max = d.max;
  agg.sum += d.sum;
  agg.serviceSum += d.serviceSum;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Latency figures in ms from a histogram of µs, with the exact min, mean and max beside it. */
export function figures(h: hdr.Histogram, exact: { min: number; max: number; mean: number }): LatencyFigures {
  if (h.totalCount === 0) return { min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const p = (q: number) => r3(Math.min(h.getValueAtPercentile(q) / 1000, exact.max));
  return { min: r3(exact.min), mean: r3(exact.mean), p50: p(50), p90: p(90), p99: p(99), p999: p(99.9), max: r3(exact.max) };
}

export function latencyFigures(a: RequestAgg): LatencyFigures {
  return figures(a.latency, { min: a.min, max: a.max, mean: a.timed > 0 ? a.sum / a.timed : 0 });
}

/** Service time (from the actual start): in the closed model it is the latency itself. */
export function serviceFigures(a: RequestAgg): LatencyFigures {
  if (a.service === undefined) return latencyFigures(a);
  const h = a.service;
  return figures(h, { min: h.minNonZeroValue / 1000, max: h.maxValue / 1000, mean: a.timed > 0 ? a.serviceSum / a.timed : 0 });
}
