/**
 * The open model (--schedule): the real CLI with real runners for the arrival law, the per-second
 * shape of a ramp, --max-inflight with its queue and drops, and latency from the intended start;
 * openLoop itself on fake timers for the exact bookkeeping; checkSchedule's validation.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClassUnderTest } from '../src/cut/ClassUnderTest.js';
import type { Clock } from '../src/cut/clock.js';
import type { Operation } from '../src/cut/Operation.js';
import { checkSchedule } from '../src/config/checkSchedule.js';
import { Problems, UsageError } from '../src/core/errors.js';
import { planFromWords } from '../src/config/buildPlan.js';
import { LINE_DEFAULTS } from '../src/config/options.js';
import type { LineOptions, RunnerSpec } from '../src/core/plan.js';
import { ArrivalQueue } from '../src/runner/loops/ArrivalQueue.js';
import { openLoop, shareOf } from '../src/runner/loops/open.js';
import type { Recorder } from '../src/runner/Recorder.js';
import { ROOT, csvRows, pylogen, readJson, tempDir, type CsvRow } from './helpers.js';

/**
 * Operations per whole second of the schedule, by intended start. With cuts.Dummy sleep 0 an
 * operation ends as it begins, so its intended start is its begin (epoch) less its latency
 * (elapsed_ms, from the intended start), to within the epoch's millisecond: the schedule's shape,
 * whatever a loaded machine does to the actual starts.
 */
/**
 * Arrivals per second of each runner's own schedule: an event's intended start (its end less its
 * latency, which runs from the intended start) against its runner's start, the schedule's origin.
 * Each runner's own: on a loaded machine the second runner may start tens of ms after the first.
 */
function perSecond(rows: CsvRow[], s: { byRunner: { index: number; startedAt: string }[] }): number[] {
  const startOf = new Map(s.byRunner.map((r) => [String(r.index), Date.parse(r.startedAt)])); // ISO (issue 15)
  const out: number[] = [];
  for (const r of rows) {
    const s = Math.floor((Number(r.epoch) * 1000 - Number(r.elapsed_ms) - startOf.get(r.runner!)!) / 1000);
    out[s] = (out[s] ?? 0) + 1;
  }
  return Array.from(out, (n) => n ?? 0);
}

