// The summary's data model: ok and failed apart, per length, encoded histograms for an exact merge,
// and the time series per wall-clock-aligned --summary interval (issues 11, 13, 15).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Recorder } from '../src/runner/Recorder.js';
import type { BatchMessage } from '../src/core/protocol.js';
import type { Clock } from '../src/cut/clock.js';
import { StatsQueue } from '../src/stats/StatsQueue.js';
import { decodeLatencies, encodeLatencies, newLatencies, addLatencies } from '../src/stats/aggregate.js';
import { decodeHistogram, encodeHistogram, mergeEncoded, newHistogram, newSeriesHistogram, percentileMs } from '../src/stats/histogram.js';
import { LatencyCounts } from '../src/stats/LatencyCounts.js';
import { pylogen } from './helpers.js';

/** A fake clock: monotonic ms = epoch ms - EPOCH0. */
const EPOCH0 = 1_795_000_000_000;
function fakeClock(): Clock & { t: number } {
  const c = { t: 0, now: () => c.t, toEpoch: (m: number) => EPOCH0 + m, fromEpoch: (e: number) => e - EPOCH0 };
  return c;
}

function recorder(clock: Clock, openModel = false) {
  const sent: BatchMessage[] = [];
  const rec = new Recorder({ clock, shipEvents: false, batchSize: 1000, window: 1000, openModel, send: (m) => sent.push(m), intervalMs: 1000 });
  return { rec, sent };
}

describe('Recorder: ok and failed apart, one key per length, batches labelled with their interval', () => {
  it('ships ok and failed tallies per (request, length), and the wall-clock interval of what it sends', () => {
    const clock = fakeClock();
    clock.t = 200; // epoch ...000.200: inside interval EPOCH0
    const { rec, sent } = recorder(clock);
    rec.startIntervals();
    const k = rec.requestKey('R');
    rec.event(k, -1, 16, 100, 100, 102, undefined); // ok 2 ms at 16 bytes
    rec.event(k, -1, 16, 100, 100, 100.5, new Error('boom')); // failed 0.5 ms at 16 bytes
    rec.event(k, -1, 64, 100, 100, 105, undefined); // ok 5 ms at 64 bytes
    clock.t = 1_100; // crossed into the next interval: this flush closes interval EPOCH0
    rec.flush();
    expect(sent).toHaveLength(1);
    const b = sent[0]!;
    expect(b.interval).toBe(EPOCH0);
    expect(b.newKeys).toEqual([
      { id: 0, nature: 'req', request: 'R', step: 16 },
      { id: 1, nature: 'req', request: 'R', step: 64 },
    ]);
    expect(b.deltas).toEqual([
      { key: 0, count: 2, errors: 1, errorTypes: { Error: 1 } },
      { key: 1, count: 1, errors: 0 },
    ]);
    const h0 = b.histograms!.find((h) => h.key === 0)!;
    expect(h0.ok).toMatchObject({ n: 1, min: 2, max: 2, sum: 2 });
    expect(h0.failed).toMatchObject({ n: 1, min: 0.5, max: 0.5 });
    expect(decodeHistogram(h0.ok!.latency).totalCount).toBe(1);
    expect(percentileMs(decodeHistogram(h0.failed!.latency), 50)).toBeCloseTo(0.5, 2);
    expect(b.histograms!.find((h) => h.key === 1)!.failed).toBeUndefined();
    // The next batch belongs to the interval it was recorded in.
    rec.event(k, -1, 16, 1200, 1200, 1201, undefined);
    clock.t = 1_500;
    rec.flush(true);
    expect(sent[1]!.interval).toBe(EPOCH0 + 1000);
  });
});

describe('Recorder: an event counts in the interval it ended in, whenever the flush timer fires', () => {
  it('an operation that ends after the boundary closes the interval before it is counted (a late timer moves nothing)', () => {
    const clock = fakeClock();
    clock.t = 200;
    const { rec, sent } = recorder(clock);
    rec.startIntervals();
    const k = rec.requestKey('R');
    rec.event(k, -1, 16, 800, 800, 900, undefined); // ends at .900: interval EPOCH0
    rec.event(k, -1, 16, 900, 900, 1_000, undefined); // ends at 1.000: the next interval
    clock.t = 1_150; // the flush timer fires 150 ms late (a loaded machine)
    rec.event(k, -1, 16, 1_000, 1_000, 1_100, undefined);
    rec.flush();
    expect(sent.map((b) => [b.interval, b.deltas.map((d) => d.count)])).toEqual([
      [EPOCH0, [1]],
      [EPOCH0 + 1000, [2]],
    ]);
  });
});

