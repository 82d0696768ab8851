/**
 * The summaries in a text: a --summary-json file, or what `pylogen merge -` reads on stdin, such as
 * the concatenated logs of a Job's pods (`kubectl logs --selector job-name=NAME`), where each pod's
 * summary is one line (--summary-json -) among its other output.
 *
 * Accepted: any number of JSON documents, each either on one line (with anything before its first
 * `{` on that line ignored, like the `[pod/NAME/CONTAINER] ` of `kubectl logs --prefix`), or
 * pretty-printed (a line that is just `{`, up to the next line that is just `}`, as --summary-json
 * FILE writes them). Other lines are skipped, as are JSON documents that are not summaries (a jsonl
 * event). A line that starts like a summary but does not parse is an error: a truncated log.
 */
import { UsageError } from '../core/errors.js';
import type { Summary } from '../stats/summary.js';
import type { SummaryInput } from './mergeSummaries.js';

const looksLikeSummary = (v: unknown): v is Summary => v !== null && typeof v === 'object' && 'version' in v && 'byRequest' in v && 'series' in v;

/** Every summary in `text`; `source` names it in messages (each document as source:line). */
export function readSummaries(text: string, source: string): SummaryInput[] {
  const whole = text.trimStart();
  if (whole.startsWith('{')) {
    // A --summary-json file: one document, indented.
    try {
      const v: unknown = JSON.parse(whole);
      if (looksLikeSummary(v)) return [{ source, summary: v }];
    } catch {
      /* several documents, or lines around them: below */
    }
  }
  const lines = text.split('\n');
  const out: SummaryInput[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const at = line.indexOf('{');
    if (at < 0) continue;
    const rest = line.slice(at);
    let doc = rest;
    const first = i;
    if (rest.trim() === '{' && line.slice(0, at).trim() === '') {
      // pretty-printed: up to the next line that is just "}"
      const end = lines.findIndex((l, j) => j > i && l.replace(/\r$/, '') === `${line.slice(0, at)}}`);
      if (end < 0) continue;
      doc = lines.slice(i, end + 1).join('\n');
      i = end;
    } else if (!rest.trimEnd().endsWith('}')) continue;
    let v: unknown;
    try {
      v = JSON.parse(doc);
    } catch (err) {
      if (rest.startsWith('{"version":2'))
        throw new UsageError(`${source}:${first + 1}: a summary that is not valid JSON (a truncated log?): ${(err as Error).message}`);
      continue;
    }
    if (looksLikeSummary(v)) out.push({ source: `${source}:${first + 1}`, summary: v });
  }
  return out;
}
