/**
 * One set of figures (docs/reference.md "Summary JSON"): after a runner is SIGKILLed mid-run, the
 * summary's totals are the sums of its rows, in --summary-json and in the table on stderr. Counts
 * ship with every batch, latencies at most every 250 ms: the killed runner's last counts arrive
 * without their latencies, which a warning says.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killRunner, pylogen, readJson, tempDir } from './helpers.js';

describe('a runner SIGKILLed mid-run', () => {
  it('totals equal the sums of the rows, in the JSON and on stderr', async () => {
    const json = join(tempDir(), 's.json');
    // sleep 0: thousands of requests a second, so the 250 ms of latencies not yet shipped are many
    const args = ['cuts.Dummy', '--proc', '2', '--duration', '3', '--extra', '{"sleep":0,"error":50}', '-vv', '--outformat', 'none', '--summary-json', json];
    const r = await pylogen(args, {
      timeoutMs: 60_000,
      onSpawn: killRunner('run.1', 1000),
    });
    expect(r.code, r.stderr).toBe(1);
    const s = readJson(json);
    expect(s.runners.failed).toBe(1);
    const rows: any[] = s.byRequest;
    const sum = (f: (b: any) => number) => rows.reduce((n, b) => n + f(b), 0);
    expect(s.requests.count).toBeGreaterThan(0);
    expect(sum((b) => b.count)).toBe(s.requests.count);
    expect(sum((b) => b.errors)).toBe(s.requests.errors);
    expect(sum((b) => b.ok.count + b.failed.count)).toBe(s.requests.count);
    expect(sum((b) => b.failed.count)).toBe(s.requests.errors);
    // what was counted without its latency is said, and is exactly the difference
    const timed = sum((b) => b.ok.hdr.count + b.failed.hdr.count);
    const untimed = s.requests.count - timed;
    if (untimed > 0) expect(s.warnings.join('\n')).toContain(`${untimed} request${untimed > 1 ? 's' : ''} counted without`);
    // stderr: the table's ok and errors columns add up to the "requests:" line
    const total = /^requests: (\d+) \((\d+) errors?\)/m.exec(r.stderr);
    expect(total, r.stderr).not.toBeNull();
    const head = r.stderr
      .split('\n')
      .find((l) => l.startsWith('id '))!
      .trim()
      .split(/\s{2,}/);
    const table = r.stderr
      .split('\n')
      .filter((l) => /^run\s+Dummy\s+req\s/.test(l))
      .map((l) => l.trim().split(/\s{2,}/));
    expect(table.length).toBeGreaterThan(0);
    const col = (name: string) => table.reduce((n, row) => n + Number(row[head.indexOf(name)]), 0);
    expect(col('ok') + col('errors')).toBe(Number(total![1]));
    expect(col('errors')).toBe(Number(total![2]));
  }, 90_000);
});
