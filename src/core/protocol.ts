/**
 * The IPC protocol between the main process and its runners: one discriminated union per direction
 * (vitest node/pools/types.ts). Messages are built with `satisfies` at the send sites.
 *
 * Events travel in batches, columnar, in one Float64Array (structured-clone serialization copies it
 * as one block): EVENT_FIELDS numbers per event. Strings (request names, error texts) are interned per
 * runner and their new entries ride along with the batch that first uses them.
 */
import type { RunnerSpec } from './plan.js';

/** Event columns of a batch's Float64Array, EVENT_FIELDS per event. */
export const F_BEGIN = 0; // epoch ms of the operation's actual begin (service time starts here)
export const F_ELAPSED = 1; // ms, from the intended start (open model) or the begin (closed)
export const F_KEY = 2; // interned key id: nature + request name
export const F_STEP = 3; // the step: payload length of this operation
export const F_RC = 4; // 0 or the error code (16 as in PYLOGEN)
export const F_TX = 5; // runner-local transaction number, -1 when none
export const F_ERR = 6; // interned error text id, -1 when none
export const F_SERVICE = 7; // ms, service time from the actual begin
export const EVENT_FIELDS = 8;

export type Nature = 'req' | 'tra';

/** A key: what the per-request aggregates are keyed on inside one runner. */
export interface KeyDef {
  id: number;
  nature: Nature;
  request: string;
  /** the payload length (step) of the events of this key: a request has one key per length */
  step: number;
  /** items each request of this key carries, when more than one (a batch: Operation.req's items) */
  items?: number;
}

/** Per key counters of one batch (req and tra keys alike). */
export interface KeyDelta {
  key: number;
  count: number;
  errors: number;
  /** this key's errors in the batch by type (class name), when it has any */
  errorTypes?: Record<string, number>;
}

/** Arrivals of an open-model runner so far (cumulative): due (their instant came), started, dropped. */
export interface ArrivalCounts {
  planned: number;
  due: number;
  started: number;
  dropped: number;
}

export interface BatchMessage {
  type: 'batch';
  seq: number;
  /** epoch ms when the runner sent it: the stats queue's lag is measured from here */
  sentAt: number;
  /** keys first used in this batch */
  newKeys?: KeyDef[];
  /** error texts first used in this batch, in id order starting at errBase */
  newErrors?: string[];
  errBase?: number;
  /** the events, or absent when the output needs none (aggregates only) */
  events?: Float64Array;
  eventCount: number;
  /** request events and transaction events counted in this batch */
  requests: number;
  transactions: number;
  deltas: KeyDelta[];
  /** error types (class names) counted in this batch */
  errorTypes?: Record<string, number>;
  /** request error messages newly kept as samples, by type (redacted; a few distinct ones per type) */
  errorSamples?: Record<string, string[]>;
  /** events this runner has sent and the stats queue not yet acknowledged, this batch included */
  queued: number;
  /** the runner's local count of requests before this batch's first event */
  localCountBefore: number;
  /** the runner's local throughput, requests/s, last computed */
  localTps: number;
  /**
   * epoch ms of the start of the --summary interval (aligned on wall-clock multiples of --summary)
   * that this batch's counts and histograms belong to: the series' interval
   */
  interval: number;
  /** an open-model runner's arrivals so far */
  arrivals?: ArrivalCounts;
  /** compressed base64 HdrHistograms of the latencies recorded since the last ones shipped, per key */
  histograms?: HistogramDelta[];
}

/** What one key recorded since its last shipment, for its ok or its failed events (ms; histograms in µs). */
export interface LatencyDelta {
  n: number;
  min: number;
  max: number;
  sum: number;
  serviceSum: number;
  /** HdrHistogram (µs, src/stats/histogram.ts) of the latency, compressed base64 */
  latency: string;
  /** the same of the service time, open model only */
  service?: string;
}

export interface HistogramDelta {
  key: number;
  ok?: LatencyDelta;
  failed?: LatencyDelta;
}

export type RunnerMessage =
  | { type: 'ready'; pid: number }
  | BatchMessage
  | { type: 'tick'; localTps: number; localCount: number; at: number; cpu: number }
  | {
      type: 'done';
      /** the done message, the final figures: how many events and batches this runner sent in all */
      sentEvents: number;
      sentBatches: number;
      requests: number;
      transactions: number;
      loops: number;
      arrivals?: { planned: number; started: number; dropped: number };
      /** fraction of wall time the runner's CPU was busy while running (0..1) */
      cpu: number;
      /** ms the runner waited for the stats queue (backpressure) */
      blockedMs: number;
      /** requests its client sent again (--retries), when any */
      retries?: number;
      startedAt: number;
      endedAt: number;
    }
  | { type: 'failed'; phase: 'load' | 'setup' | 'run' | 'teardown'; error: string };

export type MainMessage =
  | { type: 'init'; spec: RunnerSpec }
  /** start at this epoch ms (the runner waits for it precisely) */
  | { type: 'start'; at: number }
  /** acknowledges batches up to seq: the runner's backpressure window */
  | { type: 'ack'; seq: number }
  /** stop now: finish the operations in flight, flush, send the done message, exit */
  | { type: 'stop' };
