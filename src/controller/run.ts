/**
 * run(plan): the controller, in stages (docs/internals.md "How a run flows"): the throwaway targets and
 * the preflight (targets.ts, preflight.ts); the fork (forkRunners.ts); the start at t0 (startRunners.ts);
 * stop and signals (stopRunners.ts); the finish: the summary and the exit code (finishRun.ts). Progress,
 * Prometheus, the summary JSON and the report are observers of the run's events, listed in observers.ts.
 */
import { describeError } from '../core/errors.js';
import type { RunPlan } from '../core/plan.js';
import { startMetricsServer, type MetricsServer } from '../metrics/MetricsServer.js';
import { openEventOutput } from '../output/EventOutput.js';
import { LiveTerminal } from '../progress/LiveTerminal.js';
import { loadAverageNow } from '../stats/machine.js';
import { RunEvents } from '../stats/runObserver.js';
import { StatsQueue } from '../stats/StatsQueue.js';
import { finishRun, type RunResult } from './finishRun.js';
import { forkRunners } from './forkRunners.js';
import { runObservers } from './observers.js';
import { preflightPlan } from './preflight.js';
import type { RunnerProcess } from './RunnerProcess.js';
import { RunStart, type RunControl } from './startRunners.js';
import { maxGraceMs, RunStop } from './stopRunners.js';
import { startTargets } from './targets.js';

export type { RunControl } from './startRunners.js';
export type { RunResult } from './finishRun.js';

export interface RunIO {
  stdout?: NodeJS.WritableStream & import('node:stream').Writable;
  stderr?: (text: string) => void;
  /** aborted once: graceful stop; the controller forces on a second abort via forceSignal */
  signal?: AbortSignal;
  forceSignal?: AbortSignal;
  /** called once every runner has its start instant (a capacity search judges its steps from there) */
  observe?: (ctl: RunControl) => void;
  /** called once the runners have ended, before the summary is built and printed */
  beforeSummary?: () => void;
}

export async function run(plan: RunPlan, io: RunIO = {}): Promise<RunResult> {
  // On a terminal, one progress block redrawn in place; piped, the periodic status lines.
  // --quiet: neither, only the final summary.
  const live = io.stderr === undefined && process.stderr.isTTY === true && plan.quiet !== true ? new LiveTerminal(process.stderr) : undefined;
  const say = io.stderr ?? (live !== undefined ? (s: string) => live.print(s) : (s: string) => void process.stderr.write(s));
  // The metrics endpoint first: a port in use is a usage error, before anything is started.
  let metrics: MetricsServer | undefined;
  if (plan.metricsPort >= 0) {
    metrics = await startMetricsServer(plan.metricsHost, plan.metricsPort);
    if (plan.quiet !== true) say(`metrics: ${metrics.url}\n`);
  }
  try {
    return await runWith(plan, io, say, metrics, live);
  } finally {
    live?.close();
    await metrics?.close();
  }
}

async function runWith(
  plan: RunPlan,
  io: RunIO,
  say: (s: string) => void,
  metrics: MetricsServer | undefined,
  live: LiveTerminal | undefined,
): Promise<RunResult> {
  // The throwaway targets first (--endpoint local, softhsm, ...: the installed protocols' targets): a bad key
  // file is a usage error, before anything is written to stdout.
  const targets = await startTargets(plan, say, process.cwd(), io.signal);
  // Every line of a protocol with a preflight makes one real call before anything is written or forked.
  if (plan.preflight !== false) {
    try {
      await preflightPlan(plan, targets, say);
    } catch (err) {
      await targets.close();
      throw err;
    }
  }
  const output = openEventOutput(plan.outformat, plan.out, io.stdout, say);
  const runners: RunnerProcess[] = [];
  const queue = new StatsQueue(output, (slot, seq) => runners[slot]?.send({ type: 'ack', seq }), Date.now, plan.summary * 1000);
  const events = new RunEvents(runObservers(plan, { ...io, say, live, metrics }));
  const stop = new RunStop(plan, runners, queue, output, say);
  const start = new RunStart(plan, runners, queue, stop, events, say);
  const startedAt = Date.now();
  const loadAtStart = loadAverageNow();

  await forkRunners(plan, targets, queue, runners, {
    say,
    afterBatch: () => stop.checkAbort(),
    onState: start.markActive,
    output: live !== undefined ? say : undefined,
  });
  stop.listen(io.signal, io.forceSignal);
  events.begin({ plan, queue, runners: runners.length, graceMs: maxGraceMs(plan), say });
  try {
    await start.start(io.observe);
    await Promise.all(runners.map((r) => r.exited));
  } finally {
    stop.end();
    // Each step on its own: a failing one must not skip the others, nor the summary.
    const steps: (() => unknown)[] = [() => queue.drained(), () => output?.close(), () => targets.close(say)];
    for (const step of steps) {
      try {
        await step();
      } catch (err) {
        say(`pylogen: while ending the run: ${describeError(err)}\n`);
      }
    }
    stop.close();
  }

  io.beforeSummary?.();
  const result = await finishRun({ plan, queue, runners, output, targets, start, stop, events, startedAt, loadAtStart, say }, Date.now());
  stop.unlisten(io.signal, io.forceSignal);
  return result;
}
