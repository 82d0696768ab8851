/**
 * A runner's last messages when its CUT calls process.exit(): IPC writes that libuv still queues are
 * dropped at exit (measured: 20,000 operations then exit, 6,049 and 6,947 counted with the events
 * shipped), and an 'exit' hook cannot wait for them. So the runner keeps the batches the main process
 * has not acknowledged, and its 'exit' hook writes them with its last batch, synchronously, to a file
 * the main process reads once the runner is gone (seq numbers tell it which it already has).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { BatchMessage, RunnerMessage } from './protocol.js';

/** The runner's environment variable naming its spill file. */
export const SPILL_ENV = 'PYLOGEN_RUNNER_SPILL';

/** A fresh spill file path for one runner (the file exists only if the runner exits mid-run). */
export function spillPath(): string {
  return join(tmpdir(), `pylogen-runner-${process.pid}-${randomUUID()}.spill`);
}

/** The runner's side: the unacknowledged batches, written out by its 'exit' hook. */
export class ExitSpill {
  private kept: BatchMessage[] = [];

  constructor(private readonly path: string | undefined) {}

  keep(b: BatchMessage): void {
    if (this.path === undefined) return;
    // The recorder reuses a full batch's event buffer once it is sent: keep a copy.
    this.kept.push(b.events === undefined ? b : { ...b, events: b.events.slice() });
  }

  ack(seq: number): void {
    while (this.kept.length > 0 && this.kept[0]!.seq <= seq) this.kept.shift();
  }

  /** Synchronous: an 'exit' hook runs no more I/O callbacks. */
  write(last: RunnerMessage[]): void {
    if (this.path !== undefined) writeFileSync(this.path, serialize([...this.kept, ...last]));
  }
}

/** The main process's side: what a runner spilled (nothing if it did not), the file removed. */
export function readSpill(path: string): RunnerMessage[] {
  try {
    return deserialize(readFileSync(path)) as RunnerMessage[];
  } catch {
    return [];
  } finally {
    rmSync(path, { force: true });
  }
}
