/**
 * Where the per-event stream goes: standard output or --out FILE. write() says when the stream is
 * full; the stats queue then holds its acknowledgements until drain, so runners slow down
 * (backpressure) instead of the main process buffering without bound.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { OutFormat } from '../plan.js';
import type { EventBatchView } from './EventView.js';
import { csvFormat, jsonlFormat, longFormat, type EventFormat } from './formatEvents.js';
import { jtlFormat } from './jtlFormat.js';

export interface EventOutput {
  /** false when the stream is full: wait for drain() before more */
  write(v: EventBatchView): boolean;
  drain(): Promise<void>;
  close(): Promise<void>;
}

const FORMATS: Record<Exclude<OutFormat, 'none'>, EventFormat> = { csv: csvFormat, long: longFormat, jsonl: jsonlFormat, jtl: jtlFormat };

export function openEventOutput(format: OutFormat, out: string, stdout: Writable = process.stdout): EventOutput | undefined {
  if (format === 'none') return undefined;
  const f = FORMATS[format];
  const stream: Writable = out === '' ? stdout : createWriteStream(out);
  const header = f.header();
  if (header !== '') stream.write(header);
  return {
    write: (v) => stream.write(f.batch(v)),
    drain: () =>
      stream.writableNeedDrain ? new Promise<void>((resolve) => stream.once('drain', () => resolve())) : Promise.resolve(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (stream === stdout) {
          // Never end process.stdout: wait until what was written is flushed.
          if (stream.writableNeedDrain) stream.once('drain', () => resolve());
          else stream.write('', () => resolve());
          return;
        }
        stream.once('error', reject);
        stream.end(() => resolve());
      }),
  };
}
