/**
 * A runner whose main process is gone dies within a second, even while its CUT blocks the event
 * loop (a busy loop, a synchronous native call): the 'disconnect' event needs that loop, this does
 * not. A worker thread, with its own loop, checks the parent pid every CHECK_MS; once the runner
 * has been re-parented (the main process died, even by SIGKILL), it kills the runner.
 */
import { Worker } from 'node:worker_threads';

const CHECK_MS = 250;

const CODE = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.ppid) process.kill(workerData.pid, 'SIGKILL');
}, workerData.every);
`;

export function startOrphanWatchdog(): void {
  const w = new Worker(CODE, { eval: true, workerData: { ppid: process.ppid, pid: process.pid, every: CHECK_MS } });
  // It never keeps the runner alive, and a failure to start it is not the run's failure.
  w.unref();
  w.on('error', () => undefined);
}
