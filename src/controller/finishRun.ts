/**
 * The finish stage: once the runners have ended and the queue is drained, the summary (what each runner
 * did, the warnings, the verdicts of the thresholds, the plan, the machine), printed, then handed to the
 * observers that write it out, and the exit code (docs/reference.md "Exit codes").
 */
import { MAX_ERROR_TYPES, MAX_NAMES, OTHER } from '../core/bounds.js';
import { ExitCode } from '../core/exitcodes.js';
import type { RunPlan } from '../core/plan.js';
import type { EventOutput, OutputFailure } from '../output/EventOutput.js';
import { outputFailureFailsRun, outputWarning } from '../output/outputWarning.js';
import { planSummary } from '../report/planSummary.js';
import { machineSummary, pylogenVersion } from '../stats/machine.js';
import type { RunEvents } from '../stats/runObserver.js';
import type { StatsQueue } from '../stats/StatsQueue.js';
import { buildSummary, formatSummary, type RunnerEnd, type Summary } from '../stats/summary.js';
import { collectWarnings } from '../stats/warnings.js';
import { formatVerdicts, verdicts } from '../verdict/evaluateThresholds.js';
import { evaluateSummary } from '../verdict/sourceFromSummary.js';
import type { RunnerProcess } from './RunnerProcess.js';
import type { RunStart } from './startRunners.js';
import type { RunStop } from './stopRunners.js';
import type { RunTargets } from './targets.js';

export interface RunResult {
  exitCode: ExitCode;
  summary: Summary;
}

/** What the finish stage reads of the run. */
export interface EndedRun {
  plan: RunPlan;
  queue: StatsQueue;
  runners: readonly RunnerProcess[];
  output: EventOutput | undefined;
  targets: RunTargets;
  start: RunStart;
  stop: RunStop;
  events: RunEvents;
  /** epoch ms the run started at, and the load average then */
  startedAt: number;
  loadAtStart: number[];
  say: (s: string) => void;
}

/** What each runner did, as the summary's byRunner says it. */
export function runnerEnds(runners: readonly RunnerProcess[], queue: StatsQueue): RunnerEnd[] {
  return runners.map((r) => {
    const st = queue.runners[r.spec.slot]!;
    return {
      slot: r.spec.slot,
      id: r.spec.options.id,
      index: r.spec.index,
      cut: r.spec.cut,
      pid: r.child.pid,
      state: r.state,
      ...(r.failure !== undefined ? { failure: r.failure } : {}),
      ...(r.done !== undefined
        ? {
            sentEvents: r.done.sentEvents,
            startedAt: r.done.startedAt,
            endedAt: r.done.endedAt,
            cpu: Math.round(r.done.cpu * 100) / 100,
            blockedMs: Math.round(r.done.blockedMs),
            ...(r.done.retries !== undefined ? { retries: r.done.retries } : {}),
            ...(r.done.arrivals !== undefined ? { arrivals: r.done.arrivals } : {}),
          }
        : // No done message (killed, crashed): it started if its start instant came before its end.
          r.startAt !== undefined && r.startAt <= (r.endedAt ?? Date.now())
          ? { startedAt: r.startAt, ...(r.endedAt !== undefined ? { endedAt: r.endedAt } : {}) }
          : {}),
      receivedEvents: st.receivedEvents,
    };
  });
}

/** The warnings of a run: the targets' deaths first, then what the figures show, then how the run went. */
function runWarnings(run: EndedRun, ends: RunnerEnd[], outputFailure: OutputFailure | undefined): string[] {
  const { plan, queue, stop } = run;
  const warnings = collectWarnings(queue, ends, plan);
  warnings.unshift(...run.targets.deaths());
  if (outputFailure !== undefined) warnings.push(outputWarning(outputFailure));
  const otherErrors = queue.errorsByType[OTHER];
  if (otherErrors !== undefined) {
    warnings.push(
      `the errors had more than ${MAX_ERROR_TYPES} distinct types in a runner: ${otherErrors} errors of the later types are counted under "${OTHER}"`,
    );
  }
  if (queue.runners.some((r) => r?.labels.keys.some((k) => k?.request === OTHER))) {
    warnings.push(`the CUT used more than ${MAX_NAMES} distinct request or transaction names in a runner: the later ones are counted under "${OTHER}"`);
  }
  if (stop.abortedBy !== undefined) warnings.push(`the run was stopped early by --abort-on-fail: threshold ${stop.abortedBy} was crossed`);
  if (run.start.lateMs > 0) {
    const at = new Date(plan.startAt!).toISOString();
    const what = plan.shard !== undefined ? 'shard' : 'run';
    warnings.push(`the runners were ready ${run.start.lateMs} ms after --start-at ${at}: this ${what} started at once, that late`);
  }
  return warnings;
}

export async function finishRun(run: EndedRun, endedAt: number): Promise<RunResult> {
  const { plan, queue, stop, start, say } = run;
  const ends = runnerEnds(run.runners, queue);
  run.events.stopped(endedAt, start.t0, ends);
  const outputFailure = run.output?.failure?.();
  const summary = buildSummary(queue, ends, run.startedAt, endedAt, stop.interrupted, runWarnings(run, ends, outputFailure));
  // A runner that started and ended without its done message (a CUT that called process.exit(), a crash):
  // what it sent last is unknown, and so is what was lost; never `lost 0` (docs/reference.md "Summary JSON").
  const incomplete = ends.filter((e) => e.startedAt !== undefined && e.sentEvents === undefined).map((e) => `${e.id}.${e.index}`);
  if (incomplete.length > 0) {
    summary.events.incomplete = incomplete;
    summary.warnings.push(
      `runner ${incomplete.join(', ')} ended without its final figures: the counts of its last moments may be missing (events lost: unknown)`,
    );
  }
  if (plan.shard !== undefined || plan.startAt !== undefined) {
    summary.shard = {
      ...(plan.shard ?? { index: 0, count: 1, run: '' }),
      startAt: plan.startAt !== undefined ? new Date(plan.startAt).toISOString() : null,
      t0: start.t0 > 0 ? new Date(start.t0).toISOString() : null,
      lateMs: start.lateMs,
      clockOffsetMs: null,
    };
  }
  // Judged over the summary itself (its rows carry encoded histograms): what a merge of shards'
  // summaries or a report would judge, the same way.
  const judged = evaluateSummary(plan.thresholds, summary);
  if (judged.length > 0) summary.thresholds = verdicts(judged);
  if (stop.abortedBy !== undefined) summary.abortedBy = stop.abortedBy;
  summary.plan = planSummary(plan);
  summary.pylogen = { version: pylogenVersion() };
  summary.machine = machineSummary(run.loadAtStart);
  say(formatSummary(summary));
  if (judged.length > 0) say(formatVerdicts(judged));
  // Each output on its own: a summary that cannot be written (a full disk) is one line, and the
  // report is still written.
  const written = await run.events.end(summary);
  const failed = summary.runners.failed > 0 || summary.events.lost !== 0 || judged.some((j) => !j.ok) || outputFailureFailsRun(outputFailure) || !written;
  const exitCode = stop.interrupted ? ExitCode.interrupted : failed ? ExitCode.runFailed : ExitCode.ok;
  return { exitCode, summary };
}
