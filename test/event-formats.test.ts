/**
 * csv, long and jsonl carry the same rows with the same values, column for column: csv is assembled
 * by its own fast path (cached cells), long and jsonl from rowsOf, all named by one column table.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvFormat, jsonlFormat, longFormat, rowsOf } from '../src/output/formats/formatEvents.js';
import { EVENT_COLUMNS } from '../src/output/columns.js';
import type { EventBatchView, RunnerLabels } from '../src/core/events.js';
import { EVENT_FIELDS, F_BEGIN, F_ELAPSED, F_ERR, F_KEY, F_RC, F_SERVICE, F_STEP, F_TX } from '../src/core/protocol.js';

const runner: RunnerLabels = {
  id: 'line one',
  index: 1,
  slot: 3,
  tx: '3:',
  cut: 'Echo',
  line: 0,
  keys: [
    { nature: 'req', request: 'ENCRYPT' },
    { nature: 'req', request: 'with,comma "and" quotes' },
    { nature: 'tra', request: 'ROUND-TRIP' },
  ],
  errors: ['ThrottlingException: Rate exceeded', 'multi\nline, "quoted" = error'],
};

function batch(): EventBatchView {
  const n = 12;
  const events = new Float64Array(n * EVENT_FIELDS);
  for (let i = 0; i < n; i++) {
    const o = i * EVENT_FIELDS;
    events[o + F_BEGIN] = 1796417761713.25 + i * 0.6; // several events share a millisecond
    events[o + F_ELAPSED] = 0.1234 + i * 10.5;
    events[o + F_KEY] = i % 3;
    events[o + F_STEP] = [16, 4096][i % 2]!;
    events[o + F_RC] = i % 4 === 3 ? 16 : 0;
    events[o + F_TX] = i % 3 === 2 || i === 0 ? i : -1;
    events[o + F_ERR] = i % 4 === 3 ? (i % 8 === 3 ? 0 : 1) : -1;
    events[o + F_SERVICE] = events[o + F_ELAPSED]!;
  }
  return { runner, events, n, localCountBefore: 40, localTps: 123.45, globalCountBefore: 90, globalTps: 456.78, activeRunners: 2, lineActiveRunners: 2 };
}

/** PYLOGEN's long format back to key → value: values with spaces, quotes or '=' are JSON strings. */
function parseLong(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-z_]+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const m of line.matchAll(re)) out[m[1]!] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
  return out;
}

describe('event formats', () => {
  const v = batch();
  const csv = parse(csvFormat.header() + csvFormat.batch(v), { columns: true }) as Record<string, string>[];
  const long = longFormat.batch(v).trimEnd().split('\n').map(parseLong);
  const jsonl = jsonlFormat
    .batch(v)
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string | number>);

  it('have the columns of the one table, in its order', () => {
    const names = EVENT_COLUMNS.map((c) => c.name);
    expect(csvFormat.header().trimEnd().split(',')).toEqual(names);
    expect(Object.keys(csv[0]!)).toEqual(names);
    expect(Object.keys(long[0]!)).toEqual(names);
    expect(Object.keys(jsonl[0]!)).toEqual(names);
  });

  it('carry the same rows and values: text columns equal, number columns equal as numbers (JSON numbers in jsonl)', () => {
    expect(csv).toHaveLength(v.n);
    expect(long).toHaveLength(v.n);
    expect(jsonl).toHaveLength(v.n);
    const rows = rowsOf(v);
    for (let i = 0; i < v.n; i++) {
      for (const [c, col] of EVENT_COLUMNS.entries()) {
        const where = `row ${i} column ${col.name}`;
        expect(csv[i]![col.name], where).toBe(String(rows[i]![c]));
        expect(long[i]![col.name], where).toBe(String(rows[i]![c]));
        if (col.type === 'number') {
          expect(typeof jsonl[i]![col.name], where).toBe('number');
          expect(jsonl[i]![col.name], where).toBe(Number(csv[i]![col.name]));
        } else {
          expect(jsonl[i]![col.name], where).toBe(csv[i]![col.name]);
        }
      }
    }
  });

  it('count requests, not transactions, in local_count and global_count; keep labels and errors intact', () => {
    const reqs = csv.filter((r) => r.nature === 'req');
    expect(reqs.map((r) => Number(r.local_count))).toEqual(reqs.map((_, i) => 41 + i));
    expect(reqs.map((r) => Number(r.global_count))).toEqual(reqs.map((_, i) => 91 + i));
    expect(csv[1]!.request).toBe('with,comma "and" quotes');
    expect(csv[3]!.error).toBe('ThrottlingException: Rate exceeded');
    expect(csv[7]!.error).toBe('multi\nline, "quoted" = error');
    expect(csv[2]!.transaction).toBe('3:2');
    expect(csv[1]!.transaction).toBe('');
    expect(csv[0]!.full_id).toBe('line one.1.Echo.16.ENCRYPT');
  });
});
