/**
 * Stop and signals: how a run's runners are stopped before their end. An interrupt (the first
 * SIGINT / SIGTERM: graceful, the second: forced), --abort-on-fail (a threshold that can only get worse is
 * crossed), a capacity search's stop, and an event stream's reader that stops reading (said, and given up
 * once the run is over). Also the run's timers, cleared in one place at its end.
 */
import type { RunPlan } from '../core/plan.js';
import type { EventOutput } from '../output/EventOutput.js';
import type { StatsQueue } from '../stats/StatsQueue.js';
import { evaluateThresholds, shown } from '../verdict/evaluateThresholds.js';
import { runSource } from '../verdict/runSource.js';
import { canOnlyGetWorse } from '../verdict/threshold.js';
import type { RunnerProcess } from './RunnerProcess.js';

/** After the longest grace, the runners still running are killed: this much later, for their last batches. */
const FORCE_AFTER_GRACE_MS = 2000;
/** An event stream whose reader has taken nothing for this long is said on stderr (a stall) ... */
const STALL_SAY_MS = 2000;
/** ... and given up once the run is over (or interrupted) and it has taken nothing for this long. */
const STALL_GIVE_UP_MS = 1000;

/** The longest --grace of the plan's lines, ms: operations in flight get it before a stop is forced. */
export function maxGraceMs(plan: RunPlan): number {
  return Math.max(...plan.lines.map((l) => l.options.grace)) * 1000;
}

export class RunStop {
  /** an interrupt stopped the run (exit 130) */
  interrupted = false;
  /** --abort-on-fail or a capacity search stopped the run gracefully */
  stoppedEarly = false;
  /** --abort-on-fail: the threshold that stopped the run */
  abortedBy: string | undefined;
  /** when the last runner's duration ends (epoch ms): a stalled reader is given up after it */
  lastEnd = Infinity;
  /** the runners have ended: whatever the reader does, the run ends now */
  private ending = false;
  private stallSaid = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly watched;
  private readonly watchOutput: NodeJS.Timeout;

  constructor(
    private readonly plan: RunPlan,
    private readonly runners: readonly RunnerProcess[],
    private readonly queue: StatsQueue,
    private readonly output: EventOutput | undefined,
    private readonly say: (s: string) => void,
  ) {
    this.watched = plan.abortOnFail ? plan.thresholds.filter(canOnlyGetWorse) : [];
    // A reader that stops reading (`| sleep 45`) holds the acknowledgements and so the runners: it
    // is said, and once the run is over it is given up (what it did not take is counted, not written).
    this.watchOutput = setInterval(() => this.checkOutput(), 250);
  }

  /** A timer of the run (a start, a deadline, the ticks): cleared when the run ends. */
  later(fn: () => void, ms: number): void {
    this.timers.push(setTimeout(fn, ms));
  }

  every(fn: () => void, ms: number): void {
    this.timers.push(setInterval(fn, ms));
  }

  stopAll = (): void => {
    for (const r of this.runners) r.stop();
  };

  forceAll = (): void => {
    for (const r of this.runners) void r.kill(500);
    this.output?.abandon?.();
  };

  /** The first interrupt: the runners stop gracefully; operations in flight get their grace, then they are forced. */
  onAbort = (): void => {
    this.interrupted = true;
    this.say('pylogen: interrupted: stopping the runners (interrupt again to force)\n');
    this.stopAll();
    this.later(this.forceAll, maxGraceMs(this.plan) + FORCE_AFTER_GRACE_MS);
  };

  /** A graceful stop before the end (--abort-on-fail, a capacity search): the runners get their grace. */
  stopEarly = (): void => {
    if (this.stoppedEarly || this.interrupted) return;
    this.stoppedEarly = true;
    this.stopAll();
    this.later(this.forceAll, maxGraceMs(this.plan) + FORCE_AFTER_GRACE_MS);
  };

  /** --abort-on-fail, after each batch: counts and the maximum latency only grow, so once one of their thresholds is crossed, stop. */
  checkAbort(): void {
    if (this.watched.length === 0 || this.abortedBy !== undefined) return;
    const crossed = evaluateThresholds(this.watched, runSource(this.queue)).find((j) => !j.ok && j.value !== null);
    if (crossed === undefined || this.interrupted) return;
    this.abortedBy = crossed.t.text;
    this.say(`pylogen: threshold ${crossed.t.text} crossed (${shown(crossed)}): stopping the run (--abort-on-fail)\n`);
    this.stopEarly();
  }

  /** Hears the interrupts; an interrupt while the throwaway targets were starting stops before anything runs. */
  listen(signal: AbortSignal | undefined, forceSignal: AbortSignal | undefined): void {
    signal?.addEventListener('abort', this.onAbort, { once: true });
    forceSignal?.addEventListener('abort', this.forceAll, { once: true });
    if (signal?.aborted) this.onAbort();
  }

  unlisten(signal: AbortSignal | undefined, forceSignal: AbortSignal | undefined): void {
    signal?.removeEventListener('abort', this.onAbort);
    forceSignal?.removeEventListener('abort', this.forceAll);
  }

  /** The runners have ended: no timer fires any more, and a stalled reader is given up. */
  end(): void {
    for (const t of this.timers) clearTimeout(t);
    this.ending = true;
  }

  /** Once the run's output is closed. */
  close(): void {
    clearInterval(this.watchOutput);
  }

  private checkOutput(): void {
    // A reader is stalled when it takes nothing, not when it is slow: a stream kept full by a reader
    // that keeps reading (behind a fast run) is backpressure, said in the summary, never given up.
    if (this.output?.abandon === undefined || this.output.idleMs === undefined) return;
    const waited = this.output.idleMs();
    if (waited === 0) return;
    if (!this.stallSaid && waited >= STALL_SAY_MS) {
      this.stallSaid = true;
      const reader = this.plan.out === '' ? 'stdout' : this.plan.out;
      const s = (waited / 1000).toFixed(1);
      this.say(`pylogen: the event stream's reader (${reader}) has taken nothing for ${s} s: the runners wait for it (backpressure)\n`);
    }
    if ((this.interrupted || this.stoppedEarly || this.ending || Date.now() >= this.lastEnd) && waited >= STALL_GIVE_UP_MS) this.output.abandon();
  }
}
