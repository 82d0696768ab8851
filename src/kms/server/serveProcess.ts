/**
 * The embedded KMS server in a child process of its own, for `--endpoint local`
 * (src/kms/localEndpoint.ts forks it). Its own process so that the server's cryptography never
 * competes with the stats queue for the main process's event loop. It gets its options over IPC,
 * answers `listening` with its URL, and exits when its IPC channel closes: when the run ends, and
 * when the main process dies, even by SIGKILL (vitest init-forks.ts): never an orphan.
 */
import { describeError, UsageError } from '../../core/errors.js';
import type { ServeChildMessage, ServeMainMessage } from './messages.js';
import { startKmsServers, type KmsServerGroup } from './workers.js';
import { requireIpc, sendToParent } from './ipc.js';

requireIpc('kms server process');

let handle: KmsServerGroup | undefined;
let stopping = false;

const send = (m: ServeChildMessage, then?: () => void): void => sendToParent(m, then);

function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  // Whatever happens to close(), the process ends promptly.
  setTimeout(() => process.exit(code), 2000).unref();
  void (handle?.close() ?? Promise.resolve()).finally(() => process.exit(code));
}

process.on('disconnect', () => stop(0));
// A Ctrl-C reaches the whole process group: the main process decides when the server may go (after
// the runners' operations in flight), by closing the channel.
process.on('SIGINT', () => {});

process.once('message', (m: ServeMainMessage) => {
  if (m.type !== 'serve') return;
  startKmsServers(m.options, m.workers ?? 1).then(
    (h) => {
      handle = h;
      if (stopping) return void h.close();
      send({ type: 'listening', url: h.url, keys: m.options.keys?.length ?? 0 } satisfies ServeChildMessage);
    },
    (err: unknown) => {
      const usage = err instanceof UsageError;
      send({ type: 'failed', error: usage ? (err as Error).message : describeError(err), usage } satisfies ServeChildMessage, () => stop(1));
    },
  );
});
