/**
 * The per-event stream's formats: csv (short, written with csv-stringify), long (key=value lines)
 * and jsonl. A batch is formatted into one string: one write per batch, not per event.
 */
import { stringify } from 'csv-stringify/sync';
import { EVENT_FIELDS, F_BEGIN, F_ELAPSED, F_ERR, F_KEY, F_RC, F_STEP, F_TX } from '../../core/protocol.js';
import type { EventBatchView, RunnerLabels } from '../../core/events.js';
import { CSV_COLUMNS, EVENT_COLUMNS } from '../columns.js';

export type Row = [
  string,
  string,
  string,
  string,
  string,
  number,
  string,
  string,
  string,
  number,
  number,
  string,
  number,
  string,
  number,
  string,
  number,
  string,
];
/** One cell per column of EVENT_COLUMNS: a column added to the table without one here fails to compile. */
const ROW_FITS_TABLE: Row['length'] extends (typeof EVENT_COLUMNS)['length'] ? ((typeof EVENT_COLUMNS)['length'] extends Row['length'] ? true : false) : false =
  true;
void ROW_FITS_TABLE;

/** ISO-8601 of an epoch ms; consecutive events mostly share their millisecond, so cache the last. */
let isoMs = -1;
let isoText = '';
function iso(epochMs: number): string {
  const ms = Math.floor(epochMs);
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

/** A string per (runner, key, step), made once: labels repeat for every event of a request. */
type KeyStepCache = WeakMap<RunnerLabels, Map<number, string>>;
function perKeyStep(cache: KeyStepCache, r: RunnerLabels, key: number, step: number, make: () => string): string {
  let m = cache.get(r);
  if (m === undefined) cache.set(r, (m = new Map()));
  const k = key * 1e9 + step;
  let s = m.get(k);
  if (s === undefined) m.set(k, (s = make()));
  return s;
}

/** PYLOGEN's label id.runner.Cut.step.request. */
const fullIds: KeyStepCache = new WeakMap();
function fullId(r: RunnerLabels, key: number, step: number): string {
  return perKeyStep(fullIds, r, key, step, () => `${r.id}.${r.index}.${r.cut}.${step}.${r.keys[key]!.request}`);
}

/** What a format sees of one event: its fields, with the running local and global request counts. */
type Visit = (key: number, begin: number, tx: number, err: number, step: number, rc: number, elapsed: number, local: number, global: number) => void;

/**
 * The one reader of a batch's columnar events (csv's fast path and rowsOf both walk it): the
 * running counts count requests only, from the counts before the batch.
 */
function eachEvent(v: EventBatchView, visit: Visit): void {
  const { runner: r, events: e } = v;
  let local = v.localCountBefore;
  let global = v.globalCountBefore;
  for (let i = 0; i < v.n; i++) {
    const o = i * EVENT_FIELDS;
    const key = e[o + F_KEY]!;
    if (r.keys[key]!.nature === 'req') {
      local++;
      global++;
    }
    visit(key, e[o + F_BEGIN]!, e[o + F_TX]!, e[o + F_ERR]!, e[o + F_STEP]!, e[o + F_RC]!, e[o + F_ELAPSED]!, local, global);
  }
}

/** The rows of a batch, with running local and global counts (requests only). */
export function rowsOf(v: EventBatchView): Row[] {
  const r = v.runner;
  const rows: Row[] = [];
  const localTps = v.localTps.toFixed(1);
  const globalTps = v.globalTps.toFixed(1);
  eachEvent(v, (key, begin, tx, err, step, rc, elapsed, local, global) => {
    const k = r.keys[key]!;
    rows.push([
      iso(begin),
      (Math.floor(begin) / 1000).toFixed(3),
      k.nature,
      fullId(r, key, step),
      r.id,
      r.index,
      r.cut,
      k.request,
      tx < 0 ? '' : r.tx + tx,
      step,
      rc,
      elapsed.toFixed(3),
      local,
      localTps,
      global,
      globalTps,
      v.activeRunners,
      err < 0 ? '' : (r.errors[err] ?? ''),
    ]);
  });
  return rows;
}

export interface EventFormat {
  header(): string;
  batch(v: EventBatchView): string;
}

/**
 * A text that a spreadsheet would run as a formula (`=HYPERLINK(...)` from an endpoint's error type)
 * is neutralised with a leading `'`, as OWASP's CSV injection advice says: a cell starting with
 * = + - @ tab or CR. Only text columns: numbers are written as they are.
 */
export function inert(value: string | number): string | number {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One CSV cell, neutralised (inert) and quoted and escaped by csv-stringify as needed. */
export function cell(value: string | number): string {
  return stringify([[inert(value)]]).slice(0, -1);
}

/**
 * The cells nature,full_id,id,runner,cut,request of one (runner, key, step), made once by
 * csv-stringify and cached; likewise each distinct error text. Every other column is a number or an
 * ISO time that never needs quoting, so a row is assembled from cached cells: csv-stringify does all
 * the quoting, once per distinct value instead of once per event (it runs at ~190k rows/s alone).
 */
const labelCells: KeyStepCache = new WeakMap();
function labels(r: RunnerLabels, key: number, step: number): string {
  return perKeyStep(labelCells, r, key, step, () => {
    const kd = r.keys[key]!;
    return stringify([[kd.nature, fullId(r, key, step), r.id, r.index, r.cut, kd.request].map(inert)]).slice(0, -1);
  });
}

const errorCells = new WeakMap<RunnerLabels, string[]>();
function errorCell(r: RunnerLabels, err: number): string {
  let a = errorCells.get(r);
  if (a === undefined) errorCells.set(r, (a = []));
  return (a[err] ??= cell(r.errors[err] ?? ''));
}

function csvBatch(v: EventBatchView): string {
  const r = v.runner;
  const tail2 = `,${v.localTps.toFixed(1)},`;
  const tail3 = `,${v.globalTps.toFixed(1)},${v.activeRunners},`;
  let out = '';
  eachEvent(v, (key, begin, tx, err, step, rc, elapsed, local, global) => {
    out +=
      iso(begin) +
      ',' +
      (Math.floor(begin) / 1000).toFixed(3) +
      ',' +
      labels(r, key, step) +
      ',' +
      (tx < 0 ? '' : r.tx + tx) +
      ',' +
      step +
      ',' +
      rc +
      ',' +
      elapsed.toFixed(3) +
      ',' +
      local +
      tail2 +
      global +
      tail3 +
      (err < 0 ? '' : errorCell(r, err)) +
      '\n';
  });
  return out;
}

export const csvFormat: EventFormat = {
  header: () => stringify([CSV_COLUMNS]),
  batch: csvBatch,
};

export const jsonlFormat: EventFormat = {
  header: () => '',
  batch: (v) => {
    let s = '';
    for (const row of rowsOf(v)) {
      const o: Record<string, string | number> = {};
      for (let c = 0; c < EVENT_COLUMNS.length; c++) {
        const col = EVENT_COLUMNS[c]!;
        o[col.name] = col.type === 'number' ? Number(row[c]!) : row[c]!;
      }
      s += JSON.stringify(o) + '\n';
    }
    return s;
  },
};

/** PYLOGEN's long format: the same fields as key=value on one line, values with spaces quoted. */
export const longFormat: EventFormat = {
  header: () => '',
  batch: (v) => {
    let s = '';
    for (const row of rowsOf(v)) {
      const parts: string[] = [];
      for (let c = 0; c < CSV_COLUMNS.length; c++) {
        const val = String(row[c]);
        parts.push(`${CSV_COLUMNS[c]}=${/[\s"=]/.test(val) || val === '' ? JSON.stringify(val) : val}`);
      }
      s += parts.join(' ') + '\n';
    }
    return s;
  },
};
