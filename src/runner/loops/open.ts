/**
 * The open model's loop (PYLOGEN's `--openedmodel`, selected by --schedule): operations start at
 * the instants of the line's schedule, whatever the previous ones are doing. Each runner walks its
 * own ArrivalPlan (its share of the line's arrivals, same seed in every runner of the line).
 *
 * Timing (wrk2's constant-throughput pacing, Hyperfoil's timer-driven phases): every arrival whose
 * instant has passed is started in one go, then one timer is set for the next, TIMER_LEAD_MS early;
 * the last fraction of a millisecond is spun on setImmediate (which keeps serving I/O) within a CPU
 * budget, SPIN_SHARE of the wall time. Past the budget (high rates), an operation may start up to
 * about a millisecond late: what timers can do. Each operation is given its scheduled instant as
 * `intended` and its actual start as `begin`: latency is measured from the intended start
 * (coordinated omission corrected, as wrk2 and Hyperfoil do) and service time from the actual one.
 *
 * --max-inflight (this runner's share of the line's) bounds the operations in flight; an arrival
 * due when they are all busy waits in a bounded FIFO (this runner's share of --queue) and is dropped
 * past that bound: counted, never silently lost. After the schedule's end, waiting arrivals still
 * start for --grace seconds; then those left are dropped and the operations still in flight are
 * recorded as timed out (withGrace, as in the closed loop). stop() stops issuing (arrivals already
 * due and the waiting ones count as dropped) and resolves `done` once the operations in flight end,
 * or --grace seconds later.
 * The backpressure window of the stats queue pauses issuing: arrivals due meanwhile start late
 * when it reopens (their latency shows it), they are not dropped.
 */
import type { ClassUnderTest } from '../../cut/ClassUnderTest.js';
import type { Clock } from '../../cut/clock.js';
import { Operation } from '../../cut/Operation.js';
import type { RunnerSpec } from '../../core/plan.js';
import { ArrivalPlan, NO_BURST, parseBurst, parseSchedule, plannedArrivals, scheduleDurationS } from '../../schedule/schedule.js';
import { ArrivalQueue } from './ArrivalQueue.js';
import type { Recorder } from '../Recorder.js';
import { YIELD_EVERY_MS, callFunc, makePayloads, withGrace, type LoopControl } from './operate.js';

/** A timer for the next arrival is set this long before it: Node timers fire up to ~1 ms early or late. */
export const TIMER_LEAD_MS = 1;
/** Share of wall time a runner may spin to start operations exactly on time. */
export const SPIN_SHARE = 0.05;

/** The share of a line-wide bound that runner `index` of `count` gets: the shares sum to `total`. */
export function shareOf(total: number, index: number, count: number): number {
  return Math.floor(total / count) + (index < total % count ? 1 : 0);
}

/** An Operation with its completion callback, made once and reused: no closure per operation. */
interface Slot {
  op: Operation;
  onEnd: () => void;
}

export interface OpenLoopTiming {
  /** share of wall time that may be spent spinning (default SPIN_SHARE; 0 with fake timers) */
  spinShare?: number;
}

