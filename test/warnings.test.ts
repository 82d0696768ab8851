import { describe, expect, it } from 'vitest';
import type { RunPlan } from '../src/core/plan.js';
import type { StatsQueue } from '../src/stats/StatsQueue.js';
import type { RunnerEnd } from '../src/stats/summary.js';
import { collectWarnings } from '../src/stats/warnings.js';

// collectWarnings reads only these of the stats queue and the plan
const queue = { lagMsHwm: 300, ticks: [], aggs: new Map() } as unknown as StatsQueue;
const plan = (over: Partial<RunPlan>): RunPlan => ({ out: '', outformat: 'csv', lines: [], ...over }) as RunPlan;
const runner = (index: number, over: Partial<RunnerEnd> = {}): RunnerEnd => ({
  slot: index,
  id: 'run',
  index,
  cut: 'Dummy',
  pid: 1,
  state: 'stopped',
  receivedEvents: 10,
  sentEvents: 10,
  startedAt: 0,
  endedAt: 10_000,
  cpu: 0.5,
  blockedMs: 0,
  ...over,
});

describe('warnings fit the machine and the run', () => {
  it('CPU saturated: "add processes" while runners < cores; "add cores or machines" once they use every core', () => {
    const few = collectWarnings(queue, [runner(0, { cpu: 0.97 })], plan({}), 4).find((w) => w.includes('CPU saturated'))!;
    expect(few).toMatch(/add processes \(--process; 1 runner on 4 cores\)/);
    const all = collectWarnings(queue, [runner(0, { cpu: 0.97 }), runner(1, { cpu: 0.95 })], plan({}), 2).find((w) => w.includes('CPU saturated'))!;
    expect(all).toMatch(/already use the 2 cores of this machine/);
    expect(all).toMatch(/add cores or machines/);
    expect(all).not.toMatch(/add processes/);
  });

  it('backpressure advice: --out only when the stream goes to stdout', () => {
    const blocked = [runner(0, { blockedMs: 2000 })];
    const toStdout = collectWarnings(queue, blocked, plan({}), 8).find((w) => w.includes('could not keep up'))!;
    expect(toStdout).toMatch(/write to a file with --out/);
    const toFile = collectWarnings(queue, blocked, plan({ out: '/tmp/run.csv' }), 8).find((w) => w.includes('could not keep up'))!;
    expect(toFile).not.toMatch(/with --out/);
    expect(toFile).toMatch(/--outformat none/);
    const none = collectWarnings(queue, blocked, plan({ out: '', outformat: 'none' }), 8).find((w) => w.includes('could not keep up'))!;
    expect(none).not.toMatch(/--out|--outformat none/);
    expect(none).toMatch(/no event stream is written/);
  });
});
