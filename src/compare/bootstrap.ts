/**
 * Is a difference between two runs beyond the run-to-run noise? A percentile bootstrap over the
 * runs' --summary intervals (Efron & Tibshirani, "An Introduction to the Bootstrap", ch. 13; the
 * intervals are the blocks of a block bootstrap, so the correlation inside an interval is kept):
 * each run's intervals are drawn with replacement, as many as it has, their histograms added, the
 * figure read from the sum; the difference between the two resampled runs, repeated RESAMPLES
 * times, gives a 95% confidence interval of the difference. criterion.rs (bheisler/criterion.rs,
 * `analysis/compare.rs`) judges a change the same way: the interval must exclude zero AND the change
 * must exceed a noise threshold, so that a real but tiny shift of a loaded machine is not a verdict.
 *
 * The bootstrap is not valid for extremes (it never draws a value beyond the largest seen): a
 * percentile q is judged only when each run has 10 / (1 − q) ok requests (p99: 1,000), the max never.
 *
 * Deterministic: the draws come from a PRNG of fixed seed, so one pair of summaries always gets
 * the same verdict.
 */
import { mulberry32 } from '../schedule/mulberry32.js';
import type { IntervalData, RowIntervals } from './intervals.js';

/** Figures of a row, in the order of the table. */
export const FIGURES = ['rate', 'errors', 'p50', 'p90', 'p99', 'p99.9', 'max'] as const;
export type Figure = (typeof FIGURES)[number];
export const LATENCY_FIGURES = ['p50', 'p90', 'p99', 'p99.9', 'max'] as const;
const QUANTILES: Record<(typeof LATENCY_FIGURES)[number], number> = { p50: 50, p90: 90, p99: 99, 'p99.9': 99.9, max: 100 };

export const RESAMPLES = 1000;
export const CONFIDENCE = 0.95;
const SEED = 26;

/** The confidence interval of a difference: relative (other / base - 1) for rate and latencies, percentage points for errors. */
export interface Interval {
  low: number;
  high: number;
}

/** A run's intervals prepared for resampling: latency buckets as indexes into a grid shared by both runs. */
interface Prepared {
  /** intervals with at least one request */
  used: IntervalData[];
  idx: number[][];
  /** ok requests per second of the full intervals (of every used one when fewer than 2 are full) */
  rates: number[];
}

function prepare(r: RowIntervals, grid: Map<number, number>): Prepared {
  const used = r.intervals.filter((i) => i.count > 0);
  const full = r.intervals.filter((i) => i.full);
  const rates = (full.length >= 2 ? full : used).map((i) => i.ok / r.intervalS);
  return { used, idx: used.map((i) => i.values.map((v) => grid.get(v)!)), rates };
}

/** Percentiles of counts over the grid (HdrHistogram's rule: the first value whose cumulative count reaches q% of the total). */
function percentiles(acc: Float64Array, values: readonly number[]): Record<(typeof LATENCY_FIGURES)[number], number> | null {
  let total = 0;
  for (let i = 0; i < acc.length; i++) total += acc[i]!;
  if (total === 0) return null;
  const out = { p50: 0, p90: 0, p99: 0, 'p99.9': 0, max: 0 };
  let cum = 0;
  let k = 0;
  const qs = LATENCY_FIGURES.slice(0, 4);
  for (let i = 0; i < acc.length && k < qs.length; i++) {
    cum += acc[i]!;
    while (k < qs.length && cum >= Math.max(1, Math.ceil((QUANTILES[qs[k]!] / 100) * total))) out[qs[k++]!] = values[i]!;
  }
  for (let i = acc.length - 1; i >= 0; i--) {
    if (acc[i]! > 0) {
      out.max = values[i]!;
      break;
    }
  }
  return out;
}

type Draw = Partial<Record<Figure, number>>;

/** One resample of a run: its figures. */
function draw(p: Prepared, rnd: () => number, grid: readonly number[], acc: Float64Array): Draw {
  const n = p.used.length;
  acc.fill(0);
  let count = 0;
  let errors = 0;
  for (let j = 0; j < n; j++) {
    const k = Math.floor(rnd() * n);
    const iv = p.used[k]!;
    count += iv.count;
    errors += iv.errors;
    const idx = p.idx[k]!;
    for (let b = 0; b < idx.length; b++) acc[idx[b]!]! += iv.counts[b]!;
  }
  let rate = 0;
  for (let j = 0; j < p.rates.length; j++) rate += p.rates[Math.floor(rnd() * p.rates.length)]!;
  const out: Draw = { rate: rate / p.rates.length, errors: count > 0 ? (100 * errors) / count : 0 };
  const q = percentiles(acc, grid);
  if (q !== null) Object.assign(out, q);
  return out;
}

/** Fewer intervals than this in either run: no interval is computed (a run shorter than two --summary intervals). */
export const MIN_INTERVALS = 2;

/**
 * The 95% confidence interval of each figure's difference between `other` and `base`, or null for
 * a figure that cannot be resampled (too few intervals, no ok request in a resample).
 */
export function bootstrapDifferences(base: RowIntervals, other: RowIntervals): Record<Figure, Interval | null> {
  const none = Object.fromEntries(FIGURES.map((f) => [f, null])) as Record<Figure, Interval | null>;
  const values = [...new Set([...base.intervals, ...other.intervals].flatMap((i) => i.values))].sort((a, b) => a - b);
  const grid = new Map(values.map((v, i) => [v, i]));
  const b = prepare(base, grid);
  const o = prepare(other, grid);
  if (b.used.length < MIN_INTERVALS || o.used.length < MIN_INTERVALS) return none;
  const rnd = mulberry32(SEED);
  const acc = new Float64Array(values.length);
  const diffs = Object.fromEntries(FIGURES.map((f) => [f, [] as number[]])) as Record<Figure, number[]>;
  for (let r = 0; r < RESAMPLES; r++) {
    const db = draw(b, rnd, values, acc);
    const dn = draw(o, rnd, values, acc);
    for (const f of FIGURES) {
      const x = db[f];
      const y = dn[f];
      if (x === undefined || y === undefined) continue;
      if (f === 'errors') diffs[f].push(y - x);
      else if (x > 0) diffs[f].push(y / x - 1);
    }
  }
  const tail = (1 - CONFIDENCE) / 2;
  const oks = Math.min(...[b, o].map((p) => p.used.reduce((n, i) => n + i.counts.reduce((x, c) => x + c, 0), 0)));
  for (const f of FIGURES) {
    // The bootstrap cannot judge extremes (it never draws beyond the largest value seen): a
    // percentile is judged only with 10 ok requests above it in each run, the max never.
    if (f !== 'rate' && f !== 'errors' && (f === 'max' || oks < 10 / (1 - QUANTILES[f] / 100))) continue;
    const d = diffs[f].sort((x, y) => x - y);
    // a figure missing from more than a few resamples (a run with hardly any ok request) is not judged
    if (d.length < RESAMPLES * 0.9) continue;
    none[f] = { low: d[Math.floor(tail * d.length)]!, high: d[Math.ceil((1 - tail) * d.length) - 1]! };
  }
  return none;
}
