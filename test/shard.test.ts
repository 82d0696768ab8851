/** --shard I/N and --start-at: the arrival split, unique runner numbers and transaction ids, bad input. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArrivalPlan } from '../src/schedule/arrival-plan.js';
import { NO_BURST, parseSchedule } from '../src/schedule/schedule.js';
import type { Summary } from '../src/stats/summary.js';
import { csvRows, pylogen, readJson, tempDir } from './helpers.js';

/** Every intended start of one runner's plan, in ms. */
function starts(p: ArrivalPlan): number[] {
  const out: number[] = [];
  for (let t = p.next(); t !== Infinity; t = p.next()) out.push(t);
  return out;
}

describe('--shard: the split of the open model', () => {
  it('gives shard I the arrivals k with k mod N = I, spread over its own runners, each arrival once', () => {
    const segments = parseSchedule('4@300,2@10-50');
    const whole = starts(new ArrivalPlan(segments, { runnerIndex: 0, runnerCount: 1, arrival: 'poisson', burst: NO_BURST, seed: 7 }));
    const N = 3;
    const process = 2;
    const taken: number[] = [];
    for (let shard = 0; shard < N; shard++) {
      const mine: number[] = [];
      // As the controller numbers them: the shard's runner i is the run's runner shard + N × i of N × process.
      for (let i = 0; i < process; i++) {
        mine.push(...starts(new ArrivalPlan(segments, { runnerIndex: shard + N * i, runnerCount: N * process, arrival: 'poisson', burst: NO_BURST, seed: 7 })));
      }
      mine.sort((a, b) => a - b);
      expect(mine).toEqual(whole.filter((_, k) => k % N === shard));
      taken.push(...mine);
    }
    expect(taken.sort((a, b) => a - b)).toEqual(whole);
    expect(whole).toHaveLength(1200 + 60);
  });
});

describe('--shard and --start-at on the command line', () => {
  it('numbers runners and transactions uniquely across shards (closed model), and records the shard', async () => {
    const dir = tempDir();
    const runs = await Promise.all(
      [0, 1].map((i) =>
        pylogen([
          'cuts.Dummy',
          '--proc',
          '2',
          '--loops',
          '3',
          '--extra',
          '{"sleep":0,"transaction":true}',
          '--shard',
          `${i}/2`,
          '--summary-json',
          join(dir, `s${i}.json`),
          '--quiet',
        ]),
      ),
    );
    const rows = runs.flatMap((r) => {
      expect(r.code).toBe(0);
      return csvRows(r.stdout);
    });
    // 2 shards × 2 runners × 3 loops: 12 transactions of 3 requests each.
    const tra = rows.filter((r) => r.nature === 'tra');
    expect(tra).toHaveLength(12);
    expect(new Set(tra.map((r) => r.transaction)).size).toBe(12);
    expect([...new Set(rows.map((r) => r.runner))].sort()).toEqual(['0', '1', '2', '3']);
    const s0 = readJson(join(dir, 's0.json'));
    const s1 = readJson(join(dir, 's1.json'));
    expect(s0.shard).toMatchObject({ index: 0, count: 2, startAt: null, lateMs: 0, clockOffsetMs: null });
    expect(s1.shard.index).toBe(1);
    // The same command line but for I: the same run.
    expect(s0.shard.run).toMatch(/^[0-9a-f]{16}$/);
    expect(s1.shard.run).toBe(s0.shard.run);
    expect(s0.byRunner.map((r: { index: number }) => r.index)).toEqual([0, 2]);
    expect(s1.byRunner.map((r: { index: number }) => r.index)).toEqual([1, 3]);
  });

  it('starts late at once when --start-at has passed, and says how late', async () => {
    const past = ((Date.now() - 5000) / 1000).toFixed(3);
    const r = await pylogen(['cuts.Dummy', '--loops', '2', '--extra', '{"sleep":0}', '--start-at', past, '--outformat', 'none', '--summary-json', '-']);
    expect(r.code).toBe(0);
    // --summary-json -: the summary is the last line of stdout, one JSON document.
    const s = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(s.requests.count).toBe(2);
    expect(s.shard.lateMs).toBeGreaterThanOrEqual(5000);
    expect(s.shard.startAt).toBe(new Date(Number(past) * 1000).toISOString());
    expect(s.warnings.join('\n')).toMatch(/ready \d+ ms after --start-at .*started at once/);
    expect(r.stderr).toMatch(/warning: the runners were ready \d+ ms after --start-at/);
  });

  it('shards a scenario file line by line: each line split the same way', async () => {
    const dir = tempDir();
    const file = join(dir, 'two.txt');
    writeFileSync(file, `cuts.Dummy --proc 2 --loops 3 --extra '{"sleep":0}'\ncuts.Dummy --schedule 3@10 --extra '{"sleep":0}'\n`);
    const runs = await Promise.all(
      [0, 1, 2].map((i) => pylogen(['scenario', '--file', file, '--shard', `${i}/3`, '--outformat', 'none', '--summary-json', '-', '--quiet'])),
    );
    const shards = runs.map((r) => {
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Summary;
    });
    const line = (s: Summary, id: string) => s.byRequest.find((b) => b.id === id)!;
    // closed line: 2 runners per shard, 3 loops each; open line: 30 arrivals, 10 per shard
    for (const s of shards) {
      expect(line(s, 'L1').count).toBe(6);
      expect(line(s, 'L2').count).toBe(10);
      expect(s.arrivals).toEqual({ planned: 10, started: 10, dropped: 0 });
    }
    const l1 = shards.flatMap((s) => s.byRunner.filter((r) => r.id === 'L1').map((r) => r.index));
    expect(l1.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(shards.map((s) => s.shard!.run)).size).toBe(1);
  });

  it('refuses --shard in a capacity search', async () => {
    const r = await pylogen(['capacity', 'cuts.Dummy', '--start', '10', '--step', '10', '--shard', '0/2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('pylogen: --shard is for a run, not a capacity search (its steps are judged as they run, in one process)\n');
  });

  it.each([
    [['--shard', '3/3'], /^pylogen: --shard: I must be below N \(shards are numbered 0 to 2\), but is 3$/],
    [['--shard', 'two'], /^pylogen: --shard must be I\/N/],
    [['--start-at', 'tomorrow'], /^pylogen: --start-at must be an ISO-8601 date and time/],
    [['--start-at', '2999-01-01T00:00:00Z'], /^pylogen: --start-at is more than 24 h away/],
    [
      ['--schedule', '1@10', '--max-inflight', '2', '--shard', '0/4'],
      /^pylogen: --max-inflight must be at least N × --process \(4\) with --shard 0\/4, since it is split across the runners of every shard, but is 2$/,
    ],
    [['--start', '5'], /^pylogen: --start-at is more than 24 h ago \(1970-01-01T00:00:05.000Z\): a typo\?$/],
    [['--summary-json', '-'], /^pylogen: --summary-json - writes the summary on standard output, where the event stream goes/],
  ])('refuses %j: one line, exit 2, nothing started', async (args, message) => {
    const r = await pylogen(['cuts.Dummy', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
  });
});
