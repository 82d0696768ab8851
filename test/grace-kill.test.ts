/**
 * A CUT that blocks its runner's event loop past --duration and --grace: the runner can neither record
 * its operation in flight as GraceTimeout nor send it. The main process SIGKILLs it at duration +
 * grace + about 2 s and records that operation itself (controller/graceKill.ts), instead of nothing.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureDir, pylogen, readJson } from './helpers.js';

describe('the SIGKILL fallback after --grace', () => {
  it('a 30 s busy loop with --duration 3 --grace 1: killed long before the loop ends, 1 GraceTimeout for that runner', async () => {
    const dir = fixtureDir('Busy');
    const json = join(dir, 's.json');
    const r = await pylogen(['Busy', '--duration', '3', '--grace', '1', '--extra', '{"seconds":30}', '--outformat', 'none', '--summary-json', json], {
      cwd: dir,
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(1);
    const s = readJson(json);
    expect(s.errorsByType).toEqual({ GraceTimeout: 1 });
    expect(s.requests).toMatchObject({ count: 1, errors: 1 });
    const row = s.byRequest.find((b: { request: string }) => b.request === '(in flight)');
    expect(row).toMatchObject({ id: 'run', cut: 'Busy', count: 1, errors: 1 });
    expect(row.failed).toMatchObject({ count: 1, byType: { GraceTimeout: 1 } });
    expect(r.stderr).toMatch(/first GraceTimeout: runner run\.0 \(Busy, pid \d+\) did not end within --grace/);
    // Killed at about 3 + 1 + 2 s from its start; 20 s is generous for a loaded machine and still
    // far from the 30 s busy loop.
    const [runner] = s.byRunner;
    expect(Date.parse(runner.endedAt) - Date.parse(runner.startedAt)).toBeLessThan(20_000);
  }, 90_000); // a spawned run on a shared, loaded machine
});
