/**
 * run(plan): the controller. It forks one runner per --process of every line, waits until all are
 * ready (t0), starts runner i of a line at t0 + postpone + i × rampup, feeds the stats queue, prints
 * a status line every --summary seconds, stops the runners (at their end, on interrupt, or when one
 * outlives its duration and grace), and returns the summary with the exit code.
 */
import { ExitCode } from '../core/exitcodes.js';
import { openEventOutput } from '../output/EventOutput.js';
import { outputFailureFailsRun, outputWarning } from '../output/outputWarning.js';
import { describeError } from '../core/errors.js';
import type { RunPlan, RunnerSpec } from '../core/plan.js';
import { StatsQueue, type Tick } from '../stats/StatsQueue.js';
import { buildSummary, formatSummary, type RunnerEnd, type Summary } from '../stats/summary.js';
import { writeSummaryJson } from '../stats/writeSummary.js';
import { collectWarnings } from '../stats/warnings.js';
import { RunnerProcess } from './RunnerProcess.js';
import { plural } from '../core/text/plural.js';
import { startMetricsServer, type MetricsServer } from '../metrics/MetricsServer.js';
import { runMetrics } from '../metrics/runMetrics.js';
import { preflightPlan } from './preflight.js';
import { LiveTerminal } from '../progress/LiveTerminal.js';
import { ProgressTracker } from '../progress/ProgressTracker.js';
import { intervalP99 } from '../progress/intervalP99.js';
import { renderProgress } from '../progress/renderProgress.js';
import { startTargets } from './targets.js';
import { evaluateThresholds, formatVerdicts, shown, verdicts } from '../verdict/evaluateThresholds.js';
import { runSource } from '../verdict/runSource.js';
import { evaluateSummary } from '../verdict/sourceFromSummary.js';
import { canOnlyGetWorse } from '../verdict/threshold.js';
import { planSummary } from '../report/planSummary.js';
import { loadAverageNow, machineSummary, pylogenVersion } from '../stats/machine.js';
import { tryReport } from '../report/writeReport.js';
import { MAX_ERROR_TYPES, MAX_NAMES, OTHER } from '../core/bounds.js';

/** Margin between "all runners ready" and the first start instant, so the start messages arrive. */
const START_MARGIN_MS = 50;
/** The stats queue ticks this long after the runners, so their local throughputs have arrived. */
const TICK_AFTER_MS = 20;
/** Loading a CUT and its setup() must be done within this. */
const READY_TIMEOUT_MS = 120_000;
/** Batches a runner may have unacknowledged, and their size. */
const WINDOW = 8;
const BATCH_SIZE = 4096;
/** An event stream whose reader has taken nothing for this long is said on stderr (a stall) ... */
const STALL_SAY_MS = 2000;
/** ... and given up once the run is over (or interrupted) and it has taken nothing for this long. */
const STALL_GIVE_UP_MS = 1000;

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

/** What an observer of a run (src/capacity/) may use: the stats queue, the start, a graceful stop. */
export interface RunControl {
  queue: StatsQueue;
  /** epoch ms at which the first runner starts */
  startAt: number;
  /** stops the runners gracefully: operations in flight end, everything is kept (not an interrupt) */
  stop(): void;
}

export interface RunResult {
  exitCode: ExitCode;
  summary: Summary;
}

