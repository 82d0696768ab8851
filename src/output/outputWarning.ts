/**
 * The warning of an event stream that failed (src/output/EventOutput.ts). A reader that closed the
 * pipe (EPIPE: `pylogen ... | head`) is normal use and does not fail the run; any other write error
 * (ENOSPC, EIO) lost rows the user asked for, and fails it (exit 1). Either way the summary is
 * complete: it never depended on the event stream.
 */
import { STALLED, type OutputFailure } from './EventOutput.js';

const rows = (n: number) => `${n} row${n === 1 ? '' : 's'}`;

export function outputWarning(f: OutputFailure): string {
  if (f.code === 'EPIPE') {
    return `the event stream's reader closed it after ${rows(f.written)}: the other ${f.notWritten} were counted, not written`;
  }
  if (f.code === STALLED) {
    return `the event stream's reader (${f.where}) stopped reading: it was given up at the end of the run, ${f.notWritten} of ${rows(f.rows)} were counted, not written`;
  }
  return `the event stream could not be written (${f.message}): ${f.notWritten} of ${rows(f.rows)} were not written to ${f.where}`;
}

/** Whether the failure fails the run: every write error but a reader that went away. */
export function outputFailureFailsRun(f: OutputFailure | undefined): boolean {
  return f !== undefined && f.code !== 'EPIPE';
}