describe('the series: per interval, from interval histograms merged exactly', () => {
  it('counts and percentiles of each interval equal those of the values recorded in it', () => {
    let now = EPOCH0;
    const q = new StatsQueue(
      undefined,
      () => {},
      () => now,
      1000,
    );
    q.addRunner(0, 'A', 0, 'Cut');
    q.addRunner(1, 'A', 1, 'Cut');
    const perInterval = [newSeriesHistogram(), newSeriesHistogram(), newSeriesHistogram()];
    const seq = [0, 0];
    for (let i = 0; i < 3; i++) {
      for (const slot of [0, 1]) {
        const c = new LatencyCounts();
        const values = Array.from({ length: 200 }, (_, j) => 1000 + ((j * 37 + slot * 11 + i * 500) % 900) * (i + 1) * 10);
        for (const v of values) {
          c.record(v);
          perInterval[i]!.recordValue(v);
        }
        const h = newHistogram(32);
        c.drainInto(h);
        const b: BatchMessage = {
          type: 'batch',
          seq: ++seq[slot]!,
          sentAt: now,
          interval: EPOCH0 + i * 1000,
          eventCount: 200,
          requests: 200,
          transactions: 0,
          deltas: [{ key: 0, count: 200, errors: 3, errorTypes: { Throttled: 3 } }],
          queued: 0,
          localCountBefore: 0,
          localTps: 0,
          histograms: [{ key: 0, ok: { n: 197, min: 1, max: 100, sum: 1000, serviceSum: 1000, latency: encodeHistogram(h) } }],
          ...(seq[slot] === 1 ? { newKeys: [{ id: 0, nature: 'req' as const, request: 'R', step: 16 }] } : {}),
        };
        q.onBatch(slot, b);
      }
      now += 1000;
      q.series.sealOld(); // nothing is old enough yet except after 3 intervals
    }
    // A late batch for interval 0, after it was sealed, reopens it.
    now += 5000;
    q.onBatch(0, {
      type: 'batch',
      seq: ++seq[0]!,
      sentAt: now,
      interval: EPOCH0 + 5000,
      eventCount: 0,
      requests: 0,
      transactions: 0,
      deltas: [],
      queued: 0,
      localCountBefore: 0,
      localTps: 0,
    });
    q.series.sealOld();
    const late = new LatencyCounts();
    late.record(77_000);
    perInterval[0]!.recordValue(77_000);
    const lh = newHistogram(32);
    late.drainInto(lh);
    q.onBatch(1, {
      type: 'batch',
      seq: ++seq[1]!,
      sentAt: now,
      interval: EPOCH0,
      eventCount: 1,
      requests: 1,
      transactions: 0,
      deltas: [{ key: 0, count: 1, errors: 0 }],
      queued: 0,
      localCountBefore: 0,
      localTps: 0,
      histograms: [{ key: 0, ok: { n: 1, min: 77, max: 77, sum: 77, serviceSum: 77, latency: encodeHistogram(lh) } }],
    });
    const s = q.series.build({ from: EPOCH0, to: EPOCH0 + 3000 });
    expect(s.from).toBe(EPOCH0);
    expect(s.from % s.intervalMs).toBe(0);
    // Up to the stats queue's own sample at EPOCH0 + 8000 (its clock, the late batch's arrival).
    expect(s.intervals).toBe(9);
    const zeros = [0, 0, 0, 0, 0, 0];
    expect(s.total.count).toEqual([401, 400, 400, ...zeros]);
    expect(s.total.errors).toEqual([6, 6, 6, ...zeros]);
    expect(s.total.errorsByType).toEqual({ Throttled: [6, 6, 6, ...zeros] });
    expect(s.total.throughput.slice(0, 3)).toEqual([395, 394, 394]); // ok requests only (issue 19)
    const row = s.byRequest[0]!;
    expect(row).toMatchObject({ id: 'A', cut: 'Cut', request: 'R' });
    for (let i = 0; i < 3; i++) {
      for (const [col, p] of [
        ['p50', 50],
        ['p90', 90],
        ['p99', 99],
        ['max', 100],
      ] as const) {
        expect(row[col][i]).toBe(percentileMs(perInterval[i]!, p));
        expect(s.total[col][i]).toBe(percentileMs(perInterval[i]!, p));
      }
      expect(decodeHistogram(row.okHdr[i]!).totalCount).toBe(perInterval[i]!.totalCount);
    }
    expect(row.okHdr[3]).toBeNull();
    expect(row.p99[3]).toBeNull();
  });
});

