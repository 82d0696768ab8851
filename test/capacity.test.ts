/** The capacity search's pure parts: steps judged from interval aggregates, the knee, the result, the ladder. */
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { capacityResult, findKnee, formatCapacity, judgeStep, type CapacityStep } from '../src/capacity/capacitySteps.js';
import { ladder, MAX_STEPS, settlingSeconds } from '../src/capacity/capacityPlan.js';
import { IntervalStats } from '../src/stats/IntervalStats.js';
import { newAgg } from '../src/stats/aggregate.js';
import { parseThreshold, type Threshold } from '../src/verdict/threshold.js';
import type { BatchMessage, HistogramDelta } from '../src/core/protocol.js';

const t = (text: string): Threshold => {
  const r = parseThreshold(text);
  if ('problem' in r) throw new Error(r.problem);
  return r.threshold;
};
const build = () => hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: 3, useWebAssembly: false });

/** A histogram delta of these latencies (ms) for runner key 0, as a runner ships it. */
function delta(ms: number[]): HistogramDelta {
  const h = build();
  for (const v of ms) h.recordValue(Math.round(v * 1000));
  return {
    key: 0,
    ok: {
      latency: hdr.encodeIntoCompressedBase64(h),
      min: Math.min(...ms),
      max: Math.max(...ms),
      sum: ms.reduce((a, b) => a + b, 0),
      serviceSum: 0,
      n: ms.length,
    },
  };
}

function batch(sentAt: number, ms: number[], errors: number, types?: Record<string, number>): BatchMessage {
  return {
    type: 'batch',
    seq: 1,
    sentAt,
    interval: 0,
    eventCount: 0,
    requests: ms.length,
    transactions: 0,
    deltas: [{ key: 0, count: ms.length, errors }],
    ...(types ? { errorTypes: types } : {}),
    queued: 0,
    localCountBefore: 0,
    localTps: 0,
    histograms: [delta(ms)],
  };
}

describe('IntervalStats', () => {
  it('keeps the batches sent within its interval, counts and histograms merged exactly', () => {
    const run = newAgg('run', 'Cut', 'req', 'ENCRYPT');
    const w = new IntervalStats(1000, 2000);
    w.add(batch(999, [500], 1), [run]); // before: settling
    w.add(batch(1000, [1, 2, 3], 0), [run]);
    w.add(batch(1500, [4, 5], 1, { ThrottlingException: 1 }), [run]);
    w.add(batch(2001, [900], 0), [run]); // after: the next step's
    const [a] = [...w.aggs.values()];
    expect(a).toMatchObject({ id: 'run', request: 'ENCRYPT', count: 5, errors: 1, ok: { timed: 5, min: 1, max: 5 } });
    expect(a!.ok.latency.totalCount).toBe(5);
    expect(w.errorsByType).toEqual({ ThrottlingException: 1 });
    expect(w.requests).toBe(5);
    expect(w.seconds(5000)).toBe(1);
    expect(new IntervalStats(1000).seconds(1500)).toBe(0.5);
  });
});

describe('judgeStep', () => {
  const run = newAgg('run', 'Cut', 'req', 'ENCRYPT');
  const window = (ms: number[], errors: number) => {
    const w = new IntervalStats(0, 10_000);
    w.add(batch(1, ms, errors, errors > 0 ? { ThrottlingException: errors } : undefined), [run]);
    return w;
  };
  it('judges a step by the thresholds over its own interval', () => {
    const w = window(
      Array.from({ length: 200 }, (_, i) => 1 + i / 100),
      0,
    );
    const s = judgeStep('rate', 100, [...w.aggs.values()], w.errorsByType, 2, [t('errors<1%'), t('p99<10')]);
    expect(s).toMatchObject({ rate: 100, achieved: 100, errors: 0, ok: true, requests: 200, seconds: 2 });
    expect(s.p50).toBeCloseTo(2, 1);
    expect(s.p99).toBeCloseTo(2.98, 1);
    expect(s.failed).toBeUndefined();
  });
  it('says which threshold failed and by how much; achieved counts requests without error', () => {
    const w = window(
      Array.from({ length: 300 }, () => 2),
      45,
    );
    const s = judgeStep('rate', 150, [...w.aggs.values()], w.errorsByType, 2, [t('errors<1%'), t('ThrottlingException<=100')]);
    expect(s).toMatchObject({ rate: 150, achieved: 127.5, errors: 45, ok: false });
    expect(s.failed).toEqual([{ threshold: 'errors<1%', value: 15, reason: 'errors<1%: 15% (limit < 1%: over by 14 points)' }]);
  });
  it('fails a step where nothing completed', () => {
    const s = judgeStep('concurrency', 4, [], {}, 2, []);
    expect(s).toMatchObject({ concurrency: 4, achieved: 0, ok: false, p50: null, p99: null });
    expect(s.failed![0]!.reason).toMatch(/no request completed/);
  });
});

