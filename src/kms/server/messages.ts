/**
 * The messages of the embedded server's processes: `--endpoint local`'s server process and the
 * workers of `kms serve --workers N`. The server's own protocol, apart from the runners' (core/protocol.ts).
 */
import type { KmsServerOptions, KmsServerStats } from './server.js';

/**
 * The embedded KMS server's own process (`--endpoint local`, src/kms/localEndpoint.ts and
 * src/kms/server/serveProcess.ts): one message each way. The server stops when the channel closes.
 */
export type ServeMainMessage = { type: 'serve'; options: KmsServerOptions; workers?: number };

/**
 * A worker of `kms serve --workers N` (src/kms/server/workers.ts and src/kms/server/serveWorker.ts): it
 * gets the options with the primary's keys (`shared`), listens on the shared port, and on `stop`
 * closes, answers its counts and exits. It exits too when its channel closes.
 */
export type WorkerMainMessage = { type: 'serve'; options: KmsServerOptions } | { type: 'stop' };

export type WorkerChildMessage =
  /** the worker listens for messages now: the primary may send `serve` */
  { type: 'ready' } | { type: 'listening'; url: string } | { type: 'failed'; error: string; usage: boolean } | { type: 'stopped'; stats: KmsServerStats };

export type ServeChildMessage =
  | { type: 'listening'; url: string; keys: number }
  /** usage: a bad option or key (exit 2 for the run), else an internal failure */
  | { type: 'failed'; error: string; usage: boolean };
