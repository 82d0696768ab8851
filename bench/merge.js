// `pylogen merge` of many shards: SHARDS summaries (default 100) of 4 requests each, every shard a
// 60 s open-model run at 250 operations/s (1-s intervals), read from one text of one-line documents
// as `pylogen merge -` reads the pods' logs, merged, written. Issue 13's target: under 2 s for 100.
// `node bench/merge.js [shards] [seconds]`, or `npm run bench merge`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StatsQueue } from '../dist/stats/StatsQueue.js';
import { LatencyCounts } from '../dist/stats/LatencyCounts.js';
import { encodeHistogram, newHistogram } from '../dist/stats/histogram.js';
import { buildSummary } from '../dist/stats/summary.js';
import { mergeSummaries } from '../dist/merge/mergeSummaries.js';
import { readSummaries } from '../dist/merge/readSummaries.js';

const REQUESTS = 4;
const RATE = 250;
const T0 = 1_795_000_000_000;
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** One shard's summary: a stats queue fed as its runner would feed it. */
function shardSummary(index, count, seconds, seed) {
  let now = T0;
  const q = new StatsQueue(
    undefined,
    () => {},
    () => now,
    1000,
  );
  q.addRunner(0, 'run', index, 'KmsEncryptSymmetric');
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let seq = 0;
  for (let s = 0; s < seconds; s++) {
    for (let k = 0; k < REQUESTS; k++) {
      const ok = new LatencyCounts();
      const n = Math.round(RATE / REQUESTS);
      for (let i = 0; i < n; i++) ok.record((3 + rnd() * 4 + (rnd() < 0.01 ? 100 : 0)) * 1000);
      const h = newHistogram(32);
      ok.drainInto(h);
      q.onBatch(0, {
        type: 'batch',
        seq: ++seq,
        sentAt: now,
        interval: now,
        eventCount: n,
        requests: n,
        transactions: 0,
        deltas: [{ key: k, count: n, errors: 0 }],
        queued: 0,
        localCountBefore: 0,
        localTps: 0,
        ...(s === 0 ? { newKeys: [{ id: k, nature: 'req', request: `R${k}`, step: 16 }] } : {}),
        histograms: [{ key: k, ok: { n, min: 3, max: 107, sum: n * 5, serviceSum: n * 5, latency: encodeHistogram(h) } }],
      });
    }
    now += 1000;
    q.series.sealOld();
  }
  const end = {
    slot: 0,
    id: 'run',
    index,
    cut: 'KmsEncryptSymmetric',
    pid: 1,
    state: 'stopped',
    receivedEvents: q.receivedEvents,
    sentEvents: q.receivedEvents,
    startedAt: T0,
    endedAt: now,
  };
  const summary = buildSummary(q, [end], T0, now, false, []);
  summary.shard = { index, count, run: 'bench', startAt: null, t0: new Date(T0).toISOString(), lateMs: 0, clockOffsetMs: null };
  return summary;
}

export default function mergeSuite(shards = Number(process.env.BENCH_SHARDS ?? 100), seconds = 60) {
  const logs = Array.from({ length: shards }, (_, i) => `pylogen summary: ...\n${JSON.stringify(shardSummary(i, shards, seconds, i + 1))}\n`).join('');
  if (process.env.BENCH_MERGE_LOGS) writeFileSync(process.env.BENCH_MERGE_LOGS, logs); // the logs, for profiling
  const times = [];
  let merged;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    merged = mergeSummaries(readSummaries(logs, '-'));
    JSON.stringify(merged);
    times.push(performance.now() - t);
  }
  const ms = Math.round(median(times));
  console.log(
    `\nMerge: ${shards} summaries of ${REQUESTS} requests, ${seconds} s of 1-s intervals each (${(logs.length / 1e6).toFixed(1)} MB of logs): ` +
      `${ms} ms, median of 3 (target < 2000 ms); ${merged.requests.count} requests merged`,
  );
  return { shards, seconds, ms, runs: times.map(Math.round), requests: merged.requests.count };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) mergeSuite(Number(process.argv[2] ?? 100), Number(process.argv[3] ?? 60));
