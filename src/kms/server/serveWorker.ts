/**
 * One worker of `kms serve --workers N` (a node:cluster worker; src/kms/server/workers.ts is the
 * primary): the embedded server with the primary's keys on the shared port. `stop` closes it and
 * answers its counts; a closed channel (the primary gone, even killed) ends it too: never an orphan.
 */
import { describeError, UsageError } from '../../core/errors.js';
import type { WorkerChildMessage, WorkerMainMessage } from './messages.js';
import { startKmsServer, type KmsServerHandle } from './server.js';
import { requireIpc, sendToParent } from '../../core/serverProcess.js';

requireIpc('kms server worker');

let handle: KmsServerHandle | undefined;
let stopping = false;

const send = (m: WorkerChildMessage, then?: () => void): void => sendToParent(m, then);

function stop(code: number, report: boolean): void {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(code), 2000).unref();
  void (handle?.close() ?? Promise.resolve()).finally(() => {
    const stats = handle?.stats() ?? { requests: 0, throttled: 0, injectedErrors: 0 };
    if (report) send({ type: 'stopped', stats } satisfies WorkerChildMessage, () => process.exit(code));
    else process.exit(code);
  });
}

process.on('disconnect', () => stop(0, false));
// Ctrl-C reaches the whole process group: the primary decides when its workers stop.
process.on('SIGINT', () => {});

process.on('message', (m: WorkerMainMessage) => {
  if (m.type === 'serve' && handle !== undefined) return;
  if (m.type === 'stop') return stop(0, true);
  startKmsServer(m.options).then(
    (h) => {
      handle = h;
      if (stopping) return void h.close();
      send({ type: 'listening', url: h.url } satisfies WorkerChildMessage);
    },
    (err: unknown) => {
      const usage = err instanceof UsageError;
      send({ type: 'failed', error: usage ? (err as Error).message : describeError(err), usage } satisfies WorkerChildMessage, () => stop(1, false));
    },
  );
});

// Asked for only now: a message sent before this module had its listener would be lost.
send({ type: 'ready' } satisfies WorkerChildMessage);