describe('encoded tallies merge exactly', () => {
  it('the merge of two encoded tallies has the percentiles of the union, not an average', () => {
    const a = newLatencies();
    const b = newLatencies();
    const union = newHistogram();
    for (let i = 0; i < 3000; i++) {
      const v = 100 + ((i * 7919) % 5000);
      const w = 20_000 + ((i * 104729) % 90_000);
      a.latency.recordValue(v);
      b.latency.recordValue(w);
      union.recordValue(v);
      union.recordValue(w);
    }
    a.timed = b.timed = 3000;
    a.min = 0.1;
    a.max = 5.1;
    a.sum = 7000;
    b.min = 20;
    b.max = 110;
    b.sum = 190_000;
    const merged = newLatencies();
    addLatencies(merged, decodeLatencies(JSON.parse(JSON.stringify(encodeLatencies(a)))));
    addLatencies(merged, decodeLatencies(JSON.parse(JSON.stringify(encodeLatencies(b)))));
    expect(merged.timed).toBe(6000);
    expect(merged.min).toBe(0.1);
    expect(merged.max).toBe(110);
    for (const q of [50, 90, 99, 99.9]) expect(merged.latency.getValueAtPercentile(q)).toBe(union.getValueAtPercentile(q));
    expect(mergeEncoded([encodeHistogram(a.latency), encodeHistogram(b.latency)]).getValueAtPercentile(50)).toBe(union.getValueAtPercentile(50));
  });
});

describe('the summary JSON of a real run', () => {
  it('has ok and failed apart, a row per length, encoded histograms and a series that adds up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pylogen-schema-'));
    const json = join(dir, 's.json');
    const r = await pylogen(
      [
        'cuts.Dummy',
        '--extra',
        '{"sleep":0.01,"error":4}',
        '--lengths',
        '16,64',
        '--proc',
        '2',
        '--duration',
        '3',
        '--outformat',
        'none',
        '--summary-json',
        json,
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(json, 'utf8'));
    expect(s.version).toBe(2);
    const row = s.byRequest[0];
    expect(row.lengths).toEqual([16, 64]);
    expect(row.ok.count + row.failed.count).toBe(row.count);
    expect(row.failed.count).toBe(row.errors);
    expect(row.errors).toBeGreaterThan(0);
    expect(row.failed.byType).toEqual({ DummyError: row.errors });
    // Every 4th operation fails, and a failure is as slow as a success here (both sleep 10 ms).
    expect(row.ok.count / row.count).toBeGreaterThan(0.7);
    // The row's throughput is its ok rate; the error rate is beside it (issue 19).
    expect(row.throughput).toBe(row.ok.throughput);
    expect(row.errorRate).toBe(row.failed.throughput);
    expect(row.ok.latencyMs.p50).toBeGreaterThan(9);
    expect(decodeHistogram(row.ok.hdr.latency).totalCount).toBe(row.ok.count);
    expect(decodeHistogram(row.failed.hdr.latency).totalCount).toBe(row.failed.count);
    expect(row.byLength.map((l: { lengths: number[] }) => l.lengths)).toEqual([[16], [64]]);
    expect(row.byLength[0].count + row.byLength[1].count).toBe(row.count);
    expect(row.byLength[0].ok.count + row.byLength[1].ok.count).toBe(row.ok.count);
    // The series: aligned on wall-clock seconds, every request in exactly one interval.
    const se = s.series;
    expect(se.intervalMs).toBe(1000);
    expect(se.from % 1000).toBe(0);
    for (const col of Object.values(se.total).filter(Array.isArray)) expect(col).toHaveLength(se.intervals);
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(sum(se.total.count)).toBe(s.requests.count);
    expect(sum(se.total.errors)).toBe(s.requests.errors);
    expect(sum(se.total.errorsByType.DummyError)).toBe(s.requests.errors);
    const sr = se.byRequest[0];
    const okPerInterval = sr.okHdr.map((h: string | null) => (h === null ? 0 : decodeHistogram(h).totalCount));
    expect(sum(okPerInterval)).toBe(row.ok.count);
    const i = okPerInterval.indexOf(Math.max(...okPerInterval));
    expect(sr.p99[i]).toBe(percentileMs(decodeHistogram(sr.okHdr[i]), 99));
    expect(Math.max(...se.total.activeRunners)).toBe(2);
    expect(typeof s.byRunner[0].startedAt).toBe('string');
  }, 70_000);

  it('open model: the series has the line arrivals per interval, adding up to the run arrivals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pylogen-schema-'));
    const json = join(dir, 's.json');
    const r = await pylogen(['cuts.Dummy', '--extra', '{"sleep":0.01}', '--schedule', '2@50', '--proc', '2', '--outformat', 'none', '--summary-json', json], {
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(json, 'utf8'));
    const a = s.series.arrivals;
    expect(a).toHaveLength(1);
    const sum = (x: number[]) => x.reduce((p, q) => p + q, 0);
    expect(sum(a[0].planned)).toBe(100);
    expect(sum(a[0].started)).toBe(s.arrivals.started);
    expect(sum(a[0].dropped)).toBe(0);
    expect(a[0].planned).toHaveLength(s.series.intervals);
    // 50 arrivals a second: no interval holds more than a second's worth and a little.
    expect(Math.max(...a[0].planned)).toBeLessThanOrEqual(55);
  }, 70_000);
});
