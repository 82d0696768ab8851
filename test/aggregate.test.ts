import { describe, expect, it } from 'vitest';
import { LatencyCounts, countsIndex, valueAtIndex } from '../src/stats/LatencyCounts.js';
import { figures, mergeDelta, newAgg } from '../src/stats/aggregate.js';
import { StatsQueue } from '../src/stats/StatsQueue.js';
import type { BatchMessage } from '../src/core/protocol.js';
import type { EventOutput } from '../src/output/EventOutput.js';

import { decodeHistogram, encodeHistogram, newHistogram } from '../src/stats/histogram.js';

const build = () => newHistogram();

/** A deterministic pseudo-random stream of latencies in µs, over six decades. */
function* values(n: number, seed = 7): Generator<number> {
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    yield Math.floor(10 ** ((s / 2 ** 31) * 7));
  }
}

describe('LatencyCounts: HdrHistogram buckets recorded in place', () => {
  it('puts every value in the bucket hdr-histogram-js would, so percentiles are identical', () => {
    const direct = build();
    const counts = new LatencyCounts();
    for (const v of values(20_000)) {
      direct.recordValue(v);
      counts.record(v);
    }
    const drained = build();
    counts.drainInto(drained);
    expect(drained.totalCount).toBe(20_000);
    for (const q of [0, 1, 10, 50, 90, 99, 99.9, 99.99, 100]) expect(drained.getValueAtPercentile(q)).toBe(direct.getValueAtPercentile(q));
    expect(counts.total).toBe(0); // drained
  });
  it("encodeCompressed() is HdrHistogram's compressed base64 of the same counts (decoded by hdr-histogram-js)", () => {
    const cases: number[][] = [[], [0], [1], [0, 1, 1, 2], [5, 5, 5, 3000, 2 ** 30], [...values(20_000)], [...values(300, 7)].map((v) => v + 1024)];
    for (const vs of cases) {
      const counts = new LatencyCounts();
      const twin = new LatencyCounts();
      for (const v of vs) {
        counts.record(v);
        twin.record(v);
      }
      // the path it replaces: drained into a hdr-histogram-js Histogram, encoded by it, decoded
      const drained = build();
      twin.drainInto(drained);
      const reference = decodeHistogram(encodeHistogram(drained));
      const decoded = decodeHistogram(counts.encodeCompressed());
      expect(decoded.totalCount).toBe(vs.length);
      expect(counts.total).toBe(0); // cleared
      for (const q of [0, 1, 10, 50, 90, 99, 99.9, 100]) expect(decoded.getValueAtPercentile(q)).toBe(reference.getValueAtPercentile(q));
      expect(decoded.maxValue).toBe(reference.maxValue);
      expect(decoded.minNonZeroValue).toBe(reference.minNonZeroValue);
    }
    // cleared means cleared: a second encoding holds only what came after
    const counts = new LatencyCounts();
    counts.record(100);
    counts.encodeCompressed();
    counts.record(7);
    const again = decodeHistogram(counts.encodeCompressed());
    expect([again.totalCount, again.maxValue]).toEqual([1, 7]);
  });
  it('valueAtIndex is the lowest value of its bucket', () => {
    for (const v of [0, 1, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 123_456, 2 ** 30]) {
      const i = countsIndex(v);
      expect(valueAtIndex(i)).toBeLessThanOrEqual(v);
      expect(countsIndex(valueAtIndex(i))).toBe(i);
    }
  });
});

