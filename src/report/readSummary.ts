/**
 * A summary JSON read back from a file (`pylogen report`): checked to be one that pylogen wrote
 * (version 2, with the series and the rows a report draws), or a UsageError naming the file and
 * what is wrong.
 */
import { UsageError } from '../core/errors.js';
import { isJsonObject, readJsonFile } from '../core/jsonFile.js';
import type { ReportSummary } from './renderReport.js';

/** What is missing from a parsed JSON value for it to be a summary, or undefined. */
export function notASummary(v: unknown): string | undefined {
  if (!isJsonObject(v)) return 'not a JSON object';
  const o = v;
  if (o.version !== 2) return `"version" is ${JSON.stringify(o.version)}, not 2`;
  for (const k of ['byRequest', 'byTransaction', 'byRunner', 'warnings']) if (!Array.isArray(o[k])) return `no "${k}" list`;
  for (const k of ['requests', 'runners', 'events', 'queue', 'transactions', 'errorsByType'])
    if (o[k] === null || typeof o[k] !== 'object') return `no "${k}" object`;
  const s = o.series as Record<string, unknown> | undefined;
  if (
    s === null ||
    typeof s !== 'object' ||
    typeof s.intervals !== 'number' ||
    typeof s.intervalMs !== 'number' ||
    s.total === null ||
    typeof s.total !== 'object'
  ) {
    return 'no "series" (written by a pylogen without time series?)';
  }
  for (const r of o.byRequest as unknown[]) {
    const hdr = (r as { ok?: { hdr?: { latency?: unknown } } })?.ok?.hdr;
    if (typeof hdr?.latency !== 'string') return 'a "byRequest" row has no encoded histogram (ok.hdr.latency)';
  }
  return undefined;
}

export function readSummary(path: string, shown: string): ReportSummary {
  const v = readJsonFile(path, shown, (why) => `not a pylogen summary (not JSON: ${why})`);
  const why = notASummary(v);
  if (why !== undefined) throw new UsageError(`${shown}: not a pylogen summary (${why})`);
  return v as ReportSummary;
}
