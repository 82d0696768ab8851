// npm run bench (or node bench/kms-clients.js): what the KMS client costs the injector.
//
// 1. Encrypt per injector CPU-second, whole process tree (pylogen's main process and its runner; the
//    bare loop's one process), startup included, for:
//      pylogen cuts.KmsEncryptSymmetric --client fast   (JSON 1.1 + SigV4 with node:crypto)
//      pylogen cuts.KmsEncryptSymmetric --client sdk    (@aws-sdk/client-kms KMSClient.send)
//      a bare SDK loop: one process, one KMSClient (createKmsClient), C loops of Encrypt
//      autocannon replaying one pre-signed Encrypt (bench/autocannon-replay.js): the Node HTTP limit
//    against one `pylogen kms serve --workers 1`, --proc 1, concurrency C, D seconds, 16-byte payload,
//    REPEAT times each, interleaved; medians. pylogen's tree CPU is read from /proc (main process and
//    runner); the bare loop's and autocannon's from process.cpuUsage().
//    Targets (issue 22): fast >= 0.6 x autocannon's replay; sdk >= 0.95 x the bare loop.
// 2. The fast client's absolute Encrypt/s against that server (median of the fast runs).
// 3. The embedded server's Encrypt and Sign P-256 per core-second with --workers 1 and --workers 2
//    (raw keep-alive load from bench/kms.js's load processes; the server tree's CPU from /proc).
//    Target: the server's Encrypt per core-second >= the fast client's.
//
// Environment: BENCH_KMS_SECONDS (D, default 5), BENCH_KMS_REPEAT (default 5), BENCH_KMS_CONCURRENCY
// (C, default 16), BENCH_KMS_BASELINE (another pylogen tree, built: its `--client fast` runs too, in
// the same rounds, as "fast (baseline)": a change measured before and after in one sitting).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCESS, CONCURRENCY, ENV, KMS_BENCH, LOAD, median, PAYLOAD, REPEAT, root, SECONDS, SECRET, serverLoad, startServer } from './kms-shared.js';
import { runArgs, runNode, steadyRun, treeCpu } from './steady.js';

const SELF = fileURLToPath(import.meta.url);

const BASELINE = process.env.BENCH_KMS_BASELINE;

async function pylogenRun(url, client, dir, bin) {
  const r = await steadyRun(
    runArgs('cuts.KmsEncryptSymmetric', url, { concurrency: CONCURRENCY, seconds: SECONDS, lengths: PAYLOAD, more: ['--client', client, '--no-preflight'] }),
    ENV,
    join(dir, `summary-${client}.json`),
    bin,
  );
  const s = r.summary;
  if (s.requests.errors !== 0 || s.events.lost !== 0) throw new Error(`pylogen --client ${client}: ${s.requests.errors} errors, ${s.events.lost} lost`);
  return r;
}

async function bareRun(url) {
  const r = JSON.parse(await runNode([KMS_BENCH, 'bare', url, String(CONCURRENCY), String(SECONDS)], ENV));
  if (r.errors !== 0) throw new Error(`bare loop: ${r.errors} errors`);
  return r.window;
}