describe('open model runs of cuts.Dummy (spawned CLI)', () => {
  it('--schedule 2@100 starts exactly 200 operations in about 2 s, 100 in each second', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = await pylogen(['cuts.Dummy', '--schedule', '2@100', '--extra', '{"sleep":0}', '--summary-json', json]);
    expect(r.code, r.stderr).toBe(0);
    const s = readJson(json);
    expect(s.arrivals).toEqual({ planned: 200, started: 200, dropped: 0 });
    expect(s.requests.count).toBe(200);
    const rows = csvRows(r.stdout);
    expect(rows).toHaveLength(200);
    const secs = perSecond(rows, s);
    expect(secs).toHaveLength(2);
    for (const n of secs) expect(Math.abs(n - 100)).toBeLessThanOrEqual(3);
    const ran = (Date.parse(s.byRunner[0].endedAt) - Date.parse(s.byRunner[0].startedAt)) / 1000;
    expect(ran).toBeGreaterThan(1.9);
    expect(ran).toBeLessThan(3.5);
    expect(r.stderr).toMatch(/arrivals: planned 200, started 200, dropped 0/);
  });

  it('a ramp over two runners: --schedule 2@50-150 --proc 2 gives 200, ~75 in the first second and ~125 in the last, 100 per runner', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = await pylogen(['cuts.Dummy', '--schedule', '2@50-150', '--proc', '2', '--extra', '{"sleep":0}', '--summary-json', json]);
    expect(r.code, r.stderr).toBe(0);
    const s = readJson(json);
    expect(s.arrivals).toEqual({ planned: 200, started: 200, dropped: 0 });
    const rows = csvRows(r.stdout);
    expect(rows.filter((x) => x.runner === '0')).toHaveLength(100);
    expect(rows.filter((x) => x.runner === '1')).toHaveLength(100);
    const [first, last] = perSecond(rows, s);
    // N(1) = 50 + 100/4 = 75, N(2) - N(1) = 125
    expect(Math.abs(first! - 75)).toBeLessThanOrEqual(3);
    expect(Math.abs(last! - 125)).toBeLessThanOrEqual(3);
  });

  it('--max-inflight 10 with 200 ms operations at 100/s: service ≈ 200 ms, latency from the intended start > 1 s, planned = started + dropped', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    // 3 s at 100/s against a capacity of 10 / 0.2 s = 50/s: the queue (default 10 × 10) is full
    // after 2 s, then arrivals are dropped; waiting ones still start for --grace 1 s after the
    // schedule's end (about 50), the others are dropped then: about 200 started, 100 dropped.
    const r = await pylogen([
      'cuts.Dummy',
      '--schedule',
      '3@100',
      '--max-inflight',
      '10',
      '--grace',
      '1',
      '--extra',
      '{"sleep":0.2}',
      '--outformat',
      'none',
      '--summary-json',
      json,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = readJson(json);
    const a = s.arrivals;
    expect(a.planned).toBe(300);
    expect(a.started + a.dropped).toBe(300);
    expect(a.dropped).toBeGreaterThan(60);
    expect(a.dropped).toBeLessThan(160);
    expect(s.requests.count).toBe(a.started);
    const b = s.byRequest[0];
    expect(b.serviceMs.p50).toBeGreaterThan(195);
    expect(b.serviceMs.p99).toBeLessThan(400);
    expect(b.latencyMs.p99).toBeGreaterThan(1000);
    expect(b.latencyMs.p99).toBeLessThan(4000);
    expect(r.stderr).toMatch(/arrivals: planned 300, started \d+, dropped \d+/);
    expect(r.stderr).toMatch(/service time run R0-EXEC: p50 /);
  });

  it('--arrival poisson keeps the count exact; --burst f5 starts arrivals five at a time; lengths cycle per arrival', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const p = await pylogen([
      'cuts.Dummy',
      '--schedule',
      '1@60',
      '--arrival',
      'poisson',
      '--seed',
      '7',
      '--lengths',
      '8,16,32',
      '--extra',
      '{"sleep":0}',
      '--summary-json',
      json,
    ]);
    expect(p.code, p.stderr).toBe(0);
    expect(readJson(json).arrivals).toEqual({ planned: 60, started: 60, dropped: 0 });
    const rows = csvRows(p.stdout);
    for (const step of ['8', '16', '32']) expect(rows.filter((x) => x.step === step)).toHaveLength(20);

    const b = await pylogen(['cuts.Dummy', '--schedule', '1@50', '--burst', 'f5', '--extra', '{"sleep":0}', '--summary-json', json]);
    expect(b.code, b.stderr).toBe(0);
    expect(readJson(json).arrivals).toEqual({ planned: 50, started: 50, dropped: 0 });
    // Ten bursts 100 ms apart: the intended starts (begin less latency, sleep 0) form ten clusters of five.
    const intended = csvRows(b.stdout)
      .map((x) => Number(x.epoch) * 1000 - Number(x.elapsed_ms))
      .sort((x, y) => x - y);
    const clusters: number[] = [1];
    for (let i = 1; i < intended.length; i++) {
      if (intended[i]! - intended[i - 1]! > 50) clusters.push(1);
      else clusters[clusters.length - 1]!++;
    }
    expect(clusters).toEqual(Array(10).fill(5));
  });

  it('a bad open-model option is one line on stderr, exit 2, nothing started', async () => {
    const r = await pylogen(['cuts.Dummy', '--schedule', '5@10', '--proc', '2', '--max-inflight', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("pylogen: --max-inflight must be at least --process (2) since it is split across the line's runners, but is 1");
    expect(r.stdout).toBe('');
  });
});

