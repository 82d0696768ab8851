/**
 * A capacity search's figures, pure: one step judged from its interval's aggregates, the result of
 * the search (the highest level that held, the reason the next one failed, the knee of the closed
 * model), the JSON and the table for stderr. No clock, no process.
 */
import type { RequestAgg } from '../stats/aggregate.js';
import { evaluateThresholds, howFar, type Judged } from '../verdict/evaluateThresholds.js';
import { sourceFromAggs } from '../verdict/sourceFromAggs.js';
import type { Threshold } from '../verdict/threshold.js';
import type { CapacityMode, CapacityResult, CapacityStep } from '../summary/schema.js';

export type { CapacityMode, CapacityResult, CapacityStep };

/**
 * The knee: a step after which the next adds less than this share of what proportional scaling
 * would add (doubling the concurrency adds less than 25% of throughput).
 */
export const KNEE_EFFICIENCY = 0.25;

const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Judges one step from the aggregates of its judged interval (`seconds` long). */
export function judgeStep(
  mode: CapacityMode,
  level: number,
  aggs: readonly RequestAgg[],
  errorsByType: Readonly<Record<string, number>>,
  seconds: number,
  thresholds: readonly Threshold[],
): CapacityStep {
  const src = sourceFromAggs(aggs, { seconds: () => seconds, errorsByType });
  const all = src.scope(undefined, undefined)!;
  const judged: Judged[] = evaluateThresholds(thresholds, src);
  const failed = judged.filter((j) => !j.ok);
  const p = (m: 'p50' | 'p99') => {
    const v = all.latencyMs(m, false);
    return v === undefined ? null : r3(v);
  };
  return {
    ...(mode === 'rate' ? { rate: level } : { concurrency: level }),
    achieved: seconds > 0 ? r1((all.count - all.errors) / seconds) : 0,
    p50: p('p50'),
    p99: p('p99'),
    errors: all.errors,
    ok: failed.length === 0 && all.count > 0,
    requests: all.count,
    seconds: r3(seconds),
    ...(failed.length > 0
      ? { failed: failed.map((j) => ({ threshold: j.t.text, value: j.value, reason: `${j.t.text}: ${howFar(j)}` })) }
      : all.count === 0
        ? { failed: [{ threshold: '', value: null, reason: 'no request completed during the step' }] }
        : {}),
  };
}

const levelOf = (s: CapacityStep) => s.rate ?? s.concurrency ?? 0;

/** The knee: the first step whose next adds less than KNEE_EFFICIENCY of proportional scaling's gain. */
export function findKnee(steps: readonly CapacityStep[]): { concurrency: number; achieved: number } | null {
  for (let i = 0; i + 1 < steps.length; i++) {
    const a = steps[i]!;
    const b = steps[i + 1]!;
    const ideal = a.achieved * (levelOf(b) / levelOf(a) - 1);
    if (b.achieved - a.achieved < KNEE_EFFICIENCY * ideal) return { concurrency: levelOf(a), achieved: a.achieved };
  }
  return null;
}

/** The result of a search from its judged steps (the ladder's, then --refine's probes). */
export function capacityResult(
  mode: CapacityMode,
  stepSeconds: number,
  settleSeconds: number,
  steps: CapacityStep[],
  end: CapacityResult['end'],
): CapacityResult {
  const good = steps.filter((s) => s.ok);
  const bad = steps.filter((s) => !s.ok);
  const best = good.length === 0 ? undefined : good.reduce((a, b) => (levelOf(b) > levelOf(a) ? b : a));
  // The failure that bounds the result: the lowest failed level above the best one that held.
  const above = bad.filter((s) => best === undefined || levelOf(s) > levelOf(best));
  const next = above.length === 0 ? undefined : above.reduce((a, b) => (levelOf(b) < levelOf(a) ? b : a));
  const failedAt =
    next === undefined
      ? null
      : { ...(mode === 'rate' ? { rate: levelOf(next) } : { concurrency: levelOf(next) }), reason: (next.failed ?? []).map((f) => f.reason).join('; ') };
  if (mode === 'rate') {
    return { mode, stepSeconds, settleSeconds, steps, maxRate: best === undefined ? null : levelOf(best), failedAt, end };
  }
  const ladder = steps.filter((s) => !s.refine);
  const fastest = good.length === 0 ? undefined : good.reduce((a, b) => (b.achieved > a.achieved ? b : a));
  return {
    mode,
    stepSeconds,
    settleSeconds,
    steps,
    maxRate: fastest?.achieved ?? null,
    maxConcurrency: fastest === undefined ? null : levelOf(fastest),
    knee: findKnee(ladder),
    failedAt,
    end,
  };
}

