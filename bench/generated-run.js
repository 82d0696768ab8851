// A generated run through the project's own stats code (StatsQueue, LatencyCounts, the summary):
// `requests` requests, `rate` requests/s in all, for `seconds`; latencies log-normal around 5 ms with
// a 1% tail to 200 ms, 2% throttled (fast) errors. Used by bench/summary-size.js and bench/report.js.
import { StatsQueue } from '../dist/stats/StatsQueue.js';
import { LatencyCounts } from '../dist/stats/LatencyCounts.js';
import { encodeHistogram, newHistogram } from '../dist/stats/histogram.js';
import { buildSummary } from '../dist/stats/summary.js';

export const T0 = 1_795_000_000_000;

/** The stats queue after the run, and its span. */
export function generateRun(seconds, requests, rate) {
  let now = T0;
  const q = new StatsQueue(
    undefined,
    () => {},
    () => now,
    1000,
  );
  q.addRunner(0, 'run', 0, 'KmsEncryptSymmetric');
  let seed = 1;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  let seq = 0;
  for (let s = 0; s < seconds; s++) {
    for (let k = 0; k < requests; k++) {
      const ok = new LatencyCounts();
      const failed = new LatencyCounts();
      let errors = 0;
      let sum = 0;
      let min = Infinity;
      let max = 0;
      const n = Math.round(rate / requests);
      for (let i = 0; i < n; i++) {
        if (rnd() < 0.02) {
          errors++;
          failed.record(300 + rnd() * 500);
        } else {
          const tail = rnd() < 0.01 ? 20 + rnd() * 180 : 0;
          const ms = Math.exp(Math.log(5) + 0.35 * gauss()) + tail;
          sum += ms;
          min = Math.min(min, ms);
          max = Math.max(max, ms);
          ok.record(ms * 1000);
        }
      }
      const ho = newHistogram(32);
      ok.drainInto(ho);
      const hf = newHistogram(32);
      failed.drainInto(hf);
      q.onBatch(0, {
        type: 'batch',
        seq: ++seq,
        sentAt: now,
        interval: now,
        eventCount: n,
        requests: n,
        transactions: 0,
        deltas: [{ key: k, count: n, errors, ...(errors > 0 ? { errorTypes: { ThrottlingException: errors } } : {}) }],
        queued: 0,
        localCountBefore: 0,
        localTps: 0,
        ...(s === 0 ? { newKeys: [{ id: k, nature: 'req', request: `R${k}`, step: 16 }] } : {}),
        histograms: [
          {
            key: k,
            ok: { n: n - errors, min, max, sum, serviceSum: sum, latency: encodeHistogram(ho) },
            ...(errors > 0 ? { failed: { n: errors, min: 0.3, max: 0.8, sum: errors * 0.55, serviceSum: errors * 0.55, latency: encodeHistogram(hf) } } : {}),
          },
        ],
      });
    }
    now += 1000;
    q.series.sealOld();
  }
  return { q, from: T0, to: now };
}

/** The summary of a generated run, as `--summary-json` writes it. */
export function generateSummary(seconds, requests, rate) {
  const { q, from, to } = generateRun(seconds, requests, rate);
  const runner = {
    slot: 0,
    id: 'run',
    index: 0,
    cut: 'KmsEncryptSymmetric',
    pid: 1,
    state: 'stopped',
    sentEvents: q.receivedEvents,
    receivedEvents: q.receivedEvents,
    startedAt: from,
    endedAt: to,
  };
  return buildSummary(q, [runner], from, to, false, []);
}