describe('open-model options through planFromWords', () => {
  const cases: [string[], RegExp][] = [
    [['--schedule', '5'], /^--schedule: segment 1 "5": expected DURATION@RATE/],
    [['--schedule', '5@10', '--duration', '3'], /^--duration cannot be used with --schedule: the schedule's length \(5 s\)/],
    [['--schedule', '5@10', '--loops', '3'], /^--loops cannot be used with --schedule/],
    [['--schedule', '5@10', '--proc', '2', '--rampup', '1'], /^--rampup cannot be used with --schedule/],
    [['--schedule', '5@10', '--concurrency', '4'], /^--concurrency cannot be used with --schedule/],
    [['--schedule', '5@10', '--pauseloop', '1'], /^--pauseloop cannot be used with --schedule/],
    [['--schedule', '5@10', '--burst', 'x'], /^--burst: the burst must be 0/],
    [['--schedule', '5@10', '--arrival', 'gauss'], /^--arrival must be one of uniform, poisson/],
    [['--schedule', '5@10', '--queue', '5'], /^--queue only applies with --max-inflight/],
    [['--schedule', '5@10', '--seed', '-1'], /^--seed must be at least 0/],
    [['--schedule', '5@0'], /plans no arrival/],
    [['--schedule', ''], /^--schedule must not be empty/],
    [['--max-inflight', '5'], /^--max-inflight belongs to the open model: give --schedule too/],
    [['--arrival', 'poisson'], /^--arrival belongs to the open model/],
    [['--burst', 'f2'], /^--burst belongs to the open model/],
  ];
  for (const [args, message] of cases) {
    it(`rejects ${args.join(' ')}`, async () => {
      const err = await planFromWords(['cuts.Dummy', ...args], ROOT).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    });
  }
  it('abbreviations work (--sch, --arr, --bu, --max, --que, --se) and -v shows the resolved open model', async () => {
    const r = await pylogen([
      'cuts.Dummy',
      '--sch',
      '0.4@10-20',
      '--arr',
      'poisson',
      '--bu',
      'f2',
      '--max',
      '4',
      '--que',
      '6',
      '--se',
      '9',
      '--extra',
      '{"sleep":0}',
      '--outformat',
      'none',
      '-v',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('open model: 6 arrivals over 0.4 s (poisson, burst f2, seed 9), max in flight 4, queue 6, over 1 runner');
    expect(r.stderr).toMatch(/arrivals: planned 6, started 6, dropped 0/);
  });
});

describe('checkSchedule', () => {
  const line = (o: Partial<LineOptions>): LineOptions => ({ ...LINE_DEFAULTS, ...o });
  it('resolves the duration, the queue (10 × --max-inflight) and a seed shared by the line', () => {
    const p = new Problems();
    const o = checkSchedule(line({ schedule: '30@10,20@15-50', maxInflight: 8 }), p);
    expect(p.list).toEqual([]);
    expect(o.duration).toBe(50);
    expect(o.queue).toBe(80);
    expect(o.seed).toBeGreaterThanOrEqual(0);
    expect(checkSchedule(line({ schedule: '1@1', seed: 5, maxInflight: 4, queue: 0 }), p)).toMatchObject({ seed: 5, queue: 0 });
  });
  it('from a profile, --duration and --loops are ignored; given on the line, they are errors', () => {
    const p = new Problems();
    checkSchedule(line({ schedule: '2@5', duration: 60, loops: 3 }), p);
    expect(p.list).toEqual([]);
    checkSchedule(line({ schedule: '2@5', duration: 60, loops: 3 }), p, new Set(['duration', 'loops']));
    expect(p.list).toHaveLength(2);
  });
  it('collects every problem of a line', () => {
    const p = new Problems();
    checkSchedule(line({ schedule: '1@x', burst: 'f0', pauselen: 1 }), p);
    expect(p.list).toHaveLength(3);
    expect(p.list[0]).toMatch(/^--schedule: segment 1 "1@x"/);
    expect(p.list[1]).toMatch(/^--burst: a fixed burst fN/);
    expect(p.list[2]).toMatch(/^--pauselen cannot be used with --schedule/);
  });
});

describe('shareOf and ArrivalQueue', () => {
  it('shares of a line-wide bound sum to it exactly', () => {
    for (const [total, n] of [
      [10, 3],
      [7, 7],
      [100, 8],
      [5, 2],
    ] as const) {
      const shares = Array.from({ length: n }, (_, i) => shareOf(total, i, n));
      expect(shares.reduce((x, y) => x + y, 0)).toBe(total);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });
  it('is a FIFO that grows up to its bound and wraps around', () => {
    const q = new ArrivalQueue(100);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      while (!q.full && next < expected + 100) q.push(next * 10, next++);
      for (let k = 0; k < 37 && q.length > 0; k++) {
        expect(q.peekAt()).toBe(expected * 10);
        expect(q.shift()).toBe(expected++);
      }
    }
    expect(q.length).toBeLessThanOrEqual(100);
    expect(q.clear()).toBe(next - expected);
    expect(q.length).toBe(0);
  });
});

/** A CUT whose operations end when the test says so (or at once with `instant`). */
class Manual extends ClassUnderTest {
  pending: (() => void)[] = [];
  instant = false;
  steps: number[] = [];
  override transactionName = 'T';
  func(op: Operation): Promise<void> | void {
    this.steps.push(op.step);
    if (this.instant) return void op.time('R', () => undefined);
    return op.time('R', () => new Promise<void>((resolve) => this.pending.push(resolve)));
  }
}

/** A recorder that keeps (intended, begin, end) per event, with a window the test can close. */
function fakeRecorder(clock: Clock) {
  const events: { intended: number; begin: number; end: number; err?: unknown }[] = [];
  let release: (() => void) | undefined;
  const rec = {
    clock,
    mustWait: false,
    requestKey: () => 0,
    transactionKey: () => 1,
    nextTransaction: () => 0,
    event: (_k: number, _tx: number, _step: number, intended: number, begin: number, end: number, err: unknown) =>
      events.push(err === undefined ? { intended, begin, end } : { intended, begin, end, err }),
    waitForWindow: () => new Promise<void>((resolve) => (release = resolve)),
    open() {
      rec.mustWait = false;
      release?.();
    },
  };
  return { rec, events, asRecorder: rec as unknown as Recorder };
}

function spec(o: Partial<LineOptions>, index = 0, count = 1): RunnerSpec {
  const options = { ...LINE_DEFAULTS, lengths: [16], ...o } as LineOptions;
  return {
    slot: index,
    index,
    count,
    cut: 'Manual',
    modulePath: '',
    options,
    shipEvents: false,
    window: 8,
    batchSize: 4096,
    endpoint: '',
    verbosity: 0,
  };
}

/** Fake time does not pass while spinning: no spin on fake timers. */
const NO_SPIN = { spinShare: 0 };

describe('openLoop on fake timers', () => {
  let clock: Clock;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] });
    const base = Date.now();
    clock = { now: () => Date.now() - base, toEpoch: (t) => t, fromEpoch: (t) => t };
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts each arrival at its instant with intended = begin; lengths cycle; done once all are started', async () => {
    const cut = new Manual();
    cut.instant = true;
    const { events, asRecorder } = fakeRecorder(clock);
    const c = openLoop(cut, spec({ schedule: '1@10', lengths: [8, 16, 32], seed: 1, queue: 0 }), asRecorder, clock, NO_SPIN);
    let finished = false;
    void c.done.then(() => (finished = true));
    await vi.advanceTimersByTimeAsync(1000);
    expect(events).toHaveLength(10);
    // uniform slots sit at the middle of their share: 50, 150, ... 950 ms
    expect(events.map((e) => Math.round(e.intended))).toEqual([50, 150, 250, 350, 450, 550, 650, 750, 850, 950]);
    for (const e of events) expect(e.begin - e.intended).toBeLessThanOrEqual(1);
    expect(cut.steps).toEqual([8, 16, 32, 8, 16, 32, 8, 16, 32, 8]);
    expect(finished).toBe(true);
    expect(c.arrivals).toEqual({ planned: 10, started: 10, dropped: 0 });
    expect(c.loops).toBe(3);
  });

  it('never waits for the previous operation: all ten are in flight at once without --max-inflight', async () => {
    const cut = new Manual();
    const { asRecorder } = fakeRecorder(clock);
    const c = openLoop(cut, spec({ schedule: '1@10', queue: 0 }), asRecorder, clock, NO_SPIN);
    await vi.advanceTimersByTimeAsync(1000);
    expect(cut.pending).toHaveLength(10);
    expect(c.arrivals?.started).toBe(10);
    for (const r of cut.pending.splice(0)) r();
    await c.done;
  });

  it('--max-inflight 2 --queue 3: two run, three wait (FIFO, latency from the intended start), the rest are dropped, counted', async () => {
    const cut = new Manual();
    const { events, asRecorder } = fakeRecorder(clock);
    const c = openLoop(cut, spec({ schedule: '1@10', maxInflight: 2, queue: 3, grace: 5 }), asRecorder, clock, NO_SPIN);
    await vi.advanceTimersByTimeAsync(1000);
    expect(cut.pending).toHaveLength(2);
    expect(c.arrivals).toEqual({ planned: 10, started: 2, dropped: 5 });
    // Ending the first operation starts the oldest waiting arrival (due at 250 ms) at once.
    cut.pending.shift()!();
    await vi.advanceTimersByTimeAsync(0);
    expect(c.arrivals?.started).toBe(3);
    expect(events).toHaveLength(1);
    for (let i = 0; i < 4; i++) {
      cut.pending.shift()!();
      await vi.advanceTimersByTimeAsync(10);
    }
    await c.done;
    expect(c.arrivals).toEqual({ planned: 10, started: 5, dropped: 5 });
    expect(events.map((e) => Math.round(e.intended))).toEqual([50, 150, 250, 350, 450]);
    // The waiting ones began at ~1000 ms and more: their latency counts the wait, service does not.
    for (const e of events.slice(2)) expect(e.begin).toBeGreaterThanOrEqual(1000);
  });

  it('after the schedule, waiting arrivals start for --grace seconds; then the rest are dropped and the ones in flight time out', async () => {
    const cut = new Manual();
    const { events, asRecorder } = fakeRecorder(clock);
    const c = openLoop(cut, spec({ schedule: '1@10', maxInflight: 1, queue: 5, grace: 2 }), asRecorder, clock, NO_SPIN);
    let finished = false;
    void c.done.then(() => (finished = true));
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.arrivals).toEqual({ planned: 10, started: 1, dropped: 4 });
    // one waiting arrival starts when the first operation ends, 1.5 s after the schedule's end
    await vi.advanceTimersByTimeAsync(1500);
    cut.pending.shift()!();
    await vi.advanceTimersByTimeAsync(0);
    expect(c.arrivals).toEqual({ planned: 10, started: 2, dropped: 4 });
    expect(finished).toBe(false);
    await vi.advanceTimersByTimeAsync(600);
    expect(finished).toBe(true);
    expect(c.arrivals).toEqual({ planned: 10, started: 2, dropped: 8 });
    expect(events).toHaveLength(2);
    expect(events[1]!.err).toMatchObject({ name: 'GraceTimeout' });
    expect(events[1]!.end).toBe(3000);
  });

  it('stop(): no new operation; arrivals already due and waiting count as dropped; done when the ones in flight end', async () => {
    const cut = new Manual();
    const { asRecorder } = fakeRecorder(clock);
    const c = openLoop(cut, spec({ schedule: '10@10', maxInflight: 1, queue: 2 }), asRecorder, clock, NO_SPIN);
    await vi.advanceTimersByTimeAsync(500);
    expect(c.arrivals).toEqual({ planned: 100, started: 1, dropped: 2 });
    c.stop();
    expect(c.arrivals).toEqual({ planned: 100, started: 1, dropped: 4 });
    let finished = false;
    void c.done.then(() => (finished = true));
    await vi.advanceTimersByTimeAsync(1000);
    expect(finished).toBe(false);
    cut.pending.shift()!();
    await vi.advanceTimersByTimeAsync(0);
    expect(finished).toBe(true);
    expect(c.arrivals?.started).toBe(1);
  });

  it('backpressure: while the window is closed nothing starts; the late arrivals start when it reopens, none dropped', async () => {
    const cut = new Manual();
    cut.instant = true;
    const { rec, events, asRecorder } = fakeRecorder(clock);
    const c = openLoop(cut, spec({ schedule: '1@10', queue: 0 }), asRecorder, clock, NO_SPIN);
    await vi.advanceTimersByTimeAsync(200);
    expect(events).toHaveLength(2);
    rec.mustWait = true;
    await vi.advanceTimersByTimeAsync(400);
    expect(events).toHaveLength(2);
    rec.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toHaveLength(6);
    expect(events[2]!.begin - events[2]!.intended).toBeGreaterThan(300);
    await vi.advanceTimersByTimeAsync(400);
    await c.done;
    expect(c.arrivals).toEqual({ planned: 10, started: 10, dropped: 0 });
  });

  it('the line is split: runner 1 of 3 gets arrivals 1, 4, 7, ... of the line', async () => {
    const cut = new Manual();
    cut.instant = true;
    const { events, asRecorder } = fakeRecorder(clock);
    const c = openLoop(cut, spec({ schedule: '1@30', queue: 0 }, 1, 3), asRecorder, clock, NO_SPIN);
    await vi.advanceTimersByTimeAsync(1000);
    await c.done;
    expect(c.arrivals).toEqual({ planned: 10, started: 10, dropped: 0 });
    // line slots at (k + 0.5) / 30 s; this runner has k = 1, 4, 7, ...
    expect(events.map((e) => Math.round(e.intended))).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25, 28].map((k) => Math.round(((k + 0.5) * 1000) / 30)));
  });
});
