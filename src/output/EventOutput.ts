/**
 * Where the per-event stream goes: standard output or --out FILE. write() says when the stream is
 * full; the stats queue then holds its acknowledgements until drain, so runners slow down
 * (backpressure) instead of the main process buffering without bound.
 */
import { createWriteStream, truncateSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { OutFormat } from '../core/plan.js';
import type { EventSink } from '../core/events.js';
import { csvFormat, jsonlFormat, longFormat, type EventFormat } from './formats/formatEvents.js';
import { jtlFormat } from './formats/jtl.js';

export interface EventOutput extends EventSink {
  /** Flushes and closes (never process.stdout itself); never rejects: a failure is in failure(). */
  close(): Promise<void>;
  /** The write error that stopped the stream, with its row counts; undefined while all is well. */
  failure?(): OutputFailure | undefined;
  /** Whether the stream is full and waits for its reader (backpressure) */
  waiting?(): boolean;
  /**
   * Gives up on a reader that stopped reading: what it did not take is counted as not written
   * (failure() code STALLED), every wait ends, and close() no longer waits. The run ends on time.
   */
  abandon?(): void;
}

/** The failure code of a stream whose reader stopped reading and was given up (see abandon()). */
export const STALLED = 'STALLED';
/** close() waits this long at most for a reader to take what is left, then gives it up. */
const CLOSE_BOUND_MS = 2000;

/** The stream failed: its reader closed it (EPIPE), or the disk is full (ENOSPC), or I/O failed. */
export interface OutputFailure {
  /** the error's code (EPIPE, ENOSPC, EIO, ...) or message */
  code: string;
  message: string;
  /** rows the stream accepted (handed to the OS) before the failure */
  written: number;
  /** rows of the run not written: produced after the failure, or lost with it */
  notWritten: number;
  /** rows of the run in all */
  rows: number;
  /** the destination as the user named it: a file path, or "stdout" */
  where: string;
}

const FORMATS: Record<Exclude<OutFormat, 'none'>, EventFormat> = { csv: csvFormat, long: longFormat, jsonl: jsonlFormat, jtl: jtlFormat };

/**
 * A write error is listened for from the first write on: a reader that closes the pipe (`| head`)
 * is normal use, a full disk is not rare, and neither may crash the run. After one, the stream is
 * left alone (rows are counted, not written) and the run goes on: everything is still aggregated,
 * and the summary says how many rows were written.
 */
export function openEventOutput(format: OutFormat, out: string, stdout: Writable = process.stdout, say?: (s: string) => void): EventOutput | undefined {
  if (format === 'none') return undefined;
  const f = FORMATS[format];
  const stream: Writable = out === '' ? stdout : createWriteStream(out);
  let failed: Error | undefined;
  let rows = 0;
  let written = 0;
  /** bytes the OS took (header and whole batches): a file that fills is cut back to them */
  let bytesOk = 0;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const onError = (err: Error) => {
    if (failed === undefined && out !== '' && (err as NodeJS.ErrnoException).code !== undefined) {
      // A write that failed half-way (ENOSPC) left a cut row: the file keeps the whole batches that
      // were written, so the count the warning gives is the file's row count.
      try {
        truncateSync(out, bytesOk);
      } catch {
        /* the failure is said anyway */
      }
    }
    failed ??= err;
    wake();
  };
  stream.on('error', onError);
  const header = f.header();
  if (header !== '') stream.write(header, (err) => (err == null ? (bytesOk += Buffer.byteLength(header)) : undefined));
  const abandon = () => {
    if (failed !== undefined) return;
    failed = Object.assign(new Error('its reader stopped reading'), { code: STALLED });
    // A file stream is closed; process.stdout cannot be: the CLI exits without waiting for it.
    if (stream !== stdout) stream.destroy();
    wake();
  };
  /** Resolves on 'drain', or at once when the stream failed (no drain would ever come). */
  const waitDrain = () =>
    new Promise<void>((resolve) => {
      if (failed !== undefined || !stream.writableNeedDrain) return resolve();
      const done = () => {
        stream.off('drain', done);
        resolve();
      };
      waiters.push(done);
      stream.once('drain', done);
    });
  return {
    write: (v) => {
      rows += v.n;
      if (failed !== undefined) return true;
      const n = v.n;
      // The callback says the rows reached the OS: the count of a stream that fails later is exact.
      const text = f.batch(v);
      return stream.write(text, (err) => {
        if (failed !== undefined) return;
        if (err == null) {
          written += n;
          if (out !== '') bytesOk += Buffer.byteLength(text);
        } else onError(err);
      });
    },
    drain: waitDrain,
    waiting: () => failed === undefined && stream.writableNeedDrain,
    abandon,
    close: async () => {
      // A reader that takes nothing for CLOSE_BOUND_MS is given up: the run ends on time.
      const bound = setTimeout(abandon, CLOSE_BOUND_MS);
      if (failed === undefined) {
        if (stream === stdout) {
          // Never end process.stdout: wait until what was written is flushed.
          if (stream.writableNeedDrain) await waitDrain();
          else {
            await new Promise<void>((resolve) => {
              waiters.push(resolve);
              stream.write('', () => resolve());
            });
          }
        } else {
          await new Promise<void>((resolve) => {
            waiters.push(resolve);
            stream.end(() => resolve());
          });
        }
      }
      clearTimeout(bound);
      if (failed === undefined) stream.off('error', onError);
      // where the file is, as the summary and the report say theirs (a failure is said in the summary's warnings)
      if (failed === undefined && out !== '') say?.(`events written to ${out} (${rows} rows)\n`);
      // Else the listener stays: a late error of a broken stream must not become an uncaught one.
    },
    failure: () => {
      if (failed === undefined) return undefined;
      const code = (failed as NodeJS.ErrnoException).code ?? failed.message;
      return { code, message: failed.message, written, notWritten: rows - written, rows, where: out === '' ? 'stdout' : out };
    },
  };
}
