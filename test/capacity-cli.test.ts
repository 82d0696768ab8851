/**
 * `pylogen capacity` through the real CLI: rate steps against a real `kms serve --throttle` process
 * (the real SDK over real HTTP), concurrency steps of the closed model, --refine, bad input.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CapacityStep as Step } from '../src/summary/schema.js';
import { kmsServe, pylogen, readJson, tempDir } from './helpers.js';

const FAKE_ENV = { AWS_ACCESS_KEY_ID: 'AKIDPYLOGENCAPACITY', AWS_SECRET_ACCESS_KEY: 'capacity-test-secret', AWS_REGION: 'us-east-1' };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** `pylogen kms serve ARGS` on a free port, stopped after the test. */
const serve = (args: string[]) => kmsServe(args, cleanups);

describe('pylogen capacity', () => {
  it('raises the rate until the throttled KMS fails a step, on one set of runners, and reports the maximum', async () => {
    const url = await serve(['--throttle', '100']);
    const json = join(tempDir(), 'cap.json');
    // 50/s holds on a quiet machine; 150/s is 50% over the 100/s quota, so about a third of its
    // requests are throttled whatever the load. A machine starved of CPU can stall the runner long
    // enough that its late arrivals, sent at once, overflow the quota's small burst even at 50/s:
    // then the search rightly stops there. Either way it stops at the first failing step, by 150/s.
    const r = await pylogen(
      [
        'capacity',
        'cuts.KmsEncryptSymmetric',
        '--endpoint',
        url,
        '--start',
        '50',
        '--step',
        '100',
        '--max',
        '450',
        '--step-seconds',
        '2',
        '--threshold',
        'errors<5%',
        '--outformat',
        'none',
        '--summary-json',
        json,
      ],
      { env: FAKE_ENV, timeoutMs: 60_000 },
    );
    const s = readJson(json);
    const c = s.capacity;
    const steps = c.steps as Step[];
    // A prefix of the ladder, every step held but the last, which failed: at 150/s at the latest.
    expect(steps.map((x) => x.rate)).toEqual([50, 150].slice(0, steps.length));
    expect(steps.map((x) => x.ok)).toEqual([...steps.slice(1).map(() => true), false]);
    const last = steps[steps.length - 1]!;
    expect(last.errors).toBeGreaterThan(0);
    expect(c.failedAt.rate).toBe(last.rate);
    expect(c.failedAt.reason).toMatch(/^errors<5%: \d+(\.\d+)?% \(limit < 5%: over by/);
    expect(c.end).toBe('failed');
    for (const k of ['rate', 'achieved', 'p50', 'p99', 'errors', 'ok']) expect(steps[0]).toHaveProperty(k);
    expect(s.errorsByType.ThrottlingException).toBeGreaterThan(0);
    // One run, one runner, stopped gracefully once the failing step was judged: the whole ladder
    // would make 2,500 requests, up to the end of the 250/s step 900.
    expect(s.runners.planned).toBe(1);
    expect(s.runners.ended).toBe(1);
    expect(s.requests.count).toBeLessThan(900);
    expect(r.stderr).toMatch(/rate\/s\s+achieved\/s\s+p50 ms\s+p99 ms\s+errors\s+verdict/);
    expect(r.stderr).toContain(`capacity: ${last.rate}/s failed: errors<5%`);
    if (steps.length === 2) {
      expect(c.maxRate).toBe(50);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/capacity: maximum sustainable rate 50\/s \(achieved \d+\.\d\/s, p50 [\d.]+ ms, p99 [\d.]+ ms\)/);
    } else {
      expect(c.maxRate).toBeNull();
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/capacity: no step held/);
    }
  });

  it('--refine narrows the bracket between the last rate that held and the first that failed', async () => {
    const url = await serve(['--throttle', '100']);
    const json = join(tempDir(), 'cap.json');
    const r = await pylogen(
      [
        'capacity',
        'cuts.KmsEncryptSymmetric',
        '--endpoint',
        url,
        '--start',
        '50',
        '--step',
        '100',
        '--max',
        '150',
        '--step-seconds',
        '2',
        '--threshold',
        'errors<5%',
        '--refine',
        '--outformat',
        'none',
        '--summary-json',
        json,
      ],
      { env: FAKE_ENV, timeoutMs: 120_000 },
    );
    const c = readJson(json).capacity;
    const probes = (c.steps as Step[]).filter((x) => x.refine);
    if (c.steps[0].ok) {
      // 50/s held and 150/s failed (see above): the probes search in between, by halves.
      expect(r.code, r.stderr).toBe(0);
      expect(probes.length, r.stderr).toBeGreaterThanOrEqual(3);
      for (const p of probes) {
        expect(p.rate).toBeGreaterThan(50);
        expect(p.rate).toBeLessThan(150);
      }
      expect(c.maxRate).toBeGreaterThanOrEqual(50);
      expect(c.maxRate).toBeLessThan(150);
      // From a bracket of 100/s down to a tenth of the step (rounded probes: 13 at most).
      expect(c.failedAt.rate - c.maxRate).toBeLessThanOrEqual(13);
      expect(r.stderr).toMatch(/capacity: refine \d+\/s offered/);
    } else {
      // A machine starved of CPU failed the first step already (see above): nothing to refine.
      expect(probes).toHaveLength(0);
      expect(r.stderr).toMatch(/--refine: no rate held, so there is nothing to refine between/);
      expect(r.code).toBe(1);
    }
  }, 150_000);

  it('raises the concurrency step by step in the closed model and shows the throughput of each', async () => {
    const json = join(tempDir(), 'cap.json');
    // Each operation sleeps 10 ms: 1 in flight makes at most 100/s, 4 in flight about four times that.
    const r = await pylogen(
      [
        'capacity',
        'cuts.Dummy',
        '--extra',
        '{"sleep":0.01}',
        '--concurrency-steps',
        '1,2,4',
        '--step-seconds',
        '2',
        '--outformat',
        'none',
        '--summary-json',
        json,
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const c = readJson(json).capacity;
    expect(c.mode).toBe('concurrency');
    expect(c.steps.map((x: Step) => x.concurrency)).toEqual([1, 2, 4]);
    const [one, , four] = c.steps as Step[];
    // The workers join step by step: had all 4 run from the start, the first step would show ~400/s.
    expect(one!.achieved).toBeLessThanOrEqual(101);
    expect(four!.achieved).toBeGreaterThan(2 * one!.achieved);
    expect(c.maxConcurrency).toBe(4);
    expect(c.knee === null || c.knee.concurrency < 4).toBe(true);
    expect(r.stderr).toMatch(/concurrency\s+achieved\/s\s+gain\s+p50 ms/);
    expect(r.stderr).toMatch(/capacity: (knee at concurrency \d+|no knee)/);
  });

  it('exits 1 when no step holds', async () => {
    const r = await pylogen(
      [
        'capacity',
        'cuts.Dummy',
        '--extra',
        '{"sleep":0.01}',
        '--concurrency-steps',
        '1,2',
        '--step-seconds',
        '1',
        '--threshold',
        'p50<1',
        '--outformat',
        'none',
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/capacity: no step held/);
    expect(r.stderr).toMatch(/concurrency 1 failed: p50<1: 1\d\.\d+ ms/);
  });

  it('refuses bad input with one line, exit 2, nothing started', async () => {
    const cases: [string[], RegExp][] = [
      [['--start', '100', '--step', '50'], /capacity needs at least one --threshold/],
      [['--start', '100', '--threshold', 'errors<1%'], /capacity needs --start R and --step R/],
      [['--start', '100', '--step', '50', '--max', '50', '--threshold', 'errors<1%'], /--max must be at least --start \(100\), but is 50/],
      [['--start', '100', '--step', '50', '--schedule', '10@5', '--threshold', 'errors<1%'], /--schedule cannot be used with capacity/],
      [['--concurrency-steps', '4,2'], /--concurrency-steps must increase, but 2 follows 4/],
      [['--concurrency-steps', '1,2', '--refine'], /--refine goes with the rate steps/],
      [['--concurrency-steps', '1,2', '--concurrency', '3'], /--concurrency cannot be used with --concurrency-steps/],
      [['--start', '100', '--step', '50', '--threshold', 'dropped<1'], /dropped arrivals are counted at the end of a run/],
      [['--start', '0', '--step', '50', '--threshold', 'errors<1%'], /--start must be more than 0/],
      [['--start', '10', '--step', '5', '--threshold', 'p99<<1'], /--threshold "p99<<1"/],
      [['--start', '10', '--step', '5', '--step-seconds', '0.5', '--threshold', 'errors<1%'], /--step-seconds must be at least 1s/],
    ];
    await Promise.all(
      cases.map(async ([args, message]) => {
        const r = await pylogen(['capacity', 'cuts.Dummy', ...args]);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(message);
      }),
    );
    // The capacity options belong to the capacity command only.
    // (--refine: --start is now a prefix of a run's --start-at, --step of --steps)
    const plain = await pylogen(['cuts.Dummy', '--refine']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/unknown option --refine/);
  });
});