async function autocannonRun(url) {
  const r = JSON.parse(await runNode([join(root, 'bench/autocannon-replay.js'), url, String(CONCURRENCY), String(SECONDS)], ENV));
  if (r.non2xx !== 0 || r.errors !== 0) throw new Error(`autocannon: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r.window;
}

async function clientPart() {
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-bench-clients-'));
  const server = await startServer(['--workers', '1', '--credentials', `${ACCESS}:${SECRET}`]);
  const runs = { fast: [], sdk: [], bare: [], autocannon: [], ...(BASELINE ? { baseline: [] } : {}) };
  try {
    // Warm-up (the server's JIT), not measured.
    await pylogenRun(server.url, 'fast', dir);
    for (let i = 0; i < REPEAT; i++) {
      runs.bare.push(await bareRun(server.url));
      runs.fast.push(await pylogenRun(server.url, 'fast', dir));
      if (BASELINE) runs.baseline.push(await pylogenRun(server.url, 'fast', dir, join(BASELINE, 'bin/pylogen.js')));
      runs.sdk.push(await pylogenRun(server.url, 'sdk', dir));
      runs.autocannon.push(await autocannonRun(server.url));
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const perCpu = (k) => Math.round(median(runs[k].map((r) => r.perCpuSecond)));
  const rate = (k) => Math.round(median(runs[k].map((r) => r.rate)));
  const result = {
    concurrency: CONCURRENCY,
    seconds: SECONDS,
    repeat: REPEAT,
    perCpuSecond: Object.fromEntries(Object.keys(runs).map((k) => [k, perCpu(k)])),
    encryptPerSecond: Object.fromEntries(Object.keys(runs).map((k) => [k, rate(k)])),
    runs: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((r) => Math.round(r.perCpuSecond))])),
  };
  result.fastVsBare = Math.round((result.perCpuSecond.fast / result.perCpuSecond.bare) * 100) / 100;
  result.sdkVsBare = Math.round((result.perCpuSecond.sdk / result.perCpuSecond.bare) * 1000) / 1000;
  result.fastVsAutocannon = Math.round((result.perCpuSecond.fast / result.perCpuSecond.autocannon) * 100) / 100;
  // The same ratios run by run (each round's runs are side by side): their median, beside the ratio of medians.
  const paired = (a, b) => Math.round(median(runs[a].map((r, i) => r.perCpuSecond / runs[b][i].perCpuSecond)) * 100) / 100;
  result.pairedMedians = { fastVsAutocannon: paired('fast', 'autocannon'), sdkVsBare: paired('sdk', 'bare'), fastVsBare: paired('fast', 'bare') };
  if (BASELINE) {
    result.pairedMedians.baselineVsAutocannon = paired('baseline', 'autocannon');
    result.pairedMedians.fastVsBaseline = paired('fast', 'baseline');
    result.pairs = { fastVsAutocannon: runs.fast.map((r, i) => Math.round((r.perCpuSecond / runs.autocannon[i].perCpuSecond) * 100) / 100) };
    result.pairs.baselineVsAutocannon = runs.baseline.map((r, i) => Math.round((r.perCpuSecond / runs.autocannon[i].perCpuSecond) * 100) / 100);
  }
  console.log(
    `\nEncrypt per injector CPU-second (whole process tree, steady state: from 1 s to the end): one kms serve --workers 1 (signatures verified), concurrency ${CONCURRENCY}, ${SECONDS} s, ${PAYLOAD}-byte payload, median of ${REPEAT}, interleaved`,
  );
  console.log('client                 Encrypt per CPU-second   Encrypt/s   vs bare SDK loop   vs autocannon   (runs, per CPU-second)');
  for (const [k, label] of [
    ['autocannon', 'autocannon replay'],
    ['fast', 'pylogen --client fast'],
    ...(BASELINE ? [['baseline', 'fast (baseline)']] : []),
    ['sdk', 'pylogen --client sdk'],
    ['bare', 'bare SDK loop'],
  ]) {
    const vs = k === 'bare' ? '1.00' : (result.perCpuSecond[k] / result.perCpuSecond.bare).toFixed(2);
    const va = (result.perCpuSecond[k] / result.perCpuSecond.autocannon).toFixed(2);
    console.log(
      `${label.padEnd(23)}${String(result.perCpuSecond[k]).padStart(22)}   ${String(result.encryptPerSecond[k]).padStart(9)}   ${vs.padStart(16)}   ${va.padStart(13)}   (${result.runs[k].join(' ')})`,
    );
  }
  console.log(
    `targets: fast >= 0.6 x autocannon: ${result.fastVsAutocannon} ${result.fastVsAutocannon >= 0.6 ? 'met' : 'NOT met'} (run by run: ${result.pairedMedians.fastVsAutocannon}); sdk >= 0.95 x bare: ${result.sdkVsBare} ${result.sdkVsBare >= 0.95 ? 'met' : 'NOT met'} (run by run: ${result.pairedMedians.sdkVsBare}); fast vs bare: ${result.fastVsBare}`,
  );
  return result;
}

async function serverPart(workers) {
  const server = await startServer(['--workers', String(workers)]);
  const rows = [];
  try {
    // The server's whole process tree: its workers.
    for (const name of ['Encrypt (16 B)', 'Sign ECC P-256']) rows.push({ workers, ...(await serverLoad(server, name, treeCpu)) });
  } finally {
    await server.stop();
  }
  return rows;
}

export default async function kmsClientsBench() {
  const clients = await clientPart();
  if (process.env.BENCH_KMS_PART === 'clients') return { clients };
  const server = [...(await serverPart(1)), ...(await serverPart(2))];
  console.log(
    `\nThe embedded server per core-second, --workers 1 and 2: raw keep-alive load, ${LOAD.procs} processes x ${LOAD.connections} connections x ${LOAD.window} in flight, ${SECONDS} s`,
  );
  console.log('workers   operation          ops/s   server CPU (cores)   ops per core-second');
  for (const r of server) {
    console.log(
      `${String(r.workers).padStart(7)}   ${r.operation.padEnd(16)}${String(r.opsPerSecond).padStart(7)}   ${r.serverCpu.toFixed(2).padStart(18)}   ${String(r.opsPerCoreSecond).padStart(19)}`,
    );
  }
  const encrypt1 = server.find((r) => r.workers === 1 && r.operation.startsWith('Encrypt'));
  const serverVsFast = Math.round((encrypt1.opsPerCoreSecond / clients.perCpuSecond.fast) * 100) / 100;
  console.log(`server Encrypt per core-second / fast client's Encrypt per CPU-second: ${serverVsFast} (target >= 1: ${serverVsFast >= 1 ? 'met' : 'NOT met'})`);
  return { clients, server, serverVsFast };
}

if (process.argv[1] === SELF) console.log('\n' + JSON.stringify(await kmsClientsBench()));
