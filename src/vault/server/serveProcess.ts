/**
 * The embedded Vault server in a child process of its own, for `--endpoint vault-local`
 * (src/vault/target.ts forks it): its cryptography never competes with the stats queue for the main
 * process's event loop. It gets its options over IPC, answers `listening` with its URL, and exits
 * when its IPC channel closes (the run ends, or the main process dies even by SIGKILL; core/serverProcess.ts): never an orphan.
 */
import { serveInChild } from '../../core/serverProcess.js';
import { startVaultServer, type VaultServerOptions } from './server.js';

export type ServeMain = { type: 'serve'; options: VaultServerOptions };
export type ServeChild = { type: 'listening'; url: string } | { type: 'failed'; error: string };

serveInChild({
  what: 'vault server process',
  start: (m: ServeMain) => startVaultServer(m.options),
  listening: (h): ServeChild => ({ type: 'listening', url: h.url }),
  failed: (err): ServeChild => ({ type: 'failed', error: (err as Error).message }),
});
