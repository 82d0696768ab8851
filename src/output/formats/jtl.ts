/**
 * `--outformat jtl`: JMeter's CSV result format (a .jtl file), with the header JMeter 5 writes by
 * default (jmeter.properties' saveservice defaults), so JMeter's own tools (the HTML dashboard
 * generator `jmeter -g`, listeners that load a result file) and the many JTL viewers read pylogen's
 * results. One row per event, requests and transactions alike (a transaction row is what JMeter's
 * Transaction Controller writes: its label, its whole elapsed time, its outcome).
 *
 * Column by column:
 * - timeStamp: epoch ms of the sample's start. JMeter stamps the start (sampleresult.timestamp.start
 *   =true); pylogen's latency in the open model runs from the intended start, so the stamp is the
 *   intended start too and timeStamp + elapsed is the end of the operation in both models.
 * - elapsed, Latency: whole ms (JMeter's are longs), the latency; pylogen has no first byte apart.
 * - label: the request name (the `request` column of csv); responseCode: the rc (0, 16, a CUT's own);
 *   responseMessage: `OK` or the error text; failureMessage: the error text of a failed row.
 * - threadName: JMeter's `<group> <group number>-<thread number>`: `id.Cut 1-1` for runner 0 of the
 *   first line, so JMeter's per-thread-group charts split the lines.
 * - dataType `text`; bytes 0 (a CUT says nothing of what it received); sentBytes the payload length
 *   (the step); grpThreads / allThreads the active runners of the line / of the run; URL empty;
 *   IdleTime and Connect 0.
 * Text cells are quoted by csv-stringify as JMeter's CSV writer does (RFC 4180 quotes and doubled
 * quotes), once per distinct label and error text.
 */
import { EVENT_FIELDS, F_BEGIN, F_ELAPSED, F_ERR, F_KEY, F_RC, F_SERVICE, F_STEP } from '../../core/protocol.js';
import type { EventBatchView, RunnerLabels } from '../../core/events.js';
import { cell, type EventFormat } from './formatEvents.js';

export const JTL_COLUMNS = [
  'timeStamp',
  'elapsed',
  'label',
  'responseCode',
  'responseMessage',
  'threadName',
  'dataType',
  'success',
  'failureMessage',
  'bytes',
  'sentBytes',
  'grpThreads',
  'allThreads',
  'URL',
  'Latency',
  'IdleTime',
  'Connect',
] as const;

/** `label` cell of each key and `threadName` cell of each runner, quoted once. */
const labelCells = new WeakMap<RunnerLabels, string[]>();
const threadCells = new WeakMap<RunnerLabels, string>();
/** `responseMessage,threadName,dataType,success,failureMessage` of a failed row, per error text. */
const errorCells = new WeakMap<RunnerLabels, string[]>();

function threadName(r: RunnerLabels): string {
  let s = threadCells.get(r);
  if (s === undefined) threadCells.set(r, (s = cell(`${r.id}.${r.cut} ${r.line + 1}-${r.index + 1}`)));
  return s;
}

function jtlBatch(v: EventBatchView): string {
  const { runner: r, events: e } = v;
  let labels = labelCells.get(r);
  if (labels === undefined) labelCells.set(r, (labels = []));
  let errors = errorCells.get(r);
  if (errors === undefined) errorCells.set(r, (errors = []));
  const thread = threadName(r);
  const okTail = `,OK,${thread},text,true,,0,`;
  const threads = `,${v.lineActiveRunners},${v.activeRunners},,`;
  let out = '';
  for (let i = 0; i < v.n; i++) {
    const o = i * EVENT_FIELDS;
    const key = e[o + F_KEY]!;
    const elapsedMs = e[o + F_ELAPSED]!;
    const elapsed = Math.round(elapsedMs);
    // The intended start: the actual begin less the wait before it (0 in the closed model).
    const start = Math.round(e[o + F_BEGIN]! + e[o + F_SERVICE]! - elapsedMs);
    const err = e[o + F_ERR]!;
    const label = (labels[key] ??= cell(r.keys[key]!.request));
    let tail: string;
    if (err < 0) {
      tail = okTail;
    } else {
      tail = errors[err] ??= (() => {
        const text = cell(r.errors[err] ?? '');
        return `,${text},${thread},text,false,${text},0,`;
      })();
    }
    out += start + ',' + elapsed + ',' + label + ',' + e[o + F_RC]! + tail + e[o + F_STEP]! + threads + elapsed + ',0,0\n';
  }
  return out;
}

export const jtlFormat: EventFormat = {
  header: () => JTL_COLUMNS.join(',') + '\n',
  batch: jtlBatch,
};
