// npm run bench (or node bench/kms-clients.js): what the KMS client costs the injector.
//
// 1. Encrypt per injector CPU-second, whole process tree (pylogen's main process and its runner; the
//    bare loop's one process), startup included, for:
//      pylogen cuts.KmsEncryptSymmetric --client fast   (JSON 1.1 + SigV4 with node:crypto)
//      pylogen cuts.KmsEncryptSymmetric --client sdk    (@aws-sdk/client-kms KMSClient.send)
//      a bare SDK loop: one process, one KMSClient (createKmsClient), C loops of Encrypt
//    against one `pylogen kms serve --workers 1`, --proc 1, concurrency C, D seconds, 16-byte payload,
//    REPEAT times each, interleaved; medians. pylogen's tree CPU is read from /proc (main process and
//    runner); the bare loop's from process.cpuUsage().
//    Targets: fast >= 8 x the bare loop; sdk >= 0.95 x the bare loop.
// 2. The fast client's absolute Encrypt/s against that server (median of the fast runs).
// 3. The embedded server's Encrypt and Sign P-256 per core-second with --workers 1 and --workers 2
//    (raw keep-alive load from bench/kms.js's load processes; the server tree's CPU from /proc).
//    Target: the server's Encrypt per core-second >= the fast client's.
//
// Environment: BENCH_KMS_SECONDS (D, default 5), BENCH_KMS_REPEAT (default 5), BENCH_KMS_CONCURRENCY
// (C, default 16).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode, steadyRun, treeCpu } from './steady.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const KMS_BENCH = join(root, 'bench/kms.js');
const SECONDS = Number(process.env.BENCH_KMS_SECONDS ?? 5);
const REPEAT = Number(process.env.BENCH_KMS_REPEAT ?? 5);
const CONCURRENCY = Number(process.env.BENCH_KMS_CONCURRENCY ?? 16);
const PAYLOAD = 16;
// Throwaway credentials, which the server below verifies (kms serve --credentials).
const ACCESS = 'AKIDPYLOGENBENCH';
const SECRET = 'pylogen-bench-secret';
const ENV = { ...process.env, AWS_ACCESS_KEY_ID: ACCESS, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'us-east-1' };
delete ENV.AWS_SESSION_TOKEN;
delete ENV.AWS_PROFILE;

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

function startServer(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(root, 'bin/pylogen.js'), 'kms', 'serve', ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    p.on('exit', (code) => reject(new Error(`kms serve exited (${code}): ${err}`)));
    p.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        resolve({
          url: out.trim(),
          pid: p.pid,
          stop: () =>
            new Promise((r) => {
              p.removeAllListeners('exit');
              p.once('exit', () => r());
              p.kill('SIGINT');
            }),
        });
      }
    });
  });
}

