/**
 * Where --summary-json goes: a file (indented JSON, arrays of scalars on one line), or standard output with `-` (one line, the
 * last output of the run): a Kubernetes pod's log then carries its shard's summary, and `pylogen
 * merge -` finds it among the other lines of the concatenated logs (src/merge/readSummaries.ts).
 * A file is written whole or not at all (a full disk leaves no truncated summary).
 */
import { describeError } from '../core/errors.js';
import { writeFileAtomic } from '../core/writeAtomic.js';
import type { RunObserver } from './runObserver.js';
import { summaryText } from './summaryText.js';

export const SUMMARY_TO_STDOUT = '-';

/** `say` (stderr) gets one line saying where a file was written, as `pylogen report` does. */
export function writeSummaryJson(path: string, summary: object, stdout: NodeJS.WritableStream = process.stdout, say?: (s: string) => void): void {
  if (path === SUMMARY_TO_STDOUT) stdout.write(JSON.stringify(summary) + '\n');
  else {
    writeFileAtomic(path, summaryText(summary));
    say?.(`summary written to ${path}\n`);
  }
}

/** --summary-json at the end of a run: a summary that cannot be written (a full disk) is one line on stderr. */
export function summaryJsonObserver(path: string, stdout: NodeJS.WritableStream | undefined, say: (s: string) => void): RunObserver {
  return {
    end(summary) {
      try {
        writeSummaryJson(path, summary, stdout, say);
      } catch (err) {
        say(`pylogen: --summary-json ${path}: the summary could not be written (${describeError(err)})\n`);
        return false;
      }
    },
  };
}
