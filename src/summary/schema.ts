/**
 * The summary JSON's shape (docs/reference.md "Summary JSON"): what `--summary-json` writes, and what `pylogen report`,
 * `merge`, `compare` and `capacity` read. It lives in a room of its own, below stats/, verdict/, report/ and
 * capacity/, so that each of them reads it without importing another (.dependency-cruiser.cjs
 * `folders-in-layers`). Types only: the module that builds each part re-exports its names.
 */
import type { ErrorSamples } from '../core/errorSamples.js';
import type { LineOptions } from '../core/plan.js';

export interface LatencyFigures {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Latencies as the summary JSON carries them: exact figures and encoded histograms, for an exact merge. */
export interface EncodedLatencies {
  count: number;
  /** exact, ms (null when count is 0) */
  minMs: number | null;
  maxMs: number | null;
  sumMs: number;
  serviceSumMs: number;
  /** HdrHistogram of the latency in µs, 3 significant digits, compressed base64 */
  latency: string;
  /** the same of the service time, open model only (absent: equal to latency) */
  service?: string;
}

/** Columns of one row of the series: one entry per interval. */
export interface SeriesColumns {
  count: number[];
  errors: number[];
  /** ok requests per second of the interval (a failed request is not throughput: see errors) */
  throughput: number[];
  /** latency of the ok requests of the interval, ms (null: none) */
  p50: (number | null)[];
  p90: (number | null)[];
  p99: (number | null)[];
  max: (number | null)[];
  /** error type -> errors of that type per interval */
  errorsByType: Record<string, number[]>;
}

export interface SeriesRow extends SeriesColumns {
  id: string;
  cut: string;
  request: string;
  /** the interval's HdrHistogram of ok latencies (µs, compressed base64; null: none) */
  okHdr: (string | null)[];
  /** the same of the failed requests */
  failedHdr: (string | null)[];
}

export interface Series {
  /** the --summary interval, ms */
  intervalMs: number;
  /** epoch ms of the first interval's start (a multiple of intervalMs); interval i starts at from + i × intervalMs */
  from: number;
  /** how many intervals: the length of every column */
  intervals: number;
  /** the measured span, epoch ms: first runner start, last runner end. A full interval lies inside it. */
  span: { from: number; to: number };
  /** all requests (req rows) together, and the stats queue's figures */
  total: SeriesColumns & { activeRunners: number[]; queueLength: number[]; lagMs: number[] };
  byRequest: SeriesRow[];
  byTransaction: SeriesRow[];
  /** open-model lines: arrivals whose instant came in the interval (planned), started, dropped */
  arrivals?: { id: string; cut: string; planned: number[]; started: number[]; dropped: number[] }[];
}

export interface MachineSummary {
  /** logical cores available to the process */
  cores: number;
  /** the first core's model name, as the OS reports it ('' when it does not) */
  cpuModel: string;
  platform: string;
  arch: string;
  /** Node.js version (process.version) */
  node: string;
  /**
   * The OS's 1, 5 and 15 minute load averages when the run started and when it ended ([0, 0, 0] on
   * Windows, which has none): the 1-minute figure at the end is the load during the run.
   */
  loadAverage: { start: number[]; end: number[] };
}

/** One row of the verdict: what the summary JSON's `thresholds` holds (id only for a scenario line's). */
export interface Verdict {
  threshold: string;
  /** the measured value, in the threshold's unit (ms, %, a count, requests/s); null when nothing was measured */
  value: number | null;
  ok: boolean;
  id?: string;
}

export interface PlanLine {
  id: string;
  cut: string;
  /** 1-based line of the scenario file, 0 for a command line */
  line: number;
  /** every option of the line; thresholds as their text, --extra masked */
  options: Omit<LineOptions, 'thresholds'> & { thresholds: string[] };
}

export interface PlanSummary {
  /** the command line as pylogen read it (option prefixes expanded); absent for a plan built by a program */
  command?: string[];
  lines: PlanLine[];
  /** the run's thresholds, as given */
  thresholds: string[];
}

export type CapacityMode = 'rate' | 'concurrency';

/** One step of the summary JSON's `capacity.steps`. */
export interface CapacityStep {
  /** open model: the offered rate, operations/s */
  rate?: number;
  /** closed model: operations in flight per runner */
  concurrency?: number;
  /** requests per second that completed without error during the judged part of the step */
  achieved: number;
  /** ms, over every request of the judged part */
  p50: number | null;
  p99: number | null;
  /** request errors during the judged part */
  errors: number;
  ok: boolean;
  requests: number;
  /** seconds judged (the step without its settling time) */
  seconds: number;
  /** a --refine probe (its own run), not a step of the ladder */
  refine?: true;
  /** the thresholds that failed: what, measured, by how much */
  failed?: { threshold: string; value: number | null; reason: string }[];
}

export interface CapacityResult {
  mode: CapacityMode;
  stepSeconds: number;
  settleSeconds: number;
  steps: CapacityStep[];
  /** open model: the highest offered rate that held; closed model: the highest throughput of a step that held */
  maxRate: number | null;
  /** closed model: the concurrency of the step that held with the highest throughput */
  maxConcurrency?: number | null;
  /** closed model: the step after which adding concurrency stopped adding throughput */
  knee?: { concurrency: number; achieved: number } | null;
  /** the first step that failed after the last that held (after --refine: the lowest failed rate) */
  failedAt?: { rate?: number; concurrency?: number; reason: string } | null;
  /** why the search ended */
  end: 'failed' | 'max' | 'interrupted';
}

export interface RunnerEnd {
  slot: number;
  id: string;
  index: number;
  cut: string;
  pid: number | undefined;
  state: string;
  failure?: string;
  sentEvents?: number;
  receivedEvents: number;
  /** epoch ms */
  startedAt?: number;
  endedAt?: number;
  cpu?: number;
  blockedMs?: number;
  /** requests its client sent again after a retryable failure (--retries) */
  retries?: number;
  arrivals?: { planned: number; started: number; dropped: number };
}

/** A runner in the summary JSON: its times in ISO-8601 like every other time. */
export type RunnerSummary = Omit<RunnerEnd, 'startedAt' | 'endedAt'> & {
  startedAt?: string;
  endedAt?: string;
  /** a merged summary (`pylogen merge`): the shard this runner ran in */
  shard?: number;
};

/** One outcome (ok or failed) of a row: its own count, rate and latencies, and its encoded histograms. */
export interface Outcome {
  count: number;
  /** per second over the seconds its line's runners ran */
  throughput: number;
  /** null when count is 0 */
  latencyMs: LatencyFigures | null;
  /** from the actual start (open model); the same as latencyMs in the closed model */
  serviceMs: LatencyFigures | null;
  /** what an exact merge needs: counts, exact min / max / sums, HdrHistograms (µs, compressed base64) */
  hdr: EncodedLatencies;
}

export interface ByRequest {
  id: string;
  cut: string;
  request: string;
  /** the payload lengths (steps) this row covers */
  lengths: number[];
  /** ok and failed together (as before ok and failed were apart) */
  count: number;
  errors: number;
  /** ok requests per second (the same as ok.throughput): a failed request is not throughput */
  throughput: number;
  /** failed requests per second, beside it */
  errorRate: number;
  /** a batch (each request carried itemsPerRequest items > 1): the items of the ok requests */
  items?: number;
  /** ok items per second (throughput is ok requests per second) */
  itemsThroughput?: number;
  itemsPerRequest?: number;
  latencyMs: LatencyFigures;
  serviceMs: LatencyFigures;
  /** the headline: what the target served */
  ok: Outcome;
  failed: Outcome & { byType: Record<string, number> };
  /** one row per length, when the request ran at more than one */
  byLength?: ByRequest[];
}

export interface Summary {
  version: 2;
  startedAt: string;
  endedAt: string;
  wallSeconds: number;
  interrupted: boolean;
  runners: { planned: number; started: number; ended: number; failed: number };
  /** incomplete: the runners (id.index) that ended without their done message: what they sent is unknown, so is lost */
  events: { sent: number; received: number; lost: number; incomplete?: string[] };
  /** throughputs are of ok requests; errorRateMean is the failed requests' mean rate beside them */
  /** throughputs are of ok requests; errorRateMean is the failed requests' mean rate beside them */
  requests: {
    count: number;
    errors: number;
    throughputMean: number;
    errorRateMean: number;
    throughputHwm: number;
    throughputHwmAt: string | null;
    /** requests the clients sent again after a retryable failure (--retries: 429, 5xx, resets), when any: not in count */
    retries?: number;
  };
  transactions: { count: number; errors: number };
  queue: { lengthHwm: number; lengthHwmAt: string | null; lagMsHwm: number };
  arrivals?: { planned: number; started: number; dropped: number };
  byRequest: ByRequest[];
  byTransaction: ByRequest[];
  errorsByType: Record<string, number>;
  /** per error type: its first message, then up to two other distinct ones (secrets masked) */
  errorSamples?: ErrorSamples;
  byRunner: RunnerSummary[];
  warnings: string[];
  series: Series;
  /** --threshold: every threshold, its measured value and whether it held */
  thresholds?: Verdict[];
  /** --abort-on-fail: the threshold whose crossing stopped the run */
  abortedBy?: string;
  /** the command line and every line's options (what the HTML report shows as the plan) */
  plan?: PlanSummary;
  /** --shard / --start-at: this shard and its start */
  shard?: ShardSummary;
  /** `pylogen merge`: every shard merged, by index (their warnings are in `warnings`, prefixed "shard I:") */
  shards?: ShardSummary[];
  /** the pylogen that ran it (package version) */
  pylogen?: { version: string };
  /** the machine it ran on: cores, CPU model, load averages at its start and end (src/stats/machine.ts) */
  machine?: MachineSummary;
}

/** A shard's identity and start, as its summary records them. */
export interface ShardSummary {
  index: number;
  count: number;
  /** the run's digest, the same in every shard of a run (src/config/shardOf.ts); '' without --shard */
  run: string;
  /** --start-at as given (null: none) */
  startAt: string | null;
  /** the instant this shard's runners started from, by its own clock (null: none started) */
  t0: string | null;
  /** how late t0 was on --start-at: the runners were ready after it (0: on time) */
  lateMs: number;
  /**
   * this shard's clock against the others': not measured, so null. Shards on one machine share its
   * clock; Kubernetes nodes keep theirs by NTP, typically within a few ms of each other.
   */
  clockOffsetMs: number | null;
}
