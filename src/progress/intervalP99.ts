/**
 * p99 of the last --summary interval, per line and for the whole run, for the live progress block:
 * each tick merges the lines' cumulative latency histograms (the stats queue's aggregates of the
 * requests that succeeded, like the summary's percentiles) and subtracts the previous tick's, so
 * the percentile is read from exactly the latencies that arrived in between, never averaged (at the
 * end, the whole run's). A few histogram additions per tick, nothing per event.
 */
import { newHistogram, type Histogram } from '../stats/histogram.js';
import type { StatsQueue } from '../stats/StatsQueue.js';
import type { IntervalP99 } from './ProgressTracker.js';

const histogram = (): Histogram => newHistogram();

/** The p99 in ms of `now − before` (null when nothing arrived); keeps `now` as the next `before`. */
function p99Of(now: Histogram, before: Histogram | undefined): number | null {
  const d = histogram();
  d.add(now);
  if (before !== undefined) d.subtract(before);
  return d.totalCount > 0 ? Math.round(d.getValueAtPercentile(99)) / 1000 : null;
}

export function intervalP99(queue: StatsQueue): IntervalP99 {
  let last = new Map<string, Histogram>();
  let lastTotal: Histogram | undefined;
  return (wholeRun = false) => {
    const now = new Map<string, Histogram>();
    const total = histogram();
    for (const a of queue.aggs.values()) {
      if (a.nature !== 'req') continue;
      let h = now.get(a.id);
      if (h === undefined) now.set(a.id, (h = histogram()));
      h.add(a.ok.latency);
      total.add(a.ok.latency);
    }
    const byLine = new Map<string, number | null>();
    for (const [id, h] of now) byLine.set(id, p99Of(h, wholeRun ? undefined : last.get(id)));
    const p99 = p99Of(total, wholeRun ? undefined : lastTotal);
    last = now;
    lastTotal = total;
    return { byLine, total: p99 };
  };
}