const step = (level: number, achieved: number, ok = true, mode: 'rate' | 'concurrency' = 'concurrency'): CapacityStep => ({
  ...(mode === 'rate' ? { rate: level } : { concurrency: level }),
  achieved,
  p50: 1,
  p99: 2,
  errors: ok ? 0 : 10,
  ok,
  requests: 100,
  seconds: 2,
  ...(ok ? {} : { failed: [{ threshold: 'errors<1%', value: 10, reason: 'errors<1%: 10% (limit < 1%: over by 9 points)' }] }),
});

describe('the knee, the result and the table', () => {
  it('finds the knee where doubling the concurrency stops adding throughput', () => {
    // 1 → 2 → 4 → 8 scale; 8 → 16 adds 12% (less than a quarter of the 100% proportional scaling would).
    const steps = [step(1, 180), step(2, 350), step(4, 690), step(8, 1300), step(16, 1450), step(32, 1440)];
    expect(findKnee(steps)).toEqual({ concurrency: 8, achieved: 1300 });
    expect(findKnee(steps.slice(0, 4))).toBeNull();
    const c = capacityResult('concurrency', 3, 0.75, steps, 'max');
    expect(c).toMatchObject({ maxRate: 1450, maxConcurrency: 16, knee: { concurrency: 8 }, failedAt: null });
    const text = formatCapacity(c);
    expect(text).toMatch(/^\s+8\s+1300\.0\s+\+88%.*pass {2}<- knee$/m);
    expect(text).toMatch(/^\s+32\s+1440\.0\s+-1%/m);
    expect(text).toMatch(/knee at concurrency 8 \(1300\.0\/s\)/);
  });
  it('gives the highest rate that held and why the next failed, refine probes included', () => {
    const steps = [
      step(100, 100, true, 'rate'),
      step(150, 150, true, 'rate'),
      step(200, 170, false, 'rate'),
      { ...step(175, 175, true, 'rate'), refine: true as const },
      { ...step(188, 170, false, 'rate'), refine: true as const },
    ];
    const c = capacityResult('rate', 3, 0.75, steps, 'failed');
    expect(c).toMatchObject({ maxRate: 175, failedAt: { rate: 188, reason: 'errors<1%: 10% (limit < 1%: over by 9 points)' }, end: 'failed' });
    expect(c.knee).toBeUndefined();
    const text = formatCapacity(c);
    expect(text).toMatch(/maximum sustainable rate 175\/s \(achieved 175\.0\/s, p50 1\.000 ms, p99 2\.000 ms\)/);
    expect(text).toMatch(/188\/s failed: errors<1%: 10%/);
    expect(text).toMatch(/^\s+188\s+170\.0.*FAIL \(refine\)$/m);
    expect(capacityResult('rate', 3, 0.75, [step(100, 50, false, 'rate')], 'failed').maxRate).toBeNull();
  });
  it('builds the ladder and the settling time', () => {
    expect(ladder(100, 50, 600)).toEqual([100, 150, 200, 250, 300, 350, 400, 450, 500, 550, 600]);
    expect(ladder(100, 50, 620)).toHaveLength(11);
    expect(ladder(0.5, 0.1, 0.8)).toEqual([0.5, 0.6, 0.7, 0.8]);
    expect(ladder(10, 10, undefined)).toHaveLength(MAX_STEPS);
    expect([settlingSeconds(1), settlingSeconds(3), settlingSeconds(6), settlingSeconds(60)]).toEqual([0.5, 0.75, 1.5, 2]);
  });
});
