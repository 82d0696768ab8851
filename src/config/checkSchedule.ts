/**
 * The open-model options of a line (--schedule and what goes with it): checked together, then
 * resolved into what the runners need (the duration, the queue bound, the line's seed). Runs in the
 * main process, before anything is forked, so every runner of a line gets the same values.
 */
import { randomInt } from 'node:crypto';
import { UsageError, type Problems } from '../core/errors.js';
import type { LineOptions } from '../core/plan.js';
import { LINE_DEFAULTS } from './options.js';
import { parseBurst, parseSchedule, plannedArrivals, scheduleDurationS, type Segment } from '../schedule/schedule.js';

/** --queue's default: arrivals may wait about ten service times for a free --max-inflight slot. */
export const QUEUE_PER_INFLIGHT = 10;

/** Closed-model options that mean nothing when operations start at scheduled instants. */
const CLOSED_ONLY: { key: 'rampup' | 'concurrency' | 'pauselen' | 'pauseloop'; flag: string; why: string }[] = [
  { key: 'rampup', flag: '--rampup', why: "the line's runners share one schedule and start together (shape the load with a ramp segment, e.g. 10@0-100)" },
  { key: 'concurrency', flag: '--concurrency', why: 'operations start at their scheduled instants (bound them with --max-inflight)' },
  { key: 'pauselen', flag: '--pauselen', why: 'the schedule says when operations start' },
  { key: 'pauseloop', flag: '--pauseloop', why: 'the schedule says when operations start' },
];

/** Open-model options, and how LINE_DEFAULTS says they were not given. */
const OPEN_ONLY: { key: 'arrival' | 'burst' | 'maxInflight' | 'queue' | 'seed'; flag: string }[] = [
  { key: 'arrival', flag: '--arrival' },
  { key: 'burst', flag: '--burst' },
  { key: 'maxInflight', flag: '--max-inflight' },
  { key: 'queue', flag: '--queue' },
  { key: 'seed', flag: '--seed' },
];

function attempt<T>(problems: Problems, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    problems.add(err.message);
    return undefined;
  }
}

/**
 * Checks the open-model options of a line and returns the line resolved for the runners.
 *
 * With --schedule: the schedule's length is the run's duration, so --duration and --loops given on
 * the same command line (or scenario line) are errors, and from a profile they are ignored; the
 * closed-model shapers (--rampup, --concurrency, --pauselen, --pauseloop) must keep their defaults;
 * --max-inflight, when given, is at least --process (each runner gets a share of at least 1).
 * Without --schedule, the open-model options are errors. `given` holds the option names typed on the
 * command line or scenario line. `fixedSeed`: the seed when none is given (every shard of a run the same).
 */
export function checkSchedule(o: LineOptions, problems: Problems, given: ReadonlySet<string> = new Set(), fixedSeed?: number): LineOptions {
  if (o.schedule === '') {
    for (const { key, flag } of OPEN_ONLY) {
      if (o[key] !== LINE_DEFAULTS[key]) problems.add(`${flag} belongs to the open model: give --schedule too`);
    }
    return o;
  }
  const segments: Segment[] | undefined = attempt(problems, () => parseSchedule(o.schedule));
  if (o.burst !== '') attempt(problems, () => parseBurst(o.burst));
  const lengthS = segments === undefined ? 0 : scheduleDurationS(segments);
  for (const flag of ['duration', 'loops']) {
    if (given.has(flag)) {
      problems.add(`--${flag} cannot be used with --schedule: the schedule's length${segments ? ` (${lengthS} s)` : ''} is the run's duration`);
    }
  }
  for (const { key, flag, why } of CLOSED_ONLY) {
    if (o[key] !== LINE_DEFAULTS[key]) problems.add(`${flag} cannot be used with --schedule (it is ${o[key]}): ${why}`);
  }
  if (segments !== undefined && plannedArrivals(segments) === 0) {
    problems.add(`--schedule "${o.schedule}" plans no arrival: give a rate above 0`);
  }
  if (o.maxInflight > 0 && o.maxInflight < o.process) {
    problems.add(`--max-inflight must be at least --process (${o.process}) since it is split across the line's runners, but is ${o.maxInflight}`);
  }
  if (o.queue !== LINE_DEFAULTS.queue && o.maxInflight === 0) {
    problems.add('--queue only applies with --max-inflight: without it, no arrival ever waits');
  }
  return {
    ...o,
    duration: lengthS,
    queue: o.queue !== LINE_DEFAULTS.queue ? o.queue : QUEUE_PER_INFLIGHT * o.maxInflight,
    // A shard (--shard) must draw the same arrivals as the other shards: a fixed seed, not a random one.
    seed: o.seed !== LINE_DEFAULTS.seed ? o.seed : (fixedSeed ?? randomInt(0, 0xffff_ffff)),
  };
}
