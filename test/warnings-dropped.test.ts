/**
 * The warning for dropped open-model arrivals names the cause that can apply: --max-inflight and
 * --queue full on a line that has them; a stop (capacity, --abort-on-fail, an interrupt) or the end
 * of --grace on a line without them (a capacity run's failed step left arrivals due, and the warning
 * blamed a --queue that did not exist).
 */
import { describe, expect, it } from 'vitest';
import { LINE_DEFAULTS } from '../src/config/options.js';
import type { CutLine, RunPlan } from '../src/core/plan.js';
import type { StatsQueue } from '../src/stats/StatsQueue.js';
import type { RunnerEnd } from '../src/stats/summary.js';
import { collectWarnings } from '../src/stats/warnings.js';

const queue = { lagMsHwm: 0, ticks: [], aggs: new Map() } as unknown as StatsQueue;
const line = (id: string, maxInflight: number): CutLine => ({
  cut: 'Dummy',
  modulePath: '/x/Dummy.js',
  line: 0,
  options: { ...LINE_DEFAULTS, id, maxInflight, schedule: '5@100' },
});
const runner = (id: string, dropped: number): RunnerEnd => ({
  slot: 0,
  id,
  index: 0,
  cut: 'Dummy',
  pid: 1,
  state: 'stopped',
  receivedEvents: 10,
  arrivals: { planned: 500, started: 500 - dropped, dropped },
});
const plan = (lines: CutLine[]): RunPlan => ({ lines }) as unknown as RunPlan;

describe('dropped arrivals warning', () => {
  it('without --max-inflight: due but never started because the run stopped, no queue blamed', () => {
    const w = collectWarnings(queue, [runner('run', 68)], plan([line('run', 0)]));
    expect(w).toEqual([
      '68 of 500 scheduled arrivals were due but never started: the run was stopped (a failed capacity step, --abort-on-fail, an interrupt) or its --grace ended while the runners were behind the schedule',
    ]);
  });

  it('with --max-inflight: the slots were busy and the queue full', () => {
    const w = collectWarnings(queue, [runner('a', 7)], plan([line('a', 4)]));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^7 of 500 scheduled arrivals were dropped: every --max-inflight slot was busy and the --queue was full/);
  });

  it('one line of each: each line counted under its own cause', () => {
    const w = collectWarnings(queue, [runner('a', 7), runner('b', 3)], plan([line('a', 4), line('b', 0)]));
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/^7 of 500 scheduled arrivals were dropped: every --max-inflight slot was busy/);
    expect(w[1]).toMatch(/^3 of 500 scheduled arrivals were due but never started: the run was stopped/);
  });
});
