// The size of a summary's series for a generated 1-hour run: 4 requests, 1,000 requests/s in all,
// latencies log-normal around 5 ms with a 1% tail to 200 ms, 2% throttled (fast) errors. Issue 11's
// budget: under 5 MB. `node bench/summary-size.js [seconds] [requests] [rate]`
import { StatsQueue } from '../dist/stats/StatsQueue.js';
import { LatencyCounts } from '../dist/stats/LatencyCounts.js';
import { encodeHistogram, newHistogram } from '../dist/stats/histogram.js';

const seconds = Number(process.argv[2] ?? 3600);
const requests = Number(process.argv[3] ?? 4);
const rate = Number(process.argv[4] ?? 1000);
const T0 = 1_795_000_000_000;
let now = T0;
const q = new StatsQueue(undefined, () => {}, () => now, 1000);
q.addRunner(0, 'run', 0, 'KmsEncryptSymmetric');
let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
let seq = 0;
const t = Date.now();
for (let s = 0; s < seconds; s++) {
  for (let k = 0; k < requests; k++) {
    const ok = new LatencyCounts();
    const failed = new LatencyCounts();
    let errors = 0;
    const n = Math.round(rate / requests);
    for (let i = 0; i < n; i++) {
      if (rnd() < 0.02) {
        errors++;
        failed.record(300 + rnd() * 500);
      } else {
        const tail = rnd() < 0.01 ? 20 + rnd() * 180 : 0;
        ok.record((Math.exp(Math.log(5) + 0.35 * gauss()) + tail) * 1000);
      }
    }
    const ho = newHistogram(32);
    ok.drainInto(ho);
    const hf = newHistogram(32);
    failed.drainInto(hf);
    const tally = (h, c) => ({ n: c, min: 1, max: 2, sum: 3, serviceSum: 3, latency: encodeHistogram(h) });
    q.onBatch(0, {
      type: 'batch', seq: ++seq, sentAt: now, interval: now, eventCount: n, requests: n, transactions: 0,
      deltas: [{ key: k, count: n, errors, ...(errors > 0 ? { errorTypes: { ThrottlingException: errors } } : {}) }],
      queued: 0, localCountBefore: 0, localTps: 0,
      ...(s === 0 ? { newKeys: [{ id: k, nature: 'req', request: `R${k}`, step: 16 }] } : {}),
      histograms: [{ key: k, ok: tally(ho, n - errors), ...(errors > 0 ? { failed: tally(hf, errors) } : {}) }],
    });
  }
  now += 1000;
  q.series.sealOld();
}
const series = q.series.build({ from: T0, to: now });
const text = JSON.stringify(series);
const hdrBytes = series.byRequest.reduce((sum, r) => sum + r.okHdr.reduce((a, h) => a + (h?.length ?? 0), 0) + r.failedHdr.reduce((a, h) => a + (h?.length ?? 0), 0), 0);
console.log(
  `series of ${seconds} s, ${requests} requests, ${rate}/s: ${(text.length / 1e6).toFixed(2)} MB ` +
    `(encoded interval histograms ${(hdrBytes / 1e6).toFixed(2)} MB, figures ${((text.length - hdrBytes) / 1e6).toFixed(2)} MB), ` +
    `built in ${((Date.now() - t) / 1000).toFixed(1)} s, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
);
