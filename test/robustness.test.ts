/**
 * Trouble a load injector must survive: a runner killed or crashing, the main process killed, the
 * stats queue flooded past its capacity. Real processes, real signals.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, alive, csvRows, killRunner, pylogen, readJson, tempDir } from './helpers.js';

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
      onSpawn: killRunner('run.1', 700),
    });
    expect(r.code).toBe(1);
    const s = readJson(json);
    // the killed runner had started: it counts in started (issue 8 point 5)
    expect(s.runners).toEqual({ planned: 3, started: 3, ended: 2, failed: 1 });
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
    // A runner exits when its IPC channel closes: wait for that state, bounded generously (a loaded
    // machine may take a few seconds to schedule the runners' exit).
    await waitFor(() => pids.every((pid) => !alive(pid)), 10_000);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });
});

describe('interrupts', () => {
  it('a second SIGINT forces the runners down at once: exit 130, the summary printed, no runner left', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    let secondAt = 0;
    const pids: number[] = [];
    const r = await pylogen(
      ['cuts.Dummy', '--proc', '2', '--duration', '60', '--concurrency', '2', '--grace', '60', '--extra', '{"sleep":30}', '-vv', '--summary-json', json],
      {
        onSpawn: (p) => {
          p.stderr!.on('data', (d: Buffer) => {
            for (const m of d.toString().matchAll(/pid (\d+)\): running/g)) {
              pids.push(Number(m[1]));
              if (pids.length === 2) {
                setTimeout(() => p.kill('SIGINT'), 500);
                setTimeout(() => ((secondAt = Date.now()), p.kill('SIGINT')), 1000);
              }
            }
          });
        },
      },
    );
    expect(r.code).toBe(130);
    // not the 30 s of the operations nor the 60 s of grace: the runners are killed at once (a loaded
    // machine takes a few seconds to kill, reap and write the summary)
    expect(secondAt).toBeGreaterThan(0);
    expect(Date.now() - secondAt).toBeLessThan(15_000);
    expect(r.stderr).toMatch(/pylogen summary/);
    expect(readJson(json).interrupted).toBe(true);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });
});

describe('a stop within --grace (issue 8 point 3)', () => {
  it('SIGINT with operations in flight: they are recorded as GraceTimeout after --grace, no runner fails, exit 130', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    let interruptedAt = 0;
    const r = await pylogen(['cuts.Dummy', '--duration', '30', '--grace', '1', '--concurrency', '2', '--extra', '{"sleep":20}', '--summary-json', json], {
      onSpawn: (p) => {
        p.stderr!.on('data', (d: Buffer) => {
          // the first status line: the run has started, both 20 s operations are in flight
          if (interruptedAt === 0 && /^\[\s*[\d.]+s\] requests/m.test(d.toString())) {
            interruptedAt = Date.now();
            p.kill('SIGINT');
          }
        });
      },
    });
    expect(r.code, r.stderr).toBe(130);
    // grace 1 s, then the summary: far below the 20 s the operations would take, or the runner's
    // SIGTERM fallback at grace + 2 s; generous for a loaded machine.
    expect(Date.now() - interruptedAt).toBeLessThan(8000);
    const s = readJson(json);
    expect(s.errorsByType).toEqual({ GraceTimeout: 2 });
    expect(s.runners).toEqual({ planned: 1, started: 1, ended: 1, failed: 0 });
    expect(s.warnings).toEqual([]);
  });
});

/** Every process below pid (children, grandchildren), from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // it ended meanwhile
    }
  }
  const out: number[] = [];
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    for (const [c, pp] of parent) {
      if (pp !== p) continue;
      out.push(c);
      todo.push(c);
    }
  }
  return out;
}

/** Alive and not a zombie (a dead child its parent has not reaped is not running anything). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await sleep(50);
}

describe('no process pylogen started outlives it (issue 8 point 5)', () => {
  it.each([
    ['ends by itself', undefined],
    ['gets SIGINT', 'SIGINT'],
    ['gets SIGTERM', 'SIGTERM'],
  ] as const)('main %s: none of its processes (runners, the embedded server, esbuild for a .ts CUT) is alive 0.5 s later', async (_n, signal) => {
    const dir = withFixture('Echo');
    const seen = new Set<number>();
    let watch: NodeJS.Timeout | undefined;
    let ready = false;
    let compilers: number[] | undefined;
    const r = await pylogen(['Echo', '--proc', '2', '--duration', signal === undefined ? '2' : '30', '--endpoint', 'local', '-vv', '--outformat', 'none'], {
      cwd: dir,
      timeoutMs: 40_000,
      onSpawn: (p) => {
        // The process tree is sampled while it runs: the esbuild children live only while CUTs load.
        watch = setInterval(() => {
          for (const d of descendants(p.pid!)) seen.add(d);
        }, 20);
        p.stderr!.on('data', (d: Buffer) => {
          if (!ready && /t0 .*: 2 runners ready/.test(d.toString())) {
            ready = true;
            // The CUTs are compiled and loaded: no esbuild service is left running until the end.
            compilers = descendants(p.pid!).filter((c) => running(c) && commandOf(c).includes('esbuild'));
            if (signal !== undefined) p.kill(signal);
          }
        });
      },
    });
    clearInterval(watch);
    expect(ready, r.stderr).toBe(true);
    expect(r.code, r.stderr).toBe(signal === undefined ? 0 : 130);
    // two runners and the embedded server at least
    expect(seen.size).toBeGreaterThanOrEqual(3);
    expect(compilers).toEqual([]);
    await sleep(500);
    expect([...seen].filter(running)).toEqual([]);
  });
});

describe('the embedded KMS server dies during a run', () => {
  it('the errors after it are counted, the run ends on time, and a warning says why', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = await pylogen(
      ['cuts.KmsEncryptSymmetric', '--endpoint', 'local', '--duration', '3', '--timeout', '1', '--outformat', 'none', '-v', '--summary-json', json],
      {
        onSpawn: (p) => {
          let server = 0;
          let done = false;
          p.stderr!.on('data', (d: Buffer) => {
            const text = d.toString();
            const m = /embedded KMS server on \S+ \(.*pid (\d+)\)/.exec(text);
            if (m) server = Number(m[1]);
            // killed once requests were served (a status line counts some), not after a fixed delay:
            // on a loaded machine the runners may take seconds to start
            const served = /^\[\s*[\d.]+s\] requests (\d+)/m.exec(text);
            if (server !== 0 && served && Number(served[1]) > 0 && !done) {
              done = true;
              process.kill(server, 'SIGKILL');
            }
          });
        },
        timeoutMs: 40_000,
      },
    );
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
    expect(Date.now() - t).toBeLessThan(20_000); // not the 30 s of the operations (start-up included, on a loaded machine)
    expect(r.code).toBe(0);
    const s = readJson(json);
    // the runner's own span: 0.5 s of duration and 0.5 s of grace, then it ends
    const ran = Date.parse(s.byRunner[0].endedAt) - Date.parse(s.byRunner[0].startedAt);
    expect(ran).toBeGreaterThanOrEqual(950);
    expect(ran).toBeLessThan(3000);
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

  it('a slow reader that keeps reading is waited for, not given up: every row reaches it, exit 0', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = await pylogen(['cuts.Dummy', '--proc', '2', '--duration', '2', '--extra', '{"sleep":0}', '--summary-json', json], {
      onSpawn: (p) => {
        // A reader that takes one chunk (64 KiB at most), then rests 20 ms: a few MB/s, far behind the
        // runners. When their duration ends, megabytes are still to be taken, for longer than the 1 s
        // after which a reader that takes nothing is given up.
        p.stdout!.on('data', () => {
          p.stdout!.pause();
          setTimeout(() => p.stdout!.resume(), 20);
        });
      },
      timeoutMs: 90_000,
    });
    expect(r.stderr).not.toMatch(/has taken nothing|stopped reading/);
    expect(r.code).toBe(0);
    const s = readJson(json);
    expect(s.events.lost).toBe(0);
    expect(csvRows(r.stdout)).toHaveLength(s.events.received);
    expect(s.warnings.join(' ')).toMatch(/the stats queue could not keep up: runners waited/);
  });
});
