import { UsageError } from '../core/errors.js';
import type { Segment } from './segment.js';

/**
 * PYLOGEN's `--burst`: at an arrival slot, B operations start at the same instant and the following
 * B−1 slots are skipped, so bursts change the shape of the load, never its total.
 *  - `none`: no bursts (the flag is absent);
 *  - `random-mean` (`--burst 0`): B uniform in 1..round(mean rate of the segment);
 *  - `random` (`--burst n`): B uniform in 1..n;
 *  - `fixed` (`--burst fN`): B = N.
 */
export type Burst = { kind: 'none' } | { kind: 'random-mean' } | { kind: 'random'; max: number } | { kind: 'fixed'; size: number };

/** The burst setting when `--burst` is not given. */
export const NO_BURST: Burst = Object.freeze({ kind: 'none' });

const WHOLE = /^\d+$/;

/** Parses `--burst`: `0`, `n` or `fN` (n, N whole numbers ≥ 1). Throws a one-line UsageError. */
export function parseBurst(text: string, flag = '--burst'): Burst {
  const value = text.trim();
  const fixed = /^f(.*)$/i.exec(value);
  if (fixed) {
    const size = WHOLE.test(fixed[1]!) ? Number(fixed[1]) : NaN;
    if (!(size >= 1) || !Number.isSafeInteger(size)) {
      throw new UsageError(`${flag}: a fixed burst fN needs a whole number of operations N of at least 1, but is "${text}"`);
    }
    return { kind: 'fixed', size };
  }
  const max = WHOLE.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(max)) {
    throw new UsageError(`${flag}: the burst must be 0 (random size up to the mean rate), n (random size up to n) ` + `or fN (fixed size N), but is "${text}"`);
  }
  return max === 0 ? { kind: 'random-mean' } : { kind: 'random', max };
}

/**
 * The size of the burst that starts at a slot, before truncation to what remains of the segment.
 * Draws from `random` only for the random kinds, so a schedule without random bursts consumes no
 * random numbers for them.
 */
export function burstSize(burst: Burst, segment: Segment, random: () => number): number {
  switch (burst.kind) {
    case 'none':
      return 1;
    case 'fixed':
      return burst.size;
    case 'random':
      return 1 + Math.floor(random() * burst.max);
    case 'random-mean': {
      const max = Math.max(1, Math.round((segment.fromRate + segment.toRate) / 2));
      return 1 + Math.floor(random() * max);
    }
  }
}
