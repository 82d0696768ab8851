/**
 * The VerdictSource of a run: the stats queue's aggregates, the runners' spans (throughput's
 * denominator, as the summary's) and their open-model arrival tallies. During the run (for
 * --abort-on-fail) the runners have sent no done message yet: only counts and maxima are judged then.
 */
import type { StatsQueue } from '../stats/StatsQueue.js';
import type { RunnerEnd } from '../stats/summary.js';
import type { VerdictSource } from './evaluateThresholds.js';
import { sourceFromAggs } from './sourceFromAggs.js';

/** Seconds from the first start to the last end of the runners of line `id` (every line when absent). */
export function runSeconds(ends: readonly RunnerEnd[], id: string | undefined): number {
  let from = Infinity;
  let to = -Infinity;
  for (const r of ends) {
    if ((id !== undefined && r.id !== id) || r.startedAt === undefined) continue;
    from = Math.min(from, r.startedAt);
    to = Math.max(to, r.endedAt ?? r.startedAt);
  }
  return to > from ? (to - from) / 1000 : 0;
}

export function runSource(queue: StatsQueue, ends?: readonly RunnerEnd[]): VerdictSource {
  return sourceFromAggs([...queue.aggs.values()], {
    seconds: (id) => (ends === undefined ? 0 : runSeconds(ends, id)),
    errorsByType: queue.errorsByType,
    arrivals: (id) => {
      if (ends === undefined) return undefined;
      const of = ends.filter((r) => r.arrivals !== undefined && (id === undefined || r.id === id));
      if (of.length === 0) return undefined;
      return { planned: of.reduce((n, r) => n + r.arrivals!.planned, 0), dropped: of.reduce((n, r) => n + r.arrivals!.dropped, 0) };
    },
  });
}
