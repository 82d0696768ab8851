/**
 * A VerdictSource over the stats queue's aggregates (RequestAgg: HdrHistograms plus exact counters),
 * for a whole run or for one interval of it (a capacity step). A scope over several aggregates
 * merges their histograms, exactly, once, and only when a latency is asked for: percentiles are
 * read from the merged histogram, never averaged (autocannon aggregateResult.js).
 */
import { allOf, type RequestAgg } from '../stats/aggregate.js';
import { newHistogram, type Histogram } from '../stats/histogram.js';
import type { ScopeFigures, VerdictSource } from './evaluateThresholds.js';
import type { LatencyMetric } from './threshold.js';

export interface AggSourceOptions {
  /** seconds over which the requests of line `id` (all lines when absent) ran: throughput's denominator */
  seconds(id: string | undefined): number;
  errorsByType: Readonly<Record<string, number>>;
  arrivals?(id: string | undefined): { planned: number; dropped: number } | undefined;
}

const QUANTILE: Record<Exclude<LatencyMetric, 'min' | 'mean' | 'max'>, number> = { p50: 50, p90: 90, p95: 95, p99: 99, 'p99.9': 99.9 };

/** Latency (or service time) figures of several aggregates, histograms merged once on first use. */
function scopeOf(aggs: readonly RequestAgg[], seconds: number): ScopeFigures {
  let count = 0;
  let errors = 0;
  for (const a of aggs) {
    count += a.count;
    errors += a.errors;
  }
  const cache = new Map<boolean, { h: Histogram; min: number; max: number; mean: number } | undefined>();
  const merged = (service: boolean) => {
    if (cache.has(service)) return cache.get(service);
    let timed = 0;
    let sum = 0;
    let min = Infinity;
    let max = 0;
    // Ok and failed requests together (each aggregate keeps them apart since summary version 2).
    const tallies = aggs.map(allOf);
    const h = tallies.length === 1 ? undefined : newHistogram();
    for (const a of tallies) {
      timed += a.timed;
      const hist = service && a.service !== undefined ? a.service : a.latency;
      if (service && a.service !== undefined) {
        sum += a.serviceSum;
        if (hist.totalCount > 0) {
          min = Math.min(min, hist.minNonZeroValue / 1000);
          max = Math.max(max, hist.maxValue / 1000);
        }
      } else {
        sum += a.sum;
        min = Math.min(min, a.min);
        max = Math.max(max, a.max);
      }
      h?.add(hist);
    }
    const hist = h ?? (service && tallies[0]!.service !== undefined ? tallies[0]!.service : tallies[0]!.latency);
    const r = timed === 0 || hist.totalCount === 0 ? undefined : { h: hist, min, max, mean: sum / timed };
    cache.set(service, r);
    return r;
  };
  return {
    count,
    errors,
    // ok requests: a throttled request is not throughput
    throughput: seconds > 0 ? (count - errors) / seconds : 0,
    latencyMs(metric, service) {
      const m = merged(service);
      if (m === undefined) return undefined;
      if (metric === 'min') return m.min;
      if (metric === 'max') return m.max;
      if (metric === 'mean') return m.mean;
      // A percentile is the highest value of its bucket: never above the exact maximum.
      return Math.min(m.h.getValueAtPercentile(QUANTILE[metric]) / 1000, m.max);
    },
  };
}

export function sourceFromAggs(aggs: readonly RequestAgg[], o: AggSourceOptions): VerdictSource {
  return {
    scope(id, request) {
      const ofLine = aggs.filter((a) => id === undefined || a.id === id);
      let chosen = ofLine.filter((a) => a.nature === 'req' && (request === undefined || a.request === request));
      if (chosen.length === 0 && request !== undefined) chosen = ofLine.filter((a) => a.nature === 'tra' && a.request === request);
      if (chosen.length === 0) return request === undefined ? { count: 0, errors: 0, throughput: 0, latencyMs: () => undefined } : undefined;
      return scopeOf(chosen, o.seconds(id));
    },
    errorsByType: o.errorsByType,
    arrivals: (id) => o.arrivals?.(id),
  };
}
