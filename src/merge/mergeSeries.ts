/**
 * The exact merge of several time series (the shards of a run): their intervals are aligned on
 * wall-clock multiples of the same --summary (src/stats/series.ts), so interval i of one shard and
 * the interval of another that starts at the same epoch ms are the same interval. Counts are added,
 * each interval's HdrHistograms merged, and its percentiles read from the merged histogram.
 */
import { UsageError } from '../core/errors.js';
import type { Nature } from '../core/protocol.js';
import { addEncoded, encodeHistogram, newSeriesHistogram, percentileMs, type Histogram } from '../stats/histogram.js';
import type { Series, SeriesColumns, SeriesRow } from '../stats/series.js';

interface RowAcc {
  id: string;
  cut: string;
  request: string;
  count: number[];
  errors: number[];
  errorsByType: Record<string, number[]>;
  ok: (Histogram | undefined)[];
  failed: (Histogram | undefined)[];
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const zeros = (n: number) => new Array<number>(n).fill(0);

function addCounts(into: { count: number[]; errors: number[]; errorsByType: Record<string, number[]> }, c: SeriesColumns, offset: number, n: number): void {
  for (let i = 0; i < c.count.length; i++) {
    into.count[offset + i]! += c.count[i]!;
    into.errors[offset + i]! += c.errors[i]!;
  }
  for (const [t, col] of Object.entries(c.errorsByType)) {
    const to = (into.errorsByType[t] ??= zeros(n));
    for (let i = 0; i < col.length; i++) to[offset + i]! += col[i]!;
  }
}

function percentiles(hs: (Histogram | undefined)[]): Pick<SeriesColumns, 'p50' | 'p90' | 'p99' | 'max'> {
  const at = (q: number) => hs.map((h) => (h === undefined ? null : percentileMs(h, q)));
  return { p50: at(50), p90: at(90), p99: at(99), max: at(100) };
}

/** One series of several with the same --summary interval: every interval of any of them, counts added, histograms merged. */
export function mergeSeries(list: readonly Series[]): Series {
  const size = list[0]!.intervalMs;
  if (list.some((s) => s.intervalMs !== size))
    throw new UsageError(
      `the summaries have different --summary intervals (${[...new Set(list.map((s) => s.intervalMs / 1000))].join(', ')} s): their series cannot be merged`,
    );
  const withIntervals = list.filter((s) => s.intervals > 0);
  const from = withIntervals.length > 0 ? Math.min(...withIntervals.map((s) => s.from)) : list[0]!.from;
  const last = withIntervals.length > 0 ? Math.max(...withIntervals.map((s) => s.from + (s.intervals - 1) * size)) : from - size;
  const n = Math.round((last - from) / size) + 1;
  const sec = size / 1000;
  const rows = new Map<string, RowAcc>();
  const arrivals = new Map<string, { id: string; cut: string; planned: number[]; started: number[]; dropped: number[] }>();
  const total = {
    count: zeros(n),
    errors: zeros(n),
    errorsByType: {} as Record<string, number[]>,
    activeRunners: zeros(n),
    queueLength: zeros(n),
    lagMs: zeros(n),
  };
  const totalOk: (Histogram | undefined)[] = new Array(n).fill(undefined);

  for (const s of list) {
    const offset = Math.round((s.from - from) / size);
    addCounts(total, s.total, offset, n);
    for (let i = 0; i < s.intervals; i++) {
      total.activeRunners[offset + i]! += s.total.activeRunners[i]!;
      total.queueLength[offset + i]! += s.total.queueLength[i]!;
      total.lagMs[offset + i] = Math.max(total.lagMs[offset + i]!, s.total.lagMs[i]!);
    }
    for (const [nature, list2] of [
      ['req', s.byRequest],
      ['tra', s.byTransaction],
    ] as [Nature, SeriesRow[]][]) {
      for (const r of list2) {
        const key = `${nature}\0${r.id}\0${r.cut}\0${r.request}`;
        let acc = rows.get(key);
        if (acc === undefined) {
          acc = {
            id: r.id,
            cut: r.cut,
            request: r.request,
            count: zeros(n),
            errors: zeros(n),
            errorsByType: {},
            ok: new Array(n).fill(undefined),
            failed: new Array(n).fill(undefined),
          };
          rows.set(key, acc);
        }
        addCounts(acc, r, offset, n);
        for (let i = 0; i < r.okHdr.length; i++) {
          const ok = r.okHdr[i];
          if (ok !== null && ok !== undefined) addEncoded((acc.ok[offset + i] ??= newSeriesHistogram()), ok);
          const failed = r.failedHdr[i];
          if (failed !== null && failed !== undefined) addEncoded((acc.failed[offset + i] ??= newSeriesHistogram()), failed);
        }
      }
    }
    for (const a of s.arrivals ?? []) {
      const key = `${a.id}\0${a.cut}`;
      let acc = arrivals.get(key);
      if (acc === undefined) arrivals.set(key, (acc = { id: a.id, cut: a.cut, planned: zeros(n), started: zeros(n), dropped: zeros(n) }));
      for (let i = 0; i < a.planned.length; i++) {
        acc.planned[offset + i]! += a.planned[i]!;
        acc.started[offset + i]! += a.started[i]!;
        acc.dropped[offset + i]! += a.dropped[i]!;
      }
    }
  }

  // The total's percentiles: every request row's merged interval histograms, added once each.
  for (const [key, acc] of rows) {
    if (!key.startsWith('req\0')) continue;
    acc.ok.forEach((h, i) => {
      if (h !== undefined) (totalOk[i] ??= newSeriesHistogram()).add(h);
    });
  }

  const rowsOf = (nature: Nature): SeriesRow[] =>
    [...rows.entries()]
      .filter(([k]) => k.startsWith(`${nature}\0`))
      .map(([, a]) => ({
        id: a.id,
        cut: a.cut,
        request: a.request,
        count: a.count,
        errors: a.errors,
        throughput: a.count.map((c, i) => r3((c - a.errors[i]!) / sec)),
        ...percentiles(a.ok),
        errorsByType: a.errorsByType,
        okHdr: a.ok.map((h) => (h === undefined ? null : encodeHistogram(h))),
        failedHdr: a.failed.map((h) => (h === undefined ? null : encodeHistogram(h))),
      }));

  const merged: Series = {
    intervalMs: size,
    from,
    intervals: n,
    span: { from: Math.min(...list.map((s) => s.span.from)), to: Math.max(...list.map((s) => s.span.to)) },
    total: { ...total, throughput: total.count.map((c, i) => r3((c - total.errors[i]!) / sec)), ...percentiles(totalOk) },
    byRequest: rowsOf('req'),
    byTransaction: rowsOf('tra'),
  };
  if (arrivals.size > 0) merged.arrivals = [...arrivals.values()];
  return merged;
}
