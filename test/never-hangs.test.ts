/**
 * Issue 20 point 1: a reader of the event stream that stops reading (`pylogen ... | sleep 45`) must
 * not hang the run: it ends by its duration and grace, says the stall and what was not written, and
 * SIGINT / SIGTERM work at every stage (a second one forces; one after the summary never turns the
 * exit code into 143). Real child processes, a real pipe that nobody reads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, readJson, ROOT, tempDir } from './helpers.js';

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const p of started.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

/** pylogen with a stdout pipe that is never read (no 'data' listener: the pipe fills and stays full). */
function stalled(args: string[]): { p: ChildProcess; stderr: () => string; ended: Promise<Ended>; line: (re: RegExp) => Promise<void> } {
  const t = Date.now();
  const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(p);
  let err = '';
  const waiting: { re: RegExp; resolve: () => void }[] = [];
  p.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    for (const w of waiting.splice(0))
      if (w.re.test(err)) w.resolve();
      else waiting.push(w);
  });
  const ended = new Promise<Ended>((resolve) => p.on('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - t })));
  const line = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      if (re.test(err)) return resolve();
      waiting.push({ re, resolve });
      void ended.then(() => reject(new Error(`exited before ${re}; stderr: ${err}`)));
    });
  return { p, stderr: () => err, ended, line };
}

// The bounds below are duration + grace + 2 s as the issue asks, plus a start-up allowance: node,
// the CLI and a forked runner take 1-3 s to start on this shared, loaded 2-core machine.
const STARTUP_MS = 4000;

describe('a reader that stops reading', () => {
  it('`pylogen cuts.Dummy --duration 3 | sleep 45`: ends by duration + grace, says the stall and the rows not written, exit 1', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = stalled(['cuts.Dummy', '--duration', '3', '--grace', '2', '--extra', '{"sleep":0}', '--summary-json', json]);
    const end = await r.ended;
    expect(end.ms, r.stderr()).toBeLessThan((3 + 2 + 2) * 1000 + STARTUP_MS);
    expect(end.code, r.stderr()).toBe(1);
    expect(r.stderr()).toMatch(/the event stream's reader \(stdout\) has taken nothing for \d+\.\d s: the runners wait for it/);
    const s = readJson(json);
    const w = s.warnings.join('\n');
    const m = /the event stream's reader \(stdout\) stopped reading: it was given up at the end of the run, (\d+) of (\d+) rows were counted, not written/.exec(
      w,
    );
    expect(m, w).not.toBeNull();
    expect(Number(m![2])).toBe(s.requests.count);
    expect(Number(m![1])).toBeGreaterThan(0);
    // The runner's wait for the stats queue is counted although it never completed by itself.
    expect(s.byRunner[0].blockedMs).toBeGreaterThan(500);
    expect(s.interrupted).toBe(false);
  });

  it('SIGINT while the runners wait for the reader: exit 130 within grace + 2 s, interrupted in the summary', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = stalled(['cuts.Dummy', '--duration', '60', '--grace', '2', '--extra', '{"sleep":0}', '--summary-json', json]);
    await r.line(/has taken nothing for/);
    const at = Date.now();
    r.p.kill('SIGINT');
    const end = await r.ended;
    // Generous: the machine is shared (see STARTUP_MS); the old code never ended (until the reader did).
    expect(Date.now() - at, r.stderr()).toBeLessThan((2 + 2) * 1000 + 2000);
    expect(end.code, r.stderr()).toBe(130);
    expect(readJson(json).interrupted).toBe(true);
  });

  it('SIGINT, then SIGINT again while the run ends: the second forces, exit 130', async () => {
    const r = stalled(['cuts.Dummy', '--duration', '60', '--grace', '30', '--extra', '{"sleep":0}']);
    await r.line(/has taken nothing for/);
    r.p.kill('SIGINT');
    await r.line(/interrupted: stopping the runners/);
    const at = Date.now();
    r.p.kill('SIGINT');
    const end = await r.ended;
    expect(Date.now() - at, r.stderr()).toBeLessThan(6000);
    expect(end.code, r.stderr()).toBe(130);
  });
});

describe('signals at the very end of a run', () => {
  it('SIGTERM, then SIGTERMs until the process is gone: always exit 130, never killed by SIGTERM (143)', async () => {
    const r = stalled(['cuts.Dummy', '--duration', '30', '--extra', '{"sleep":0.01}', '--outformat', 'none']);
    await r.line(/\[\s+\d+\.\ds\] requests/);
    r.p.kill('SIGTERM');
    await r.line(/pylogen summary:/);
    // From the summary on, the run is ending: a SIGTERM every 20 ms until the exit (Node's own teardown,
    // the last ms after the exit event, cannot be covered from JavaScript: the old window was wider).
    const hammer = setInterval(() => r.p.exitCode === null && r.p.signalCode === null && r.p.kill('SIGTERM'), 20);
    const end = await r.ended;
    clearInterval(hammer);
    expect(end.signal, r.stderr()).toBeNull();
    expect(end.code, r.stderr()).toBe(130);
  });
});
