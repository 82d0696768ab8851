/**
 * What the stats queue hands to the event stream: one batch of a runner's events, the labels and the
 * counters around them, and the sink it is written to (src/output/EventOutput.ts is the one in use).
 */
import type { Nature } from './protocol.js';

export interface RunnerLabels {
  /** the line's --id */
  id: string;
  /** runner number within its line */
  index: number;
  /** global runner slot, unique in the run (transaction ids are made unique with it) */
  slot: number;
  /** what a transaction id starts with: `slot:`, or with --shard `shard.slot:` (unique across shards) */
  tx: string;
  cut: string;
  /** the runner's line in the plan, 0-based */
  line: number;
  /** key id → nature and request name (the runner's interned keys) */
  keys: { nature: Nature; request: string }[];
  /** error id → text (the runner's interned errors) */
  errors: string[];
}

export interface EventBatchView {
  runner: RunnerLabels;
  events: Float64Array;
  n: number;
  localCountBefore: number;
  localTps: number;
  globalCountBefore: number;
  globalTps: number;
  activeRunners: number;
  /** active runners of this batch's line */
  lineActiveRunners: number;
}

/** Where batches are written; false from write() when it is full: the queue waits for drain(). */
export interface EventSink {
  write(v: EventBatchView): boolean;
  drain(): Promise<void>;
}
