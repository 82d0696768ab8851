import { UsageError } from '../core/errors.js';
import { DURATION_FORMS, durationSeconds } from '../core/duration.js';
import { segmentArrivals, type Segment } from './segment.js';

// The open model's entry point: the schedule's syntax here, the rest re-exported.
export { ArrivalPlan, DEFAULT_SEED, type ArrivalKind, type ArrivalPlanOptions } from './arrival-plan.js';
export { NO_BURST, parseBurst, type Burst } from './burst.js';
export { mulberry32 } from './mulberry32.js';
export { expectedArrivals, plannedArrivals, scheduleDurationS, segmentArrivals, timeAtCount, type Segment } from './segment.js';

/** A plain decimal: digits with an optional fraction (`10`, `2.5`, `.5`, `3.`), nothing else. */
const DECIMAL = /^(?:\d+\.?\d*|\.\d+)$/;
const NEGATIVE = /^-(?:\d+\.?\d*|\.\d+)$/;

/**
 * Parses an open-model schedule (PYLOGEN's `--openedmodel`, our `--schedule`): `D@R` segments
 * separated by commas, D in seconds (> 0, decimals allowed) or with a unit (`30s`, `2m`, src/core/duration.ts),
 * R in operations per second (≥ 0) or a
 * linear ramp `R1-R2`, e.g. `30@10,20@15,30@10-50` (Hyperfoil's constantRate / increasingRate).
 * Spaces around the parts are ignored. Any problem throws a one-line UsageError naming the flag, the
 * segment (1-based, as written) and the bad value.
 */
export function parseSchedule(text: string, flag = '--schedule'): Segment[] {
  if (text.trim() === '') {
    throw new UsageError(`${flag}: the schedule is empty; expected DURATION@RATE segments separated by commas (e.g. 30@10,20@15-50)`);
  }
  return text.split(',').map((raw, index) => parseSegment(raw.trim(), `${flag}: segment ${index + 1} "${raw.trim()}"`));
}

function parseSegment(text: string, where: string): Segment {
  const at = text.indexOf('@');
  if (at < 0) {
    throw new UsageError(`${where}: expected DURATION@RATE, a duration in seconds and a rate in operations per second (e.g. 30@10 or 30@10-50)`);
  }
  const durationText = text.slice(0, at).trim();
  const rateText = text.slice(at + 1).trim();
  const durationS = durationSeconds(durationText) ?? NaN;
  if (!(durationS > 0) || !Number.isFinite(durationS)) {
    throw new UsageError(`${where}: the duration must be more than 0, ${DURATION_FORMS}, but is "${durationText}"`);
  }
  // A '-' past the first character separates a ramp's two rates; a leading one is a negative rate.
  const dash = rateText.indexOf('-', 1);
  const segment =
    dash < 0
      ? constant(durationS, parseRate(rateText, 'rate', where))
      : {
          durationS,
          fromRate: parseRate(rateText.slice(0, dash).trim(), "ramp's start rate", where),
          toRate: parseRate(rateText.slice(dash + 1).trim(), "ramp's end rate", where),
        };
  if (!Number.isSafeInteger(segmentArrivals(segment))) {
    throw new UsageError(`${where}: plans ${segmentArrivals(segment)} arrivals, more than can be counted exactly`);
  }
  return segment;
}

function constant(durationS: number, rate: number): Segment {
  return { durationS, fromRate: rate, toRate: rate };
}

function parseRate(text: string, what: string, where: string): number {
  if (NEGATIVE.test(text)) {
    throw new UsageError(`${where}: the ${what} must be 0 or more operations per second, but is "${text}"`);
  }
  const rate = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(rate)) {
    throw new UsageError(`${where}: the ${what} must be a number of operations per second, but is "${text}"`);
  }
  return rate;
}
