/**
 * Issue 20 point 3: outputs on a disk that fills. Each output is written on its own (a summary that
 * cannot be written does not stop the report), whole or not at all (no 0-byte or truncated summary),
 * and its failure is one line naming the file; the --out warning's row count is the file's. Real
 * small tmpfs mounts (the suite runs as root here); skipped where mounting is not allowed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pylogen, readJson, tempDir } from './helpers.js';

const mounts: string[] = [];
/** A tmpfs of `size` mounted on a fresh folder, or undefined where mounting is not allowed. */
function smallDisk(size: string): string | undefined {
  const dir = join(tempDir(), 'disk');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  mounts.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of mounts) execFileSync('umount', [d]);
});

const canMount = (() => {
  const d = smallDisk('4k');
  return d !== undefined;
})();

describe.skipIf(!canMount)('a disk that fills', () => {
  it('--summary-json on a full disk: one line naming the file, no file left, --report still written, exit 1', async () => {
    const disk = smallDisk('4k')!;
    const json = join(disk, 's.json');
    const report = join(tempDir(), 'r.html');
    const r = await pylogen(['cuts.Dummy', '--loops', '50', '--extra', '{"sleep":0}', '--outformat', 'none', '--summary-json', json, '--report', report]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).toMatch(new RegExp(`pylogen: --summary-json ${json.replace(/[/.]/g, '\\$&')}: the summary could not be written \\(.*ENOSPC`));
    // Whole or nothing: no empty or cut summary, no temporary file left behind.
    expect(existsSync(json)).toBe(false);
    expect(readdirSync(disk)).toEqual([]);
    expect(readFileSync(report, 'utf8')).toMatch(/<\/html>\s*$/);
  });

  it('--out on a disk that fills: the warning says exactly how many rows the file holds, no cut row', async () => {
    const disk = smallDisk('64k')!;
    const out = join(disk, 'run.csv');
    const json = join(tempDir(), 's.json');
    const r = await pylogen(['cuts.Dummy', '--loops', '20000', '--extra', '{"sleep":0}', '--out', out, '--summary-json', json], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(1);
    const w = (readJson(json).warnings as string[]).join('\n');
    const m = /the event stream could not be written \(ENOSPC[^)]*\): (\d+) of 20000 rows were not written/.exec(w);
    expect(m, w).not.toBeNull();
    const text = readFileSync(out, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const rows = text.split('\n').length - 2; // the header, and the empty string after the last \n
    expect(rows).toBe(20000 - Number(m![1]));
  });
});
