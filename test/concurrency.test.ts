/**
 * --concurrency N: N operations in flight inside one runner, sharing its CUT instance and context;
 * loops and counts cover all of them. Spawned for real; counts are asserted, timings only loosely.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvRows, pylogen, readJson, tempDir, type CsvRow } from './helpers.js';

/**
 * The most operations in flight at once, from each row's begin (epoch) and elapsed_ms. The epoch
 * has millisecond resolution and comes from the wall clock while elapsed_ms comes from the monotonic
 * one: an operation that starts as the previous one of its worker ends may seem to start a little
 * before that end (seen in CI on a loaded machine: 9 "in flight" with 8 workers). Intervals are
 * trimmed by 5 ms at each end: the operations measured here last 100 ms or more, so a real extra
 * operation in flight would still overlap by ~90 ms.
 */
function maxOverlap(rows: CsvRow[]): number {
  const edges: [number, number][] = [];
  for (const r of rows) {
    const begin = Number(r.epoch) * 1000;
    edges.push([begin + 5, 1], [begin + Number(r.elapsed_ms) - 5, -1]);
  }
  // ends before begins at the same instant: back-to-back operations do not overlap
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let n = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (n += d));
  return max;
}

describe('--concurrency', () => {
  it('--concurrency 8 --duration 1 with 100 ms operations: ~80 requests, 8 in flight, p50 ≈ 100 ms', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = await pylogen(['cuts.Dummy', '--concurrency', '8', '--duration', '1', '--extra', '{"sleep":0.1}', '--summary-json', json]);
    expect(r.code, r.stderr).toBe(0);
    const s = readJson(json);
    expect(s.requests.count).toBeGreaterThanOrEqual(64);
    expect(s.requests.count).toBeLessThanOrEqual(88);
    const l = s.byRequest[0].latencyMs;
    expect(l.p50).toBeGreaterThan(98);
    expect(l.p50).toBeLessThan(160);
    expect(maxOverlap(csvRows(r.stdout))).toBe(8);
  });

  it('loops are shared by the workers: --concurrency 5 --loops 10 runs 10 operations, 5 at a time, in ~2 rounds', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = await pylogen(['cuts.Dummy', '--concurrency', '5', '--loops', '10', '--extra', '{"sleep":0.2}', '--summary-json', json]);
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRows(r.stdout);
    expect(rows).toHaveLength(10);
    expect(maxOverlap(rows)).toBe(5);
    const b = readJson(json).byRunner[0];
    // sequentially this is 2 s; five at a time, two rounds of 200 ms
    expect(Date.parse(b.endedAt) - Date.parse(b.startedAt)).toBeLessThan(1500); // ISO times (issue 15)
  });

  it('the workers share the CUT instance: Dummy\'s "every 2nd operation fails" counts over all of them', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = await pylogen(['cuts.Dummy', '--concurrency', '4', '--loops', '12', '--extra', '{"error":2,"sleep":0.01}', '--summary-json', json]);
    expect(r.code, r.stderr).toBe(0);
    const s = readJson(json);
    expect(s.requests).toMatchObject({ count: 12, errors: 6 });
  });

  it('with --proc 2 and lengths: every runner runs loops × lengths operations, each length as often', async () => {
    const r = await pylogen([
      'cuts.Dummy',
      '--proc',
      '2',
      '--concurrency',
      '3',
      '--loops',
      '4',
      '--lengths',
      '8,16,32',
      '--extra',
      '{"sleep":0.005,"transaction":true}',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRows(r.stdout);
    const tra = rows.filter((x) => x.nature === 'tra');
    expect(tra).toHaveLength(24);
    for (const runner of ['0', '1']) {
      const mine = tra.filter((x) => x.runner === runner);
      expect(mine).toHaveLength(12);
      for (const step of ['8', '16', '32']) expect(mine.filter((x) => x.step === step)).toHaveLength(4);
    }
    // transactions of concurrent operations keep their own requests: 3 per transaction id and runner
    const req = rows.filter((x) => x.nature === 'req');
    for (const t of tra) expect(req.filter((x) => x.runner === t.runner && x.transaction === t.transaction)).toHaveLength(3);
  });

  it('--concurrency 0 and --concurrency x are errors, exit 2', async () => {
    const [zero, x] = await Promise.all([pylogen(['cuts.Dummy', '--concurrency', '0']), pylogen(['cuts.Dummy', '--conc', 'x'])]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--concurrency must be at least 1, but is 0/);
    expect(x.code).toBe(2);
    expect(x.stderr).toMatch(/--concurrency must be a whole number, but is "x"/);
  });
});
