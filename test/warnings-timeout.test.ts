/**
 * `--timeout 1000` meant as milliseconds is 1,000 s (issue 20 §6): a warning when a line's timeout is
 * longer than its run and than the default, none otherwise.
 */
import { describe, expect, it } from 'vitest';
import { LINE_DEFAULTS } from '../src/config/options.js';
import type { CutLine, RunPlan } from '../src/core/plan.js';
import type { StatsQueue } from '../src/stats/StatsQueue.js';
import { collectWarnings } from '../src/stats/warnings.js';

const queue = { lagMsHwm: 0, ticks: [], aggs: new Map() } as unknown as StatsQueue;
const plan = (timeout: number, duration: number): RunPlan =>
  ({
    lines: [{ cut: 'KmsEncryptSymmetric', modulePath: '/x/K.js', line: 0, options: { ...LINE_DEFAULTS, id: 'run', timeout, duration } } satisfies CutLine],
  }) as unknown as RunPlan;

describe('a timeout longer than the run', () => {
  it('--timeout 1000 with --duration 30: one warning naming the line, the seconds and the run length', () => {
    expect(collectWarnings(queue, [], plan(1000, 30))).toEqual([
      '--timeout 1000 (seconds) of run is longer than the run itself (30 s): a request to a silent endpoint was never timed out (--timeout is in seconds, not milliseconds)',
    ]);
  });

  it('none for the default timeout on a short run, nor for a timeout within the run', () => {
    expect(collectWarnings(queue, [], plan(LINE_DEFAULTS.timeout, 3))).toEqual([]);
    expect(collectWarnings(queue, [], plan(20, 60))).toEqual([]);
  });
});
