/**
 * One segment of an open-model schedule (PYLOGEN's `--openedmodel`): `durationS` seconds during
 * which the arrival rate goes linearly from `fromRate` to `toRate` operations per second (equal for
 * a constant rate). Hyperfoil's `constantRate` and `increasingRate` phases are the same two shapes.
 */
export interface Segment {
  durationS: number;
  fromRate: number;
  toRate: number;
}

/**
 * The exact number of arrivals of a segment: round(D × (R1+R2)/2), the area under the rate line.
 * Rounding the area (rather than flooring a sum of per-second counts) keeps every segment within
 * ±0.5 of its ideal count, so a whole schedule never drifts by more than one arrival per segment.
 */
export function segmentArrivals(segment: Segment): number {
  return Math.round(expectedArrivals(segment));
}

/** The unrounded area under the rate line: N(D) = D × (R1+R2)/2. */
export function expectedArrivals(segment: Segment): number {
  return (segment.durationS * (segment.fromRate + segment.toRate)) / 2;
}

/** The arrivals a whole schedule plans, summed over all runners of the line. */
export function plannedArrivals(segments: readonly Segment[]): number {
  let total = 0;
  for (const segment of segments) total += segmentArrivals(segment);
  return total;
}

/** The schedule's length in seconds. */
export function scheduleDurationS(segments: readonly Segment[]): number {
  let total = 0;
  for (const segment of segments) total += segment.durationS;
  return total;
}

/**
 * The inverse of the cumulative arrival count N(t) = R1·t + (R2−R1)·t²/(2D) on [0, D]: the time in
 * seconds from the segment's start at which `count` arrivals are due.
 *
 * Solved with the cancellation-free form of the quadratic root, t = 2y / (b + √(b² + 4ay)), which
 * also covers a constant rate (a = 0: t = y/R1) and a ramp from 0 (b = 0: t = √(y/a)) without
 * special cases. Because N' = the rate is ≥ 0 on [0, D], N is monotone and b² + 4ay ≥ 0 for
 * y ≤ N(D); it is clamped at 0 against rounding, and the result clamped to [0, D].
 */
export function timeAtCount(segment: Segment, count: number): number {
  if (count <= 0) return 0;
  const a = (segment.toRate - segment.fromRate) / (2 * segment.durationS);
  const b = segment.fromRate;
  const denominator = b + Math.sqrt(Math.max(0, b * b + 4 * a * count));
  if (!(denominator > 0)) return segment.durationS; // rate 0 throughout: no arrival is ever due
  return Math.min(segment.durationS, (2 * count) / denominator);
}
