/**
 * The embedded Cloud KMS server in a child process of its own, for `--endpoint gcp-local`
 * (target.ts forks it), so that its cryptography never competes with the main process's event
 * loop. It gets its options over IPC, answers `listening` with its two URLs, and exits when its IPC
 * channel closes: when the run ends, and when the main process dies, even by SIGKILL (core/serverProcess.ts). Never an orphan.
 */
import { describeError } from '../../core/errors.js';
import { serveInChild } from '../../core/serverProcess.js';
import { startGcpServer, type GcpServerOptions } from './server.js';
import { parseGcpKeyFile } from '../keyfile.js';

export type GcpServeMainMessage = { type: 'serve'; options: Omit<GcpServerOptions, 'keyFiles'>; keyFiles: { label: string; path: string; text: string }[] };
export type GcpServeChildMessage = { type: 'listening'; grpcUrl: string; restUrl: string; keys: number } | { type: 'failed'; error: string };

let keys = 0;
serveInChild({
  what: 'gcp server process',
  start: (m: GcpServeMainMessage) => {
    const keyFiles = m.keyFiles.map((f) => parseGcpKeyFile(f.text, f.label, f.path));
    keys = keyFiles.reduce((n, f) => n + f.entries.size, 0);
    return startGcpServer({ ...m.options, keyFiles });
  },
  listening: (s): GcpServeChildMessage => ({ type: 'listening', grpcUrl: s.grpcUrl, restUrl: s.restUrl, keys }),
  failed: (err): GcpServeChildMessage => ({ type: 'failed', error: describeError(err) }),
});
