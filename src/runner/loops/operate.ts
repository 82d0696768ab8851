/**
 * What both loops share: one call of the CUT (callFunc, no microtask for a synchronous one), the
 * payloads, how often a loop yields, and the grace for operations in flight at the end.
 */
import { randomBytes } from 'node:crypto';
import type { ClassUnderTest } from '../../cut/ClassUnderTest.js';
import type { Clock } from '../../cut/clock.js';
import type { Operation } from '../../cut/Operation.js';
import { GraceTimeoutError, RequestError } from '../../cut/RequestError.js';

export interface LoopControl {
  done: Promise<void>;
  stop(): void;
  /** loops completed */
  readonly loops: number;
  readonly arrivals?: { planned: number; started: number; dropped: number };
  /** open model: arrivals whose instant has come (started, waiting or dropped) */
  readonly due?: number;
}

/** A synchronous CUT would starve the event loop (acks, ticks, stop): yield this often, in ms. */
export const YIELD_EVERY_MS = 10;

/** gives the event loop a turn (acks, ticks, a stop) */
export const yieldNow = () => new Promise<void>((r) => setImmediate(r));

/**
 * Runs one operation on op: func(), awaited only when it returned a promise, so a synchronous CUT
 * costs no microtask. A RequestError was recorded already; anything else fails the runner.
 */
export function callFunc(cut: ClassUnderTest, op: Operation): Promise<void> | undefined {
  let r: unknown;
  try {
    r = cut.func(op);
  } catch (err) {
    if (err instanceof RequestError) return undefined;
    throw err;
  }
  if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') {
    return (r as Promise<unknown>).then(
      () => undefined,
      (err: unknown) => {
        if (!(err instanceof RequestError)) throw err;
      },
    );
  }
  return undefined;
}

/** One payload per length, made once: random bytes, so nothing downstream can compress them away. */
export function makePayloads(lengths: number[]): Buffer[] {
  return lengths.map((l) => randomBytes(l));
}

/**
 * Operations in flight at the end (of the duration, or of a stop) get `graceS` seconds; then they
 * are recorded as timed out (GraceTimeout) and the runner ends: a run never hangs on a silent
 * endpoint, and nothing in flight goes unrecorded.
 */
export function withGrace(workers: Promise<unknown>, ops: Operation[], graceS: number, clock: Clock, endAt: number): { done: Promise<void>; stopped(): void } {
  let timer: NodeJS.Timeout | undefined;
  let deadline = Infinity;
  let expire!: () => void;
  const expired = new Promise<void>((resolve) => (expire = resolve));
  /** Expires at the earlier of the armed deadline and now + fromNow: a stop before the end of the
   * duration brings the end of the grace forward. */
  const arm = (fromNow: number) => {
    const at = clock.now() + Math.max(0, fromNow);
    if (at >= deadline) return;
    deadline = at;
    clearTimeout(timer);
    timer = setTimeout(
      () => {
        const now = clock.now();
        const err = new GraceTimeoutError(graceS);
        for (const op of ops) op.abandon(now, err);
        expire();
      },
      Math.max(0, fromNow),
    );
    timer.unref();
  };
  if (Number.isFinite(endAt)) arm(endAt - clock.now() + graceS * 1000);
  const done = Promise.race([workers.then(() => undefined), expired]).finally(() => clearTimeout(timer));
  return { done, stopped: () => arm(graceS * 1000) };
}
