/**
 * Trouble a load injector must survive: a runner killed or crashing, the main process killed, the
 * stats queue flooded past its capacity. Real processes, real signals.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, alive, csvRows, pylogen, readJson, tempDir } from './helpers.js';

function withFixture(name: string): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'cuts'));
  copyFileSync(join(ROOT, 'test/fixtures', `${name}.ts`), join(dir, 'cuts', `${name}.ts`));
  return dir;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a runner dies', () => {
  it('killed mid-run: exit 1, the other two finish, its events are kept, runners.failed is 1', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const out = join(dir, 'e.csv');
    const r = await pylogen(['cuts.Dummy', '--proc', '3', '--duration', '2', '--extra', '{"sleep":0.01}', '-vv', '--out', out, '--summary-json', json], {
      onSpawn: (p) => {
        let killed = false;
        p.stderr!.on('data', (d: Buffer) => {
          const m = /runner run\.1 \(Dummy, pid (\d+)\): running/.exec(d.toString());
          if (m && !killed) {
            killed = true;
            setTimeout(() => process.kill(Number(m[1]), 'SIGKILL'), 700);
          }
        });
      },
    });
    expect(r.code).toBe(1);
    const s = readJson(json);
    expect(s.runners).toMatchObject({ planned: 3, ended: 2, failed: 1 });
    expect(s.warnings.join(' ')).toMatch(/runner run\.1 \(Dummy, pid \d+\) failed: exited on SIGKILL while running/);
    const rows = csvRows(readFileSync(out, 'utf8'));
    const byRunner = (i: string) => rows.filter((x) => x.runner === i).length;
    expect(byRunner('1')).toBeGreaterThan(5); // what it sent before dying is kept
    expect(byRunner('0')).toBeGreaterThan(byRunner('1')); // the others went on to the end
    expect(byRunner('2')).toBeGreaterThan(byRunner('1'));
    expect(s.events.received).toBe(rows.length);
    expect(s.events.lost).toBe(0);
  });

  it.each([
    ['throws in func() outside a request', 'throw', /failed: Error: CUT bug outside any request \(in run\)/],
    ['calls process.exit', 'exit', /failed: the process exited with code 7 \(process\.exit called by the CUT\?\) \(in run\)/],
  ])('a CUT that %s fails its runner only; exit 1 and the reason in the summary', async (_n, how, why) => {
    const dir = withFixture('Crash');
    const json = join(dir, 's.json');
    const r = await pylogen(['Crash', '--proc', '2', '--loops', '40', '--extra', JSON.stringify({ how, after: 5 }), '--summary-json', json], { cwd: dir });
    expect(r.code).toBe(1);
    const s = readJson(json);
    expect(s.runners).toMatchObject({ planned: 2, ended: 1, failed: 1 });
    expect(s.warnings.join(' ')).toMatch(why);
    const rows = csvRows(r.stdout);
    expect(rows.filter((x) => x.runner === '1')).toHaveLength(40);
    expect(rows.filter((x) => x.runner === '0')).toHaveLength(5);
  });
});

describe('the main process dies', () => {
  it('SIGKILL of the main process: no runner alive 3 s later', async () => {
    const pids: number[] = [];
    await pylogen(['cuts.Dummy', '--proc', '2', '--duration', '20', '--extra', '{"sleep":0}', '--outformat', 'none', '-vv'], {
      onSpawn: (p) => {
        p.stderr!.on('data', (d: Buffer) => {
          for (const m of d.toString().matchAll(/pid (\d+)\): running/g)) pids.push(Number(m[1]));
          if (pids.length === 2) setTimeout(() => p.kill('SIGKILL'), 300);
        });
      },
    });
    expect(pids).toHaveLength(2);
    await sleep(3000);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });
});

describe('interrupts', () => {
  it('a second SIGINT forces the runners down at once: exit 130, the summary printed, no runner left', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const t = Date.now();
    const pids: number[] = [];
    const r = await pylogen(['cuts.Dummy', '--proc', '2', '--duration', '60', '--concurrency', '2', '--grace', '60', '--extra', '{"sleep":30}', '-vv', '--summary-json', json], {
      onSpawn: (p) => {
        p.stderr!.on('data', (d: Buffer) => {
          for (const m of d.toString().matchAll(/pid (\d+)\): running/g)) {
            pids.push(Number(m[1]));
            if (pids.length === 2) {
              setTimeout(() => p.kill('SIGINT'), 500);
              setTimeout(() => p.kill('SIGINT'), 1000);
            }
          }
        });
      },
    });
    expect(r.code).toBe(130);
    expect(Date.now() - t).toBeLessThan(10_000); // not the 60 s of grace
    expect(r.stderr).toMatch(/pylogen summary/);
    expect(readJson(json).interrupted).toBe(true);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });
});

describe('the embedded KMS server dies during a run', () => {
  it('the errors after it are counted, the run ends on time, and a warning says why', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = await pylogen(['cuts.KmsEncryptSymmetric', '--endpoint', 'local', '--duration', '3', '--timeout', '1', '--outformat', 'none', '-v', '--summary-json', json], {
      onSpawn: (p) => {
        let done = false;
        p.stderr!.on('data', (d: Buffer) => {
          const m = /embedded KMS server on \S+ \(.*pid (\d+)\)/.exec(d.toString());
          if (m && !done) {
            done = true;
            setTimeout(() => process.kill(Number(m[1]), 'SIGKILL'), 1500);
          }
        });
      },
      timeoutMs: 40_000,
    });
    expect(r.code).toBe(0);
    const s = readJson(json);
    expect(s.warnings[0]).toMatch(/the embedded KMS server \(--endpoint local\) exited on SIGKILL during the run/);
    expect(s.requests.count).toBeGreaterThan(s.requests.errors);
    expect(s.requests.errors).toBeGreaterThan(0);
    expect(Object.keys(s.errorsByType).some((t) => /ECONNREFUSED|ECONNRESET|EPIPE/.test(t))).toBe(true);
  });
});

describe('operations in flight at the end', () => {
  it('get --grace seconds, then count as timed out: the run ends on time', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const t = Date.now();
    const r = await pylogen(['cuts.Dummy', '--duration', '0.5', '--concurrency', '2', '--grace', '0.5', '--extra', '{"sleep":30}', '--summary-json', json]);
    expect(Date.now() - t).toBeLessThan(5000);
    expect(r.code).toBe(0);
    const s = readJson(json);
    expect(s.errorsByType).toEqual({ GraceTimeout: 2 });
    expect(s.requests).toMatchObject({ count: 2, errors: 2 });
    expect(s.byRequest[0].latencyMs.min).toBeGreaterThan(900);
  });
});

describe('overload: the stats queue cannot keep up', () => {
  it('runners are slowed by backpressure, nothing is lost, and a warning says so', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    let received = 0;
    const r = await pylogen(['cuts.Dummy', '--proc', '2', '--duration', '2', '--extra', '{"sleep":0}', '--summary-json', json], {
      onSpawn: (p) => {
        // A reader that stops reading stdout for a second: the pipe fills, the stats queue stops
        // acknowledging, the runners wait.
        p.stdout!.pause();
        setTimeout(() => p.stdout!.resume(), 1200);
        p.stdout!.on('data', (d: Buffer) => (received += d.length));
      },
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(0);
    const s = readJson(json);
    expect(s.events.lost).toBe(0);
    expect(s.events.sent).toBe(s.events.received);
    expect(csvRows(r.stdout)).toHaveLength(s.events.received);
    expect(s.warnings.join(' ')).toMatch(/the stats queue could not keep up: runners waited/);
    expect(s.byRunner.every((x: { blockedMs: number }) => x.blockedMs > 500)).toBe(true);
    expect(received).toBeGreaterThan(0);
  });
});
