/**
 * p99 of the last --summary interval, per line and for the whole run, for the live progress block:
 * each tick merges the lines' cumulative latency histograms (the stats queue's aggregates of the
 * requests) and subtracts the previous tick's, so the percentile is read from exactly the latencies
 * that arrived in between, never averaged (at the end, the whole run's). Costs a few histogram additions per tick, nothing per event.
 */
import * as hdr from 'hdr-histogram-js';
import type { StatsQueue } from '../stats/StatsQueue.js';
import type { IntervalP99 } from './ProgressTracker.js';

const histogram = () => hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: 3, useWebAssembly: false });

/** The p99 in ms of `now − before` (null when nothing arrived); keeps `now` as the next `before`. */
function p99Of(now: hdr.Histogram, before: hdr.Histogram | undefined): number | null {
  const d = histogram();
  d.add(now);
  if (before !== undefined) d.subtract(before);
  return d.totalCount > 0 ? Math.round(d.getValueAtPercentile(99)) / 1000 : null;
}

export function intervalP99(queue: StatsQueue): IntervalP99 {
  let last = new Map<string, hdr.Histogram>();
  let lastTotal: hdr.Histogram | undefined;
  return (wholeRun = false) => {
    const now = new Map<string, hdr.Histogram>();
    const total = histogram();
    for (const a of queue.aggs.values()) {
      if (a.nature !== 'req') continue;
      let h = now.get(a.id);
      if (h === undefined) now.set(a.id, (h = histogram()));
      h.add(a.latency);
      total.add(a.latency);
    }
    const byLine = new Map<string, number | null>();
    for (const [id, h] of now) byLine.set(id, p99Of(h, wholeRun ? undefined : last.get(id)));
    const p99 = p99Of(total, wholeRun ? undefined : lastTotal);
    last = now;
    lastTotal = total;
    return { byLine, total: p99 };
  };
}
