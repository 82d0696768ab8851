/**
 * The time series of a run: every --summary interval, aligned on wall-clock multiples of --summary
 * (epoch ms), so that the intervals of shards started apart still line up. Each runner labels its
 * batches with the interval they belong to (src/runner/Recorder.ts), and ships its histograms when it
 * crosses an interval's end: every interval has its own latency histograms, per (id, cut, nature,
 * request), recorded in the runners and merged here exactly; its percentiles are read from them,
 * never averaged. Interval histograms keep 2 significant digits (src/stats/histogram.ts), so an hour
 * of them fits the summary. The queue's own figures (active runners, queue length, lag) are sampled on the
 * stats queue's clock.
 *
 * Memory stays bounded on long runs: an interval older than a few intervals is sealed (its
 * percentiles read, its histograms encoded and dropped); a batch arriving later still for a sealed
 * interval reopens it from its encoded histograms.
 */
import type { ArrivalCounts, KeyDelta, Nature, LatencyDelta } from '../core/protocol.js';
import { addEncoded, decodeHistogram, encodeHistogram, newSeriesHistogram, percentileMs, type Histogram } from './histogram.js';
import type { Series, SeriesColumns, SeriesRow } from '../summary/schema.js';

export type { Series, SeriesColumns, SeriesRow };

/** A (id, cut, nature, request) row of one interval, all its lengths together. */
interface RowAcc {
  count: number;
  errors: number;
  errorsByType: Record<string, number> | undefined;
  ok: Histogram | undefined;
  failed: Histogram | undefined;
  /** sealed: the encoded histograms (what is kept of a sealed interval) */
  okHdr: string | null;
  failedHdr: string | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

interface LineAcc {
  due: number;
  started: number;
  dropped: number;
}

interface IntervalAcc {
  start: number;
  rows: Map<string, RowAcc>;
  lines: Map<string, LineAcc>;
  activeRunners: number;
  queueLength: number;
  lagMs: number;
  sealed: boolean;
  total: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
}

export interface SeriesRowKey {
  id: string;
  cut: string;
  nature: Nature;
  request: string;
}

/** Intervals older than this many intervals behind the newest one seen are sealed. */
const SEAL_AFTER = 3;

const rowKey = (k: SeriesRowKey) => `${k.nature}\0${k.id}\0${k.cut}\0${k.request}`;

export class SeriesBuilder {
  private readonly intervals = new Map<number, IntervalAcc>();
  private readonly rowKeys = new Map<string, SeriesRowKey>();
  private readonly lineKeys = new Map<string, { id: string; cut: string }>();
  private newest = -Infinity;
  private readonly lastArrivals = new Map<number, ArrivalCounts>();

  constructor(readonly intervalMs: number) {}

  /** The interval that an epoch ms falls in. */
  intervalOf(epochMs: number): number {
    return Math.floor(epochMs / this.intervalMs) * this.intervalMs;
  }

  private acc(start: number): IntervalAcc {
    let a = this.intervals.get(start);
    if (a === undefined) {
      a = {
        start,
        rows: new Map(),
        lines: new Map(),
        activeRunners: 0,
        queueLength: 0,
        lagMs: 0,
        sealed: false,
        total: { p50: null, p90: null, p99: null, max: null },
      };
      this.intervals.set(start, a);
    }
    if (start > this.newest) this.newest = start;
    return a;
  }

  private row(start: number, k: SeriesRowKey): RowAcc {
    const a = this.acc(start);
    const name = rowKey(k);
    if (!this.rowKeys.has(name)) this.rowKeys.set(name, { id: k.id, cut: k.cut, nature: k.nature, request: k.request });
    let r = a.rows.get(name);
    if (r === undefined) {
      r = {
        count: 0,
        errors: 0,
        errorsByType: undefined,
        ok: undefined,
        failed: undefined,
        okHdr: null,
        failedHdr: null,
        p50: null,
        p90: null,
        p99: null,
        max: null,
      };
      a.rows.set(name, r);
    } else if (a.sealed) {
      this.reopen(a);
    }
    return r;
  }

