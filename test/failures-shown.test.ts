/**
 * Issue 19 §1: every failure shown and counted, no rate that mixes failures in. Why requests fail is
 * shown (per error type, its first message and a few distinct ones, secrets masked) on stderr, in
 * the summary JSON, the report and `merge`; an operation meant as a transaction that fails at its
 * first request is a failed transaction; every throughput is the ok rate; a threshold on an error
 * type never seen fails with what was seen.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Operation, type OperationSink } from '../src/cut/Operation.js';
import { RequestError } from '../src/cut/RequestError.js';
import type { Clock } from '../src/cut/clock.js';
import { redactText } from '../src/core/redact.js';
import { Recorder } from '../src/runner/Recorder.js';
import { StatsQueue } from '../src/stats/StatsQueue.js';
import { buildSummary, formatSummary } from '../src/stats/summary.js';
import { evaluateThresholds, measure } from '../src/verdict/evaluateThresholds.js';
import { parseThreshold, type Threshold } from '../src/verdict/threshold.js';
import { mergeSummaries } from '../src/merge/mergeSummaries.js';
import { kmsServe, pylogen, readJson, ROOT, tempDir } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function threshold(text: string): Threshold {
  const r = parseThreshold(text);
  if ('problem' in r) throw new Error(r.problem);
  return r.threshold;
}

describe('a transaction that fails at its first request is a failed transaction', () => {
  function sink(transactional: boolean) {
    let t = 0;
    const clock: Clock = { now: () => ++t, toEpoch: (x) => x, fromEpoch: (x) => x };
    const events: { key: string; tx: number; err: unknown }[] = [];
    const names: string[] = [];
    const key = (n: string) => (names.includes(n) ? names.indexOf(n) : names.push(n) - 1);
    const s: OperationSink = {
      clock,
      transactional,
      requestKey: (n) => key(`req ${n}`),
      transactionKey: (n) => key(`tra ${n}`),
      nextTransaction: () => 7,
      event: (k, tx, _step, _i, _b, _e, err) => events.push({ key: names[k]!, tx, err }),
    };
    return { s, events };
  }

  it('in a transactional CUT: the failed first request and a failed transaction, sharing its number', () => {
    const { s, events } = sink(true);
    const op = new Operation(s, 'GET-BOTH');
    op.start(0, Buffer.alloc(0), 0, 0, 0);
    const boom = new Error('throttled');
    expect(() =>
      op.time('GET-A', () => {
        throw boom;
      }),
    ).toThrow(RequestError);
    op.finish(10);
    expect(events).toEqual([
      { key: 'req GET-A', tx: 7, err: boom },
      { key: 'tra GET-BOTH', tx: 7, err: boom },
    ]);
  });

  it('in a one-request CUT: one failed request, no transaction', () => {
    const { s, events } = sink(false);
    const op = new Operation(s, 'T');
    op.start(0, Buffer.alloc(0), 0, 0, 0);
    expect(() =>
      op.time('R', () => {
        throw new Error('no');
      }),
    ).toThrow(RequestError);
    op.finish(10);
    expect(events.map((e) => e.key)).toEqual(['req R']);
  });

  it('an operation that made two requests makes the CUT transactional from then on', () => {
    const { s } = sink(false);
    const op = new Operation(s, 'T');
    op.start(0, Buffer.alloc(0), 0, 0, 0);
    op.time('A', () => 1);
    op.time('B', () => 1);
    op.finish(10);
    expect(s.transactional).toBe(true);
  });
});

describe('error samples: the first message and a few distinct ones per type, secrets masked', () => {
  it('redactText masks URL userinfo, secret-looking pairs and bearer tokens, and bounds the length', () => {
    expect(redactText('GET https://svc:hunter2@db.example/a failed')).toBe('GET https://***@db.example/a failed');
    expect(redactText('login with pin=1234 user=alice')).toBe('login with pin=*** user=alice');
    expect(redactText('{"password": "s3cr3t", "user": "bob"}')).toBe('{"password": ***, "user": "bob"}');
    expect(redactText('Authorization: Bearer abc.def')).not.toContain('abc.def');
    expect(redactText('x'.repeat(1000)).length).toBeLessThanOrEqual(300);
  });

  it('the runner keeps 3 distinct messages per type, the stats queue merges them, the summary shows them under the errors', () => {
    let now = 0;
    const clock: Clock = { now: () => now, toEpoch: (x) => 1_800_000_000_000 + x, fromEpoch: (x) => x - 1_800_000_000_000 };
    const q = new StatsQueue(
      undefined,
      () => undefined,
      () => clock.toEpoch(now),
    );
    q.addRunner(0, 'run', 0, 'C');
    const rec = new Recorder({ clock, shipEvents: false, batchSize: 100, window: 100, openModel: false, send: (b) => q.onBatch(0, b) });
    const k = rec.requestKey('R');
    for (let i = 0; i < 10; i++) rec.event(k, -1, 0, now, now, ++now, new TypeError(`bad ${i % 5} token=abc${i}`));
    rec.event(k, -1, 0, now, now, ++now, new RangeError('out of range'));
    rec.event(k, -1, 0, now, now, ++now, undefined);
    rec.flush(true);
    expect(q.errorSamples).toEqual({
      TypeError: ['TypeError: bad 0 token=***', 'TypeError: bad 1 token=***', 'TypeError: bad 2 token=***'],
      RangeError: ['RangeError: out of range'],
    });
    const s = buildSummary(q, [], clock.toEpoch(0), clock.toEpoch(2000), false, []);
    expect(s.errorSamples).toEqual(q.errorSamples);
    const text = formatSummary(s);
    expect(text).toContain('errors by type: TypeError 10, RangeError 1');
    expect(text).toMatch(
      /errors by type: .*\n {2}first TypeError: bad 0 token=\*\*\*\n {2}also {2}TypeError: bad 1 token=\*\*\*\n {2}also {2}TypeError: bad 2 token=\*\*\*\n {2}first RangeError: out of range\n/,
    );
    expect(text).not.toContain('abc');
    // merge: the first shard's samples first, bounded per type
    const shard = (index: number) => ({ index, count: 2, run: 'r', startAt: null, t0: null, lateMs: 0, clockOffsetMs: null });
    const other = { ...s, shard: shard(1), errorSamples: { TypeError: ['TypeError: other'], Boom: ['Boom: b'] } };
    expect(
      mergeSummaries([
        { summary: { ...s, shard: shard(0) }, source: 'a.json' },
        { summary: other, source: 'b.json' },
      ]).errorSamples,
    ).toEqual({
      TypeError: s.errorSamples!.TypeError,
      RangeError: ['RangeError: out of range'],
      Boom: ['Boom: b'],
    });
  });
});

describe('throughput is the ok rate', () => {
  it('the stats queue tick counts ok requests as throughput and the failed ones as the error rate', () => {
    let now = 0;
    const q = new StatsQueue(
      undefined,
      () => undefined,
      () => now,
    );
    q.addRunner(0, 'run', 0, 'C');
    q.startTicks();
    q.onBatch(0, {
      type: 'batch',
      seq: 1,
      sentAt: 0,
      eventCount: 0,
      requests: 40,
      transactions: 0,
      deltas: [{ key: 0, count: 40, errors: 30 }],
      newKeys: [{ id: 0, nature: 'req', request: 'R', step: 0 }],
      queued: 0,
      localCountBefore: 0,
      localTps: 0,
      interval: 0,
    });
    now = 2000;
    const t = q.tick();
    expect(t.globalTps).toBe(5); // 10 ok in 2 s
    expect(t.errorTps).toBe(15);
  });
});

describe('a threshold on an error type never seen fails, naming what was seen', () => {
  const src = (byType: Record<string, number>) => ({
    scope: () => ({ count: 1000, errors: 997, throughput: 1, latencyMs: () => undefined }),
    errorsByType: byType,
    arrivals: () => undefined,
  });

  it('"ThrottlingExeption<1%" with 997 ThrottlingExceptions: FAIL, never seen, did you mean', () => {
    const [j] = evaluateThresholds([threshold('ThrottlingExeption<1%')], src({ ThrottlingException: 997 }));
    expect(j!.ok).toBe(false);
    expect(j!.missing).toBe('ThrottlingExeption never seen; seen: ThrottlingException (did you mean ThrottlingException?)');
  });

  it('a run with no error at all: an error-type threshold holds at 0 (nothing was seen to misspell)', () => {
    expect(measure(threshold('ThrottlingException<1%'), src({}))).toEqual({ value: 0 });
  });
});

describe('through the real CLI', () => {
  function cutDir(): string {
    const dir = tempDir();
    mkdirSync(join(dir, 'cuts'));
    copyFileSync(join(ROOT, 'test/fixtures/GetBoth.ts'), join(dir, 'cuts/GetBoth.ts'));
    return dir;
  }

  it('a CUT whose every operation fails at its first request: messages shown, transactions counted, thresholds judged', async () => {
    const dir = cutDir();
    const json = join(dir, 's.json');
    const report = join(dir, 'r.html');
    const r = await pylogen(
      [
        'GetBoth',
        '--loops',
        '5',
        '--outformat',
        'none',
        '--summary-json',
        json,
        '--report',
        report,
        '--threshold',
        'GET-BOTH:errors<1%',
        '--threshold',
        'TypeEror<1%',
      ],
      { cwd: dir, timeoutMs: 60_000 },
    );
    // two thresholds fail: exit 1
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('errors by type: TypeError 5');
    expect(r.stderr).toContain('  first TypeError: cannot read "id" of undefined (loop 0) from https://***@db.example/a');
    expect(r.stderr).toContain('  also  TypeError: cannot read "id" of undefined (loop 1)');
    expect(r.stderr).toContain('transactions: 5 (5 errors)');
    expect(r.stderr).toMatch(/TypeEror<1%\s+- \(TypeEror never seen; seen: TypeError \(did you mean TypeError\?\)\)\s+FAIL/);
    expect(r.stderr).toMatch(/GET-BOTH:errors<1%\s+100%\s+FAIL/);
    const s = readJson(json);
    expect(s.transactions).toEqual({ count: 5, errors: 5 });
    expect(s.byTransaction[0]).toMatchObject({ request: 'GET-BOTH', count: 5, errors: 5, throughput: 0 });
    expect(s.errorSamples.TypeError).toHaveLength(3);
    expect(s.requests.throughputMean).toBe(0); // nothing succeeded
    expect(s.requests.errorRateMean).toBeGreaterThan(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('Error messages');
    expect(html).toContain('TypeError: cannot read &#34;id&#34; of undefined (loop 0) from https://***@db.example/a');
    for (const text of [r.stderr, readFileSync(json, 'utf8'), html]) expect(text).not.toContain('hunter2');
  }, 90_000);

  it('a threshold on a request the CUT does not declare is refused before the run, with its names', async () => {
    const r = await pylogen(['cuts.KmsGenerateDataKey', '--endpoint', 'local', '--loops', '1', '--threshold', 'GENERATE-DATA-KY:errors<1%']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'pylogen: --threshold "GENERATE-DATA-KY:errors<1%": KmsGenerateDataKey has no request named GENERATE-DATA-KY (its requests: GENERATE-DATA-KEY, LOCAL-ENCRYPT, ENVELOPE-ENCRYPT) (did you mean GENERATE-DATA-KEY?)',
    );
    expect(r.stdout).toBe('');
  });

  it('KmsGenerateDataKey against kms serve --throttle: every throttled operation is a failed transaction, every throughput the ok rate', async () => {
    // 20/s: throttled even when a loaded machine serves slowly (0 throttled at 100/s was seen)
    const url = await kmsServe(['--throttle', '20'], cleanups);
    const dir = tempDir();
    const json = join(dir, 's.json');
    const env = { AWS_ACCESS_KEY_ID: 'AKIDPYLOGENTRUSTTEST', AWS_SECRET_ACCESS_KEY: 'trust-test-secret', AWS_REGION: 'eu-west-3' };
    const r = await pylogen(
      ['cuts.KmsGenerateDataKey', '--endpoint', url, '--concurrency', '8', '--duration', '3', '--outformat', 'none', '--summary-json', json],
      { env, timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const s = readJson(json);
    const gdk = s.byRequest.find((b: { request: string }) => b.request === 'GENERATE-DATA-KEY');
    const tx = s.byTransaction.find((b: { request: string }) => b.request === 'ENVELOPE-ENCRYPT');
    // Throttled at 20/s with 8 in flight: many GenerateDataKey calls fail.
    expect(gdk.errors).toBeGreaterThan(10);
    // Before issue 19: ENVELOPE-ENCRYPT ok N errors 0, the throttled ones lost.
    expect(tx.errors).toBe(gdk.errors);
    expect(tx.count).toBe(gdk.count);
    expect(s.transactions).toEqual({ count: gdk.count, errors: gdk.errors });
    // Every throughput is the ok rate: the row's, the run's mean, the series', the high-water mark.
    expect(gdk.throughput).toBe(gdk.ok.throughput);
    expect(gdk.errorRate).toBe(gdk.failed.throughput);
    const total = s.series.total;
    for (let i = 0; i < s.series.intervals; i++) expect(total.throughput[i]).toBeCloseTo((total.count[i] - total.errors[i]) / (s.series.intervalMs / 1000), 2);
    const runners = s.byRunner as { startedAt: string; endedAt: string }[];
    const span = (Math.max(...runners.map((x) => Date.parse(x.endedAt))) - Math.min(...runners.map((x) => Date.parse(x.startedAt)))) / 1000;
    const okAll = s.requests.count - s.requests.errors;
    expect(s.requests.throughputMean).toBeCloseTo(okAll / span, 0);
    // The high-water mark is the best interval's ok rate (or the mean), never one counting the throttled.
    expect(s.requests.throughputHwm).toBeLessThanOrEqual(Math.max(s.requests.throughputMean, ...total.throughput) + 0.01);
    expect(s.requests.count / span).toBeGreaterThan(s.requests.throughputMean);
    expect(r.stderr).toMatch(/ {2}first ThrottlingException: /);
  }, 90_000);
});
