/**
 * The start stage: t0 is when every runner is forked, has loaded its CUT and run its setup(); runner i of
 * a line starts at t0 + postpone + i × rampup (--start-at: every shard's t0 is that instant). A runner that
 * outlives its duration and grace is stopped, then killed; the stats queue ticks on the runners' beat.
 */
import type { RunPlan } from '../core/plan.js';
import { plural } from '../core/text/plural.js';
import type { RunEvents } from '../stats/runObserver.js';
import type { StatsQueue } from '../stats/StatsQueue.js';
import type { RunnerProcess } from './RunnerProcess.js';
import { killAfterGrace } from './graceKill.js';
import type { RunStop } from './stopRunners.js';

/** Margin between "all runners ready" and the first start instant, so the start messages arrive. */
const START_MARGIN_MS = 50;
/** The stats queue ticks this long after the runners, so their local throughputs have arrived. */
const TICK_AFTER_MS = 20;
/** Loading a CUT and its setup() must be done within this. */
const READY_TIMEOUT_MS = 120_000;

/** What an observer of a run (src/capacity/) may use: the stats queue, the start, a graceful stop. */
export interface RunControl {
  queue: StatsQueue;
  /** epoch ms at which the first runner starts */
  startAt: number;
  /** stops the runners gracefully: operations in flight end, everything is kept (not an interrupt) */
  stop(): void;
}

export class RunStart {
  /** epoch ms every runner's start counts from (0: they never started) */
  t0 = 0;
  /** --start-at: how late this process's t0 was on it (ready after the instant) */
  lateMs = 0;
  /** slots whose start instant has come (postpone, rampup) */
  private readonly due = new Set<number>();

  constructor(
    private readonly plan: RunPlan,
    private readonly runners: readonly RunnerProcess[],
    private readonly queue: StatsQueue,
    private readonly stop: RunStop,
    private readonly events: RunEvents,
    private readonly say: (s: string) => void,
  ) {}

  /** The one place that says whether a runner is active: running, and its start instant has come. */
  markActive = (r: RunnerProcess): void => {
    this.queue.setActive(r.spec.slot, r.state === 'running' && this.due.has(r.spec.slot));
  };

  /** Waits until every runner is ready, then gives each its start instant; if one is not ready (or an interrupt came), stops them all. */
  async start(observe: ((ctl: RunControl) => void) | undefined): Promise<void> {
    const { plan, runners, stop, say } = this;
    const ready = await Promise.allSettled(runners.map((r) => r.ready(READY_TIMEOUT_MS)));
    if (ready.some((r) => r.status === 'rejected') || stop.interrupted) {
      stop.stopAll();
      for (const r of runners) if (r.state !== 'stopped') void r.kill(1000);
      return;
    }
    let t0 = Date.now() + START_MARGIN_MS;
    if (plan.startAt !== undefined) {
      // --start-at: every shard's t0 is the same wall-clock instant; one ready after it starts at once.
      this.lateMs = Math.max(0, t0 - plan.startAt);
      t0 = Math.max(t0, plan.startAt);
      const at = new Date(plan.startAt).toISOString();
      const late = `ready ${this.lateMs} ms after --start-at ${at}: starting at once`;
      if (plan.verbosity > 0 || this.lateMs > 0) say(`pylogen: ${this.lateMs > 0 ? late : `waiting for --start-at ${at}`}\n`);
    }
    this.t0 = t0;
    if (plan.verbosity > 0) say(`t0 ${new Date(t0).toISOString()}: ${plural(runners.length, 'runner')} ready\n`);
    stop.lastEnd = runners.every((r) => r.spec.options.duration > 0) ? -Infinity : Infinity;
    for (const r of runners) {
      const o = r.spec.options;
      const at = t0 + (o.postpone + r.spec.index * o.rampup) * 1000;
      stop.lastEnd = Math.max(stop.lastEnd, at + o.duration * 1000);
      r.start(at);
      stop.later(() => (this.due.add(r.spec.slot), this.markActive(r)), Math.max(0, at - Date.now()));
      if (o.duration > 0) {
        // A runner that outlives its duration and grace (a silent endpoint) is stopped, then killed.
        const deadline = at - Date.now() + (o.duration + o.grace) * 1000 + 1000;
        stop.later(() => r.stop(), deadline);
        stop.later(() => void killAfterGrace(r, plan.summary * 1000, (b) => this.queue.onBatch(r.spec.slot, b)), deadline + 1000);
      }
    }
    const firstAt = t0 + Math.min(...runners.map((r) => r.spec.options.postpone + r.spec.index * r.spec.options.rampup)) * 1000;
    observe?.({ queue: this.queue, startAt: firstAt, stop: stop.stopEarly });
    // The global throughput is computed on the same beat as the runners' local ones (which tick
    // from their start): Σ local and global then cover the same intervals.
    stop.later(
      () => {
        this.queue.startTicks();
        stop.every(() => {
          // Once every runner has finished, an interval is partial and no runner reports a local
          // throughput: such a tick would show a global rate over a fraction of an interval and
          // "local Σ 0.0/s". The summary follows instead.
          if (this.queue.activeRunners === 0 && runners.every((r) => r.state === 'stopping' || r.state === 'stopped' || r.state === 'failed')) return;
          this.events.tick(this.queue.tick());
        }, plan.summary * 1000);
      },
      Math.max(0, t0 - Date.now() + TICK_AFTER_MS),
    );
  }
}