async function pylogenRun(url, client, dir) {
  const r = await steadyRun(
    ['cuts.KmsEncryptSymmetric', '--endpoint', url, '--client', client, '--proc', '1', '--concurrency', String(CONCURRENCY), '--duration', String(SECONDS),
      '--lengths', String(PAYLOAD), '--outformat', 'none', '--no-preflight'],
    ENV,
    join(dir, `summary-${client}.json`),
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

async function clientPart() {
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-bench-clients-'));
  const server = await startServer(['--workers', '1', '--credentials', `${ACCESS}:${SECRET}`]);
  const runs = { fast: [], sdk: [], bare: [] };
  try {
    // Warm-up (the server's JIT), not measured.
    await pylogenRun(server.url, 'fast', dir);
    for (let i = 0; i < REPEAT; i++) {
      runs.bare.push(await bareRun(server.url));
      runs.fast.push(await pylogenRun(server.url, 'fast', dir));
      runs.sdk.push(await pylogenRun(server.url, 'sdk', dir));
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
    perCpuSecond: { fast: perCpu('fast'), sdk: perCpu('sdk'), bare: perCpu('bare') },
    encryptPerSecond: { fast: rate('fast'), sdk: rate('sdk'), bare: rate('bare') },
    runs: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((r) => Math.round(r.perCpuSecond))])),
  };
  result.fastVsBare = Math.round((result.perCpuSecond.fast / result.perCpuSecond.bare) * 100) / 100;
  result.sdkVsBare = Math.round((result.perCpuSecond.sdk / result.perCpuSecond.bare) * 1000) / 1000;
  console.log(`\nEncrypt per injector CPU-second (whole process tree, steady state: from 1 s to the end): one kms serve --workers 1 (signatures verified), concurrency ${CONCURRENCY}, ${SECONDS} s, ${PAYLOAD}-byte payload, median of ${REPEAT}, interleaved`);
  console.log('client                 Encrypt per CPU-second   Encrypt/s   vs bare SDK loop   (runs, per CPU-second)');
  for (const [k, label] of [['fast', 'pylogen --client fast'], ['sdk', 'pylogen --client sdk'], ['bare', 'bare SDK loop']]) {
    const vs = k === 'bare' ? '1.00' : (result.perCpuSecond[k] / result.perCpuSecond.bare).toFixed(2);
    console.log(`${label.padEnd(23)}${String(result.perCpuSecond[k]).padStart(22)}   ${String(result.encryptPerSecond[k]).padStart(9)}   ${vs.padStart(16)}   (${result.runs[k].join(' ')})`);
  }
  console.log(`targets: fast >= 8 x bare: ${result.fastVsBare} ${result.fastVsBare >= 8 ? 'met' : 'NOT met'}; sdk >= 0.95 x bare: ${result.sdkVsBare} ${result.sdkVsBare >= 0.95 ? 'met' : 'NOT met'}`);
  return result;
}

const LOAD = { procs: 2, connections: 16, window: 4 };

async function serverPart(workers) {
  const server = await startServer(['--workers', String(workers)]);
  const rows = [];
  try {
    for (const name of ['Encrypt (16 B)', 'Sign ECC P-256']) {
      const cpu0 = treeCpu(server.pid);
      const t0 = performance.now();
      const outs = await Promise.all(
        Array.from({ length: LOAD.procs }, () => runNode([KMS_BENCH, 'load', server.url, name, String(LOAD.connections), String(LOAD.window), String(SECONDS)], ENV)),
      );
      const wall = (performance.now() - t0) / 1000;
      const cpu = treeCpu(server.pid) - cpu0;
      let ok = 0;
      for (const o of outs.map((x) => JSON.parse(x))) {
        for (const [k, v] of Object.entries(o.counts)) {
          if (k !== '200') throw new Error(`${name}: answers ${JSON.stringify(o.counts)}`);
          ok += v;
        }
      }
      rows.push({ workers, operation: name, opsPerSecond: Math.round(ok / wall), serverCpu: Math.round((cpu / wall) * 100) / 100, opsPerCoreSecond: Math.round(ok / cpu) });
    }
  } finally {
    await server.stop();
  }
  return rows;
}

export default async function kmsClientsBench() {
  const clients = await clientPart();
  const server = [...(await serverPart(1)), ...(await serverPart(2))];
  console.log(`\nThe embedded server per core-second, --workers 1 and 2: raw keep-alive load, ${LOAD.procs} processes x ${LOAD.connections} connections x ${LOAD.window} in flight, ${SECONDS} s`);
  console.log('workers   operation          ops/s   server CPU (cores)   ops per core-second');
  for (const r of server) {
    console.log(`${String(r.workers).padStart(7)}   ${r.operation.padEnd(16)}${String(r.opsPerSecond).padStart(7)}   ${r.serverCpu.toFixed(2).padStart(18)}   ${String(r.opsPerCoreSecond).padStart(19)}`);
  }
  const encrypt1 = server.find((r) => r.workers === 1 && r.operation.startsWith('Encrypt'));
  const serverVsFast = Math.round((encrypt1.opsPerCoreSecond / clients.perCpuSecond.fast) * 100) / 100;
  console.log(`server Encrypt per core-second / fast client's Encrypt per CPU-second: ${serverVsFast} (target >= 1: ${serverVsFast >= 1 ? 'met' : 'NOT met'})`);
  return { clients, server, serverVsFast };
}

if (process.argv[1] === SELF) console.log('\n' + JSON.stringify(await kmsClientsBench()));
