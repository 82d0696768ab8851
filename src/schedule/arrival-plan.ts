import { burstSize, type Burst } from './burst.js';
import { mulberry32 } from './mulberry32.js';
import { expectedArrivals, segmentArrivals, timeAtCount, type Segment } from './segment.js';

/** How arrivals are placed in time: PYLOGEN's evenly spaced slots, or Hyperfoil's default Poisson. */
export type ArrivalKind = 'uniform' | 'poisson';

export interface ArrivalPlanOptions {
  /** This runner's index among the line's runners, 0-based. */
  runnerIndex: number;
  /** How many runners share the line's schedule. */
  runnerCount: number;
  arrival: ArrivalKind;
  burst: Burst;
  /**
   * Seed of the PRNG behind Poisson arrivals and random bursts. Every runner of a line must get the
   * same seed (or equivalent `random` functions), since each one replays the whole line's sequence.
   */
  seed?: number;
  /** A [0, 1) source that replaces the seeded mulberry32 (tests). */
  random?: () => number;
}

/** Used when no seed is given: runs are then reproducible, and all runners of a line agree. */
export const DEFAULT_SEED = 0x9e3779b9;

/**
 * The open model's intended start times for one runner among the `runnerCount` runners of a line.
 *
 * The line's operations are numbered k = 0, 1, 2, … over the whole schedule and runner i takes
 * those with k % n === i: the line's total is exact whatever n is, and runners interleave finely
 * instead of each owning a block of time. Every runner walks the whole sequence (O(1) time and
 * memory per arrival), which is what lets Poisson jitter and random bursts agree across processes
 * without any coordination at run time.
 *
 * Each segment gets exactly C = round(D × (R1+R2)/2) operations (segmentArrivals):
 *  - uniform (PYLOGEN, and wrk2's constant-throughput pacing): slot j sits where the cumulative
 *    count N(t) = R1·t + (R2−R1)·t²/(2D) equals j + 0.5, the middle of its share of the area;
 *  - poisson (Hyperfoil's default): a Poisson process of intensity R(t) conditioned on its count C,
 *    i.e. C sorted uniforms mapped through the inverse of N(t)/N(D). The sorted uniforms are drawn
 *    in increasing order one at a time with the sequential method (Bentley & Saxe, "Generating
 *    sorted lists of random numbers", 1980): 1 − U(j+1) = (1 − U(j)) · V^(1/(C−j)).
 * A burst of B at a slot starts B operations at that slot's instant and skips the following B−1
 * slots (PYLOGEN's `--burst`); the last burst of a segment is cut to what remains.
 *
 * `next()` returns the next intended start in milliseconds from the schedule's start,
 * non-decreasing, then `Infinity` for ever once this runner's share is exhausted.
 */
export class ArrivalPlan {
  /** How many operations this runner will be given in all. */
  readonly planned: number;
  #segmentOfLast = -1;

  readonly #segments: readonly Segment[];
  readonly #runnerIndex: number;
  readonly #runnerCount: number;
  readonly #poisson: boolean;
  readonly #burst: Burst;
  readonly #random: () => number;

  /** The line-wide number of the next operation (k). */
  #operation = 0;
  /** Segment being walked, its start in seconds, its count C and the next slot in it. */
  #segmentIndex = -1;
  #segmentStartS = 0;
  #segmentCount = 0;
  #segmentArea = 0;
  #slot = 0;
  /** Poisson: 1 − the last sorted uniform drawn in this segment. */
  #above = 1;
  /** Operations still to start at the current burst's instant, and that instant. */
  #burstLeft = 0;
  #burstAtMs = 0;
  #lastMs = 0;

  constructor(segments: readonly Segment[], options: ArrivalPlanOptions) {
    const { runnerIndex, runnerCount } = options;
    if (!Number.isInteger(runnerCount) || runnerCount < 1) {
      throw new RangeError(`ArrivalPlan: runnerCount must be a whole number ≥ 1, but is ${runnerCount}`);
    }
    if (!Number.isInteger(runnerIndex) || runnerIndex < 0 || runnerIndex >= runnerCount) {
      throw new RangeError(`ArrivalPlan: runnerIndex must be in 0..${runnerCount - 1}, but is ${runnerIndex}`);
    }
    this.#segments = segments.map((s) => ({ ...s }));
    this.#runnerIndex = runnerIndex;
    this.#runnerCount = runnerCount;
    this.#poisson = options.arrival === 'poisson';
    this.#burst = options.burst;
    this.#random = options.random ?? mulberry32(options.seed ?? DEFAULT_SEED);
    let total = 0;
    for (const s of this.#segments) total += segmentArrivals(s);
    this.planned = total > runnerIndex ? Math.ceil((total - runnerIndex) / runnerCount) : 0;
  }

  /** The segment (0-based) of the arrival last returned by next(); -1 before the first. */
  get segment(): number {
    return this.#segmentOfLast;
  }

  /** The next intended start of this runner, in ms from the schedule's start, or Infinity. */
  next(): number {
    for (;;) {
      const atMs = this.#nextOfLine();
      if (atMs === Infinity) return Infinity;
      if (this.#operation++ % this.#runnerCount === this.#runnerIndex) {
        // Rounding in the quadratic could in theory reorder two near-equal instants: never go back.
        this.#lastMs = Math.max(this.#lastMs, atMs);
        this.#segmentOfLast = this.#segmentIndex;
        return this.#lastMs;
      }
    }
  }

  /** The intended start of the line's next operation, whichever runner it belongs to. */
  #nextOfLine(): number {
    if (this.#burstLeft > 0) {
      this.#burstLeft--;
      return this.#burstAtMs;
    }
    while (this.#slot >= this.#segmentCount) {
      if (this.#segmentIndex >= 0) this.#segmentStartS += this.#segments[this.#segmentIndex]!.durationS;
      if (++this.#segmentIndex >= this.#segments.length) {
        this.#segmentIndex = this.#segments.length - 1;
        this.#slot = this.#segmentCount = 0;
        return Infinity;
      }
      const segment = this.#segments[this.#segmentIndex]!;
      this.#segmentCount = segmentArrivals(segment);
      this.#segmentArea = expectedArrivals(segment);
      this.#slot = 0;
      this.#above = 1;
    }
    const segment = this.#segments[this.#segmentIndex]!;
    const atS = this.#slotTimeS(segment);
    const size = Math.min(burstSize(this.#burst, segment, this.#random), this.#segmentCount - this.#slot);
    // The skipped slots still consume their sorted uniforms, so that what follows the burst keeps
    // the Poisson law of the unskipped slots.
    if (this.#poisson) for (let skipped = 1; skipped < size; skipped++) this.#drawSorted(this.#slot + skipped);
    this.#slot += size;
    this.#burstLeft = size - 1;
    this.#burstAtMs = (this.#segmentStartS + atS) * 1000;
    return this.#burstAtMs;
  }

  /** The time in seconds, from the segment's start, of slot this.#slot. */
  #slotTimeS(segment: Segment): number {
    if (!this.#poisson) return timeAtCount(segment, this.#slot + 0.5);
    const u = this.#drawSorted(this.#slot);
    return timeAtCount(segment, u * this.#segmentArea);
  }

  /** Draws sorted uniform number `slot` (0-based) of the segment's C, given the previous ones. */
  #drawSorted(slot: number): number {
    // 1 − random() is in (0, 1]: never 0, whose root would collapse every later slot to the end.
    this.#above *= Math.pow(1 - this.#random(), 1 / (this.#segmentCount - slot));
    return 1 - this.#above;
  }
}
