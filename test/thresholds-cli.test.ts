/** --threshold and --abort-on-fail through the real CLI, real runners, real summary files. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pylogen, readJson, tempDir } from './helpers.js';
import { evaluateSummary } from '../src/verdict/sourceFromSummary.js';
import { verdicts } from '../src/verdict/evaluateThresholds.js';
import { parseThreshold, type Threshold } from '../src/verdict/threshold.js';

const parsed = (text: string): Threshold => {
  const r = parseThreshold(text);
  if ('problem' in r) throw new Error(r.problem);
  return r.threshold;
};

describe('thresholds on the command line', () => {
  it('exits 0 when every threshold holds, with the verdict table and the JSON', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    // 20 requests of 1 ms: p99 far below 1 s, no error, at least 1/s.
    const r = await pylogen([
      'cuts.Dummy',
      '--loops',
      '20',
      '--extra',
      '{"sleep":0.001}',
      '--outformat',
      'none',
      '--summary-json',
      json,
      '--threshold',
      'p99<1s',
      '--threshold',
      'errors<1%',
      '--threshold',
      'R0-EXEC:max<=1000',
      '--threshold',
      'throughput>=1',
    ]);
    expect(r.stderr).toMatch(/thresholds: all 4 hold/);
    expect(r.code).toBe(0);
    const s = readJson(json);
    expect(s.thresholds).toHaveLength(4);
    expect(s.thresholds.map((t: { threshold: string }) => t.threshold)).toEqual(['p99<1s', 'errors<1%', 'R0-EXEC:max<=1000', 'throughput>=1']);
    expect(s.thresholds.every((t: { ok: boolean }) => t.ok)).toBe(true);
    expect(s.thresholds[0].value).toBe(s.byRequest[0].latencyMs.p99);
    expect(s.thresholds[1].value).toBe(0);
    // The summary file alone judges them the same: its rows carry the histograms, merged exactly.
    expect(
      verdicts(
        evaluateSummary(
          s.thresholds.map((t: { threshold: string }) => parsed(t.threshold)),
          s,
        ),
      ),
    ).toEqual(s.thresholds);
  });

  it('exits 1 when one fails, and shows the failed rows', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    // Every 4th of 20 operations fails: 5 errors, 25%.
    const r = await pylogen([
      'cuts.Dummy',
      '--loops',
      '20',
      '--extra',
      '{"sleep":0,"error":4}',
      '--outformat',
      'none',
      '--summary-json',
      json,
      '--threshold',
      'errors<1%',
      '--threshold',
      'DummyError<=5',
      '--threshold',
      'p50<10s',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/thresholds: 1 of 3 FAILED/);
    expect(r.stderr).toMatch(/errors<1%\s+25%\s+FAIL/);
    expect(r.stderr).toMatch(/DummyError<=5\s+5\s+pass/);
    const s = readJson(json);
    expect(s.thresholds).toEqual([
      { threshold: 'errors<1%', value: 25, ok: false },
      { threshold: 'DummyError<=5', value: 5, ok: true },
      { threshold: 'p50<10s', value: s.byRequest[0].latencyMs.p50, ok: true },
    ]);
  });

  it('exits 2 on a malformed threshold, naming it, with nothing started', async () => {
    for (const bad of ['p98<5', 'p99 < fast', 'errors=1']) {
      const r = await pylogen(['cuts.Dummy', '--loops', '2', '--threshold', 'p99<20', '--threshold', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`--threshold "${bad}"`);
    }
  });

  it('takes thresholds from a profile, added to those of the command line', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const profile = join(dir, 'p.json');
    writeFileSync(profile, JSON.stringify({ loops: 6, extra: { sleep: 0, error: 3 }, threshold: ['errors<=1'], 'abort-on-fail': false }));
    const r = await pylogen(['cuts.Dummy', '--defaults', profile, '--outformat', 'none', '--summary-json', json, '--threshold', 'max<10s']);
    expect(r.code).toBe(1);
    expect(readJson(json).thresholds).toEqual([
      { threshold: 'errors<=1', value: 2, ok: false },
      { threshold: 'max<10s', value: expect.any(Number), ok: true },
    ]);
    writeFileSync(profile, JSON.stringify({ threshold: ['p99<<1'] }));
    const bad = await pylogen(['cuts.Dummy', '--defaults', profile]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${profile}: key "threshold" "p99<<1"`);
  });

  it('judges a scenario line on its own requests, and the scenario command over all', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const file = join(dir, 'sc.txt');
    writeFileSync(
      file,
      [
        `cuts.Dummy --id fast --loops 10 --extra '{"sleep":0}' --threshold 'max<1s'`,
        `cuts.Dummy --id slow --loops 4 --extra '{"sleep":0.05}' --threshold 'p50<20' --threshold 'errors<=0'`,
      ].join('\n') + '\n',
    );
    const r = await pylogen(['scenario', '--file', file, '--outformat', 'none', '--summary-json', json, '--threshold', 'errors<1%']);
    expect(r.code).toBe(1);
    const t = readJson(json).thresholds;
    expect(t.map((x: { threshold: string; id?: string; ok: boolean }) => [x.threshold, x.id, x.ok])).toEqual([
      ['errors<1%', undefined, true],
      ['max<1s', 'fast', true],
      ['p50<20', 'slow', false],
      ['errors<=0', 'slow', true],
    ]);
    expect(t[2].value).toBeGreaterThan(45); // 50 ms sleeps (a timer may fire a millisecond early)
    expect(r.stderr).toMatch(/p50<20 \(line slow\)\s+\d+\.\d+ ms\s+FAIL/);
    // Read back: the same verdicts over the summary file, line by line.
    const sum = readJson(json);
    const again = verdicts(
      evaluateSummary(
        t.map((x: { threshold: string; id?: string }) => ({ ...parsed(x.threshold), ...(x.id !== undefined ? { id: x.id } : {}) })),
        sum,
      ),
    );
    expect(again).toEqual(t);

    writeFileSync(file, `cuts.Dummy --loops 2\ncuts.Dummy --loops 2 --threshold 'DummyError<1'\n`);
    const bad = await pylogen(['scenario', '--file', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/sc\.txt:2: --threshold "DummyError<1": error types are counted over the whole run/);
  });

  it('--abort-on-fail stops the run gracefully once an error count is crossed, and says so', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    // 2 runners, 60 s planned, every 5th operation fails: errors<=3 is crossed within the first second.
    const r = await pylogen(
      [
        'cuts.Dummy',
        '--proc',
        '2',
        '--duration',
        '60',
        '--extra',
        '{"sleep":0.01,"error":5}',
        '--outformat',
        'none',
        '--summary-json',
        json,
        '--threshold',
        'errors<=3',
        '--threshold',
        'p99<10s',
        '--abort-on-fail',
      ],
      { timeoutMs: 40_000 },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/threshold errors<=3 crossed \(\d+\): stopping the run \(--abort-on-fail\)/);
    const s = readJson(json);
    expect(s.abortedBy).toBe('errors<=3');
    // Stopped long before its 60 s (bound generous: a loaded machine still stops within seconds).
    expect(s.wallSeconds).toBeLessThan(30);
    expect(s.interrupted).toBe(false);
    expect(s.runners.ended).toBe(2);
    expect(s.events.lost).toBe(0);
    expect(s.thresholds[0]).toMatchObject({ threshold: 'errors<=3', ok: false });
    expect(s.thresholds[1]).toMatchObject({ threshold: 'p99<10s', ok: true });
    expect(s.warnings.join('\n')).toMatch(/stopped early by --abort-on-fail: threshold errors<=3/);
  });
});
