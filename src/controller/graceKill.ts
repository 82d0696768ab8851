/**
 * The fallback for a runner that outlived its duration and --grace: its CUT blocks its event loop (a
 * busy loop, a synchronous native call), so the runner can neither record its operations in flight
 * as GraceTimeout (runner/loops/operate.ts withGrace) nor send them. The main process SIGKILLs it and
 * records them itself: as many as the runner runs at once (its closed-model workers; at least the
 * one that blocks it in the open model), as GraceTimeout errors of a request row `(in flight)`, each
 * lasting from the runner's start to its kill (an upper bound: when it began is not known).
 */
import type { BatchMessage } from '../core/protocol.js';
import type { RunnerProcess } from './RunnerProcess.js';
import { LatencyCounts } from '../stats/LatencyCounts.js';

/** The row's key id, above any a runner interns (core/bounds.ts caps them far below). */
const IN_FLIGHT_KEY = 1_000_000;
export const IN_FLIGHT_REQUEST = '(in flight)';

/** The operations a runner that does not answer has in flight, as main counts them. */
function inFlight(r: RunnerProcess): number {
  const o = r.spec.options;
  if (o.schedule !== '') return 1;
  return o.concurrencySteps.length > 0 ? o.concurrencySteps[o.concurrencySteps.length - 1]! : o.concurrency;
}

/**
 * SIGKILLs a runner still alive, and hands its operations in flight, as one batch of GraceTimeout
 * errors, to `record` (the stats queue's onBatch); resolves once it has exited.
 */
export async function killAfterGrace(r: RunnerProcess, intervalMs: number, record: (b: BatchMessage) => void): Promise<void> {
  if (!r.alive || r.state === 'stopped') return;
  const n = inFlight(r);
  r.child.kill('SIGKILL');
  await r.exited;
  if (r.done !== undefined) return; // it answered after all
  const now = Date.now();
  const ms = Math.max(0, now - (r.startAt ?? now));
  const latency = new LatencyCounts();
  for (let i = 0; i < n; i++) latency.record(ms * 1000);
  record({
    type: 'batch',
    seq: r.lastSeq + 1,
    interval: Math.floor(now / intervalMs) * intervalMs,
    sentAt: now,
    eventCount: 0,
    requests: n,
    transactions: 0,
    newKeys: [{ id: IN_FLIGHT_KEY, nature: 'req', request: IN_FLIGHT_REQUEST, step: 0 }],
    deltas: [{ key: IN_FLIGHT_KEY, count: n, errors: n, errorTypes: { GraceTimeout: n } }],
    errorTypes: { GraceTimeout: n },
    errorSamples: { GraceTimeout: [`${r.label} did not end within --grace (its event loop blocked?): killed, its operations in flight counted`] },
    histograms: [{ key: IN_FLIGHT_KEY, failed: { n, min: ms, max: ms, sum: n * ms, serviceSum: n * ms, latency: latency.encodeCompressed() } }],
    queued: 0,
    localCountBefore: 0,
    localTps: 0,
  } satisfies BatchMessage);
}
