// The bare baseline of `npm run bench`: what the pipeline costs with no CUT machinery at all.
// Main: forks N children, counts (and for csv, writes one csv-stringify row per event to a file).
// Child: a tight loop for D seconds that times a no-op, batches begin/elapsed in a Float64Array,
// sends batches over IPC (advanced serialization) with the same ack window as pylogen.
import { fork } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { stringify } from 'csv-stringify/sync';

const WINDOW = 8;
const BATCH = 4096;

if (process.argv[2] === 'child') {
  const duration = Number(process.argv[3]) * 1000;
  let acked = 0;
  let seq = 0;
  let wake = null;
  process.on('message', (m) => {
    acked = m;
    if (wake && seq - acked < WINDOW) {
      const w = wake;
      wake = null;
      w();
    }
  });
  // The clock read as fast as Node allows (the global `performance` is a lazy getter): the same
  // as pylogen's clock, so the ratio compares the machinery, not a handicap.
  const perf = performance;
  const origin = perf.timeOrigin;
  const buf = new Float64Array(BATCH * 2);
  let n = 0;
  let sent = 0;
  const start = perf.now();
  const end = start + duration;
  let lastYield = start;
  for (;;) {
    const t = perf.now();
    if (t >= end) break;
    const e = perf.now();
    buf[n * 2] = origin + t;
    buf[n * 2 + 1] = e - t;
    if (++n === BATCH) {
      process.send({ seq: ++seq, events: buf, n });
      sent += n;
      n = 0;
      if (seq - acked >= WINDOW) await new Promise((r) => (wake = r));
    }
    if (e - lastYield > 10) {
      await new Promise((r) => setImmediate(r));
      lastYield = perf.now();
    }
  }
  if (n > 0) process.send({ seq: ++seq, events: buf.slice(0, n * 2), n });
  sent += n;
  process.send({ done: true, sent, ms: performance.now() - start }, () => process.disconnect());
} else {
  // node bench/baseline.js <procs> <seconds> <csv|csvcells|none> [file]
  const [procs, seconds, format, file] = [Number(process.argv[2]), process.argv[3], process.argv[4], process.argv[5]];
  const out = format === 'none' ? null : createWriteStream(file);
  // Acks held while the file is full: one drain listener releases them all.
  let waiting = [];
  out?.on('drain', () => {
    const w = waiting;
    waiting = [];
    for (const f of w) f();
  });
  const labels = [];
  let isoMs = -1;
  let isoText = '';
  if (out)
    out.write(
      stringify([
        [
          'time',
          'epoch',
          'nature',
          'full_id',
          'id',
          'runner',
          'cut',
          'request',
          'transaction',
          'step',
          'rc',
          'elapsed_ms',
          'local_count',
          'local_tps',
          'global_count',
          'global_tps',
          'active_runners',
          'error',
        ],
      ]),
    );
  let received = 0;
  let doneCount = 0;
  let maxMs = 0;
  const children = [];
  for (let i = 0; i < procs; i++) {
    const c = fork(new URL(import.meta.url).pathname, ['child', seconds], { serialization: 'advanced', execArgv: [] });
    children.push(c);
    c.on('error', () => {}); // an ack racing the child's exit: nothing to do
    let local = 0;
    c.on('message', (m) => {
      if (m.done) {
        maxMs = Math.max(maxMs, m.ms);
        if (++doneCount === procs) {
          const finish = () => {
            process.stdout.write(JSON.stringify({ events: received, seconds: maxMs / 1000, rate: received / (maxMs / 1000) }) + '\n');
          };
          if (out) out.end(finish);
          else finish();
        }
        return;
      }
      if (out) {
        let text;
        if (format === 'csv') {
          // The naive way: one csv-stringify row per event.
          const rows = [];
          for (let k = 0; k < m.n; k++) {
            const begin = m.events[k * 2];
            local++;
            received++;
            rows.push([
              new Date(begin).toISOString(),
              (begin / 1000).toFixed(3),
              'req',
              `bench.${i}.Noop.16.R0`,
              'bench',
              i,
              'Noop',
              'R0',
              '',
              16,
              0,
              m.events[k * 2 + 1].toFixed(3),
              local,
              '0.0',
              received,
              '0.0',
              procs,
              '',
            ]);
          }
          text = stringify(rows);
        } else {
          // csvcells: pylogen's technique without its machinery: the label cells quoted once by
          // csv-stringify, numbers and the ISO time (cached per ms) concatenated.
          labels[i] ??= stringify([['req', `bench.${i}.Noop.16.R0`, 'bench', i, 'Noop', 'R0']]).slice(0, -1);
          text = '';
          for (let k = 0; k < m.n; k++) {
            const begin = m.events[k * 2];
            local++;
            received++;
            const ms = Math.floor(begin);
            if (ms !== isoMs) {
              isoMs = ms;
              isoText = new Date(ms).toISOString();
            }
            text +=
              isoText +
              ',' +
              (ms / 1000).toFixed(3) +
              ',' +
              labels[i] +
              ',,16,0,' +
              m.events[k * 2 + 1].toFixed(3) +
              ',' +
              local +
              ',0.0,' +
              received +
              ',0.0,' +
              procs +
              ',\n';
          }
        }
        if (!out.write(text)) {
          waiting.push(() => c.connected && c.send(m.seq));
          return;
        }
      } else {
        received += m.n;
      }
      if (c.connected) c.send(m.seq);
    });
  }
}
