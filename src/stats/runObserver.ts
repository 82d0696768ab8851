/**
 * What a run tells its observers, in the manner of k6's outputs and autocannon's `track(instance)`: the live
 * block and status lines (progress/), Prometheus (metrics/), the summary JSON (writeSummary.ts) and the HTML
 * report (report/). The controller registers them in one list (controller/observers.ts) and tells each, in
 * that order, what happens; run.ts imports none of them (docs/internals.md "How a run flows").
 */
import type { RunPlan } from '../core/plan.js';
import type { Summary } from '../summary/schema.js';
import type { StatsQueue, Tick } from './StatsQueue.js';
import type { RunnerEnd } from './summary.js';

/** The run as its observers see it once the runners are forked. */
export interface RunBegin {
  plan: RunPlan;
  queue: StatsQueue;
  /** how many runners were forked */
  runners: number;
  /** the longest --grace of the plan's lines, ms */
  graceMs: number;
  say(text: string): void;
}

export interface RunObserver {
  /** the runners are forked and the stats queue is set up; none has started yet */
  begin?(run: RunBegin): void;
  /** every --summary seconds while runners run: the stats queue's tick */
  tick?(t: Tick): void;
  /** the runners have ended and every count is final (epoch ms; t0: when they started, 0 if they never did) */
  stopped?(at: number, t0: number, ends: RunnerEnd[]): void;
  /** the summary is final and printed; false: writing it out failed (said on stderr), and so the run fails */
  end?(summary: Summary): boolean | void | Promise<boolean | void>;
}

/** Tells every observer of the list each event, in the list's order. */
export class RunEvents {
  constructor(private readonly observers: readonly RunObserver[]) {}

  begin(run: RunBegin): void {
    for (const o of this.observers) o.begin?.(run);
  }

  tick(t: Tick): void {
    for (const o of this.observers) o.tick?.(t);
  }

  stopped(at: number, t0: number, ends: RunnerEnd[]): void {
    for (const o of this.observers) o.stopped?.(at, t0, ends);
  }

  /** Each observer's end in turn, every one even after a failure: true when all of them succeeded. */
  async end(summary: Summary): Promise<boolean> {
    let ok = true;
    for (const o of this.observers) if ((await o.end?.(summary)) === false) ok = false;
    return ok;
  }
}
