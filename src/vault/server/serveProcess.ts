/**
 * The embedded Vault server in a child process of its own, for `--endpoint vault-local`
 * (src/vault/target.ts forks it): its cryptography never competes with the stats queue for the main
 * process's event loop. It gets its options over IPC, answers `listening` with its URL, and exits
 * when its IPC channel closes (the run ends, or the main process dies even by SIGKILL): never an orphan.
 */
import { startVaultServer, type VaultServerHandle, type VaultServerOptions } from './server.js';

export type ServeMain = { type: 'serve'; options: VaultServerOptions };
export type ServeChild = { type: 'listening'; url: string } | { type: 'failed'; error: string };

if (typeof process.send !== 'function') {
  process.stderr.write('pylogen vault server process: must be started by pylogen (no IPC channel)\n');
  process.exit(2);
}

let handle: VaultServerHandle | undefined;
let stopping = false;
const send = (m: ServeChild, then?: () => void): void => {
  if (process.connected) process.send!(m, undefined, {}, () => then?.());
  else then?.();
};

function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(code), 2000).unref();
  void (handle?.close() ?? Promise.resolve()).finally(() => process.exit(code));
}

process.on('disconnect', () => stop(0));
// A Ctrl-C reaches the whole process group: the main process decides when the server goes.
process.on('SIGINT', () => {});

process.once('message', (m: ServeMain) => {
  if (m.type !== 'serve') return;
  startVaultServer(m.options).then(
    (h) => {
      handle = h;
      if (stopping) return void h.close();
      send({ type: 'listening', url: h.url });
    },
    (err: unknown) => send({ type: 'failed', error: (err as Error).message }, () => stop(1)),
  );
});
