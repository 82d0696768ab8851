/**
 * Three shards of one open-model run started together with --start-at, their outputs piped to
 * `pylogen merge -` as a Job's logs would be: the target, through the real CLI.
 */
import { describe, expect, it } from 'vitest';
import { decodeHistogram, newHistogram, percentileMs } from '../src/stats/histogram.js';
import type { Summary } from '../src/stats/summary.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pylogen, tempDir } from './helpers.js';

const lastJson = (out: string): Summary => JSON.parse(out.trim().split('\n').at(-1)!) as Summary;

describe('pylogen merge: 3 shards of --schedule 4@300 started with one --start-at', () => {
  it('starts 1,200 arrivals, 400 per shard, together; the merge has the percentiles of the union', async () => {
    // A lead of 12 s: three pylogen processes, each forking a runner and loading its CUT, on 2 cores
    // shared with other test runs, were measured ready within 3.5 s; the shards must all be on time.
    const at = new Date(Date.now() + 12_000).toISOString();
    const runs = await Promise.all(
      [0, 1, 2].map((i) =>
        pylogen(
          ['cuts.Dummy', '--extra', '{"sleep":0}', '--schedule', '4@300', '--shard', `${i}/3`, '--start-at', at, '--outformat', 'none', '--summary-json', '-'],
          { timeoutMs: 40_000 },
        ),
      ),
    );
    const shards = runs.map((r) => {
      expect(r.code, r.stderr).toBe(0);
      return lastJson(r.stdout);
    });
    for (const [i, s] of shards.entries()) {
      expect(s.shard).toMatchObject({ index: i, count: 3, startAt: at, t0: at, lateMs: 0 });
      expect(Math.abs(s.arrivals!.planned - 400)).toBeLessThanOrEqual(2);
      expect(Math.abs(s.arrivals!.started - 400)).toBeLessThanOrEqual(2);
    }
    expect(shards.reduce((n, s) => n + s.arrivals!.planned, 0)).toBe(1200);
    expect(shards.reduce((n, s) => n + s.arrivals!.started, 0)).toBe(1200);
    // Their runners' actual starts, by the one clock of this machine: each waits for t0 with a timer
    // and a final spin (~1-4 ms apart measured here idle); 50 ms allows a scheduler slice or two
    // of a machine whose 2 cores are busy with other test runs.
    const started = shards.map((s) => Date.parse(s.byRunner[0]!.startedAt!));
    expect(Math.max(...started) - Math.min(...started)).toBeLessThan(50);

    // What `kubectl logs` gives: each pod's stderr and stdout, one pod after the other.
    const logs = runs.map((r) => r.stderr + r.stdout).join('');
    const html = join(tempDir(), 'run.html');
    const m = await pylogen(['merge', '-', '--threshold', 'p99<10s', '--report', html], { input: logs });
    expect(m.code, m.stderr).toBe(0);
    const merged = lastJson(m.stdout);
    // the merged run's HTML report (what the k8s walk-through's collect command writes)
    expect(readFileSync(html, 'utf8')).toMatch(/<td>1200<\/td>|>1200</);
    expect(merged.arrivals).toEqual({ planned: 1200, started: 1200, dropped: 0 });
    expect(merged.requests.count).toBe(1200);
    expect(merged.shards!.map((s) => s.index)).toEqual([0, 1, 2]);
    const union = newHistogram();
    for (const s of shards) union.add(decodeHistogram(s.byRequest[0]!.ok.hdr.latency));
    const maxMs = Math.max(...shards.map((s) => s.byRequest[0]!.ok.hdr.maxMs!));
    const capped = (q: number) => Math.min(percentileMs(union, q)!, Math.round(maxMs * 1000) / 1000);
    expect(merged.byRequest[0]!.ok.latencyMs!.p50).toBe(capped(50));
    expect(merged.byRequest[0]!.ok.latencyMs!.p99).toBe(capped(99));
    expect(merged.thresholds).toEqual([expect.objectContaining({ threshold: 'p99<10s', ok: true })]);
    expect(m.stderr).toMatch(/^run\s+Dummy\s+req\s+R0-EXEC\s+1200\s/m);
    expect(m.stderr).toMatch(/^shards: 3 of 3 merged \(run [0-9a-f]{16}\), t0 spread 0 ms/m);

    // Two of the three: refused, unless --partial.
    const two = runs
      .slice(0, 2)
      .map((r) => r.stdout)
      .join('');
    const refused = await pylogen(['merge', '-'], { input: two });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe("pylogen: shard 2 missing (1 of 3): give every shard's summary, or --partial to merge those given\n");
    const partial = await pylogen(['merge', '-', '--partial'], { input: two });
    expect(partial.code).toBe(0);
    expect(lastJson(partial.stdout).requests.count).toBe(800);
  }, 90_000);

  it('refuses a file without any summary: one line, exit 2', async () => {
    const r = await pylogen(['merge', 'package.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('pylogen: package.json: no pylogen summary in it (a JSON document with "version": 2; see README, Beyond one machine)\n');
  });
});
