/**
 * Issue 20 point 7: a runner whose CUT blocks its event loop could not see its IPC channel close, and
 * outlived a SIGKILLed main process by the whole busy loop (17.6 s measured). A watchdog thread that
 * does not need the runner's event loop kills it once the main process is gone.
 */
import { describe, expect, it } from 'vitest';
import { alive, fixtureDir, pylogen } from './helpers.js';

const waitFor = async (ok: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
};

describe('a runner whose CUT blocks its event loop', () => {
  it('SIGKILL of the main process during a 60 s busy loop: the runner is gone within seconds', async () => {
    const dir = fixtureDir('Busy');
    const pids: number[] = [];
    await pylogen(['Busy', '--loops', '1', '--extra', '{"seconds":60}', '--outformat', 'none', '-vv'], {
      cwd: dir,
      timeoutMs: 60_000,
      onSpawn: (p) => {
        p.stderr!.on('data', (d: Buffer) => {
          for (const m of d.toString().matchAll(/pid (\d+)\): running/g)) {
            pids.push(Number(m[1]));
            // the busy loop has begun (the CUT started its first operation on 'running')
            setTimeout(() => p.kill('SIGKILL'), 500);
          }
        });
      },
    });
    expect(pids).toHaveLength(1);
    const killedAt = Date.now();
    // The watchdog checks every 250 ms; 8 s is generous for a shared, loaded machine, and far
    // below the 60 s the busy loop would take (the old behaviour).
    await waitFor(() => !alive(pids[0]!), 8000);
    expect(alive(pids[0]!), `runner still alive ${Date.now() - killedAt} ms after main's SIGKILL`).toBe(false);
  }, 90_000);
});