export function statusLine(t: Tick, planned: number): string {
  const f = (x: number) => x.toFixed(1);
  return (
    `[${t.elapsedS.toFixed(1).padStart(7)}s] requests ${t.globalCount} ok ${f(t.globalTps)}/s local Σ ${f(t.localTpsSum)}/s ` +
    `runners ${t.activeRunners}/${planned} errors ${t.errors} (${f(t.errorTps)}/s) queue ${t.queueLength} lag ${Math.round(t.lagMs)} ms`
  );
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
  // The throwaway targets first (--endpoint local, softhsm, ...: src/protocols/registry.ts): a bad key
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
  const output = openEventOutput(plan.outformat, plan.out, io.stdout);
  const runners: RunnerProcess[] = [];
  /** slots whose start instant has come (postpone, rampup) */
  const due = new Set<number>();
  /** The one place that says whether a runner is active: running, and its start instant has come. */
  const markActive = (r: RunnerProcess) => queue.setActive(r.spec.slot, r.state === 'running' && due.has(r.spec.slot));
  const queue = new StatsQueue(output, (slot, seq) => runners[slot]?.send({ type: 'ack', seq }), Date.now, plan.summary * 1000);
  metrics?.serve(runMetrics(queue, plan.lines.reduce((n, l) => n + l.options.process, 0)));
  let interrupted = false;
  /** --abort-on-fail: the threshold that stopped the run, and when */
  let abortedBy: string | undefined;
  const watched = plan.abortOnFail ? plan.thresholds.filter(canOnlyGetWorse) : [];
  const timers: NodeJS.Timeout[] = [];
  const startedAt = Date.now();
  const loadAtStart = loadAverageNow();

  if (plan.verbosity > 0) {
    for (const l of plan.lines) {
      const o = l.options;
      say(
        `plan: ${l.line > 0 ? `line ${l.line}: ` : ''}${l.cut} (${l.modulePath}) id ${o.id}, ${o.process} runner(s) × concurrency ${o.concurrency}, ` +
          `${o.schedule !== '' ? `schedule ${o.schedule}` : o.duration > 0 ? `${o.duration} s` : `${o.loops} loops`}, lengths ${o.lengths.join(',')}\n`,
      );
    }
  }

  let slot = 0;
  // --shard I/N: the shard's runner i is the whole run's runner I + N × i of N × process, so that
  // arrival k of the schedule goes to shard k mod N (src/schedule/arrival-plan.ts deals arrivals
  // k mod count to runner index) and runner numbers are unique across shards.
  const shard = plan.shard ?? { index: 0, count: 1 };
  for (const [lineIndex, line] of plan.lines.entries()) {
    for (let i = 0; i < line.options.process; i++) {
      // A target's URL, environment and region (the embedded server's runners sign with its region).
      const target = targets.forLine(line);
      const spec: RunnerSpec = {
        slot,
        index: shard.index + shard.count * i,
        count: shard.count * line.options.process,
        cut: line.cut,
        modulePath: line.modulePath,
        // The embedded server's runners sign with its region, whatever the environment says.
        options: target?.region !== undefined ? { ...line.options, region: target.region } : line.options,
        shipEvents: plan.outformat !== 'none',
        window: WINDOW,
        batchSize: BATCH_SIZE,
        endpoint: target?.endpoint ?? line.options.endpoint,
        verbosity: plan.verbosity,
      };
      queue.addRunner(slot, line.options.id, spec.index, line.cut, lineIndex, plan.shard !== undefined ? `${plan.shard.index}.${slot}:` : undefined);
      runners.push(
        new RunnerProcess(spec, {
          onBatch: (r, b) => {
            queue.onBatch(r.spec.slot, b);
            if (watched.length > 0 && abortedBy === undefined) checkAbort();
            if (plan.verbosity >= 3) {
              say(`trace: batch ${r.spec.options.id}.${r.spec.index} seq ${b.seq}: ${b.eventCount} events, ${b.requests} requests, lag ${Math.round(Date.now() - b.sentAt)} ms, queued ${b.queued}\n`);
            }
          },
          onTick: (r, m) => queue.onTick(r.spec.slot, m.localTps, m.localCount, m.cpu),
          onState: (r) => {
            markActive(r);
            if (r.state === 'failed') say(`pylogen: ${r.failure}\n`);
            else if (plan.verbosity >= 2) say(`${r.label}: ${r.state}\n`);
          },
        }, {
          ...(target?.env !== undefined ? { env: target.env } : {}),
          ...(live !== undefined ? { output: say } : {}),
        }),
      );
      slot++;
    }
  }

  const stopAll = () => {
    for (const r of runners) r.stop();
  };
  const forceAll = () => {
    for (const r of runners) void r.kill(500);
    output?.abandon?.();
  };
  const onAbort = () => {
    interrupted = true;
    say('pylogen: interrupted: stopping the runners (interrupt again to force)\n');
    stopAll();
    // Operations in flight get their grace, then the runners are stopped for good.
    const grace = Math.max(...plan.lines.map((l) => l.options.grace)) * 1000 + 2000;
    timers.push(setTimeout(forceAll, grace));
  };
  /** Counts and the maximum latency only grow: once one of their thresholds is crossed, stop. */
  const checkAbort = () => {
    const crossed = evaluateThresholds(watched, runSource(queue)).find((j) => !j.ok && j.value !== null);
    if (crossed === undefined || interrupted) return;
    abortedBy = crossed.t.text;
    say(`pylogen: threshold ${crossed.t.text} crossed (${shown(crossed)}): stopping the run (--abort-on-fail)\n`);
    stopEarly();
  };
  let stoppedEarly = false;
  /** A graceful stop before the end (--abort-on-fail, a capacity search): the runners get their grace. */
  const stopEarly = () => {
    if (stoppedEarly || interrupted) return;
    stoppedEarly = true;
    stopAll();
    const grace = Math.max(...plan.lines.map((l) => l.options.grace)) * 1000 + 2000;
    timers.push(setTimeout(forceAll, grace));
  };
  io.signal?.addEventListener('abort', onAbort, { once: true });
  io.forceSignal?.addEventListener('abort', forceAll, { once: true });
  /** when the last runner's duration ends (epoch ms): a stalled reader is given up after it */
  let lastEnd = Infinity;
  /** the runners have ended: whatever the reader does, the run ends now */
  let ending = false;
  let stallSaid = false;
  // A reader that stops reading (`| sleep 45`) holds the acknowledgements and so the runners: it
  // is said, and once the run is over it is given up (what it did not take is counted, not written).
  const watchOutput = setInterval(() => {
    const since = queue.drainingSince;
    if (since === undefined || output?.abandon === undefined) return;
    const waited = Date.now() - since;
    if (!stallSaid && waited >= STALL_SAY_MS) {
      stallSaid = true;
      say(`pylogen: the event stream's reader (${plan.out === '' ? 'stdout' : plan.out}) has taken nothing for ${(waited / 1000).toFixed(1)} s: the runners wait for it (backpressure)\n`);
    }
    if ((interrupted || stoppedEarly || ending || Date.now() >= lastEnd) && waited >= STALL_GIVE_UP_MS) output.abandon();
  }, 250);
  // An interrupt while the embedded server was starting: stop before anything runs.
  if (io.signal?.aborted) onAbort();

  const progress = live !== undefined ? new ProgressTracker(plan, queue, intervalP99(queue)) : undefined;
  let lastTick: Tick | undefined;
  let t0 = 0;
  /** --start-at: how late this process's t0 was on it (ready after the instant) */
  let lateMs = 0;
  live?.update([`pylogen: starting ${runners.length} runner${runners.length === 1 ? '' : 's'} (${[...new Set(plan.lines.map((l) => l.cut))].join(', ')}: load, setup)`]);
  try {
    // t0: every runner forked, its CUT loaded and its setup() run.
    const ready = await Promise.allSettled(runners.map((r) => r.ready(READY_TIMEOUT_MS)));
    const notReady = ready.some((r) => r.status === 'rejected');
    if (notReady || interrupted) {
      stopAll();
      for (const r of runners) if (r.state !== 'stopped') void r.kill(1000);
    } else {
      t0 = Date.now() + START_MARGIN_MS;
      if (plan.startAt !== undefined) {
        // --start-at: every shard's t0 is the same wall-clock instant; one ready after it starts at once.
        lateMs = Math.max(0, t0 - plan.startAt);
        t0 = Math.max(t0, plan.startAt);
        if (plan.verbosity > 0 || lateMs > 0) say(`pylogen: ${lateMs > 0 ? `ready ${lateMs} ms after --start-at ${new Date(plan.startAt).toISOString()}: starting at once` : `waiting for --start-at ${new Date(plan.startAt).toISOString()}`}\n`);
      }
      if (plan.verbosity > 0) say(`t0 ${new Date(t0).toISOString()}: ${plural(runners.length, 'runner')} ready
`);
      lastEnd = runners.every((r) => r.spec.options.duration > 0) ? -Infinity : Infinity;
      for (const r of runners) {
        const o = r.spec.options;
        const at = t0 + (o.postpone + r.spec.index * o.rampup) * 1000;
        lastEnd = Math.max(lastEnd, at + o.duration * 1000);
        r.start(at);
        timers.push(setTimeout(() => (due.add(r.spec.slot), markActive(r)), Math.max(0, at - Date.now())));
        if (o.duration > 0) {
          // A runner that outlives its duration and grace (a silent endpoint) is stopped, then killed.
          const deadline = at - Date.now() + (o.duration + o.grace) * 1000 + 1000;
          timers.push(setTimeout(() => r.stop(), deadline));
          timers.push(setTimeout(() => void r.kill(1000), deadline + 3000));
        }
      }
      const firstAt = t0 + Math.min(...runners.map((r) => r.spec.options.postpone + r.spec.index * r.spec.options.rampup)) * 1000;
      io.observe?.({ queue, startAt: firstAt, stop: stopEarly });
      // The global throughput is computed on the same beat as the runners' local ones (which tick
      // from their start): Σ local and global then cover the same intervals.
      timers.push(
        setTimeout(() => {
          queue.startTicks();
          timers.push(
            setInterval(() => {
              // Once every runner has finished, an interval is partial and no runner reports a local
              // throughput: such a tick would show a global rate over a fraction of an interval and
              // "local Σ 0.0/s". The summary follows instead.
              if (queue.activeRunners === 0 && runners.every((r) => r.state === 'stopping' || r.state === 'stopped' || r.state === 'failed')) return;
              const t = queue.tick();
              lastTick = t;
              if (live !== undefined) live.update(renderProgress(progress!.frame(t), live.width));
              else if (plan.quiet !== true) say(statusLine(t, runners.length) + '\n');
            }, plan.summary * 1000),
          );
        }, Math.max(0, t0 - Date.now() + TICK_AFTER_MS)),
      );
    }
    await Promise.all(runners.map((r) => r.exited));
  } finally {
    for (const t of timers) clearTimeout(t);
    ending = true;
    // Each step on its own: a failing one must not skip the others, nor the summary.
    const steps: (() => unknown)[] = [() => queue.drained(), () => output?.close(), () => targets.close(say)];
    for (const step of steps) {
      try {
        await step();
      } catch (err) {
        say(`pylogen: while ending the run: ${describeError(err)}\n`);
      }
    }
    clearInterval(watchOutput);
  }

  io.beforeSummary?.();
  const endedAt = Date.now();
  const ends: RunnerEnd[] = runners.map((r) => {
    const st = queue.runners[r.spec.slot]!;
    return {
      slot: r.spec.slot,
      id: r.spec.options.id,
      index: r.spec.index,
      cut: r.spec.cut,
      pid: r.child.pid,
      state: r.state,
      ...(r.failure !== undefined ? { failure: r.failure } : {}),
      ...(r.tally !== undefined
        ? {
            sentEvents: r.tally.sentEvents,
            startedAt: r.tally.startedAt,
            endedAt: r.tally.endedAt,
            cpu: Math.round(r.tally.cpu * 100) / 100,
            blockedMs: Math.round(r.tally.blockedMs),
            ...(r.tally.arrivals !== undefined ? { arrivals: r.tally.arrivals } : {}),
          }
        : // No tally (killed, crashed): it started if its start instant came before its end.
          r.startAt !== undefined && r.startAt <= (r.endedAt ?? Date.now())
          ? { startedAt: r.startAt, ...(r.endedAt !== undefined ? { endedAt: r.endedAt } : {}) }
          : {}),
      receivedEvents: st.receivedEvents,
    };
  });
  if (live !== undefined && lastTick !== undefined) {
    // The block's last state: every count final, no runner active.
    live.update(
      renderProgress(
        progress!.frame({
          ...lastTick,
          at: endedAt,
          elapsedS: (endedAt - t0) / 1000,
          globalCount: queue.requests,
          errors: queue.requestErrors,
          activeRunners: 0,
          queueLength: queue.queueLength,
        }, true, ends),
        live.width,
      ),
    );
  }
  live?.close();
  const warnings = collectWarnings(queue, ends, plan);
  warnings.unshift(...targets.deaths());
  const outputFailure = output?.failure?.();
  if (outputFailure !== undefined) warnings.push(outputWarning(outputFailure));
  const otherErrors = queue.errorsByType[OTHER];
  if (otherErrors !== undefined) {
    warnings.push(`the errors had more than ${MAX_ERROR_TYPES} distinct types in a runner: ${otherErrors} errors of the later types are counted under "${OTHER}"`);
  }
  if (queue.runners.some((r) => r?.labels.keys.some((k) => k?.request === OTHER))) {
    warnings.push(`the CUT used more than ${MAX_NAMES} distinct request or transaction names in a runner: the later ones are counted under "${OTHER}"`);
  }
  if (abortedBy !== undefined) warnings.push(`the run was stopped early by --abort-on-fail: threshold ${abortedBy} was crossed`);
  if (lateMs > 0) warnings.push(`the runners were ready ${lateMs} ms after --start-at ${new Date(plan.startAt!).toISOString()}: this ${plan.shard !== undefined ? 'shard' : 'run'} started at once, that late`);
  const summary = buildSummary(queue, ends, startedAt, endedAt, interrupted, warnings);
  // A runner that started and ended without its tally (a CUT that called process.exit(), a crash):
  // what it sent last is unknown, and so is what was lost; never `lost 0` (issue 20 §4).
  const incomplete = ends.filter((e) => e.startedAt !== undefined && e.sentEvents === undefined).map((e) => `${e.id}.${e.index}`);
  if (incomplete.length > 0) {
    summary.events.incomplete = incomplete;
    summary.warnings.push(`runner ${incomplete.join(', ')} ended without its final figures: the counts of its last moments may be missing (events lost: unknown)`);
  }
  if (plan.shard !== undefined || plan.startAt !== undefined) {
    summary.shard = {
      ...(plan.shard ?? { index: 0, count: 1, run: '' }),
      startAt: plan.startAt !== undefined ? new Date(plan.startAt).toISOString() : null,
      t0: t0 > 0 ? new Date(t0).toISOString() : null,
      lateMs,
      clockOffsetMs: null,
    };
  }
  // Judged over the summary itself (its rows carry encoded histograms): what a merge of shards'
  // summaries or a report would judge, the same way.
  const judged = evaluateSummary(plan.thresholds, summary);
  if (judged.length > 0) summary.thresholds = verdicts(judged);
  if (abortedBy !== undefined) summary.abortedBy = abortedBy;
  summary.plan = planSummary(plan);
  summary.pylogen = { version: pylogenVersion() };
  summary.machine = machineSummary(loadAtStart);
  say(formatSummary(summary));
  if (judged.length > 0) say(formatVerdicts(judged));
  // Each output on its own: a summary that cannot be written (a full disk) is one line, and the
  // report is still written.
  let summaryFailed = false;
  if (plan.summaryJson !== '') {
    try {
      writeSummaryJson(plan.summaryJson, summary, io.stdout);
    } catch (err) {
      summaryFailed = true;
      say(`pylogen: --summary-json ${plan.summaryJson}: the summary could not be written (${describeError(err)})\n`);
    }
  }
  const reportFailed = plan.report !== undefined && plan.report !== '' && !tryReport(plan.report, summary, say);
  if (metrics !== undefined && !io.forceSignal?.aborted) {
    // The final values stay up for a last scrape (a second interrupt ends the wait).
    await waitOrAbort(Math.max(...plan.lines.map((l) => l.options.grace)) * 1000, io.forceSignal, io.signal?.aborted === true ? undefined : io.signal);
  }
  io.signal?.removeEventListener('abort', onAbort);
  io.forceSignal?.removeEventListener('abort', forceAll);
  const exitCode = interrupted
    ? ExitCode.interrupted
    : summary.runners.failed > 0 || summary.events.lost !== 0 || judged.some((j) => !j.ok) || outputFailureFailsRun(outputFailure) || reportFailed || summaryFailed
      ? ExitCode.runFailed
      : ExitCode.ok;
  return { exitCode, summary };
}

/** Waits ms, or until one of the signals is aborted (an interrupt ends the last wait at once). */
function waitOrAbort(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const s of signals) s?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of signals) s?.addEventListener('abort', done, { once: true });
  });
}