describe("merging runners' histograms", () => {
  it('merged per-runner deltas equal one histogram of all values (never averaged)', () => {
    const all = build();
    const agg = newAgg('id', 'Cut', 'req', 'R');
    for (let runner = 0; runner < 3; runner++) {
      const counts = new LatencyCounts();
      const h = newHistogram(32);
      let min = Infinity,
        max = 0,
        sum = 0,
        n = 0;
      for (const v of values(5000 * (runner + 1), runner + 1)) {
        all.recordValue(v);
        counts.record(v);
        min = Math.min(min, v / 1000);
        max = Math.max(max, v / 1000);
        sum += v / 1000;
        n++;
      }
      counts.drainInto(h);
      mergeDelta(agg, { key: 0, ok: { latency: encodeHistogram(h), min, max, sum, serviceSum: sum, n } });
    }
    expect(agg.ok.latency.totalCount).toBe(all.totalCount);
    expect(agg.ok.timed).toBe(30_000);
    for (const q of [50, 90, 99, 99.9]) expect(agg.ok.latency.getValueAtPercentile(q)).toBe(all.getValueAtPercentile(q));
  });
  it('figures never exceed the exact max and are zero for an empty histogram', () => {
    expect(figures(build(), { min: 0, max: 0, mean: 0 })).toEqual({ min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
    const h = build();
    h.recordValue(1_000_499);
    const f = figures(h, { min: 1000.499, max: 1000.499, mean: 1000.499 });
    expect(f.p99).toBeLessThanOrEqual(f.max);
  });
});

describe('StatsQueue', () => {
  const batch = (seq: number, requests: number, extra: Partial<BatchMessage> = {}): BatchMessage => ({
    type: 'batch',
    seq,
    sentAt: 1000,
    interval: 0,
    eventCount: requests,
    requests,
    transactions: 0,
    deltas: [{ key: 0, count: requests, errors: 1 }],
    queued: requests,
    localCountBefore: 0,
    localTps: 0,
    ...extra,
  });
  it('counts requests per key, acks each batch, and computes the global throughput per tick', () => {
    let now = 1000;
    const acks: [number, number][] = [];
    const q = new StatsQueue(
      undefined,
      (slot, seq) => acks.push([slot, seq]),
      () => now,
    );
    q.addRunner(0, 'A', 0, 'Dummy');
    q.onBatch(0, batch(1, 10, { newKeys: [{ id: 0, nature: 'req', request: 'R0', step: 16 }], errorTypes: { X: 1 } }));
    now = 1500;
    q.onBatch(0, batch(2, 30));
    expect(acks).toEqual([
      [0, 1],
      [0, 2],
    ]);
    expect(q.requests).toBe(40);
    expect(q.requestErrors).toBe(2);
    expect(q.errorsByType).toEqual({ X: 1 });
    now = 3000;
    const t = q.tick();
    expect(t.globalTps).toBe(19); // 38 ok requests in 2 s (issue 19: failed ones are not throughput)
    expect(t.errorTps).toBe(1);
    expect(q.throughputHwm).toBe(19);
    expect(q.lagMsHwm).toBe(500);
    expect([...q.aggs.values()][0]).toMatchObject({ id: 'A', cut: 'Dummy', request: 'R0', count: 40, errors: 2 });
  });
  it('holds acknowledgements while the output is full (backpressure), and releases them on drain', async () => {
    let release!: () => void;
    const drained = new Promise<void>((r) => (release = r));
    let writes = 0;
    const output: EventOutput = { write: () => (++writes > 1 ? false : true), drain: () => drained, close: async () => {} };
    const acks: number[] = [];
    const q = new StatsQueue(
      output,
      (_slot, seq) => acks.push(seq),
      () => 0,
    );
    q.addRunner(0, 'A', 0, 'Dummy');
    const events = new Float64Array(8);
    q.onBatch(0, batch(1, 1, { newKeys: [{ id: 0, nature: 'req', request: 'R0', step: 16 }], events }));
    q.onBatch(0, batch(2, 1, { events }));
    q.onBatch(0, batch(3, 1, { events }));
    await new Promise((r) => setTimeout(r, 10));
    expect(acks).toEqual([1]);
    release();
    await q.drained();
    await new Promise((r) => setTimeout(r, 0));
    expect(acks).toEqual([1, 2, 3]);
  });
});
