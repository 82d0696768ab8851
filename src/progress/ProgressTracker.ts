/**
 * What the live progress block shows, computed on each --summary tick from the stats queue: per
 * line (an --id: a command line, or a scenario line) its requests, throughput of the last interval
 * (ok requests: failed ones are the error rate beside it), errors, active runners and how far it is (seconds or loops), and the same for the whole run. It
 * reads the aggregates the stats queue keeps anyway: no work per event.
 */
import type { RunPlan } from '../core/plan.js';
import type { StatsQueue, Tick } from '../stats/StatsQueue.js';
import { activeSeconds, type RunnerEnd } from '../stats/summary.js';

export interface LineProgress {
  id: string;
  cut: string;
  /** requests so far, errors among them */
  count: number;
  errors: number;
  /**
   * ok requests per second over the last interval; in the final frame over the line's active time
   * (its first runner's start to its last runner's end), the summary table's `tput/s`
   */
  tps: number;
  /** failed requests per second, the same way */
  errorTps: number;
  /** p99 latency of the last interval's requests, ms; null when unknown */
  p99: number | null;
  active: number;
  runners: number;
  /** time-shaped lines: seconds planned from t0 to the line's last runner's end */
  plannedS?: number;
  /** loop-shaped lines: loops done over its runners, and planned */
  loops?: { done: number; planned: number };
}

export interface ProgressFrame {
  /** the run has ended: throughputs are over the active times, as in the summary */
  final: boolean;
  elapsedS: number;
  /** the run's progress 0..1, and the seconds it still needs (null: unknown yet) */
  fraction: number;
  etaS: number | null;
  /** what the fraction counts: seconds of a timed run, or loops */
  unit: 'time' | 'loops';
  plannedS: number;
  loops: { done: number; planned: number };
  total: Omit<LineProgress, 'id' | 'cut' | 'plannedS' | 'loops'> & { queue: number; lagMs: number };
  lines: LineProgress[];
}

interface LinePlan {
  id: string;
  cut: string;
  runners: number;
  /** seconds from t0 to its last runner's end; 0 for a loop-shaped line */
  plannedS: number;
  loops: number;
  lengths: number;
}

/** The last interval's p99 per line id and over all lines, ms; `wholeRun`: of the whole run instead. */
export type IntervalP99 = (wholeRun?: boolean) => { byLine: Map<string, number | null>; total: number | null };

export class ProgressTracker {
  private readonly lines: LinePlan[];
  private readonly last = new Map<string, { count: number; errors: number }>();
  private lastAt = 0;

  constructor(
    plan: RunPlan,
    private readonly queue: StatsQueue,
    private readonly p99: IntervalP99 = () => ({ byLine: new Map(), total: null }),
  ) {
    this.lines = plan.lines.map((l) => {
      const o = l.options;
      return {
        id: o.id,
        cut: l.cut,
        runners: o.process,
        plannedS: o.duration > 0 ? o.postpone + (o.process - 1) * o.rampup + o.duration : 0,
        loops: o.duration > 0 ? 0 : o.process * o.loops,
        lengths: o.lengths.length,
      };
    });
  }

  /**
   * The frame of a --summary tick of the stats queue. `final`: the run's end, its rates the summary's
   * over each line's active time (and the run's over all runners'), from the runners' `ends`.
   */
  frame(t: Tick, final = false, ends: RunnerEnd[] = []): ProgressFrame {
    const q = this.queue;
    const { elapsedS, at } = t;
    // Requests and operations per line id, from the aggregates.
    const req = new Map<string, { count: number; errors: number }>();
    const ops = new Map<string, { req: number; tra: number }>();
    for (const a of q.aggs.values()) {
      if (a.nature === 'req') {
        const r = req.get(a.id) ?? { count: 0, errors: 0 };
        r.count += a.count;
        r.errors += a.errors;
        req.set(a.id, r);
      }
      const o = ops.get(a.id) ?? { req: 0, tra: 0 };
      o[a.nature] += a.count;
      ops.set(a.id, o);
    }
    const dt = this.lastAt > 0 && !final ? (at - this.lastAt) / 1000 : elapsedS;
    const p99 = this.p99(final);
    let plannedS = 0;
    let loopsDone = 0;
    let loopsPlanned = 0;
    const lines: LineProgress[] = this.lines.map((l) => {
      const r = req.get(l.id) ?? { count: 0, errors: 0 };
      const before = final ? { count: 0, errors: 0 } : (this.last.get(l.id) ?? { count: 0, errors: 0 });
      this.last.set(l.id, r);
      let active = 0;
      for (const s of q.runners) if (s?.active && s.labels.id === l.id) active++;
      const line: LineProgress = {
        id: l.id,
        cut: l.cut,
        count: r.count,
        errors: r.errors,
        ...rates(r, before, final ? activeSeconds(ends, l.id, l.cut, elapsedS) : dt),
        p99: p99.byLine.get(l.id) ?? null,
        active,
        runners: l.runners,
      };
      if (l.plannedS > 0) {
        line.plannedS = l.plannedS;
        plannedS = Math.max(plannedS, l.plannedS);
      } else {
        // An operation is one transaction when the CUT makes several requests, else one request.
        const o = ops.get(l.id) ?? { req: 0, tra: 0 };
        const operations = o.tra > 0 ? o.tra : o.req;
        const done = Math.min(l.loops, Math.floor(operations / l.lengths));
        line.loops = { done, planned: l.loops };
        loopsDone += done;
        loopsPlanned += l.loops;
      }
      return line;
    });
    this.lastAt = at;
    const total = { count: t.globalCount, errors: t.errors };
    const totalRates = final
      ? rates(total, { count: 0, errors: 0 }, activeSeconds(ends, undefined, undefined, elapsedS))
      : { tps: t.globalTps, errorTps: t.errorTps };
    // A timed run (any timed line) shows time; a run of loops only shows loops.
    const unit = plannedS > 0 ? 'time' : 'loops';
    let fraction: number;
    let etaS: number | null;
    if (unit === 'time') {
      fraction = Math.min(1, elapsedS / plannedS);
      etaS = Math.max(0, plannedS - elapsedS);
    } else {
      fraction = loopsPlanned > 0 ? loopsDone / loopsPlanned : 0;
      etaS = loopsDone > 0 ? (elapsedS * (loopsPlanned - loopsDone)) / loopsDone : null;
    }
    return {
      final,
      elapsedS,
      fraction,
      etaS,
      unit,
      plannedS,
      loops: { done: loopsDone, planned: loopsPlanned },
      total: {
        count: t.globalCount,
        errors: t.errors,
        ...totalRates,
        p99: p99.total,
        active: t.activeRunners,
        runners: this.lines.reduce((n, l) => n + l.runners, 0),
        queue: t.queueLength,
        lagMs: t.lagMs,
      },
      lines,
    };
  }
}

/** The ok rate (throughput) and the error rate between two counts `dt` seconds apart. */
function rates(now: { count: number; errors: number }, before: { count: number; errors: number }, dt: number): { tps: number; errorTps: number } {
  if (dt <= 0) return { tps: 0, errorTps: 0 };
  const errors = now.errors - before.errors;
  return { tps: (now.count - before.count - errors) / dt, errorTps: errors / dt };
}
