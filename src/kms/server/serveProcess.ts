/**
 * The embedded KMS server in a child process of its own, for `--endpoint local`
 * (src/kms/localEndpoint.ts forks it). Its own process so that the server's cryptography never
 * competes with the stats queue for the main process's event loop. It gets its options over IPC,
 * answers `listening` with its URL, and exits when its IPC channel closes (core/serverProcess.ts).
 */
import { describeError, UsageError } from '../../core/errors.js';
import { serveInChild } from '../../core/serverProcess.js';
import type { ServeChildMessage, ServeMainMessage } from './messages.js';
import { startKmsServers } from './workers.js';

serveInChild({
  what: 'kms server process',
  start: (m: ServeMainMessage) => startKmsServers(m.options, m.workers ?? 1),
  listening: (h, m): ServeChildMessage => ({ type: 'listening', url: h.url, keys: m.options.keys?.length ?? 0 }),
  failed: (err): ServeChildMessage => {
    const usage = err instanceof UsageError;
    return { type: 'failed', error: usage ? (err as Error).message : describeError(err), usage };
  },
});
