/**
 * `pylogen capacity <cut> [run options] --start R --step R --step-seconds S [--max R] [--refine]
 * --threshold ...` (or `--concurrency-steps 1,2,4,...`): from words to a validated CapacityPlan.
 * The capacity options are taken out, the rest is an ordinary run's command line, to which the
 * ladder is added: an open-model schedule of one S-second segment per rate, or a closed-model run of
 * steps × S seconds whose workers join step by step. Every problem is found before anything starts.
 */
import { Problems } from '../core/errors.js';
import { normalizeArgv } from '../config/normalize.js';
import { CAPACITY_SPEC, planFromWords } from '../config/buildPlan.js';
import { OPTIONS, parseValue } from '../config/options.js';
import type { RunPlan } from '../core/plan.js';
import type { Threshold } from '../verdict/threshold.js';

/** Without --max, the ladder stops after this many steps (it usually fails long before). */
export const MAX_STEPS = 50;

export interface CapacityPlan {
  mode: 'rate' | 'concurrency';
  /** the rates (operations/s) or the concurrencies of the ladder's steps */
  levels: number[];
  stepSeconds: number;
  /** the start of each step left out of its judgment (settlingSeconds) */
  settleSeconds: number;
  refine: boolean;
  /** every step is judged by these */
  thresholds: Threshold[];
  /** the ladder's run: no thresholds of its own (the steps are judged), no summary file (written by the search) */
  plan: RunPlan;
  /** --summary-json, with `capacity` added */
  summaryJson: string;
  /** --report, with the steps' chart ('' = none) */
  report: string;
  /** a run of one step per rate (--refine's probes): same options, fresh runners */
  probe(rates: number[]): Promise<RunPlan>;
}

/**
 * The settling time of a step: its first quarter, at least 0.5 s and at most 2 s. After a rise, the
 * target's queues, a token bucket, the client's connection pool and the runners' own batches take a
 * moment to reflect the new level; a quarter leaves three quarters of every step judged, and the
 * bounds keep short steps measurable and long steps mostly judged. Runners ship counts every 100 ms
 * and histograms every 250 ms, so a step's edges are that precise: the settling time also absorbs it.
 */
export function settlingSeconds(stepSeconds: number): number {
  return Math.min(2, Math.max(0.5, stepSeconds / 4));
}

/** The ladder's rates: start, start + step, ... up to max (MAX_STEPS without one). */
export function ladder(start: number, step: number, max: number | undefined): number[] {
  const out: number[] = [];
  for (let i = 0; i < MAX_STEPS; i++) {
    const r = Math.round((start + i * step) * 1000) / 1000;
    if (max !== undefined && r > max + 1e-9) break;
    out.push(r);
  }
  return out;
}

const CAPACITY_DEFS = OPTIONS.filter((d) => d.scope === 'capacity');
const isCapacity = (name: string) => CAPACITY_DEFS.some((d) => d.name === name);

/** Splits normalized words into the capacity options' raw values and the rest (a run's words). */
function split(words: readonly string[]): { cap: Record<string, string>; rest: string[]; given: Set<string> } {
  const norm = normalizeArgv(words, CAPACITY_SPEC);
  const cap: Record<string, string> = {};
  const rest: string[] = [];
  const given = new Set<string>();
  for (let i = 0; i < norm.length; i++) {
    const w = norm[i]!;
    if (w === '--') {
      rest.push(...norm.slice(i));
      break;
    }
    if (!w.startsWith('--')) {
      rest.push(w);
      continue;
    }
    const name = w.slice(2);
    given.add(name);
    const takesValue = !CAPACITY_SPEC.flags.has(name);
    if (isCapacity(name)) cap[name] = takesValue ? norm[++i]! : 'true';
    else {
      rest.push(w);
      if (takesValue) rest.push(norm[++i]!);
    }
  }
  return { cap, rest, given };
}

