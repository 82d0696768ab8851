/**
 * Where a run writes: `-` is standard output for --out as for --summary-json, and one line on stderr
 * says where each file was written (events, summary, report), as `pylogen report` does; none for
 * standard output. Real runs of cuts.Dummy through the bin.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvRows, pylogen, tempDir } from './helpers.js';

const QUICK = ['cuts.Dummy', '--loops', '2', '--extra', '{"sleep":0}', '--quiet'];
/** a 2-loop run takes 1-2 s; 8 engineers' suites on 2 cores have made one take 30 s */
const SLOW = 120_000;

describe.concurrent('output files', () => {
  it(
    'one line each says where the events, the summary and the report were written',
    async () => {
      const dir = tempDir();
      const r = await pylogen([...QUICK, '--out', 'e.csv', '--summary-json', 's.json', '--report', 'r.html'], { cwd: dir, timeoutMs: 100_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`events written to ${join(dir, 'e.csv')} (2 rows)\n`);
      expect(r.stderr).toContain(`summary written to ${join(dir, 's.json')}\n`);
      expect(r.stderr).toContain(`report written to ${join(dir, 'r.html')}\n`);
      expect(csvRows(readFileSync(join(dir, 'e.csv'), 'utf8'))).toHaveLength(2);
    },
    SLOW,
  );

  it(
    '--out - writes the event stream on standard output, not in a file named "-", and says nothing of a file',
    async () => {
      const dir = tempDir();
      const r = await pylogen([...QUICK, '--out', '-', '--summary-json', 's.json'], { cwd: dir, timeoutMs: 100_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(csvRows(r.stdout)).toHaveLength(2);
      expect(existsSync(join(dir, '-'))).toBe(false);
      expect(r.stderr).not.toMatch(/events written/);
      expect(r.stderr).toContain('summary written to');
    },
    SLOW,
  );

  it(
    '--summary-json - with --out FILE: the summary on standard output, no "summary written" line',
    async () => {
      const dir = tempDir();
      const r = await pylogen([...QUICK, '--out', 'e.csv', '--summary-json', '-'], { cwd: dir, timeoutMs: 100_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).requests.count).toBe(2);
      expect(r.stderr).not.toMatch(/summary written/);
      expect(r.stderr).toContain('events written to');
    },
    SLOW,
  );
});
