/**
 * The aggregates of one interval of a run (a capacity step): the batches that runners sent between
 * `from` and `to` (epoch ms, by the batch's sentAt), counted and their histogram deltas merged
 * exactly, beside the whole run's. Fed by the stats queue while the interval is attached, from the
 * batches it already receives: the runners do no extra work.
 *
 * Runners ship counts every flush (100 ms) and histograms every 250 ms, so an interval's edges are
 * that precise; a capacity step leaves a settling time at its start, which covers it.
 */
import type { BatchMessage } from '../core/protocol.js';
import { mergeDelta, newAgg, type RequestAgg } from './aggregate.js';

export class IntervalStats {
  /** the run's aggregate → this interval's */
  readonly aggs = new Map<RequestAgg, RequestAgg>();
  readonly errorsByType: Record<string, number> = {};
  requests = 0;

  constructor(
    /** epoch ms: batches sent before are not counted */
    readonly from: number,
    /** epoch ms: batches sent after are not counted */
    public to: number = Infinity,
  ) {}

  /** Seconds the interval covers (up to `now` while it is open). */
  seconds(now: number): number {
    return Math.max(0, Math.min(this.to, now) - this.from) / 1000;
  }

  private of(main: RequestAgg): RequestAgg {
    let a = this.aggs.get(main);
    if (a === undefined) {
      a = newAgg(main.id, main.cut, main.nature, main.request, main.step, main.items);
      this.aggs.set(main, a);
    }
    return a;
  }

  /** Adds a batch whose runner keys map to the run's aggregates `runAggs` (once the queue has them). */
  add(b: BatchMessage, runAggs: readonly RequestAgg[]): void {
    if (b.sentAt < this.from || b.sentAt > this.to) return;
    for (const d of b.deltas) {
      const a = this.of(runAggs[d.key]!);
      a.count += d.count;
      a.errors += d.errors;
    }
    this.requests += b.requests;
    if (b.errorTypes !== undefined) {
      for (const [t, n] of Object.entries(b.errorTypes)) this.errorsByType[t] = (this.errorsByType[t] ?? 0) + n;
    }
    if (b.histograms !== undefined) for (const h of b.histograms) mergeDelta(this.of(runAggs[h.key]!), h);
  }
}