  private reopen(a: IntervalAcc): void {
    a.sealed = false;
    for (const r of a.rows.values()) {
      if (r.okHdr !== null) r.ok = decodeHistogram(r.okHdr);
      if (r.failedHdr !== null) r.failed = decodeHistogram(r.failedHdr);
      r.okHdr = r.failedHdr = null;
    }
  }

  /** A batch's counters of one key. */
  addCounts(interval: number, k: SeriesRowKey, d: KeyDelta): void {
    const r = this.row(interval, k);
    r.count += d.count;
    r.errors += d.errors;
    if (d.errorTypes !== undefined) {
      const by = (r.errorsByType ??= {});
      for (const t in d.errorTypes) by[t] = (by[t] ?? 0) + d.errorTypes[t]!;
    }
  }

  /** A batch's histograms of one key. */
  addHistograms(interval: number, k: SeriesRowKey, ok: LatencyDelta | undefined, failed: LatencyDelta | undefined): void {
    const r = this.row(interval, k);
    if (ok !== undefined) addEncoded((r.ok ??= newSeriesHistogram()), ok.latency);
    if (failed !== undefined) addEncoded((r.failed ??= newSeriesHistogram()), failed.latency);
  }

  /** An open-model runner's cumulative arrivals: what changed since its last batch goes to interval. */
  addArrivals(interval: number, slot: number, line: { id: string; cut: string }, now: ArrivalCounts): void {
    const last = this.lastArrivals.get(slot) ?? { planned: now.planned, due: 0, started: 0, dropped: 0 };
    this.lastArrivals.set(slot, now);
    const name = `${line.id}\0${line.cut}`;
    if (!this.lineKeys.has(name)) this.lineKeys.set(name, line);
    const a = this.acc(interval);
    let l = a.lines.get(name);
    if (l === undefined) a.lines.set(name, (l = { due: 0, started: 0, dropped: 0 }));
    l.due += now.due - last.due;
    l.started += now.started - last.started;
    l.dropped += now.dropped - last.dropped;
  }

  /** The stats queue's own figures at epoch ms `at`: each interval keeps the highest. */
  sample(at: number, activeRunners: number, queueLength: number, lagMs: number): void {
    const a = this.acc(this.intervalOf(at));
    if (activeRunners > a.activeRunners) a.activeRunners = activeRunners;
    if (queueLength > a.queueLength) a.queueLength = queueLength;
    if (lagMs > a.lagMs) a.lagMs = lagMs;
  }

  /** Seals the intervals well behind the newest: percentiles read, histograms encoded and dropped. */
  sealOld(): void {
    for (const a of this.intervals.values()) {
      if (!a.sealed && a.start < this.newest - SEAL_AFTER * this.intervalMs) this.seal(a);
    }
  }

  private seal(a: IntervalAcc): void {
    const total = newSeriesHistogram();
    for (const [name, r] of a.rows) {
      if (r.ok !== undefined) {
        r.p50 = percentileMs(r.ok, 50);
        r.p90 = percentileMs(r.ok, 90);
        r.p99 = percentileMs(r.ok, 99);
        r.max = percentileMs(r.ok, 100);
        if (name.startsWith('req\0')) total.add(r.ok);
        r.okHdr = encodeHistogram(r.ok);
        r.ok = undefined;
      }
      if (r.failed !== undefined) {
        r.failedHdr = encodeHistogram(r.failed);
        r.failed = undefined;
      }
    }
    a.total = { p50: percentileMs(total, 50), p90: percentileMs(total, 90), p99: percentileMs(total, 99), max: percentileMs(total, 100) };
    a.sealed = true;
  }

