import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.js';
import {
  ArrivalPlan,
  NO_BURST,
  mulberry32,
  parseBurst,
  parseSchedule,
  plannedArrivals,
  scheduleDurationS,
  segmentArrivals,
  timeAtCount,
  type ArrivalKind,
  type Burst,
  type Segment,
} from '../src/schedule/schedule.js';

/** Every arrival of one runner, with the segment it belongs to. */
function drain(plan: ArrivalPlan): { atMs: number; segment: number }[] {
  const out: { atMs: number; segment: number }[] = [];
  for (let atMs = plan.next(); atMs !== Infinity; atMs = plan.next()) out.push({ atMs, segment: plan.segment });
  return out;
}

function runners(segments: Segment[], n: number, arrival: ArrivalKind, burst: Burst = NO_BURST, seed = 1) {
  return Array.from({ length: n }, (_, runnerIndex) => drain(new ArrivalPlan(segments, { runnerIndex, runnerCount: n, arrival, burst, seed })));
}

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseSchedule', () => {
  it('parses constant rates, ramps, decimals and spaces', () => {
    expect(parseSchedule('30@10,20@15,30@10-50')).toEqual([
      { durationS: 30, fromRate: 10, toRate: 10 },
      { durationS: 20, fromRate: 15, toRate: 15 },
      { durationS: 30, fromRate: 10, toRate: 50 },
    ]);
    expect(parseSchedule(' 1.5 @ 2.25 , .5@ 100 - 0 ,3.@0')).toEqual([
      { durationS: 1.5, fromRate: 2.25, toRate: 2.25 },
      { durationS: 0.5, fromRate: 100, toRate: 0 },
      { durationS: 3, fromRate: 0, toRate: 0 },
    ]);
  });

  it('accepts zero rates: a pause, a ramp from or to zero', () => {
    const segments = parseSchedule('10@0,4@0-100,4@100-0');
    expect(segments.map(segmentArrivals)).toEqual([0, 200, 200]);
    expect(plannedArrivals(segments)).toBe(400);
    expect(scheduleDurationS(segments)).toBe(18);
  });

  it('rounds each segment to round(D × (R1+R2)/2)', () => {
    expect(plannedArrivals(parseSchedule('1@0.4'))).toBe(0);
    expect(plannedArrivals(parseSchedule('1@0.5'))).toBe(1);
    expect(plannedArrivals(parseSchedule('1@0.4,1@0.4,1@0.4'))).toBe(0);
    expect(plannedArrivals(parseSchedule('3@1-2'))).toBe(5); // 4.5 rounds up
    expect(plannedArrivals([])).toBe(0);
    expect(scheduleDurationS([])).toBe(0);
  });

  it('names the flag, the segment and the bad value in one line', () => {
    expect(usage(() => parseSchedule('30@10,20@x'))).toBe('--schedule: segment 2 "20@x": the rate must be a number of operations per second, but is "x"');
    expect(usage(() => parseSchedule('30'))).toBe(
      '--schedule: segment 1 "30": expected DURATION@RATE, a duration in seconds and a rate in operations per second (e.g. 30@10 or 30@10-50)',
    );
    expect(usage(() => parseSchedule('0@10'))).toBe(
      '--schedule: segment 1 "0@10": the duration must be more than 0, a number of seconds, or with a unit: 500ms, 10s, 2m, 1h, 1m30s, but is "0"',
    );
    expect(usage(() => parseSchedule('1@1, -2@10'))).toBe(
      '--schedule: segment 2 "-2@10": the duration must be more than 0, a number of seconds, or with a unit: 500ms, 10s, 2m, 1h, 1m30s, but is "-2"',
    );
    expect(usage(() => parseSchedule('5x@10'))).toBe(
      '--schedule: segment 1 "5x@10": the duration must be more than 0, a number of seconds, or with a unit: 500ms, 10s, 2m, 1h, 1m30s, but is "5x"',
    );
    // k6's and Artillery's units; a plain number stays seconds
    expect(parseSchedule('30s@100,2m@10-50,500ms@4,1@1').map((s) => s.durationS)).toEqual([30, 120, 0.5, 1]);
    expect(usage(() => parseSchedule('5@-3'))).toBe('--schedule: segment 1 "5@-3": the rate must be 0 or more operations per second, but is "-3"');
    expect(usage(() => parseSchedule('5@10--3'))).toBe(
      `--schedule: segment 1 "5@10--3": the ramp's end rate must be 0 or more operations per second, but is "-3"`,
    );
    expect(usage(() => parseSchedule('5@a-3'))).toBe(
      `--schedule: segment 1 "5@a-3": the ramp's start rate must be a number of operations per second, but is "a"`,
    );
    expect(usage(() => parseSchedule('5@10-'))).toBe(`--schedule: segment 1 "5@10-": the ramp's end rate must be a number of operations per second, but is ""`);
    expect(usage(() => parseSchedule('5@1-2-3'))).toBe(
      `--schedule: segment 1 "5@1-2-3": the ramp's end rate must be a number of operations per second, but is "2-3"`,
    );
    expect(usage(() => parseSchedule('5@'))).toBe('--schedule: segment 1 "5@": the rate must be a number of operations per second, but is ""');
    expect(usage(() => parseSchedule('5@1e3'))).toBe('--schedule: segment 1 "5@1e3": the rate must be a number of operations per second, but is "1e3"');
    expect(usage(() => parseSchedule('5@10,'))).toBe(
      '--schedule: segment 2 "": expected DURATION@RATE, a duration in seconds and a rate in operations per second (e.g. 30@10 or 30@10-50)',
    );
    expect(usage(() => parseSchedule('  '))).toBe(
      '--schedule: the schedule is empty; expected DURATION@RATE segments separated by commas (e.g. 30@10,20@15-50)',
    );
    expect(usage(() => parseSchedule('1@2@3', '--sched'))).toBe('--sched: segment 1 "1@2@3": the rate must be a number of operations per second, but is "2@3"');
    expect(usage(() => parseSchedule('99999999999999999999@1'))).toMatch(
      /^--schedule: segment 1 "99999999999999999999@1": plans 1\d+ arrivals, more than can be counted exactly$/,
    );
  });
});

