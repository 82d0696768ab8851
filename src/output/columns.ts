/** The event stream's columns: what an event formatter writes of each event of a batch (src/core/events.ts). */

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