const LENGTH = "cannot be used with capacity: the steps (--step-seconds) make the run's length and load";
/** Run options a capacity search refuses, and why (its --help does not list them). */
export const NOT_FOR_CAPACITY: Readonly<Record<string, string>> = {
  shard: 'is for a run, not a capacity search (its steps are judged as they run, in one process)',
  'start-at': 'is for a run, not a capacity search (its steps are judged as they run, in one process)',
  schedule: LENGTH,
  duration: LENGTH,
  loops: LENGTH,
  'abort-on-fail': 'cannot be used with capacity: the search stops at the first step that fails by itself',
  file: 'goes with the scenario command: capacity runs one CUT',
};

export async function planCapacity(words: readonly string[], cwd: string): Promise<CapacityPlan> {
  const { cap, rest, given } = split(words);
  const problems = new Problems();
  for (const [flag, why] of Object.entries(NOT_FOR_CAPACITY)) if (given.has(flag)) problems.add(`--${flag} ${why}`);
  const v: Record<string, unknown> = {};
  for (const d of CAPACITY_DEFS) {
    if (cap[d.name] === undefined) continue;
    const r = parseValue(d, cap[d.name]);
    if ('problem' in r) problems.add(r.problem);
    else v[d.name] = r.value;
  }
  problems.throwIfAny();
  const steps = v['concurrency-steps'] as number[] | undefined;
  const mode = steps !== undefined ? 'concurrency' : 'rate';
  const stepSeconds = (v['step-seconds'] as number | undefined) ?? 10;
  const refine = v.refine === true;

  if (mode === 'rate') {
    if (v.start === undefined || v.step === undefined) {
      problems.add('capacity needs --start R and --step R (rates of the open model), or --concurrency-steps 1,2,4,... (the closed model)');
    }
    if (v.max !== undefined && v.start !== undefined && (v.max as number) < (v.start as number)) {
      problems.add(`--max must be at least --start (${v.start as number}), but is ${v.max as number}`);
    }
  } else {
    for (const flag of ['start', 'step', 'max', 'refine']) {
      if (v[flag] !== undefined) problems.add(`--${flag} goes with the rate steps of the open model, not with --concurrency-steps`);
    }
    if (given.has('concurrency')) problems.add('--concurrency cannot be used with --concurrency-steps: the steps set it');
  }
  problems.throwIfAny();

  const levels = mode === 'rate' ? ladder(v.start as number, v.step as number, v.max as number | undefined) : steps!;
  const schedule = (rates: number[]) => ['--schedule', rates.map((r) => `${stepSeconds}@${r}`).join(',')];
  const ladderWords =
    mode === 'rate' ? schedule(levels) : ['--duration', String(levels.length * stepSeconds), '--concurrency', String(levels[levels.length - 1])];

  const plan = await planFromWords([...rest, ...ladderWords], cwd);
  const thresholds = plan.thresholds;
  for (const t of thresholds) {
    if (t.target.kind === 'dropped') problems.add(`--threshold "${t.text}": dropped arrivals are counted at the end of a run, not per step`);
  }
  if (mode === 'rate' && thresholds.length === 0) {
    problems.add("capacity needs at least one --threshold to judge each step (like --threshold 'errors<1%' --threshold 'p99<50')");
  }
  problems.throwIfAny();

  const forSteps = (p: RunPlan): RunPlan => {
    const line = p.lines[0]!;
    if (mode === 'concurrency') line.options = { ...line.options, concurrencySteps: levels, stepSeconds };
    return { ...p, thresholds: [], abortOnFail: false, summaryJson: '', report: '' };
  };
  return {
    mode,
    levels,
    stepSeconds,
    settleSeconds: settlingSeconds(stepSeconds),
    refine,
    thresholds,
    plan: forSteps(plan),
    summaryJson: plan.summaryJson,
    report: plan.report ?? '',
    probe: async (rates) => forSteps(await planFromWords([...rest, ...schedule(rates)], cwd)),
  };
}
