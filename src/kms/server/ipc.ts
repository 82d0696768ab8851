/** The IPC channel of a server process started by pylogen (serveProcess.ts, serveWorker.ts). */

/** Exits 2 with one line when this process has no IPC channel (started by hand, not by pylogen). */
export function requireIpc(what: string): void {
  if (typeof process.send !== 'function') {
    process.stderr.write(`pylogen ${what}: must be started by pylogen (no IPC channel)\n`);
    process.exit(2);
  }
}

/** Sends m to the parent while the channel is open; `then` runs once it is sent (or at once when closed). */
export function sendToParent<M>(m: M, then?: () => void): void {
  if (process.connected) process.send!(m, undefined, {}, () => then?.());
  else then?.();
}
