/**
 * What a threshold is (the plan carries them): parsed by src/verdict/threshold.ts, judged by
 * src/verdict/evaluateThresholds.ts.
 */

export const LATENCY_METRICS = ['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];
export type Op = '<' | '<=' | '>' | '>=';

export type Target =
  | { kind: 'latency'; metric: LatencyMetric; service: boolean }
  | { kind: 'errors' }
  | { kind: 'errorType'; type: string }
  | { kind: 'throughput' }
  | { kind: 'dropped' };

export interface Threshold {
  /** as written, without surrounding blanks: what the verdict table and the JSON show */
  text: string;
  /** a request (or transaction) name; absent: every request of the run */
  request?: string;
  /** a scenario line's id: the threshold judges that line's requests only (set by the plan) */
  id?: string;
  target: Target;
  op: Op;
  /** ms for latencies, requests/s for throughput, else a count or a percentage (see percent) */
  value: number;
  /** errors, error types and dropped: the value is a percentage of requests (of planned arrivals) */
  percent: boolean;
}