  /** The columnar series, every interval from the first to the last (quiet ones as zeros). */
  build(span: { from: number; to: number }): Series {
    for (const a of this.intervals.values()) if (!a.sealed) this.seal(a);
    const starts = [...this.intervals.keys()];
    const size = this.intervalMs;
    const first = starts.length > 0 ? Math.min(...starts) : this.intervalOf(span.from);
    const last = starts.length > 0 ? Math.max(...starts) : first - size;
    const n = Math.round((last - first) / size) + 1;
    const at = (i: number) => this.intervals.get(first + i * size);
    const sec = size / 1000;
    const r3 = (x: number) => Math.round(x * 1000) / 1000;

    const columns = (rowsOf: (a: IntervalAcc) => RowAcc[], total: boolean): SeriesColumns => {
      const c: SeriesColumns = { count: [], errors: [], throughput: [], p50: [], p90: [], p99: [], max: [], errorsByType: {} };
      for (let i = 0; i < n; i++) {
        const a = at(i);
        const rows = a === undefined ? [] : rowsOf(a);
        let count = 0;
        let errors = 0;
        for (const r of rows) {
          count += r.count;
          errors += r.errors;
          if (r.errorsByType !== undefined) {
            for (const [t, m] of Object.entries(r.errorsByType)) {
              const col = (c.errorsByType[t] ??= new Array<number>(n).fill(0));
              col[i]! += m;
            }
          }
        }
        c.count.push(count);
        c.errors.push(errors);
        c.throughput.push(r3((count - errors) / sec));
        const p = total ? a?.total : rows[0];
        c.p50.push(p?.p50 ?? null);
        c.p90.push(p?.p90 ?? null);
        c.p99.push(p?.p99 ?? null);
        c.max.push(p?.max ?? null);
      }
      return c;
    };

    const rowsFor = (nature: Nature): SeriesRow[] => {
      const out: SeriesRow[] = [];
      for (const [name, k] of this.rowKeys) {
        if (k.nature !== nature) continue;
        const cols = columns((a) => {
          const r = a.rows.get(name);
          return r === undefined ? [] : [r];
        }, false);
        const okHdr: (string | null)[] = [];
        const failedHdr: (string | null)[] = [];
        for (let i = 0; i < n; i++) {
          const r = at(i)?.rows.get(name);
          okHdr.push(r?.okHdr ?? null);
          failedHdr.push(r?.failedHdr ?? null);
        }
        out.push({ id: k.id, cut: k.cut, request: k.request, ...cols, okHdr, failedHdr });
      }
      return out;
    };

    const totalCols = columns((a) => [...a.rows.entries()].filter(([name]) => name.startsWith('req\0')).map(([, r]) => r), true);
    const s: Series = {
      intervalMs: size,
      from: first,
      intervals: n,
      span,
      total: {
        ...totalCols,
        activeRunners: Array.from({ length: n }, (_, i) => at(i)?.activeRunners ?? 0),
        queueLength: Array.from({ length: n }, (_, i) => at(i)?.queueLength ?? 0),
        lagMs: Array.from({ length: n }, (_, i) => Math.round(at(i)?.lagMs ?? 0)),
      },
      byRequest: rowsFor('req'),
      byTransaction: rowsFor('tra'),
    };
    if (this.lineKeys.size > 0) {
      s.arrivals = [...this.lineKeys].map(([name, l]) => {
        const col = (f: keyof LineAcc) => Array.from({ length: n }, (_, i) => at(i)?.lines.get(name)?.[f] ?? 0);
        return { id: l.id, cut: l.cut, planned: col('due'), started: col('started'), dropped: col('dropped') };
      });
    }
    return s;
  }
}

/**
 * The throughput high-water mark of a series: the best full interval's ok requests per second (an
 * interval inside the measured span; a partial one, at the start or the end, is never counted).
 * Null when no interval is full (a run shorter than two intervals).
 */
export function bestFullInterval(s: Series): { throughput: number; at: number } | null {
  let best: { throughput: number; at: number } | null = null;
  for (let i = 0; i < s.intervals; i++) {
    const start = s.from + i * s.intervalMs;
    if (start < s.span.from || start + s.intervalMs > s.span.to) continue;
    const tps = (s.total.count[i]! - (s.total.errors?.[i] ?? 0)) / (s.intervalMs / 1000);
    if (best === null || tps > best.throughput) best = { throughput: tps, at: start + s.intervalMs };
  }
  return best;
}
