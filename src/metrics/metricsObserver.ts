/**
 * --metrics-port during a run: the endpoint serves the run's registry from the moment the runners are
 * forked, and after the summary keeps the final values up for --grace seconds, for a last scrape (a second
 * interrupt ends the wait; docs/reference.md "Prometheus metrics").
 */
import type { RunObserver } from '../stats/runObserver.js';
import type { MetricsServer } from './MetricsServer.js';
import { runMetrics } from './runMetrics.js';

export function metricsObserver(server: MetricsServer, signal: AbortSignal | undefined, forceSignal: AbortSignal | undefined): RunObserver {
  let graceMs = 0;
  return {
    begin(run) {
      graceMs = run.graceMs;
      server.serve(runMetrics(run.queue, run.runners));
    },
    async end() {
      if (forceSignal?.aborted) return;
      await waitOrAbort(graceMs, forceSignal, signal?.aborted === true ? undefined : signal);
    },
  };
}

/** Waits ms, or until one of the signals is aborted (an interrupt ends the last wait at once). */
function waitOrAbort(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const s of signals) s?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of signals) s?.addEventListener('abort', done, { once: true });
  });
}
