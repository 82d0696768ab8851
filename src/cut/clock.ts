/**
 * The one clock of pylogen (tinybench Task#measure): monotonic milliseconds from performance.now(),
 * turned into epoch milliseconds by the process's time origin. Tests may install a fake clock.
 */
export interface Clock {
  /** monotonic milliseconds (sub-millisecond resolution) */
  now(): number;
  /** epoch milliseconds of a monotonic instant of this clock */
  toEpoch(monotonicMs: number): number;
  /** the monotonic instant of an epoch milliseconds value */
  fromEpoch(epochMs: number): number;
}

// The global `performance` is a lazy getter in Node 20: reading it costs ~10 ns a call, as much as
// a fifth of the clock itself. Keep the object.
const perf = performance;
const origin = perf.timeOrigin;

export const systemClock: Clock = {
  now: () => perf.now(),
  toEpoch: (t) => origin + t,
  fromEpoch: (e) => e - origin,
};
