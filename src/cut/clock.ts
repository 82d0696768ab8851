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

const origin = performance.timeOrigin;

export const systemClock: Clock = {
  now: () => performance.now(),
  toEpoch: (t) => origin + t,
  fromEpoch: (e) => e - origin,
};
