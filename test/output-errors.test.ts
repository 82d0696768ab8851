/**
 * Issue 8, point 2: the event stream's reader may close it (`pylogen ... | head`), and a disk may
 * fill up (`--out` on a full disk): the run goes on, counts everything, prints the summary on
 * stderr, writes --summary-json, and says what happened to the rows. Real pipes, a real /dev/full.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, pylogen, readJson, ROOT, tempDir } from './helpers.js';

const STACK = /^\s+at .+\(.+:\d+:\d+\)$|Unhandled 'error' event|node:events/m;

describe('the reader of the event stream closes it', () => {
  it('`pylogen cuts.Dummy --duration 3 --summary-json s.json | head -2`: two rows, no stack trace, the summary on stderr, s.json written, exit 0', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    // A real shell pipeline, as a user types it; PIPESTATUS gives pylogen's own exit code.
    const script = `"${process.execPath}" "${BIN}" cuts.Dummy --duration 3 --extra '{"sleep":0.01}' --summary-json "${json}" 2>"${dir}/err" | head -2; echo "\${PIPESTATUS[0]}" >"${dir}/code"`;
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn('bash', ['-c', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      p.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
      p.on('error', reject);
      p.on('close', () => resolve(text));
    });
    const stderr = readFileSync(join(dir, 'err'), 'utf8');
    expect(out.trim().split('\n')).toHaveLength(2);
    expect(out.startsWith('time,epoch,nature')).toBe(true);
    expect(stderr).not.toMatch(STACK);
    expect(stderr).not.toMatch(/EPIPE.*\n\s+at /);
    expect(readFileSync(join(dir, 'code'), 'utf8').trim()).toBe('0');
    expect(stderr).toMatch(/pylogen summary: 1 runner \(1 ended, 0 failed\)/);
    expect(stderr).toMatch(/warning: the event stream's reader closed it after \d+ rows?/);
    expect(existsSync(json)).toBe(true);
    const s = readJson(json);
    // Everything was still counted: ~3 s of 10 ms operations, all of them received.
    expect(s.requests.count).toBeGreaterThan(50);
    expect(s.events).toMatchObject({ lost: 0 });
    expect(s.events.received).toBe(s.requests.count);
    expect(s.warnings.join(' ')).toMatch(/the event stream's reader closed it after \d+ rows?/);
  });

  it('a reader that closes the pipe at once (before any row): the run still ends normally', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = await pylogen(['cuts.Dummy', '--loops', '200', '--extra', '{"sleep":0}', '--summary-json', json], {
      onSpawn: (p) => p.stdout!.destroy(),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(STACK);
    const s = readJson(json);
    expect(s.requests.count).toBe(200);
    expect(s.warnings.join(' ')).toMatch(/the event stream's reader closed it after \d+ rows?/);
  });
});

describe('the disk is full', () => {
  it('--out /dev/full (ENOSPC): the run goes on, the summary says how many rows were not written, exit 1', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = await pylogen(['cuts.Dummy', '--loops', '300', '--extra', '{"sleep":0}', '--out', '/dev/full', '--summary-json', json]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).toMatch(/pylogen summary: 1 runner \(1 ended, 0 failed\)/);
    const s = readJson(json);
    expect(s.requests.count).toBe(300);
    expect(s.events.lost).toBe(0);
    const w = s.warnings.join(' ');
    const m = /the event stream could not be written \(ENOSPC[^)]*\): (\d+) of 300 rows were not written to \/dev\/full/.exec(w);
    expect(m, w).not.toBeNull();
    // /dev/full takes nothing: every row is missing.
    expect(Number(m![1])).toBe(300);
  });
});
