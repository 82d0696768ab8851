/**
 * `--endpoint pykmip`'s start and stop (docs/kmip.md): after a 1 s run the summary follows the
 * runner's stop without PyKMIP's own slow shutdown (2-12 s on SIGTERM: a SIGKILL of its process
 * group after 1 s), the high-water mark's time is inside the run, and Ctrl-C while the server comes
 * up ends at once (exit 130), not as a failed runner. The real PyKMIP for the run; for the
 * start-up, a stand-in server script that never listens and ignores SIGTERM (PYLOGEN_PYKMIP_SERVER),
 * so that the interrupt always lands during the start, however fast the machine.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, pylogen, readJson, tempDir } from './helpers.js';

describe('--endpoint pykmip: start and stop', () => {
  it('a 1 s KmipGet: the summary follows the runner within a few seconds; the HWM is inside the run', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    let stoppedAt = 0;
    let summaryAt = 0;
    const r = await pylogen(['cuts.KmipGet', '--endpoint', 'pykmip', '--duration', '1', '--outformat', 'none', '-vv', '--summary-json', json], {
      cwd: dir,
      timeoutMs: 150_000,
      onSpawn: (p) =>
        p.stderr!.on('data', (d: Buffer) => {
          const s = d.toString();
          if (stoppedAt === 0 && /runner run\.0 \(KmipGet, pid \d+\): stopped/.test(s)) stoppedAt = Date.now();
          if (summaryAt === 0 && s.includes('pylogen summary:')) summaryAt = Date.now();
        }),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(stoppedAt).toBeGreaterThan(0);
    // the stop is bounded at 1 s; 6 s is generous for a machine at load 30 (before: 10-12 s of PyKMIP's shutdown)
    expect(summaryAt - stoppedAt, r.stderr).toBeLessThan(6000);
    const s = readJson(json);
    expect(s.requests.count).toBeGreaterThan(0);
    const lastEnd = Math.max(...s.byRunner.map((x: { endedAt: string }) => Date.parse(x.endedAt)));
    expect(Date.parse(s.requests.throughputHwmAt)).toBeLessThanOrEqual(lastEnd);
  }, 180_000);

  it('Ctrl-C while the server starts: exit 130 within 2 s, no runner started or failed, the server gone', async () => {
    const dir = tempDir();
    const mark = join(dir, 'server.pid');
    const script = join(dir, 'slow-pykmip-server');
    // A server that never listens and ignores SIGTERM (the python that has PyKMIP: the install check passes).
    writeFileSync(
      script,
      '#!/usr/bin/python3\nimport os, signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n' +
        `open(${JSON.stringify(mark)} + '.tmp', 'w').write(str(os.getpid()))\n` +
        `os.rename(${JSON.stringify(mark)} + '.tmp', ${JSON.stringify(mark)})\ntime.sleep(600)\n`,
      { mode: 0o755 },
    );
    let sentAt = 0;
    let serverPid = 0;
    const r = await pylogen(['cuts.KmipGet', '--endpoint', 'pykmip', '--duration', '5', '--outformat', 'none', '-v'], {
      cwd: dir,
      env: { PYLOGEN_PYKMIP_SERVER: script },
      timeoutMs: 120_000,
      onSpawn: (p) => {
        // the state to interrupt in: the stand-in server is up (it wrote its pid)
        const watch = setInterval(() => {
          if (!existsSync(mark)) return;
          clearInterval(watch);
          serverPid = Number(readFileSync(mark, 'utf8'));
          sentAt = Date.now();
          p.kill('SIGINT');
        }, 50);
        p.once('exit', () => clearInterval(watch));
      },
    });
    const endedAt = Date.now();
    expect(sentAt, r.stderr).toBeGreaterThan(0);
    expect(r.code, r.stderr).toBe(130);
    // 1 s of SIGTERM then SIGKILL, and the exit; 2 s is the promise, 4 s the bound on a loaded machine
    // (the 50 ms poll, node's exit and the test's own event loop add to it)
    expect(endedAt - sentAt, r.stderr).toBeLessThan(4000);
    expect(r.stderr).toMatch(/^pylogen: interrupted while the PyKMIP server started: it is stopped, nothing ran$/m);
    expect(r.stderr).not.toMatch(/runner .* failed/);
    expect(r.stderr).not.toContain('pylogen summary');
    expect(alive(serverPid)).toBe(false);
  }, 150_000);
});
