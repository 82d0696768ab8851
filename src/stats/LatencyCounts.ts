/**
 * The hot-path half of a latency histogram. Recording into hdr-histogram-js costs ~80 ns here (its
 * generic checks); this records a value in µs into a flat counts array with HdrHistogram's own
 * bucket layout (3 significant digits: 2048 sub-buckets, unit 1 µs) in a few ns, and drains into an
 * hdr-histogram-js Histogram when shipped. Every value lands in the same bucket as
 * Histogram.recordValue would put it, so merging and percentiles stay exact to HdrHistogram's
 * precision.
 */
import type { Histogram } from 'hdr-histogram-js';

const SUB_BUCKET_HALF_MAGNITUDE = 10; // subBucketCount 2048 = 2^11, half = 1024
const SUB_BUCKET_HALF = 1 << SUB_BUCKET_HALF_MAGNITUDE;
const SUB_BUCKET_MASK = (1 << (SUB_BUCKET_HALF_MAGNITUDE + 1)) - 1;
/** Values are clamped below 2^31 µs (35 minutes): the counts array is 22 × 1024 entries. */
const MAX_VALUE = 2 ** 31 - 1;
const BUCKETS = 31 - SUB_BUCKET_HALF_MAGNITUDE; // bucket indexes 0..20 for values < 2^31
const LENGTH = (BUCKETS + 1) << SUB_BUCKET_HALF_MAGNITUDE;

export function countsIndex(v: number): number {
  const pow2ceiling = 32 - Math.clz32(v | SUB_BUCKET_MASK);
  const bucket = pow2ceiling - (SUB_BUCKET_HALF_MAGNITUDE + 1);
  const sub = v >>> bucket;
  return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (sub - SUB_BUCKET_HALF);
}

/** The lowest value of the bucket at a counts index: recording it lands in the same bucket. */
export function valueAtIndex(index: number): number {
  let bucket = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let sub = (index & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF;
  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

export class LatencyCounts {
  private readonly counts = new Uint32Array(LENGTH);
  private lo = LENGTH;
  private hi = -1;
  total = 0;

  /** Records a latency in µs (a non-negative number; fractions are rounded). */
  record(us: number): void {
    const v = us >= MAX_VALUE ? MAX_VALUE : us > 0 ? Math.round(us) : 0;
    const i = countsIndex(v);
    this.counts[i]!++;
    if (i < this.lo) this.lo = i;
    if (i > this.hi) this.hi = i;
    this.total++;
  }

  /** Adds every count to h and clears this. */
  drainInto(h: Histogram): void {
    const c = this.counts;
    for (let i = this.lo; i <= this.hi; i++) {
      const n = c[i]!;
      if (n !== 0) {
        h.recordValueWithCount(valueAtIndex(i), n);
        c[i] = 0;
      }
    }
    this.lo = LENGTH;
    this.hi = -1;
    this.total = 0;
  }
}
