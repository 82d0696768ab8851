/**
 * The hot-path half of a latency histogram. Recording into hdr-histogram-js costs ~80 ns here (its
 * generic checks); this records a value in µs into a flat counts array with HdrHistogram's own
 * bucket layout (3 significant digits: 2048 sub-buckets, unit 1 µs) in a few ns, and drains into an
 * hdr-histogram-js Histogram when shipped. Every value lands in the same bucket as
 * Histogram.recordValue would put it, so merging and percentiles stay exact to HdrHistogram's
 * precision.
 *
 * A runner ships its counts with encodeCompressed(): HdrHistogram's compressed base64 (V2) written
 * from the flat array, so that a runner loads no hdr-histogram-js (its index pulls in a WebAssembly
 * build and pako: ~17 MB of a runner's memory, measured) and skips the drain into a Histogram. The
 * main process decodes it with hdr-histogram-js like any other encoded histogram.
 */
import { deflateSync } from 'node:zlib';
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

  /**
   * HdrHistogram's compressed base64 (V2: ZigZag LEB128 counts, runs of zeros as negative counts,
   * deflated) of what this holds, which is then cleared; the same counts as drainInto() then
   * hdr-histogram-js's encodeIntoCompressedBase64 (test/aggregate.test.ts checks it).
   */
  encodeCompressed(): string {
    const c = this.counts;
    const hi = this.hi;
    const out = scratch(64 + 9 * (hi - this.lo + 2) * 2);
    let p = 40; // the header is written once the payload's length is known
    const put = (value: number): void => {
      // ZigZag, then LEB128 (7 bits a byte); counts stay below 2^32, so 5 bytes at most here
      let v = value >= 0 ? value * 2 : -value * 2 - 1;
      while (v >= 0x80) {
        out[p++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      out[p++] = v;
    };
    if (hi >= 0) {
      if (this.lo > 1) put(-this.lo);
      else if (this.lo === 1) put(0);
      let zeros = 0;
      for (let i = this.lo; i <= hi; i++) {
        const n = c[i]!;
        if (n === 0) {
          zeros++;
          continue;
        }
        if (zeros > 1) put(-zeros);
        else if (zeros === 1) put(0);
        zeros = 0;
        put(n);
        c[i] = 0;
      }
    }
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    view.setInt32(0, V2_COOKIE);
    view.setInt32(4, p - 40);
    view.setInt32(8, 1); // normalizing index offset (hdr-histogram-js writes 1; decoders ignore it)
    view.setInt32(12, 3); // significant digits
    view.setInt32(16, 0);
    view.setInt32(20, 1); // lowest discernible value
    view.setInt32(24, 0);
    view.setInt32(28, Math.max(2, hi >= 0 ? valueAtIndex(hi + 1) : 2)); // highest trackable value
    view.setInt32(32, 0);
    view.setInt32(36, 1); // integer to double ratio, as hdr-histogram-js writes it
    const deflated = deflateSync(out.subarray(0, p));
    const framed = Buffer.allocUnsafe(8 + deflated.length);
    framed.writeInt32BE(V2_COMPRESSED_COOKIE, 0);
    framed.writeInt32BE(deflated.length, 4);
    deflated.copy(framed, 8);
    this.lo = LENGTH;
    this.hi = -1;
    this.total = 0;
    return framed.toString('base64');
  }
}

/** V2 encoding cookies with the word-size nibble HdrHistogram writes (0x10: ZigZag LEB128 words). */
const V2_COOKIE = 0x1c849303 | 0x10;
const V2_COMPRESSED_COOKIE = 0x1c849304 | 0x10;

let scratchBuffer = new Uint8Array(4096);
/** One reusable buffer for the uncompressed encoding, grown when a wider histogram needs it. */
function scratch(bytes: number): Uint8Array {
  if (scratchBuffer.length < bytes) scratchBuffer = new Uint8Array(Math.max(bytes, scratchBuffer.length * 2));
  return scratchBuffer;
}
