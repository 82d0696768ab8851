/**
 * The comparison of runs, pure: the rows of every summary matched by (line id, CUT, nature,
 * request, lengths), each figure's value in every run, and for each run after the first its
 * difference to the first (the base), absolute and relative, with a verdict: beyond the noise
 * (bootstrap.ts) or not. A row that some run lacks is kept, with nulls where it is missing.
 * Capacity searches compare their highest sustainable rate instead.
 */
import type { ReportSummary } from '../report/renderReport.js';
import type { ByRequest } from '../stats/summary.js';
import type { SeriesRow } from '../stats/series.js';
import { bootstrapDifferences, CONFIDENCE, FIGURES, RESAMPLES, type Figure, type Interval } from './bootstrap.js';
import { rowIntervals } from './intervals.js';

export interface RunInput {
  /** how the user named it (the file) */
  source: string;
  summary: ReportSummary;
}

export type Verdict = 'faster' | 'slower' | 'more errors' | 'fewer errors' | 'within noise' | 'n/a';

export interface Delta {
  /** other − base, in the figure's unit (ms, /s, or percentage points for errors) */
  abs: number;
  /** other / base − 1 (null: the base is 0) */
  rel: number | null;
  /** the 95% bootstrap interval of the difference (relative; points for errors); null: not computed */
  ci: Interval | null;
  verdict: Verdict;
  /** why there is no verdict (n/a), or what it rests on */
  note?: string;
}

export interface FigureRow {
  /** one per run, the base first; null where the run lacks the row or the figure */
  values: (number | null)[];
  /** one per run after the base; null where either value is missing */
  deltas: (Delta | null)[];
}

export interface ComparedRow {
  id: string;
  cut: string;
  nature: 'req' | 'tra';
  request: string;
  /** the payload lengths of the row ("64" or "64,1024"); a per-length row has one */
  lengths: string;
  /** a row of one length under a row of several */
  perLength: boolean;
  /** whether each run has the row */
  present: boolean[];
  figures: Record<Figure, FigureRow>;
  /** a batch row (Vault's batch_input): each run's ok items per second (its rate counts requests) */
  itemsThroughput?: (number | null)[];
}

export interface CapacityComparison {
  mode: string;
  /** the highest sustainable rate of each run (null: no step held, or not a capacity search) */
  values: (number | null)[];
  deltas: (Delta | null)[];
}

export interface CompareSettings {
  /** the noise floor: a relative difference smaller than this (0.05 = 5%) is within noise whatever the interval says */
  noise: number;
  /** match rows by line id, request and length only: the same operation by two CUTs (a vendor comparison) */
  acrossCuts?: boolean;
}

/** A difference in errors smaller than this many percentage points is within noise. */
export const ERROR_NOISE_POINTS = 0.1;

export interface Comparison {
  /** rows matched across CUTs (--across-cuts) */
  acrossCuts?: boolean;
  method: { name: string; resamples: number; confidence: number; noise: number; errorNoisePoints: number };
  runs: { source: string; startedAt: string; wallSeconds: number; capacity: boolean; merged: boolean }[];
  rows: ComparedRow[];
  capacity?: CapacityComparison;
}

const UNIT: Record<Figure, string> = { rate: '/s', errors: '%', p50: 'ms', p90: 'ms', p99: 'ms', 'p99.9': 'ms', max: 'ms' };
export const figureUnit = (f: Figure) => UNIT[f];

function valueOf(b: ByRequest, f: Figure): number | null {
  if (f === 'rate') return b.ok.throughput;
  if (f === 'errors') return b.count > 0 ? (100 * b.errors) / b.count : null;
  const l = b.ok.latencyMs;
  if (l === null) return null;
  return l[f === 'p99.9' ? 'p999' : f];
}

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The verdict on a difference, from its interval and the noise floor. */
export function verdictOf(f: Figure, abs: number, rel: number | null, ci: Interval | null, s: CompareSettings): Verdict {
  if (ci === null) return 'n/a';
  const up = ci.low > 0;
  const down = ci.high < 0;
  if (!up && !down) return 'within noise';
  if (f === 'errors') return Math.abs(abs) < ERROR_NOISE_POINTS ? 'within noise' : up ? 'more errors' : 'fewer errors';
  if (rel === null || Math.abs(rel) < s.noise) return 'within noise';
  // more ok requests per second is faster; a longer latency is slower
  return f === 'rate' ? (up ? 'faster' : 'slower') : up ? 'slower' : 'faster';
}

function delta(f: Figure, base: number | null, other: number | null, ci: Interval | null, why: string | undefined, s: CompareSettings): Delta | null {
  if (base === null || other === null) return null;
  const abs = r4(other - base);
  const rel = base === 0 ? (other === 0 ? 0 : null) : r4(other / base - 1);
  const verdict = verdictOf(f, abs, rel, ci, s);
  return {
    abs,
    rel,
    ci: ci === null ? null : { low: r4(ci.low), high: r4(ci.high) },
    verdict,
    ...(verdict === 'n/a' && why !== undefined ? { note: why } : {}),
  };
}

interface Keyed {
  key: string;
  nature: 'req' | 'tra';
  row: ByRequest;
  perLength: boolean;
  series: SeriesRow | undefined;
}

