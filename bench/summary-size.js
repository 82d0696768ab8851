// The size of a summary's series for a generated 1-hour run: 4 requests, 1,000 requests/s in all,
// latencies log-normal around 5 ms with a 1% tail to 200 ms, 2% throttled (fast) errors. Issue 11's
// budget: under 5 MB. `node bench/summary-size.js [seconds] [requests] [rate]`
import { generateRun } from './generated-run.js';

const seconds = Number(process.argv[2] ?? 3600);
const requests = Number(process.argv[3] ?? 4);
const rate = Number(process.argv[4] ?? 1000);
const t = Date.now();
const { q, from, to } = generateRun(seconds, requests, rate);
const series = q.series.build({ from, to });
const text = JSON.stringify(series);
const hdrBytes = series.byRequest.reduce(
  (sum, r) => sum + r.okHdr.reduce((a, h) => a + (h?.length ?? 0), 0) + r.failedHdr.reduce((a, h) => a + (h?.length ?? 0), 0),
  0,
);
console.log(
  `series of ${seconds} s, ${requests} requests, ${rate}/s: ${(text.length / 1e6).toFixed(2)} MB ` +
    `(encoded interval histograms ${(hdrBytes / 1e6).toFixed(2)} MB, figures ${((text.length - hdrBytes) / 1e6).toFixed(2)} MB), ` +
    `built in ${((Date.now() - t) / 1000).toFixed(1)} s, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
);
