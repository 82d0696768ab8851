/**
 * The capacity search (`pylogen capacity`): one run whose load rises step by step on the same
 * runners (an open-model schedule of one segment per rate, or closed-model workers that join step by
 * step), each step judged on its own by the thresholds, over the interval histograms the stats queue
 * collects for it after its settling time; the run is stopped gracefully at the first step that
 * fails. Then, with --refine, a binary search between the last rate that held and the first that
 * failed, one short run per probe. Nobody finds the breaking point for you in k6 or Artillery; the
 * closed-model knee is what p11perftest and Cosmian's KMS bench report.
 */
import { ExitCode } from '../core/exitcodes.js';
import { run, type RunControl, type RunIO, type RunResult } from '../controller/run.js';
import type { RunPlan } from '../core/plan.js';
import type { IntervalStats } from '../stats/IntervalStats.js';
import type { Summary } from '../stats/summary.js';
import { writeSummaryJson } from '../stats/writeSummary.js';
import type { CapacityPlan } from './capacityPlan.js';
import { tryReport } from '../report/writeReport.js';
import { capacityResult, formatCapacity, judgeStep, stepLine, type CapacityResult, type CapacityStep } from './capacitySteps.js';

/** A step is judged this long after its end: the runners' last batches of it (histograms every 250 ms) have arrived. */
export const JUDGE_AFTER_MS = 400;
/** --refine stops when the bracket is this share of the ladder's step (at least 1 operation/s). */
export const REFINE_RESOLUTION = 0.1;

export interface CapacityOutcome {
  exitCode: ExitCode;
  summary: Summary;
  capacity: CapacityResult;
}

interface StepsRun {
  result: RunResult;
  steps: CapacityStep[];
  failed: boolean;
}

/**
 * Runs `plan` whose steps are `levels`, judging each step from `first` on as it ends (the steps
 * before warm up); stops at the first that fails.
 */
async function runSteps(
  cp: CapacityPlan,
  plan: RunPlan,
  levels: readonly number[],
  io: RunIO,
  onStep: (s: CapacityStep) => void,
  first = 0,
): Promise<StepsRun> {
  const stepMs = cp.stepSeconds * 1000;
  const settleMs = cp.settleSeconds * 1000;
  const windows: IntervalStats[] = [];
  const judged: CapacityStep[] = [];
  const timers: NodeJS.Timeout[] = [];
  let ctl: RunControl | undefined;
  let failed = false;
  let over = false;
  let interruptedAt = Infinity;
  io.signal?.addEventListener('abort', () => (interruptedAt = Date.now()), { once: true });

  const judge = (i: number) => {
    const w = windows[i];
    if (w === undefined || judged[i] !== undefined || failed || ctl === undefined) return;
    ctl.queue.closeInterval(w);
    const step = judgeStep(cp.mode, levels[i]!, [...w.aggs.values()], w.errorsByType, (w.to - w.from) / 1000, cp.thresholds);
    judged[i] = step;
    onStep(step);
    if (!step.ok) {
      failed = true;
      for (const t of timers) clearTimeout(t);
      if (!over) ctl.stop();
    }
  };
  const observe = (c: RunControl) => {
    ctl = c;
    levels.forEach((_, i) => {
      if (i < first) return;
      const begin = c.startAt + i * stepMs;
      const to = begin + stepMs;
      // Attached now, not when the step begins: a window takes the batches sent within it (their
      // sentAt), and one attached by a timer that fires late, on a busy main process, missed the
      // batches that arrived before it (4 workers judged at 96/s, as if one were running).
      windows[i] = c.queue.openInterval(begin + settleMs, to);
      timers.push(setTimeout(() => judge(i), Math.max(0, to + JUDGE_AFTER_MS - Date.now())));
    });
  };
  // The last step ends with the run, often before its judgment was due: once the runners have
  // ended, judge the steps that were complete before the run ended (or was interrupted).
  const beforeSummary = () => {
    over = true;
    for (const t of timers) clearTimeout(t);
    const end = Math.min(interruptedAt, Date.now());
    for (let i = 0; i < levels.length; i++) if (windows[i] !== undefined && windows[i]!.to <= end) judge(i);
    for (const w of windows) if (w !== undefined) ctl?.queue.closeInterval(w);
  };
  const result = await run(plan, { ...io, observe, beforeSummary });
  return { result, steps: judged.filter((s) => s !== undefined), failed };
}