export function openLoop(cut: ClassUnderTest, spec: RunnerSpec, rec: Recorder, clock: Clock, timing: OpenLoopTiming = {}): LoopControl {
  const spinShare = timing.spinShare ?? SPIN_SHARE;
  const o = spec.options;
  const segments = parseSchedule(o.schedule);
  const plan = new ArrivalPlan(segments, {
    runnerIndex: spec.index,
    runnerCount: spec.count,
    arrival: o.arrival,
    burst: o.burst === '' ? NO_BURST : parseBurst(o.burst),
    seed: o.seed,
  });
  const lengths = o.lengths;
  const nLen = lengths.length;
  const payloads = makePayloads(lengths);
  const cap = o.maxInflight > 0 ? shareOf(o.maxInflight, spec.index, spec.count) : Infinity;
  const waiting = new ArrivalQueue(o.maxInflight > 0 ? shareOf(o.queue, spec.index, spec.count) : 0);
  if (spec.verbosity > 0 && spec.index === 0) {
    cut.log(
      `open model: ${plannedArrivals(segments)} arrivals over ${scheduleDurationS(segments)} s (${o.arrival}` +
        `${o.burst === '' ? '' : `, burst ${o.burst}`}, seed ${o.seed}), max in flight ${o.maxInflight || 'unbounded'}` +
        `${o.maxInflight > 0 ? `, queue ${o.queue}` : ''}, over ${spec.count} runner${spec.count === 1 ? '' : 's'}`,
    );
  }

  const origin = clock.now();
  const free: Slot[] = [];
  /** every Operation made, for withGrace to abandon the ones still running at the end */
  const ops: Operation[] = [];
  let inflight = 0;
  let started = 0;
  let dropped = 0;
  let completed = 0;
  /** the runner-local number of the next arrival, and its instant (monotonic ms) */
  let num = 0;
  let nextAt = origin + plan.next();
  let stopped = false;
  let finished = false;
  let windowArmed = false;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let spinMs = 0;
  let spinFrom = 0;

  let resolveDone!: () => void;
  let rejectDone!: (err: unknown) => void;
  const idle = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const grace = withGrace(idle, ops, o.grace, clock, origin + scheduleDurationS(segments) * 1000);
  const done = grace.done.then(() => {
    // --grace is over (or everything ended): whatever still waits will never start.
    stopped = true;
    clearTimers();
    dropped += waiting.clear();
    finished = true;
  });

  function clearTimers(): void {
    if (timer !== undefined) clearTimeout(timer);
    if (immediate !== undefined) clearImmediate(immediate);
    timer = immediate = undefined;
  }

  function finish(err?: unknown): void {
    if (finished) return;
    finished = true;
    stopped = true;
    clearTimers();
    if (err === undefined) resolveDone();
    else rejectDone(err);
  }

  function checkDone(): void {
    if (inflight === 0 && waiting.length === 0 && (stopped || nextAt === Infinity)) finish();
  }

  function newSlot(): Slot {
    const op = new Operation(rec, cut.transactionName);
    ops.push(op);
    const slot: Slot = {
      op,
      onEnd: () => {
        slot.op.finish(clock.now());
        inflight--;
        completed++;
        free.push(slot);
        if (finished) return;
        try {
          if (waiting.length > 0 && !stopped) startWaiting();
        } catch (err) {
          return finish(err);
        }
        checkDone();
      },
    };
    return slot;
  }

  /** Starts arrival `n` (intended instant `at`) now. A non-RequestError thrown by the CUT fails the runner. */
  function start(at: number, n: number, now: number): void {
    const slot = free.pop() ?? newSlot();
    const op = slot.op;
    const li = n % nLen;
    op.start(lengths[li]!, payloads[li]!, (n / nLen) | 0, at, now);
    started++;
    const p = callFunc(cut, op);
    if (p === undefined) {
      op.finish(op.lastEnd > 0 ? op.lastEnd : clock.now());
      completed++;
      free.push(slot);
      return;
    }
    inflight++;
    p.then(slot.onEnd, (err: unknown) => finish(err));
  }

  /** Starts waiting arrivals, oldest first, while slots are free and the stats queue takes events. */
  function startWaiting(): void {
    while (waiting.length > 0 && inflight < cap) {
      if (rec.mustWait) {
        armWindow();
        return;
      }
      const at = waiting.peekAt();
      start(at, waiting.shift(), clock.now());
    }
  }

  /** Resumes once the stats queue's window has room (backpressure). */
  function armWindow(): void {
    if (windowArmed) return;
    windowArmed = true;
    rec.waitForWindow().then(
      () => {
        windowArmed = false;
        if (!stopped) pump();
      },
      (err: unknown) => finish(err),
    );
  }

  /** Starts, queues or drops every arrival due by now, then sets one timer for the next. */
  function pump(): void {
    clearTimers();
    if (stopped) return;
    try {
      if (rec.mustWait) return armWindow();
      let now = clock.now();
      if (spinFrom > 0 && nextAt <= now) {
        spinMs += now - spinFrom;
        spinFrom = 0;
      }
      const sliceEnd = now + YIELD_EVERY_MS;
      if (waiting.length > 0) startWaiting();
      if (rec.mustWait) return armWindow();
      while (nextAt <= now) {
        if (waiting.length === 0 && inflight < cap) start(nextAt, num, now);
        else if (!waiting.full) waiting.push(nextAt, num);
        else dropped++;
        num++;
        nextAt = origin + plan.next();
        if (rec.mustWait) return armWindow();
        if (nextAt > now) {
          now = clock.now();
          if (now >= sliceEnd && nextAt <= now) {
            // Far behind (a stall, a slow synchronous CUT): let acks and completions in, then go on.
            immediate = setImmediate(pump);
            return;
          }
        }
      }
      if (nextAt === Infinity) return checkDone();
      const wait = nextAt - now;
      if (wait > TIMER_LEAD_MS) {
        timer = setTimeout(pump, wait - TIMER_LEAD_MS);
      } else if (spinShare > 0 && (spinFrom > 0 || spinMs <= spinShare * (now - origin) + TIMER_LEAD_MS)) {
        if (spinFrom === 0) spinFrom = now;
        immediate = setImmediate(pump);
      } else {
        timer = setTimeout(pump, wait);
      }
    } catch (err) {
      finish(err);
    }
  }

  pump();

  return {
    done,
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearTimers();
      const now = clock.now();
      while (nextAt <= now) {
        dropped++;
        nextAt = origin + plan.next();
      }
      dropped += waiting.clear();
      grace.stopped();
      checkDone();
    },
    get loops() {
      return Math.floor(completed / nLen);
    },
    get arrivals() {
      return { planned: plan.planned, started, dropped };
    },
    get due() {
      return num;
    },
  };
}
