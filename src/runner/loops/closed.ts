/**
 * The runner's loops. Closed model (PYLOGEN's): for each loop, for each length L, one operation
 * with a payload of L bytes, a pause of --pauselen, and --pauseloop after the last length; for
 * --duration seconds from the runner's own start, else --loops loops. With --concurrency N, N
 * workers share the sequence of (loop, length) items, the CUT instance and its context.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClassUnderTest } from '../../cut/ClassUnderTest.js';
import type { Clock } from '../../cut/clock.js';
import { Operation } from '../../cut/Operation.js';
import type { RunnerSpec } from '../../core/plan.js';
import type { Recorder } from '../Recorder.js';
import { YIELD_EVERY_MS, callFunc, makePayloads, withGrace, yieldNow, type LoopControl } from './operate.js';

export function closedLoop(cut: ClassUnderTest, spec: RunnerSpec, rec: Recorder, clock: Clock): LoopControl {
  const o = spec.options;
  const lengths = o.lengths;
  const nLen = lengths.length;
  const payloads = makePayloads(lengths);
  const start = clock.now();
  const endAt = o.duration > 0 ? start + o.duration * 1000 : Infinity;
  const total = o.duration > 0 ? Infinity : o.loops * nLen;
  const pauselen = o.pauselen * 1000;
  const pauseloop = o.pauseloop * 1000;
  let next = 0;
  let stopped = false;
  let loops = 0;

  // capacity --concurrency-steps: the workers of step i (beyond those of step i-1) join i steps in,
  // so the concurrency rises on the same runners, without a restart.
  const steps = o.concurrencySteps;
  const workerCount = steps.length > 0 ? steps[steps.length - 1]! : o.concurrency;
  const joinAtMs = (w: number) =>
    steps.length > 0
      ? Math.max(
          0,
          steps.findIndex((c) => c > w),
        ) *
        o.stepSeconds *
        1000
      : 0;
  /** wakes the workers still waiting to join (a stop) */
  const joining = new Set<() => void>();
  const join = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        joining.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      joining.add(wake);
    });

  async function worker(op: Operation, joinAt: number): Promise<void> {
    if (joinAt > 0) {
      await join(joinAt);
      if (stopped) return;
    }
    let lastYield = clock.now();
    // A synchronous operation's end is the next one's start: the clock costs ~50 ns a read on some
    // machines, so the loop reads it only when something (a pause, a yield, an await) came between.
    let now = lastYield;
    for (;;) {
      const k = next;
      if (stopped || k >= total || now >= endAt) return;
      next = k + 1;
      const li = k % nLen;
      op.start(lengths[li]!, payloads[li]!, (k / nLen) | 0, now, now);
      const p = callFunc(cut, op);
      let end: number;
      if (p !== undefined) {
        await p;
        end = clock.now();
      } else {
        end = op.lastEnd > 0 ? op.lastEnd : clock.now();
      }
      op.finish(end);
      now = end;
      const lastOfLoop = li === nLen - 1;
      if (lastOfLoop) loops++;
      if (rec.mustWait) {
        await rec.waitForWindow();
        now = clock.now();
      }
      if (pauselen > 0) {
        await sleep(pauselen);
        now = clock.now();
      }
      if (lastOfLoop && pauseloop > 0) {
        await sleep(pauseloop);
        now = lastYield = clock.now();
      } else if (now - lastYield >= YIELD_EVERY_MS) {
        await yieldNow();
        now = lastYield = clock.now();
      }
    }
  }

  const ops: Operation[] = [];
  const workers: Promise<void>[] = [];
  for (let w = 0; w < workerCount; w++) {
    const op = new Operation(rec, cut.transactionName);
    ops.push(op);
    workers.push(worker(op, joinAtMs(w)));
  }
  const grace = withGrace(Promise.all(workers), ops, o.grace, clock, endAt);
  return {
    done: grace.done,
    stop: () => {
      stopped = true;
      for (const wake of [...joining]) wake();
      grace.stopped();
    },
    get loops() {
      return loops;
    },
  };
}
