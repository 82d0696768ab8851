/**
 * RunnerProcess, the main side of one runner, on a real forked runner: a message sent to a runner
 * that has just died must not decide why it failed (issue 8 point 4: an ack to an exiting runner
 * raised EPIPE, which failed the runner as "process error" before its exit was seen).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { RunnerProcess } from '../src/controller/RunnerProcess.js';
import { LINE_DEFAULTS } from '../src/config/options.js';
import type { RunnerSpec } from '../src/core/plan.js';
import { ROOT } from './helpers.js';

/** A dead child that its parent has not reaped yet is a zombie: state Z in /proc/PID/stat. */
function isZombie(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return false;
  }
}

describe('RunnerProcess', () => {
  it('messages sent to a runner that died (before its exit is seen) do not give the failure reason: its exit does', async () => {
    const spec: RunnerSpec = {
      slot: 0,
      index: 0,
      count: 1,
      cut: 'Dummy',
      modulePath: join(ROOT, 'cuts/Dummy.ts'),
      options: { ...LINE_DEFAULTS, loops: 1 },
      shipEvents: false,
      window: 64,
      batchSize: 64,
      endpoint: '',
      verbosity: 0,
    };
    const r = new RunnerProcess(spec, { onBatch: () => {}, onTick: () => {}, onState: () => {} });
    try {
      await r.ready(20_000);
      const pid = r.child.pid!;
      process.kill(pid, 'SIGKILL');
      // Wait, synchronously (this event loop must not see the channel close yet), until the child is
      // dead: its end of the IPC channel is gone while `connected` still says true.
      const until = Date.now() + 10_000;
      while (!isZombie(pid) && Date.now() < until);
      expect(isZombie(pid)).toBe(true);
      expect(r.child.connected).toBe(true);
      for (let seq = 1; seq <= 20; seq++) r.send({ type: 'ack', seq });
      await r.exited;
      expect(r.failure).toMatch(/exited on SIGKILL while ready$/);
    } finally {
      if (r.alive) r.child.kill('SIGKILL');
    }
  });
});
