/**
 * An embedded server in a child process of its own (the KMS, Vault and Cloud KMS throwaway targets):
 * forked with an IPC channel, its output on our stderr; close() ends it (the channel closed, then
 * SIGKILL past a bound) and resolves once it is gone; died() says how it ended if it ended before
 * close() (the run's warning: the errors after that are its absence, not the server's).
 */
import { fork, type ChildProcess } from 'node:child_process';

export interface ServerChild {
  child: ChildProcess;
  close(): Promise<void>;
  died(): string | undefined;
}

export function forkServer(modulePath: string, killAfterMs: number, options: { serialization?: 'advanced' } = {}): ServerChild {
  // Its stdout is not the event stream's business; an internal error of the server reaches stderr.
  const child = fork(modulePath, [], { ...options, stdio: ['ignore', 2, 2, 'ipc'], execArgv: [] });
  let closing = false;
  let death: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!closing) death = signal !== null ? `on ${signal}` : `with code ${code}`;
      resolve();
    }),
  );
  const close = async (): Promise<void> => {
    closing = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    await exited;
    clearTimeout(timer);
  };
  return { child, close, died: () => death };
}
