/**
 * What the HTML report's charts draw, from a summary alone (pure: the run's own report and `pylogen
 * report` from a saved summary get the same data). The series' columns become per-second rates (over
 * the seconds of each interval that ran: a partial first or last interval is not a full one) on a
 * time axis (uPlot's: epoch seconds); the whole-run percentile distribution is read from each
 * request's encoded HdrHistogram (the summary's `hdr`), HdrHistogram's own plot: the x axis is
 * log10(1 / (1 - p)), so 50%, 90%, 99%, 99.9%, 99.99% are evenly spaced.
 */
import { decodeLatencies } from '../stats/aggregate.js';
import type { CapacityResult } from '../summary/schema.js';
import { activeSpan, runnerEnd, type Summary } from '../stats/summary.js';

export interface Named<T> {
  name: string;
  values: T[];
}

export interface ReportData {
  /** epoch s of each interval's start */
  time: number[];
  intervalS: number;
  /**
   * ok requests per second, one per request; errors per second (every request) stacked on top. Each
   * over the seconds of its interval its line ran (the run's for errors): a partial first or last
   * interval is not drawn as a full one; null where that is under MIN_SHARE of an interval.
   */
  throughput: { ok: Named<number | null>[]; errors: (number | null)[] };
  /** ok latency of each interval over every request, ms; and p50 / p99 of each request apart */
  latency: {
    p50: (number | null)[];
    p90: (number | null)[];
    p99: (number | null)[];
    max: (number | null)[];
    byRequest: { name: string; p50: (number | null)[]; p99: (number | null)[] }[];
  };
  /** x: log10(1 / (1 - p)), from 50% to 99.99%; one curve per request (ok latencies, ms) */
  distribution: { x: number[]; curves: Named<number | null>[] };
  /** errors per second of each type */
  errorsByType: Named<number | null>[];
  /** runners active; open model: arrivals per second planned, started, dropped (every line) */
  runners: { active: number[]; arrivals?: { planned: (number | null)[]; started: (number | null)[]; dropped: (number | null)[] } };
  capacity?: {
    mode: CapacityResult['mode'];
    /** the step's rate (open model) or concurrency (closed model) */
    level: number[];
    achieved: number[];
    p99: (number | null)[];
    ok: boolean[];
    refine: boolean[];
  };
}

/** Points of the distribution: from 50% to 99.99%, evenly spaced on its log axis. */
export const DISTRIBUTION_POINTS = 121;
const X_FROM = Math.log10(2);
const X_TO = 4;

const r3 = (x: number) => Math.round(x * 1000) / 1000;

function distribution(s: Summary): ReportData['distribution'] {
  const x = Array.from({ length: DISTRIBUTION_POINTS }, (_, i) => r3(X_FROM + ((X_TO - X_FROM) * i) / (DISTRIBUTION_POINTS - 1)));
  const curves = s.byRequest
    .filter((r) => r.ok.hdr.count > 0)
    .map((r) => {
      const t = decodeLatencies(r.ok.hdr);
      // the exact max caps a percentile: a bucket's top can exceed the largest value recorded
      return { name: `${r.id} ${r.request}`, values: x.map((k) => r3(Math.min(t.latency.getValueAtPercentile(100 * (1 - 10 ** -k)) / 1000, t.max))) };
    });
  return { x, curves };
}

/** An interval of which less than this share was run is drawn as a gap: a few requests over a few ms are no rate. */
export const MIN_SHARE = 0.1;

/**
 * Each interval's seconds inside `span` (epoch ms): a flat 20/s run that starts 0.7 s into its first
 * interval served 6 requests in 0.3 s, 20/s, not 6/s.
 */
function intervalSeconds(se: Summary['series'], span: { from: number; to: number }): (number | null)[] {
  return Array.from({ length: se.intervals }, (_, i) => {
    const start = se.from + i * se.intervalMs;
    const ran = Math.min(start + se.intervalMs, span.to) - Math.max(start, span.from);
    return ran >= MIN_SHARE * se.intervalMs ? ran / 1000 : null;
  });
}

export function reportData(s: Summary & { capacity?: CapacityResult }): ReportData {
  const se = s.series;
  const sec = se.intervalMs / 1000;
  const runners = s.byRunner.map(runnerEnd);
  const runSeconds = intervalSeconds(se, se.span);
  const rate = (a: number[], seconds = runSeconds) => a.map((v, i) => (seconds[i] === null ? null : r3(v / seconds[i]!)));
  const perS = (a: number[]) => rate(a);
  const time = Array.from({ length: se.intervals }, (_, i) => (se.from + i * se.intervalMs) / 1000);
  const data: ReportData = {
    time,
    intervalS: sec,
    throughput: {
      ok: se.byRequest.map((r) => {
        const line = activeSpan(runners, r.id, r.cut);
        const ok = r.count.map((c, i) => c - r.errors[i]!);
        return { name: `${r.id} ${r.request}`, values: rate(ok, line === undefined ? runSeconds : intervalSeconds(se, line)) };
      }),
      errors: perS(se.total.errors),
    },
    latency: {
      p50: se.total.p50,
      p90: se.total.p90,
      p99: se.total.p99,
      max: se.total.max,
      byRequest: se.byRequest.map((r) => ({ name: `${r.id} ${r.request}`, p50: r.p50, p99: r.p99 })),
    },
    distribution: distribution(s),
    errorsByType: Object.entries(se.total.errorsByType).map(([name, v]) => ({ name, values: perS(v) })),
    runners: { active: se.total.activeRunners },
  };
  if (se.arrivals !== undefined && se.arrivals.length > 0) {
    const sum = (k: 'planned' | 'started' | 'dropped') => perS(time.map((_, i) => se.arrivals!.reduce((n, l) => n + (l[k][i] ?? 0), 0)));
    data.runners.arrivals = { planned: sum('planned'), started: sum('started'), dropped: sum('dropped') };
  }
  if (s.capacity !== undefined) {
    const st = s.capacity.steps;
    data.capacity = {
      mode: s.capacity.mode,
      level: st.map((x) => (s.capacity!.mode === 'rate' ? x.rate! : x.concurrency!)),
      achieved: st.map((x) => x.achieved),
      p99: st.map((x) => x.p99),
      ok: st.map((x) => x.ok),
      refine: st.map((x) => x.refine === true),
    };
  }
  return data;
}