describe('parseBurst', () => {
  it('parses 0, n and fN', () => {
    expect(NO_BURST).toEqual({ kind: 'none' });
    expect(parseBurst('0')).toEqual({ kind: 'random-mean' });
    expect(parseBurst(' 7 ')).toEqual({ kind: 'random', max: 7 });
    expect(parseBurst('f5')).toEqual({ kind: 'fixed', size: 5 });
    expect(parseBurst('F1')).toEqual({ kind: 'fixed', size: 1 });
  });

  it('rejects anything else in one line', () => {
    const general = 'the burst must be 0 (random size up to the mean rate), n (random size up to n) or fN (fixed size N), but is';
    expect(usage(() => parseBurst('x'))).toBe(`--burst: ${general} "x"`);
    expect(usage(() => parseBurst('-1'))).toBe(`--burst: ${general} "-1"`);
    expect(usage(() => parseBurst('2.5', '--bu'))).toBe(`--bu: ${general} "2.5"`);
    expect(usage(() => parseBurst(''))).toBe(`--burst: ${general} ""`);
    expect(usage(() => parseBurst('f0'))).toBe('--burst: a fixed burst fN needs a whole number of operations N of at least 1, but is "f0"');
    expect(usage(() => parseBurst('f'))).toBe('--burst: a fixed burst fN needs a whole number of operations N of at least 1, but is "f"');
  });
});

describe('timeAtCount', () => {
  it('inverts N(t) for constant rates, ramps up and down, and ramps from or to 0', () => {
    for (const segment of parseSchedule('10@5,4@50-150,4@150-50,2@0-10,2@10-0,3@7.5')) {
      const { durationS: d, fromRate: r1, toRate: r2 } = segment;
      const n = (t: number) => r1 * t + ((r2 - r1) * t * t) / (2 * d);
      for (let k = 0; k <= 20; k++) {
        const y = (n(d) * k) / 20;
        const t = timeAtCount(segment, y);
        expect(t).toBeGreaterThanOrEqual(0);
        expect(t).toBeLessThanOrEqual(d);
        expect(n(t)).toBeCloseTo(y, 9);
      }
    }
  });
});

