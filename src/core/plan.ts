/**
 * A validated RunPlan: what the CLI (or a program) hands to run(). Nothing in here is checked again
 * later: src/config/options.ts validates every value before anything is forked.
 */

import type { Threshold } from './threshold.js';

export type OutFormat = 'csv' | 'long' | 'jsonl' | 'jtl' | 'none';
export type Arrival = 'uniform' | 'poisson';

/** The options of one CUT invocation (a command line, or one line of a scenario file). */
export interface LineOptions {
  process: number;
  concurrency: number;
  postpone: number; // s
  rampup: number; // s
  duration: number; // s, 0 = use loops
  loops: number;
  lengths: number[];
  pauseloop: number; // s
  pauselen: number; // s
  extra: Record<string, unknown>;
  summary: number; // s
  id: string;
  /** open model: the schedule text (`D@R,...`), empty for the closed model */
  schedule: string;
  arrival: Arrival;
  burst: string;
  maxInflight: number; // open model: operations in flight over the line, 0 = unbounded
  queue: number; // open model: arrivals allowed to wait beyond max-inflight, over the line
  /** open model: PRNG seed of the line (Poisson arrivals, random bursts); every runner gets the same */
  seed: number;
  endpoint: string;
  region: string;
  /** --client: one of the line's protocol's clients, '' for its default (the first of them) */
  client: string;
  retries: number;
  timeout: number; // s, per KMS request
  grace: number; // s, for operations in flight at the end
  /** --threshold: judged at the end over this line's requests (over the whole run on a command line) */
  thresholds: Threshold[];
  /** capacity --concurrency-steps: the concurrency of each step (empty: --concurrency throughout) */
  concurrencySteps: number[];
  /** capacity: seconds per step */
  stepSeconds: number;
}

/** Built-in defaults of a line (the lowest precedence): beside its shape, so every room may read them. */
export const LINE_DEFAULTS: LineOptions = {
  process: 1,
  concurrency: 1,
  postpone: 0,
  rampup: 0,
  duration: 0,
  loops: 10,
  lengths: [16],
  pauseloop: 0,
  pauselen: 0,
  extra: {},
  summary: 1,
  id: 'run',
  schedule: '',
  arrival: 'uniform',
  burst: '',
  maxInflight: 0,
  /** -1: 10 × maxInflight, resolved by checkSchedule */
  queue: -1,
  /** -1: chosen at random per line by checkSchedule (in the main process) */
  seed: -1,
  endpoint: '',
  region: '',
  /** '': the first of the line's protocol's clients */
  client: '',
  retries: 0,
  timeout: 10,
  grace: 2,
  thresholds: [],
  concurrencySteps: [],
  stepSeconds: 0,
};

/** One CUT line of the plan: the resolved CUT module and its options. */
export interface CutLine {
  /** the CUT's class name, e.g. "Dummy" */
  cut: string;
  /** absolute path of the CUT module */
  modulePath: string;
  /** 1-based line of the scenario file, or 0 for a command line */
  line: number;
  options: LineOptions;
}

export interface RunPlan {
  lines: CutLine[];
  outformat: OutFormat;
  /** file for the per-event stream; '' = standard output */
  out: string;
  summaryJson: string;
  /** --report: the HTML report's file; '' or absent = none */
  report?: string;
  /** the command line that made the plan (shown by the report); absent for a plan built by a program */
  command?: string[];
  /** --metrics-port: -1 when off, 0 for a free port */
  metricsPort: number;
  metricsHost: string;
  verbosity: number;
  /** seconds between two throughput computations of the stats queue (the smallest of the lines) */
  summary: number;
  /** every threshold of the run: a scenario line's carry its id; judged at the end (src/verdict/) */
  thresholds: Threshold[];
  /** --quiet: no status lines nor progress block, only the final summary */
  quiet?: boolean;
  /** --abort-on-fail: stop once a threshold that can only get worse is crossed */
  abortOnFail: boolean;
  /** whether every KMS line makes one real call before t0 (default true; `--no-preflight`: false) */
  preflight?: boolean;
  /** --shard I/N: this process runs shard `index` of `count`; `run` identifies the run (the same in every shard) */
  shard?: ShardOf;
  /** --start-at: the wall-clock instant (epoch ms) for t0, when every runner is ready by then */
  startAt?: number;
  /** where `--endpoint local` started the embedded server, filled by run() */
  localEndpoint?: string;
}

/** --shard I/N of a plan: runner i of a line is the whole run's runner index + count × i */
export interface ShardOf {
  index: number;
  count: number;
  /** a digest of what every shard of the run shares (its lines, N, --start-at): `pylogen merge` refuses mixed runs */
  run: string;
}

/** What one runner process is told at init: everything it needs, no functions, no code. */
export interface RunnerSpec {
  /** global runner number across the plan (0-based) */
  slot: number;
  /** runner number within its line (0-based): PYLOGEN's runner in full_id; with --shard I/N, I + N × i (unique across shards) */
  index: number;
  /** runners of its line (with --shard, over every shard: N × --process) */
  count: number;
  cut: string;
  modulePath: string;
  options: LineOptions;
  /** whether events must be shipped one by one (an event stream is written) */
  shipEvents: boolean;
  /** batches the runner may have unacknowledged before it waits (backpressure) */
  window: number;
  /** events per batch at most */
  batchSize: number;
  /** the endpoint resolved by the main process (`local` replaced by the embedded server's URL) */
  endpoint: string;
  verbosity: number;
  /** the name of the line's protocol (src/registry.ts), the only one the runner loads; absent: none (Dummy) */
  protocol?: string;
  /** every credential variable the protocols declare (the runner loads one protocol, its env may hold any) */
  secretEnv?: string[];
}
