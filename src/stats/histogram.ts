/**
 * The one owner of pylogen's HdrHistogram settings and of their encoding. Every latency histogram
 * (runners' deltas, the stats queue's aggregates, the summary's encoded histograms, the series'
 * interval histograms) holds microseconds with 3 significant digits, so any two merge exactly
 * (HdrHistogram's own guarantee: same precision, added bucket by bucket). The runners' hot path records
 * into LatencyCounts (the same bucket layout in a flat array, ~8 ns a record instead of ~62 ns) and
 * drains into a histogram of this module when it ships.
 *
 * The encoding is HdrHistogram's compressed base64 (V2 encoding, deflated), as written by the Java,
 * Go and Python implementations' `encode()`: a summary's histograms can be read by any of them.
 */
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** Latency unit of every histogram. */
export const HISTOGRAM_UNIT = 'us';
/** Significant decimal digits kept: a value is known to 0.1%. */
export const SIGNIFICANT_DIGITS = 3;
/**
 * The series' interval histograms keep 2 (a value known to 1%): an hour of 1-s intervals of 4
 * requests then takes ~3 MB encoded instead of ~6 (bench/summary-size.js). They merge exactly with
 * each other (shards, the intervals of a capacity step); the run's own histograms keep 3.
 */
export const SERIES_SIGNIFICANT_DIGITS = 2;
/**
 * Bucket counts: 32 bits in runners' deltas (a delta of 250 ms never holds 2^32 values in one bucket),
 * 64 bits (JS numbers, exact up to 2^53) where deltas add up over a run.
 */
export type Bits = 32 | 64;

export function newHistogram(bits: Bits = 64, digits: 2 | 3 = SIGNIFICANT_DIGITS): Histogram {
  return hdr.build({ bitBucketSize: bits, autoResize: true, numberOfSignificantValueDigits: digits, useWebAssembly: false });
}

/** An interval histogram of the series. */
export function newSeriesHistogram(): Histogram {
  return newHistogram(64, SERIES_SIGNIFICANT_DIGITS);
}

/** HdrHistogram's compressed base64 of h. */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/**
 * A histogram (64-bit counts, growing as values are added) from HdrHistogram's compressed base64,
 * with the precision it was encoded with.
 */
export function decodeHistogram(encoded: string): Histogram {
  const d = hdr.decodeFromCompressedBase64(encoded, 64, false);
  const h = newHistogram(64, d.numberOfSignificantValueDigits === 2 ? 2 : 3);
  h.add(d);
  return h;
}

/** Adds an encoded histogram into h, exactly. */
export function addEncoded(h: Histogram, encoded: string): void {
  h.add(hdr.decodeFromCompressedBase64(encoded, 64, false));
}

/** One histogram of several encoded ones (the exact merge of shards, runners or intervals). */
export function mergeEncoded(encoded: Iterable<string>): Histogram {
  const h = newHistogram();
  for (const e of encoded) addEncoded(h, e);
  return h;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The value at a percentile (0..100), in ms, read from a histogram of µs; null when it is empty. */
export function percentileMs(h: Histogram, q: number): number | null {
  return h.totalCount === 0 ? null : r3(h.getValueAtPercentile(q) / 1000);
}