describe('ArrivalPlan', () => {
  it('places uniform arrivals in the middle of their share: 1@4 at 125, 375, 625, 875 ms', () => {
    const [all] = runners(parseSchedule('1@4'), 1, 'uniform');
    expect(all!.map((a) => a.atMs)).toEqual([125, 375, 625, 875]);
  });

  it('offsets each segment by the durations before it and skips rate-0 segments', () => {
    const [all] = runners(parseSchedule('1@2,2@0,1@2'), 1, 'uniform');
    expect(all).toEqual([
      { atMs: 250, segment: 0 },
      { atMs: 750, segment: 0 },
      { atMs: 3250, segment: 2 },
      { atMs: 3750, segment: 2 },
    ]);
  });

  it('deals the line’s arrivals round-robin: runner i gets k % n === i', () => {
    const segments = parseSchedule('1@10');
    const single = runners(segments, 1, 'uniform')[0]!.map((a) => a.atMs);
    const three = runners(segments, 3, 'uniform');
    three.forEach((mine, i) => expect(mine.map((a) => a.atMs)).toEqual(single.filter((_, k) => k % 3 === i)));
    expect(three.map((mine) => mine.length)).toEqual([4, 3, 3]);
  });

  it('keeps the count law for random schedules, uniform and poisson, 1 to 4 runners, any burst', () => {
    const random = mulberry32(42);
    const bursts: Burst[] = [NO_BURST, { kind: 'random-mean' }, { kind: 'random', max: 5 }, { kind: 'fixed', size: 3 }];
    for (let trial = 0; trial < 60; trial++) {
      const segments: Segment[] = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
        const pick = () => (random() < 0.15 ? 0 : Math.round(random() * 20000) / 100);
        const fromRate = pick();
        return {
          durationS: Math.round(1 + random() * 1000) / 100,
          fromRate,
          toRate: random() < 0.5 ? fromRate : pick(),
        };
      });
      const expected = segments.map(segmentArrivals);
      for (const arrival of ['uniform', 'poisson'] as const) {
        for (let n = 1; n <= 4; n++) {
          const burst = bursts[trial % bursts.length]!;
          const plans = Array.from({ length: n }, (_, runnerIndex) => new ArrivalPlan(segments, { runnerIndex, runnerCount: n, arrival, burst, seed: trial }));
          const perRunner = plans.map(drain);
          const perSegment = segments.map(() => 0);
          let startS = 0;
          const bounds = segments.map((s) => [startS * 1000, (startS += s.durationS) * 1000] as const);
          let outside = 0; // arrivals outside their own segment's time range (expect() per arrival is slow)
          perRunner.forEach((mine, i) => {
            expect(mine.length).toBe(plans[i]!.planned);
            for (const { atMs, segment } of mine) {
              perSegment[segment]!++;
              if (atMs < bounds[segment]![0] || atMs > bounds[segment]![1]) outside++;
            }
          });
          expect(outside).toBe(0);
          expect(perSegment).toEqual(expected);
          const counts = perRunner.map((mine) => mine.length);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
          expect(counts.reduce((a, b) => a + b, 0)).toBe(plannedArrivals(segments));
        }
      }
    }
  });

  it('is monotonic for every runner, and Infinity for ever at the end', () => {
    for (const arrival of ['uniform', 'poisson'] as const) {
      const plan = new ArrivalPlan(parseSchedule('2@0-300,1@300,2@300-0,1@0,0.5@1000'), {
        runnerIndex: 1,
        runnerCount: 2,
        arrival,
        burst: { kind: 'random', max: 4 },
      });
      let last = -Infinity;
      for (let atMs = plan.next(); atMs !== Infinity; atMs = plan.next()) {
        expect(atMs).toBeGreaterThanOrEqual(last);
        last = atMs;
      }
      expect(plan.next()).toBe(Infinity);
      expect(plan.next()).toBe(Infinity);
    }
  });

  it('follows a ramp: 4@50-150 gives ~62 in the first second, ~137 in the last, 400 in all', () => {
    const perSecond = (all: { atMs: number }[]) => [0, 1, 2, 3].map((s) => all.filter((a) => a.atMs >= s * 1000 && a.atMs < (s + 1) * 1000).length);
    // 2 runners as in the acceptance test; the union is what the server sees.
    const uniform = runners(parseSchedule('4@50-150'), 2, 'uniform').flat();
    expect(uniform.length).toBe(400);
    const [first, second, third, last] = perSecond(uniform);
    // N(1) = 62.5, N(2) − N(1) = 87.5, N(3) − N(2) = 112.5, N(4) − N(3) = 137.5.
    expect(Math.abs(first! - 62.5)).toBeLessThanOrEqual(1);
    expect(Math.abs(second! - 87.5)).toBeLessThanOrEqual(1);
    expect(Math.abs(third! - 112.5)).toBeLessThanOrEqual(1);
    expect(Math.abs(last! - 137.5)).toBeLessThanOrEqual(1);

    // Poisson: the same intensity on average (over seeds), with the exact total every time.
    const sums = [0, 0, 0, 0];
    const seeds = 200;
    for (let seed = 0; seed < seeds; seed++) {
      const all = runners(parseSchedule('4@50-150'), 2, 'poisson', NO_BURST, seed).flat();
      expect(all.length).toBe(400);
      perSecond(all).forEach((count, s) => (sums[s]! += count));
    }
    // The standard error of each mean is below 0.6 arrivals.
    [62.5, 87.5, 112.5, 137.5].forEach((want, s) => expect(Math.abs(sums[s]! / seeds - want)).toBeLessThan(2.5));
  });

  it('draws poisson gaps that look exponential, unlike uniform ones', () => {
    const gaps = (arrival: ArrivalKind) => {
      const all = runners(parseSchedule('100@100'), 1, arrival, NO_BURST, 7)[0]!.map((a) => a.atMs);
      return all.slice(1).map((t, k) => t - all[k]!);
    };
    const cv = (xs: number[]) => {
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
      return { mean, cv: Math.sqrt(variance) / mean };
    };
    const poisson = cv(gaps('poisson'));
    expect(poisson.mean).toBeCloseTo(10, 1);
    expect(poisson.cv).toBeGreaterThan(0.95); // an exponential has a coefficient of variation of 1
    expect(poisson.cv).toBeLessThan(1.05);
    const uniform = cv(gaps('uniform'));
    expect(uniform.mean).toBeCloseTo(10, 6);
    expect(uniform.cv).toBeLessThan(1e-6);
  });

  it('gives every runner its share of one global poisson sequence for the same seed', () => {
    const segments = parseSchedule('3@200,2@200-20');
    const global = runners(segments, 1, 'poisson', { kind: 'random', max: 6 }, 99)[0]!.map((a) => a.atMs);
    for (let n = 2; n <= 4; n++) {
      runners(segments, n, 'poisson', { kind: 'random', max: 6 }, 99).forEach((mine, i) =>
        expect(mine.map((a) => a.atMs)).toEqual(global.filter((_, k) => k % n === i)),
      );
    }
    // Same seed, same sequence; another seed, another one.
    expect(runners(segments, 1, 'poisson', NO_BURST, 5)).toEqual(runners(segments, 1, 'poisson', NO_BURST, 5));
    expect(runners(segments, 1, 'poisson', NO_BURST, 5)).not.toEqual(runners(segments, 1, 'poisson', NO_BURST, 6));
    // An injected source replaces the seeded one.
    const withSource = drain(new ArrivalPlan(segments, { runnerIndex: 0, runnerCount: 1, arrival: 'poisson', burst: NO_BURST, random: mulberry32(5) }));
    expect(withSource).toEqual(runners(segments, 1, 'poisson', NO_BURST, 5)[0]);
  });

  describe('bursts', () => {
    /** The line's arrivals grouped into runs of equal instants: the burst sizes. */
    const burstSizes = (segments: Segment[], arrival: ArrivalKind, burst: Burst) => {
      const all = runners(segments, 1, arrival, burst, 3)[0]!;
      const sizes: number[] = [];
      all.forEach((a, k) => (k > 0 && a.atMs === all[k - 1]!.atMs ? sizes[sizes.length - 1]!++ : sizes.push(1)));
      return { all, sizes };
    };

    it('fN starts N operations at a slot and skips the next N−1 slots; the last burst is cut', () => {
      const { all, sizes } = burstSizes(parseSchedule('1@10'), 'uniform', { kind: 'fixed', size: 4 });
      expect(sizes).toEqual([4, 4, 2]);
      // Slots 0, 4 and 8 of ten: at 50, 450 and 850 ms.
      expect([...new Set(all.map((a) => a.atMs))]).toEqual([50, 450, 850]);
    });

    it('n draws sizes uniformly in 1..n, and 0 in 1..round(mean rate of the segment)', () => {
      for (const arrival of ['uniform', 'poisson'] as const) {
        const random = burstSizes(parseSchedule('100@100'), arrival, { kind: 'random', max: 5 });
        expect(random.all.length).toBe(10_000);
        const inner = random.sizes.slice(0, -1); // the last one may be cut
        expect(Math.min(...inner)).toBe(1);
        expect(Math.max(...inner)).toBe(5);
        expect(inner.reduce((a, b) => a + b, 0) / inner.length).toBeCloseTo(3, 0);

        const mean = burstSizes(parseSchedule('50@4-6,50@8'), arrival, { kind: 'random-mean' });
        expect(mean.all.length).toBe(650);
        const bySegment = [0, 1].map((s) => {
          const sizes: number[] = [];
          mean.all.forEach((a, k) => (a.segment !== s ? undefined : k > 0 && a.atMs === mean.all[k - 1]!.atMs ? sizes[sizes.length - 1]!++ : sizes.push(1)));
          return sizes;
        });
        expect(Math.max(...bySegment[0]!)).toBe(5); // mean rate (4+6)/2
        expect(Math.max(...bySegment[1]!)).toBe(8);
      }
    });

    it('keeps the total and gives each runner its k % n share of a burst', () => {
      const segments = parseSchedule('2@30,1@7');
      const whole = runners(segments, 1, 'uniform', { kind: 'fixed', size: 5 })[0]!.map((a) => a.atMs);
      expect(whole.length).toBe(67);
      const two = runners(segments, 2, 'uniform', { kind: 'fixed', size: 5 });
      expect(two[0]!.map((a) => a.atMs)).toEqual(whole.filter((_, k) => k % 2 === 0));
      expect(two[1]!.map((a) => a.atMs)).toEqual(whole.filter((_, k) => k % 2 === 1));
    });
  });

  it('rejects a runner index outside the line', () => {
    const options = { arrival: 'uniform', burst: NO_BURST } as const;
    expect(() => new ArrivalPlan([], { ...options, runnerIndex: 2, runnerCount: 2 })).toThrow(RangeError);
    expect(() => new ArrivalPlan([], { ...options, runnerIndex: 0, runnerCount: 0 })).toThrow(RangeError);
    expect(() => new ArrivalPlan([], { ...options, runnerIndex: -1, runnerCount: 1 })).toThrow(RangeError);
    expect(new ArrivalPlan([], { ...options, runnerIndex: 0, runnerCount: 1 }).next()).toBe(Infinity);
  });

  it('costs O(1) per arrival: a million poisson arrivals with bursts, over 4 runners', () => {
    const segments = parseSchedule('100@5000-15000');
    expect(plannedArrivals(segments)).toBe(1_000_000);
    let total = 0;
    for (let runnerIndex = 0; runnerIndex < 4; runnerIndex++) {
      const plan = new ArrivalPlan(segments, {
        runnerIndex,
        runnerCount: 4,
        arrival: 'poisson',
        burst: { kind: 'random', max: 3 },
      });
      let count = 0;
      let last = 0;
      for (let atMs = plan.next(); atMs !== Infinity; atMs = plan.next()) {
        last = atMs;
        count++;
      }
      expect(count).toBe(plan.planned);
      expect(last).toBeLessThanOrEqual(100_000);
      total += count;
    }
    expect(total).toBe(1_000_000);
  });
});
