/**
 * The child's half of an embedded server in a process of its own (the KMS, Vault and Cloud KMS throwaway
 * targets; core/serverChild.ts is the parent's half): its IPC channel, and the life of a server process,
 * which gets its options over IPC, answers `listening` or `failed`, and exits when its IPC channel closes:
 * when the run ends, and when the main process dies, even by SIGKILL (vitest init-forks.ts): never an orphan.
 */

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

export interface ServeInChild<Main, Server, Child> {
  /** the process, as the line of a process started without IPC names it */
  what: string;
  /** starts the server from the parent's `serve` message (a throw or a rejection is a failure) */
  start(m: Main): Promise<Server>;
  /** the message that says the server listens */
  listening(server: Server, m: Main): Child;
  /** the message that says it could not start */
  failed(err: unknown): Child;
}

/** Runs a server process: the parent's one `serve` message starts the server; the channel's close ends it, or its failure (exit 1, once said). */
export function serveInChild<Main extends { type: string }, Server extends { close(): Promise<unknown> }, Child>(s: ServeInChild<Main, Server, Child>): void {
  requireIpc(s.what);
  let server: Server | undefined;
  let stopping = false;
  const stop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    // Whatever happens to close(), the process ends promptly.
    setTimeout(() => process.exit(code), 2000).unref();
    void (server?.close() ?? Promise.resolve()).finally(() => process.exit(code));
  };
  process.on('disconnect', () => stop(0));
  // A Ctrl-C reaches the whole process group: the main process decides when the server may go (after
  // the runners' operations in flight), by closing the channel.
  process.on('SIGINT', () => {});
  process.once('message', (m: Main) => {
    if (m.type !== 'serve') return;
    const failed = (err: unknown): void => sendToParent(s.failed(err), () => stop(1));
    let started: Promise<Server>;
    try {
      started = s.start(m);
    } catch (err) {
      return failed(err);
    }
    started.then((h) => {
      server = h;
      if (stopping) return void h.close();
      sendToParent(s.listening(h, m));
    }, failed);
  });
}
