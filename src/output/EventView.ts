/** What an event formatter sees of one batch: the events and the labels and counters around them. */
import type { Nature } from '../protocol.js';

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

/**
 * The event stream's columns, the one table csv, long and jsonl are made from (in this order).
 * `number` columns are written as fixed-point text in csv and long, and as JSON numbers in jsonl.
 * A new column goes here and in formatEvents.ts's rowsOf and csvBatch (the csv fast path), which
 * test/event-formats.test.ts checks against each other.
 */
export const EVENT_COLUMNS = [
  { name: 'time', type: 'text' },
  { name: 'epoch', type: 'number' },
  { name: 'nature', type: 'text' },
  { name: 'full_id', type: 'text' },
  { name: 'id', type: 'text' },
  { name: 'runner', type: 'number' },
  { name: 'cut', type: 'text' },
  { name: 'request', type: 'text' },
  { name: 'transaction', type: 'text' },
  { name: 'step', type: 'number' },
  { name: 'rc', type: 'number' },
  { name: 'elapsed_ms', type: 'number' },
  { name: 'local_count', type: 'number' },
  { name: 'local_tps', type: 'number' },
  { name: 'global_count', type: 'number' },
  { name: 'global_tps', type: 'number' },
  { name: 'active_runners', type: 'number' },
  { name: 'error', type: 'text' },
] as const satisfies readonly { name: string; type: 'text' | 'number' }[];

export const CSV_COLUMNS = EVENT_COLUMNS.map((c) => c.name);
