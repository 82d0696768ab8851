/**
 * A row's per-interval data, read back from a summary's series (src/stats/series.ts): for each
 * --summary interval its ok, error and total counts, whether it lies wholly inside the measured span,
 * and its ok latencies as (value, count) buckets of the interval's HdrHistogram. What the bootstrap
 * (bootstrap.ts) resamples.
 */
import type { JsHistogram } from 'hdr-histogram-js';
import { decodeHistogram } from '../stats/histogram.js';
import type { Series, SeriesRow } from '../stats/series.js';

export interface IntervalData {
  ok: number;
  count: number;
  errors: number;
  /** inside the measured span (not the partial first or last interval) */
  full: boolean;
  /** the ok latencies: bucket values (ms, each bucket's median equivalent value) and their counts */
  values: number[];
  counts: number[];
}

export interface RowIntervals {
  intervalS: number;
  intervals: IntervalData[];
}

/** The (value, count) buckets of an encoded histogram of µs, values in ms. */
function buckets(encoded: string | null): { values: number[]; counts: number[] } {
  const values: number[] = [];
  const counts: number[] = [];
  if (encoded === null) return { values, counts };
  // every histogram pylogen builds is a JsHistogram (useWebAssembly: false, src/stats/histogram.ts)
  const h = decodeHistogram(encoded) as unknown as JsHistogram;
  for (let i = 0; i < h.countsArrayLength; i++) {
    const c = h.getCountAtIndex(i);
    if (c > 0) {
      values.push(h.medianEquivalentValue(h.valueFromIndex(i)) / 1000);
      counts.push(c);
    }
  }
  return { values, counts };
}

/** The intervals of one row of a series. */
export function rowIntervals(series: Series, row: SeriesRow): RowIntervals {
  const intervals: IntervalData[] = [];
  for (let i = 0; i < series.intervals; i++) {
    const start = series.from + i * series.intervalMs;
    const count = row.count[i] ?? 0;
    const errors = row.errors[i] ?? 0;
    intervals.push({
      ok: count - errors,
      count,
      errors,
      full: start >= series.span.from && start + series.intervalMs <= series.span.to,
      ...buckets(row.okHdr[i] ?? null),
    });
  }
  return { intervalS: series.intervalMs / 1000, intervals };
}
