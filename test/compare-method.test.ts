// pylogen compare's method, pure (src/compare/): the bootstrap's interval contains 0 for two
// samples of one distribution and excludes it for a shifted one; the noise floor; the thresholds'
// grammar. The CLI over real runs is test/compare.test.ts.
import { describe, expect, it } from 'vitest';
import { bootstrapDifferences } from '../src/compare/bootstrap.js';
import { verdictOf } from '../src/compare/compareRuns.js';
import { parseDeltaThreshold } from '../src/compare/deltaThreshold.js';
import type { IntervalData, RowIntervals } from '../src/compare/intervals.js';
import { mulberry32 } from '../src/schedule/mulberry32.js';

/** 20 intervals of 50 requests, latencies around `ms` (±20%, 1% buckets), drawn from `seed`. */
function run(ms: number, seed: number, errorsEvery = 0): RowIntervals {
  const rnd = mulberry32(seed);
  const intervals: IntervalData[] = [];
  for (let i = 0; i < 20; i++) {
    const byValue = new Map<number, number>();
    for (let j = 0; j < 50; j++) {
      const v = Math.round(ms * (0.8 + 0.4 * rnd()) * 100) / 100;
      byValue.set(v, (byValue.get(v) ?? 0) + 1);
    }
    const values = [...byValue.keys()].sort((a, b) => a - b);
    const errors = errorsEvery > 0 && i % errorsEvery === 0 ? 5 : 0;
    intervals.push({ ok: 50, count: 50 + errors, errors, full: true, values, counts: values.map((v) => byValue.get(v)!) });
  }
  return { intervalS: 0.25, intervals };
}

describe('the bootstrap over intervals', () => {
  it('two samples of one distribution: every interval contains 0', () => {
    const ci = bootstrapDifferences(run(10, 1), run(10, 2));
    for (const f of ['rate', 'errors', 'p50', 'p90', 'p99'] as const) {
      expect(ci[f], f).not.toBeNull();
      expect(ci[f]!.low, f).toBeLessThanOrEqual(0);
      expect(ci[f]!.high, f).toBeGreaterThanOrEqual(0);
    }
  });

  it('latencies 50% longer: the p50 interval lies around +50%, above 0; errors in every other interval: more errors', () => {
    const ci = bootstrapDifferences(run(10, 1), run(15, 2, 2));
    expect(ci.p50!.low).toBeGreaterThan(0.4);
    expect(ci.p50!.high).toBeLessThan(0.6);
    expect(ci.errors!.low).toBeGreaterThan(0);
  });

  it('extremes are not judged: p99 with 1,000 ok requests (and 10 above it), p99.9 not with 1,000, the max never', () => {
    const ci = bootstrapDifferences(run(10, 1), run(10, 2));
    expect(ci.p99).not.toBeNull();
    expect(ci['p99.9']).toBeNull();
    expect(ci.max).toBeNull();
  });

  it('fewer than 2 intervals in a run: no interval (n/a)', () => {
    const one = { ...run(10, 1), intervals: run(10, 1).intervals.slice(0, 1) };
    expect(bootstrapDifferences(one, run(10, 2)).p50).toBeNull();
  });

  it('the verdict: the interval must exclude 0 and the change pass the noise floor', () => {
    const s = { noise: 0.05 };
    expect(verdictOf('p50', 2, 0.2, { low: 0.1, high: 0.3 }, s)).toBe('slower');
    expect(verdictOf('p50', -2, -0.2, { low: -0.3, high: -0.1 }, s)).toBe('faster');
    expect(verdictOf('rate', 20, 0.2, { low: 0.1, high: 0.3 }, s)).toBe('faster');
    expect(verdictOf('p50', 0.3, 0.03, { low: 0.01, high: 0.05 }, s)).toBe('within noise');
    expect(verdictOf('p50', 2, 0.2, { low: -0.1, high: 0.5 }, s)).toBe('within noise');
    expect(verdictOf('errors', 1, 1, { low: 0.5, high: 1.5 }, s)).toBe('more errors');
    expect(verdictOf('p50', 2, 0.2, null, s)).toBe('n/a');
  });
});

describe('regression thresholds', () => {
  it.each([
    ['p99 < +10%', { figure: 'p99', op: '<', value: 0.1, unit: 'relative' }],
    ['rate > -5%', { figure: 'rate', op: '>', value: -0.05, unit: 'relative' }],
    ['ENCRYPT:errors < +0.5%', { scope: 'ENCRYPT', figure: 'errors', op: '<', value: 0.5, unit: 'points' }],
    ['p50 < +2ms', { figure: 'p50', op: '<', value: 2, unit: 'ms' }],
    ['p99.9 <= +0.5s', { figure: 'p99.9', op: '<=', value: 500, unit: 'ms' }],
    ['rate > -100/s', { figure: 'rate', op: '>', value: -100, unit: '/s' }],
    ['capacity > -10%', { figure: 'capacity', op: '>', value: -0.1, unit: 'relative' }],
  ])('%s', (text, expected) => {
    expect(parseDeltaThreshold(text)).toEqual({ threshold: { text, ...expected } });
  });

  it.each([
    ['p99 < 10', 'give the change a unit'],
    ['rate > -5ms', 'rate takes % or /s, not "ms"'],
    ['errors < +1ms', 'errors takes % (percentage points of the requests), not "ms"'],
    ['p99 = +10%', 'expected [REQUEST:]FIGURE OP CHANGE'],
  ])('refuses %s', (text, why) => {
    const r = parseDeltaThreshold(text);
    expect('problem' in r && r.problem).toContain(why);
  });
});
