/**
 * The warnings of a run (README "When things go wrong"): the stats queue could not keep up, a runner's CPU was
 * saturated (its results are biased), local and global throughputs disagree, a runner failed,
 * events were lost.
 */
import { availableParallelism } from 'node:os';
import type { RunPlan } from '../core/plan.js';
import { LINE_DEFAULTS } from '../core/plan.js';
import { plural } from '../core/text/plural.js';
import type { StatsQueue } from './StatsQueue.js';
import type { RunnerEnd } from './summary.js';

/** A runner busier than this share of one CPU measures itself as much as its target. */
export const CPU_SATURATED = 0.9;
/** Local and global throughputs disagree when they differ by more than this share... */
export const TPS_DISAGREEMENT = 0.2;
/** ...in more than this share of the comparable ticks. */
export const TPS_DISAGREEMENT_TICKS = 0.25;
/** Runners that waited for the stats queue more than this share of their run time were slowed. */
export const BLOCKED_SHARE = 0.01;

/**
 * The warnings of a run. `cores` is the machine's (a parameter so the advice can be tested for any
 * machine): adding processes only helps while the runners do not already use every core.
 */
export function collectWarnings(q: StatsQueue, runners: RunnerEnd[], plan: RunPlan, cores = availableParallelism()): string[] {
  const w: string[] = [];
  for (const r of runners) if (r.failure !== undefined) w.push(r.failure);
  const lost = runners.reduce((s, r) => s + (r.sentEvents ?? r.receivedEvents) - r.receivedEvents, 0);
  if (lost !== 0) w.push(`${lost} events were sent by runners but not received by the stats queue`);
  // Counts ship with every batch, latencies at most every 250 ms: a runner killed mid-run leaves some counted without theirs.
  let untimed = 0;
  for (const a of q.aggs.values()) if (a.nature === 'req') untimed += a.count - a.ok.timed - a.failed.timed;
  if (untimed > 0) {
    const theirs = untimed > 1 ? 'their latencies' : 'its latency';
    w.push(`${plural(untimed, 'request')} counted without ${theirs} (a runner ended before sending them): the latency figures are of the others`);
  }

  const blocked = runners.reduce((s, r) => s + (r.blockedMs ?? 0), 0);
  const ran = runners.reduce((s, r) => s + (r.endedAt !== undefined && r.startedAt !== undefined ? r.endedAt - r.startedAt : 0), 0);
  if (blocked > BLOCKED_SHARE * ran && blocked >= 50) {
    w.push(
      `the stats queue could not keep up: runners waited ${(blocked / 1000).toFixed(2)} s in all for it (backpressure, ` +
        `queue lag up to ${Math.round(q.lagMsHwm)} ms); the measured throughput is capped by the injector's output ` +
        `(${outputAdvice(plan)})`,
    );
  } else if (q.lagMsHwm > 1000) {
    w.push(`the stats queue lagged up to ${Math.round(q.lagMsHwm)} ms behind the runners: global throughputs are late`);
  }

  const hot = runners.filter((r) => (r.cpu ?? 0) >= CPU_SATURATED);
  if (hot.length > 0) {
    w.push(
      `runner CPU saturated (${hot.map((r) => `${r.id}.${r.index} ${Math.round((r.cpu ?? 0) * 100)}%`).join(', ')}): ` +
        `its latencies include its own queueing and its throughput is capped by the injector: results biased, ` +
        (runners.length < cores
          ? `add processes (--process; ${plural(runners.length, 'runner')} on ${cores} cores)`
          : `and its ${runners.length} runners already use the ${cores} cores of this machine: more processes would not help, add cores or machines`),
    );
  }

  // Arrivals are dropped when --max-inflight's slots are busy and --queue is full, and also when the
  // run stops (a failed capacity step, --abort-on-fail, an interrupt) or --grace ends while a runner
  // is behind the schedule: arrivals already due then never start. Without --max-inflight only the
  // latter can happen, and the message must not blame a queue that does not exist.
  const bounded = new Set(plan.lines.filter((l) => l.options.maxInflight > 0).map((l) => l.options.id));
  for (const limited of [true, false]) {
    const rs = runners.filter((r) => bounded.has(r.id) === limited);
    const dropped = rs.reduce((n, r) => n + (r.arrivals?.dropped ?? 0), 0);
    if (dropped === 0) continue;
    const planned = rs.reduce((n, r) => n + (r.arrivals?.planned ?? 0), 0);
    w.push(
      limited
        ? `${dropped} of ${planned} scheduled arrivals were dropped: every --max-inflight slot was busy and the --queue ` +
            `was full, so the target did not keep up with the schedule (their wait is in latencyMs, not in serviceMs)`
        : `${dropped} of ${planned} scheduled arrivals were due but never started: the run was stopped (a failed capacity ` +
            `step, --abort-on-fail, an interrupt) or its --grace ended while the runners were behind the schedule`,
    );
  }

  // `--timeout 1000` meant as milliseconds is 1,000 s: a timeout past both the run's
  // own length and the default can only hold a silent endpoint's requests to the end of --grace.
  for (const l of plan.lines) {
    const o = l.options;
    const length = o.postpone + o.rampup + o.duration;
    if (o.duration > 0 && o.schedule === '' && o.timeout > Math.max(length, LINE_DEFAULTS.timeout)) {
      w.push(
        `--timeout ${o.timeout} (seconds) of ${o.id} is longer than the run itself (${length} s): a request to a silent endpoint was never timed out (--timeout is in seconds, not milliseconds)`,
      );
    }
  }

  // Ticks where the set of active runners did not change can compare Σ local with global.
  const ticks = q.ticks;
  let comparable = 0;
  let disagree = 0;
  for (let i = 2; i < ticks.length - 1; i++) {
    const t = ticks[i]!;
    const prev = ticks[i - 1]!;
    if (t.activeRunners === 0 || t.activeRunners !== prev.activeRunners) continue;
    const big = Math.max(t.globalTps, t.localTpsSum);
    if (big < 5) continue;
    comparable++;
    if (Math.abs(t.globalTps - t.localTpsSum) / big > TPS_DISAGREEMENT) disagree++;
  }
  if (comparable > 0 && disagree / comparable > TPS_DISAGREEMENT_TICKS) {
    w.push(
      `the sum of local throughputs and the global throughput disagreed by more than ${TPS_DISAGREEMENT * 100}% in ` +
        `${disagree} of ${comparable} summaries: the stats queue was late (see queue lag) or runners were starved`,
    );
  }
  return w;
}

/** What to do when the injector's own output slowed the runners: what this run does not do yet. */
function outputAdvice(plan: RunPlan): string {
  if (plan.outformat === 'none') return 'no event stream is written: the stats queue itself is the bottleneck, use fewer runners per machine';
  if (plan.out === '') return 'write to a file with --out, or use --outformat none';
  return '--out already writes to a file: use --outformat none (the summary keeps every figure), or a faster disk';
}