const num = (x: number | null) => (x === null ? '-' : x >= 100 ? x.toFixed(1) : x >= 10 ? x.toFixed(2) : x.toFixed(3));

/** The step's line as the search goes: `step 3: 200/s offered, 199.8/s achieved, p50 ..., pass`. */
export function stepLine(s: CapacityStep): string {
  const what = s.rate !== undefined ? `${s.rate}/s offered` : `concurrency ${s.concurrency}`;
  return (
    `capacity: ${s.refine ? 'refine ' : ''}${what}: ${s.achieved.toFixed(1)}/s achieved, p50 ${num(s.p50)} ms, p99 ${num(s.p99)} ms, ` +
    `${s.errors} errors: ${s.ok ? 'pass' : `FAIL (${(s.failed ?? []).map((f) => f.reason).join('; ')})`}`
  );
}

/** The table and the conclusion for stderr. */
export function formatCapacity(c: CapacityResult): string {
  const rate = c.mode === 'rate';
  const head = rate
    ? ['rate/s', 'achieved/s', 'p50 ms', 'p99 ms', 'errors', 'verdict']
    : ['concurrency', 'achieved/s', 'gain', 'p50 ms', 'p99 ms', 'errors', 'verdict'];
  const rows = [head];
  let prev: CapacityStep | undefined;
  for (const s of c.steps) {
    const verdict = (s.ok ? 'pass' : 'FAIL') + (s.refine ? ' (refine)' : '');
    const knee = !rate && c.knee !== null && c.knee !== undefined && s.concurrency === c.knee.concurrency && !s.refine ? '  <- knee' : '';
    if (rate) rows.push([String(s.rate), s.achieved.toFixed(1), num(s.p50), num(s.p99), String(s.errors), verdict]);
    else {
      const gain =
        prev === undefined || prev.achieved === 0 ? '' : `${s.achieved >= prev.achieved ? '+' : ''}${Math.round((s.achieved / prev.achieved - 1) * 100)}%`;
      rows.push([String(s.concurrency), s.achieved.toFixed(1), gain, num(s.p50), num(s.p99), String(s.errors), verdict + knee]);
    }
    prev = s;
  }
  const w = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = [
    `capacity (${rate ? 'open model, rate' : 'closed model, concurrency'} steps of ${c.stepSeconds} s, each judged after ${c.settleSeconds} s of settling):`,
    ...rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padStart(w[i]!))).join('  ')),
  ];
  const best = c.steps.filter((s) => s.ok).find((s) => (rate ? s.rate === c.maxRate : s.concurrency === c.maxConcurrency));
  if (rate) {
    lines.push(
      best === undefined
        ? 'capacity: no step held: the first rate already failed'
        : `capacity: maximum sustainable rate ${c.maxRate}/s (achieved ${best.achieved.toFixed(1)}/s, p50 ${num(best.p50)} ms, p99 ${num(best.p99)} ms)`,
    );
  } else {
    if (best !== undefined) {
      lines.push(
        `capacity: highest throughput that held ${best.achieved.toFixed(1)}/s at concurrency ${best.concurrency} (p50 ${num(best.p50)} ms, p99 ${num(best.p99)} ms)`,
      );
    } else lines.push('capacity: no step held: the first concurrency already failed');
    lines.push(
      c.knee === null || c.knee === undefined
        ? `capacity: no knee: every step added at least ${KNEE_EFFICIENCY * 100}% of what proportional scaling would`
        : `capacity: knee at concurrency ${c.knee.concurrency} (${c.knee.achieved.toFixed(1)}/s): beyond it, adding concurrency added less than ${KNEE_EFFICIENCY * 100}% of what proportional scaling would (more concurrency, more latency, little more throughput)`,
    );
  }
  if (c.failedAt !== null && c.failedAt !== undefined) {
    lines.push(`capacity: ${rate ? `${c.failedAt.rate}/s` : `concurrency ${c.failedAt.concurrency}`} failed: ${c.failedAt.reason}`);
  } else if (c.end === 'max') {
    lines.push(`capacity: every step held, up to the last (${rate ? '--max' : 'the last --concurrency-steps'}): the limit is higher`);
  }
  if (c.end === 'interrupted') lines.push('capacity: INTERRUPTED: the steps above are those judged before the interrupt');
  return lines.join('\n') + '\n';
}