export async function runCapacity(cp: CapacityPlan, io: RunIO = {}): Promise<CapacityOutcome> {
  const say = io.stderr ?? ((s: string) => void process.stderr.write(s));
  const interrupted = () => io.signal?.aborted === true;
  const steps: CapacityStep[] = [];
  const onStep = (s: CapacityStep) => {
    steps.push(s);
    say(stepLine(s) + '\n');
  };
  say(
    `capacity: ${cp.mode === 'rate' ? `rates ${cp.levels.join(', ')}/s` : `concurrency ${cp.levels.join(', ')}`}, ${cp.stepSeconds} s each ` +
      `(the first ${cp.settleSeconds} s of each settles, the rest is judged), stopping at the first step that fails\n`,
  );
  const ladder = await runSteps(cp, cp.plan, cp.levels, io, onStep);
  let end: CapacityResult['end'] = interrupted() ? 'interrupted' : ladder.failed ? 'failed' : 'max';

  if (cp.refine && end === 'failed') {
    let lo = capacityResult(cp.mode, cp.stepSeconds, cp.settleSeconds, steps, end).maxRate;
    let hi = steps.find((s) => !s.ok)!.rate!;
    if (lo === null) say('capacity: --refine: no rate held, so there is nothing to refine between\n');
    else {
      const resolution = Math.max(1, (cp.levels.length > 1 ? cp.levels[1]! - cp.levels[0]! : hi - lo) * REFINE_RESOLUTION);
      while (hi - lo > resolution && !interrupted()) {
        const mid = Math.round((lo + hi) / 2);
        if (mid <= lo || mid >= hi) break;
        // A probe is a fresh run: a first step at the last rate that held warms the runners, the
        // connections and the target up, as the ladder's previous step did; only the second is judged.
        const plan = await cp.probe([lo, mid]);
        const probe = await runSteps(cp, plan, [lo, mid], { ...io, stderr: () => undefined }, (s) => onStep({ ...s, refine: true }), 1);
        if (probe.result.exitCode !== ExitCode.ok && !interrupted())
          say(`capacity: the probe at ${mid}/s did not complete: ${probe.result.summary.warnings.join('; ')}\n`);
        const s = probe.steps[0];
        if (s === undefined) {
          if (!interrupted()) say(`capacity: the probe at ${mid}/s ended before its step could be judged: the refinement stops here\n`);
          break;
        }
        if (s.ok) lo = mid;
        else hi = mid;
      }
      if (interrupted()) end = 'interrupted';
    }
  }

  const capacity = capacityResult(cp.mode, cp.stepSeconds, cp.settleSeconds, steps, end);
  say(formatCapacity(capacity));
  const ran = ladder.result.summary;
  // the ladder's own plan has no thresholds (the steps are judged): the report shows the search's
  const plan = ran.plan === undefined ? undefined : { ...ran.plan, thresholds: cp.thresholds.map((t) => t.text) };
  const summary: Summary & { capacity?: CapacityResult } = { ...ran, ...(plan !== undefined ? { plan } : {}), capacity };
  if (cp.summaryJson !== '') writeSummaryJson(cp.summaryJson, summary, process.stdout, say);
  const reportFailed = cp.report !== '' && !tryReport(cp.report, summary, say);
  const held = capacity.steps.some((s) => s.ok);
  const exitCode =
    end === 'interrupted'
      ? ExitCode.interrupted
      : ladder.result.exitCode !== ExitCode.ok
        ? ladder.result.exitCode
        : reportFailed
          ? ExitCode.runFailed
          : held || (cp.mode === 'concurrency' && cp.thresholds.length === 0)
            ? ExitCode.ok
            : ExitCode.runFailed;
  return { exitCode, summary, capacity };
}