/** Every row of a summary (and its per-length rows), keyed. */
function keyed(s: ReportSummary, acrossCuts: boolean): Keyed[] {
  const out: Keyed[] = [];
  for (const [nature, rows, series] of [
    ['tra', s.byTransaction, s.series.byTransaction],
    ['req', s.byRequest, s.series.byRequest],
  ] as const) {
    for (const row of rows) {
      const base = `${nature}\0${row.id}\0${acrossCuts ? '' : row.cut}\0${row.request}`;
      const sr = series.find((x) => x.id === row.id && x.cut === row.cut && x.request === row.request);
      out.push({ key: `${base}\0${row.lengths.join(',')}`, nature, row, perLength: false, series: sr });
      for (const bl of row.byLength ?? [])
        out.push({ key: `${base}\0${row.lengths.join(',')}\0${bl.lengths.join(',')}`, nature, row: bl, perLength: true, series: undefined });
    }
  }
  return out;
}

function compareRows(runs: readonly RunInput[], s: CompareSettings): ComparedRow[] {
  const perRun = runs.map((r) => new Map(keyed(r.summary, s.acrossCuts === true).map((k) => [k.key, k])));
  // the base's order first, then the rows only later runs have, in their order
  const keys = [...new Set(perRun.flatMap((m) => [...m.keys()]))];
  return keys.map((key) => {
    const found = perRun.map((m) => m.get(key));
    const any = found.find((k) => k !== undefined)!;
    const base = found[0];
    const cis = found.slice(1).map((o) => {
      if (base === undefined || o === undefined) return { ci: null, why: 'the row is missing from a run' };
      if (base.series === undefined || o.series === undefined) {
        return { ci: null, why: base.perLength ? 'no per-interval data for one length (the series holds the request)' : 'no per-interval series' };
      }
      const ci = bootstrapDifferences(rowIntervals(runs[0]!.summary.series, base.series), rowIntervals(runs[found.indexOf(o)]!.summary.series, o.series));
      return {
        ci,
        why: 'fewer than 2 intervals with requests in a run, or too few ok requests for this percentile (10 above it in each run; the max is never judged)',
      };
    });
    const figures = Object.fromEntries(
      FIGURES.map((f) => {
        const values = found.map((k) => (k === undefined ? null : valueOf(k.row, f)));
        const deltas = values.slice(1).map((v, i) => {
          const c = cis[i]!;
          const ci = c.ci === null ? null : (c.ci as Record<Figure, Interval | null>)[f];
          return delta(f, values[0]!, v, ci, c.ci === null || ci === null ? c.why : undefined, s);
        });
        return [f, { values, deltas }];
      }),
    ) as Record<Figure, FigureRow>;
    return {
      id: any.row.id,
      // --across-cuts: every CUT of the row, in the runs' order
      cut: [...new Set(found.filter((k) => k !== undefined).map((k) => k.row.cut))].join('|'),
      nature: any.nature,
      request: any.row.request,
      lengths: any.row.lengths.join(','),
      perLength: any.perLength,
      present: found.map((k) => k !== undefined),
      figures,
      ...(found.some((k) => k?.row.itemsPerRequest !== undefined) ? { itemsThroughput: found.map((k) => k?.row.itemsThroughput ?? null) } : {}),
    };
  });
}

function compareCapacity(runs: readonly RunInput[], s: CompareSettings): CapacityComparison {
  const values = runs.map((r) => r.summary.capacity?.maxRate ?? null);
  const deltas = values.slice(1).map((v) => {
    const base = values[0]!;
    if (base === null || v === null) return null;
    const abs = r4(v - base);
    const rel = base === 0 ? null : r4(v / base - 1);
    // a search has no interval to resample: its steps' spacing is its resolution, the noise floor decides
    const verdict: Verdict = rel === null || Math.abs(rel) < s.noise ? 'within noise' : rel > 0 ? 'faster' : 'slower';
    return { abs, rel, ci: null, verdict, note: 'a capacity search: the difference against the noise floor, no interval' };
  });
  return { mode: runs[0]!.summary.capacity!.mode, values, deltas };
}

/** Compares runs[1..] with runs[0]. The caller has checked that they are all runs, or all capacity searches. */
export function compareRuns(runs: readonly RunInput[], s: CompareSettings): Comparison {
  const capacity = runs[0]!.summary.capacity !== undefined;
  return {
    ...(s.acrossCuts === true ? { acrossCuts: true } : {}),
    method: {
      name: 'percentile bootstrap over --summary intervals, and a noise floor',
      resamples: RESAMPLES,
      confidence: CONFIDENCE,
      noise: s.noise,
      errorNoisePoints: ERROR_NOISE_POINTS,
    },
    runs: runs.map((r) => ({
      source: r.source,
      startedAt: r.summary.startedAt,
      wallSeconds: r.summary.wallSeconds,
      capacity: r.summary.capacity !== undefined,
      merged: r.summary.shards !== undefined,
    })),
    rows: capacity ? [] : compareRows(runs, s),
    ...(capacity ? { capacity: compareCapacity(runs, s) } : {}),
  };
}
