/**
 * The embedded Cloud KMS server in a child process of its own, for `--endpoint gcp-local`
 * (target.ts forks it), so that its cryptography never competes with the main process's event
 * loop. It gets its options over IPC, answers `listening` with its two URLs, and exits when its IPC
 * channel closes: when the run ends, and when the main process dies, even by SIGKILL. Never an orphan.
 */
import { describeError } from '../../core/errors.js';
import { startGcpServer, type GcpServer, type GcpServerOptions } from './server.js';
import { parseGcpKeyFile } from '../keyfile.js';

export type GcpServeMainMessage = { type: 'serve'; options: Omit<GcpServerOptions, 'keyFiles'>; keyFiles: { label: string; path: string; text: string }[] };
export type GcpServeChildMessage = { type: 'listening'; grpcUrl: string; restUrl: string; keys: number } | { type: 'failed'; error: string };

if (typeof process.send !== 'function') {
  process.stderr.write('pylogen gcp server process: must be started by pylogen (no IPC channel)\n');
  process.exit(2);
}

let server: GcpServer | undefined;
let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 2000).unref();
  void (server?.close() ?? Promise.resolve()).finally(() => process.exit(0));
}
process.on('disconnect', stop);
// A Ctrl-C reaches the whole process group: the main process decides when the server goes.
process.on('SIGINT', () => {});

process.once('message', (m: GcpServeMainMessage) => {
  if (m.type !== 'serve') return;
  const send = (r: GcpServeChildMessage): void => {
    if (process.connected) process.send!(r);
  };
  try {
    const keyFiles = m.keyFiles.map((f) => parseGcpKeyFile(f.text, f.label, f.path));
    startGcpServer({ ...m.options, keyFiles }).then(
      (s) => {
        server = s;
        if (stopping) return void s.close();
        send({ type: 'listening', grpcUrl: s.grpcUrl, restUrl: s.restUrl, keys: keyFiles.reduce((n, f) => n + f.entries.size, 0) });
      },
      (err: unknown) => send({ type: 'failed', error: describeError(err) }),
    );
  } catch (err) {
    send({ type: 'failed', error: describeError(err) });
  }
});
