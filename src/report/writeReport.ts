/** Writes the HTML report of a summary to a file (--report, `pylogen report`). */
import { writeFileAtomic } from '../core/writeAtomic.js';
import { describeError } from '../core/errors.js';
import { renderReport, type ReportSummary } from './renderReport.js';
import type { RunObserver } from '../stats/runObserver.js';

export function writeReport(path: string, summary: ReportSummary): void {
  writeFileAtomic(path, renderReport(summary));
}

/** Writes the report at the end of a run; one line on stderr (`say`) says where, or the failure (and false). */
export function tryReport(path: string, summary: ReportSummary, say: (s: string) => void): boolean {
  try {
    writeReport(path, summary);
    say(`report written to ${path}\n`);
    return true;
  } catch (err) {
    say(`pylogen: --report ${path}: the report could not be written (${describeError(err)})\n`);
    return false;
  }
}

/** --report: the report is written once the summary is final. */
export function reportObserver(path: string, say: (s: string) => void): RunObserver {
  return { end: (summary) => tryReport(path, summary, say) };
}
