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
   * While the stream is full: how long (ms) its reader has taken nothing. A slow reader that keeps
   * taking is not stalled (0 while the stream is not full).
   */
  idleMs?(): number;
  /**
   * Gives up on a reader that stopped reading: what it did not take is counted as not written
   * (failure() code STALLED), every wait ends, and close() no longer waits. The run ends on time.
   */
  abandon?(): void;
}

/** The failure code of a stream whose reader stopped reading and was given up (see abandon()). */
export const STALLED = 'STALLED';
/** close() gives up a reader that has taken nothing for this long ... */
const CLOSE_IDLE_MS = 2000;
/** ... or that is still taking what is left this long after close() began (a trickle). */
const CLOSE_BOUND_MS = 10_000;
/**
 * stdout is given bytes while it holds less than this, in pieces of at most this much: large writes to
 * a fast reader, and a slow reader's progress seen (each write it takes restarts the idle clock).
 */
const HANDOVER = 512 * 1024;

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
  /** when (epoch ms) the reader last took a piece: a stream full since then is idle */
  let takenAt = Date.now();
  /**
   * Bytes not yet handed to stdout, while it holds HANDOVER or more. Handing it over a piece at a
   * time (not everything at once, which the stream would write in one go and call back once) lets a
   * slow reader's progress be seen: a reader is given up when it takes nothing, never because it is slow.
   */
  const pending: { chunk: Buffer; n: number }[] = [];
  /** waits for the stream to take what is pending; they end at once on a failure */
  const waiters: (() => void)[] = [];
  /** waits that end only on a failure */
  const stopped: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const fail = () => {
    pending.length = 0;
    wake();
    for (const w of stopped.splice(0)) w();
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
    fail();
  };
  stream.on('error', onError);
  const header = f.header();
  if (header !== '') stream.write(header, (err) => (err == null ? (bytesOk += Buffer.byteLength(header)) : undefined));
  const abandon = () => {
    if (failed !== undefined) return;
    failed = Object.assign(new Error('its reader stopped reading'), { code: STALLED });
    // A file stream is closed; process.stdout cannot be: the CLI exits without waiting for it.
    if (stream !== stdout) stream.destroy();
    fail();
  };
  // Piece by piece to a reader (stdout: a pipe, whose reader may be slow); a file takes everything at
  // once, as fast as the disk goes (bench/run.js csv: a file written piece by piece went 15% slower).
  const handover = out === '' ? HANDOVER : Infinity;
  const full = () => pending.length > 0 || (out === '' ? stream.writableLength >= HANDOVER : stream.writableNeedDrain);
  const idleMs = () => (failed === undefined && full() ? Date.now() - takenAt : 0);
  /**
   * Hands `chunk` to the stream; `n` rows end with it (0 for a piece that is not a batch's last). The
   * callback says the rows reached the OS: the count of a stream that fails later is exact.
   */
  const hand = (chunk: Buffer, n: number) => {
    stream.write(chunk, (err) => {
      takenAt = Date.now();
      if (failed !== undefined) return;
      if (err != null) return onError(err);
      written += n;
      if (out !== '') bytesOk += chunk.length;
      pump();
    });
  };
  /** Hands over `chunk` (`n` rows), cut after a line into pieces of at most HANDOVER; what does not fit waits. */
  const offer = (chunk: Buffer, n: number) => {
    while (chunk.length > handover && stream.writableLength < handover) {
      const cut = chunk.lastIndexOf(10, handover - 1) + 1;
      if (cut === 0) break;
      hand(chunk.subarray(0, cut), 0);
      chunk = chunk.subarray(cut);
    }
    if (stream.writableLength < handover) hand(chunk, n);
    else pending.unshift({ chunk, n });
  };
  /** While the stream holds less than `handover`: what is pending, oldest first; then the waiters. */
  const pump = () => {
    while (failed === undefined && pending.length > 0 && stream.writableLength < handover) {
      const b = pending.shift()!;
      offer(b.chunk, b.n);
    }
    if (!full()) wake();
  };
  stream.on('drain', pump);
  /** Resolves once the stream and what is pending are taken, or at once when the stream failed. */
  const waitDrain = () =>
    new Promise<void>((resolve) => {
      if (failed !== undefined || !full()) return resolve();
      waiters.push(resolve);
    });
  return {
    write: (v) => {
      rows += v.n;
      if (failed !== undefined) return true;
      // Encoded at once, as a file stream would: a batch's text is a rope of thousands of small
      // strings, which must not outlive a scavenge while it waits (GC went from 12% to 44% of main).
      const chunk = Buffer.from(f.batch(v));
      if (pending.length > 0) {
        pending.push({ chunk, n: v.n });
        return false;
      }
      // a stream that becomes full now starts its idle clock now
      if (!full()) takenAt = Date.now();
      offer(chunk, v.n);
      return !full();
    },
    drain: waitDrain,
    waiting: () => failed === undefined && full(),
    idleMs,
    abandon,
    close: async () => {
      // A reader that takes nothing for CLOSE_IDLE_MS, or has not taken it all after CLOSE_BOUND_MS,
      // is given up: the run ends on time.
      const began = Date.now();
      const bound = setInterval(() => {
        if (idleMs() >= CLOSE_IDLE_MS || Date.now() - began >= CLOSE_BOUND_MS) abandon();
      }, 100);
      // what is pending is handed over first
      if (failed === undefined) await waitDrain();
      if (failed === undefined) {
        await new Promise<void>((resolve) => {
          stopped.push(resolve);
          // Never end process.stdout: wait until what was written is flushed.
          if (stream === stdout) stream.write('', () => resolve());
          else stream.end(() => resolve());
        });
      }
      clearInterval(bound);
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
