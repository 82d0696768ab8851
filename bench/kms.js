// npm run bench (or node bench/kms.js): the KMS path.
//
// 1. pylogen vs a bare SDK loop. One `pylogen kms serve` process; against it, in the same run,
//    interleaved, REPEAT times each:
//      pylogen cuts.KmsEncryptSymmetric --endpoint <url> --client sdk --proc 1 --concurrency C --duration D --outformat none
//      (the same SDK client as the bare loop: what pylogen adds to it; bench/kms-clients.js compares the clients)
//      a bare loop: one process, one client from the same factory (createKmsClient: same settings),
//      C concurrent loops of Encrypt of the same 16-byte payload size for D seconds.
//    Medians of Encrypts/s, and their ratio (target >= 0.95: pylogen's KMS path costs under 5%).
//    The bare loop's CPU time also gives what one SDK client process sends per core-second.
// 2. The embedded server's own capacity, operations per second per core, for Encrypt, Sign ECC P-256,
//    Sign RSA-2048 (PSS) and GenerateMac: a raw keep-alive HTTP load (2 processes, pre-built requests
//    with SDK-like headers, a window of requests in flight per connection) against the same server;
//    the server's CPU time (utime + stime from /proc) normalises the count to one core. Target: at
//    least twice what one SDK client process sends per core (a one-client test never measures the
//    server).
//
// Environment: BENCH_KMS_SECONDS (D, default 5), BENCH_KMS_REPEAT (default 5), BENCH_KMS_CONCURRENCY
// (C, default 16), BENCH_KMS_PART=ratio|capacity (one part only).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CONCURRENCY, ENV, LOAD, median, PAYLOAD, REPEAT, root, SECONDS, serverLoad, startServer } from './kms-shared.js';
import { bareLoop, ownCpu, runArgs, runNode as runNodeWith } from './steady.js';

const SELF = fileURLToPath(import.meta.url);
const PART = process.env.BENCH_KMS_PART ?? '';

/** runNode with this bench's throwaway credentials by default. */
const runNode = (args, env = ENV) => runNodeWith(args, env);

async function pylogenRun(url, dir) {
  const json = join(dir, 'summary.json');
  const more = ['--client', 'sdk', '--summary-json', json];
  await runNode([
    join(root, 'bin/pylogen.js'),
    ...runArgs('cuts.KmsEncryptSymmetric', url, { concurrency: CONCURRENCY, seconds: SECONDS, lengths: PAYLOAD, more }),
  ]);
  const s = JSON.parse(readFileSync(json, 'utf8'));
  if (s.requests.errors !== 0 || s.events.lost !== 0) throw new Error(`pylogen run: ${s.requests.errors} errors, ${s.events.lost} lost`);
  return { rate: s.byRequest[0].throughput, runnerCpu: s.byRunner[0].cpu };
}

async function bareRun(url) {
  return JSON.parse(await runNode([SELF, 'bare', url, String(CONCURRENCY), String(SECONDS)]));
}

/** The bare SDK loop (a child process): one client, C loops of Encrypt, D seconds. */
async function bareChild(url, concurrency, seconds) {
  const { createKmsClient } = await import(pathToFileURL(join(root, 'dist/kms/client/client.js')).href);
  const { EncryptCommand } = await import('@aws-sdk/client-kms');
  const client = createKmsClient({ endpoint: url, retries: 0, timeoutMs: 10_000 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // bareLoop's steady-state window (bench/steady.js), for bench/kms-clients.js: from 1 s after the start.
  const r = await bareLoop(concurrency, seconds, () => client.send(new EncryptCommand({ KeyId: 'alias/pylogen-symmetric1', Plaintext: randomBytes(PAYLOAD) })));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  client.destroy();
  process.stdout.write(JSON.stringify({ rate: r.count / elapsed, errors: r.errors, cpuSeconds: (cpu.user + cpu.system) / 1e6, elapsed, window: r.window }));
}

const OPERATIONS = {
  'Encrypt (16 B)': ['Encrypt', { KeyId: 'alias/pylogen-symmetric1', Plaintext: randomBytes(PAYLOAD).toString('base64') }],
  'Sign ECC P-256': [
    'Sign',
    { KeyId: 'alias/pylogen-ecc256', Message: randomBytes(32).toString('base64'), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' },
  ],
  'Sign RSA-2048 PSS': [
    'Sign',
    { KeyId: 'alias/pylogen-rsa2048', Message: randomBytes(32).toString('base64'), MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PSS_SHA_256' },
  ],
  'GenerateMac HMAC-256': ['GenerateMac', { KeyId: 'alias/pylogen-hmac256', Message: randomBytes(PAYLOAD).toString('base64'), MacAlgorithm: 'HMAC_SHA_256' }],
};

/** One pre-built HTTP/1.1 request with the headers the SDK sends (the server parses them all). */
function rawRequest(host, op, input) {
  const body = JSON.stringify(input);
  return Buffer.from(
    `POST / HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: TrentService.${op}\r\n` +
      'User-Agent: aws-sdk-js/3 ua/2.1 os/linux lang/js md/nodejs#20 api/kms#3 m/E,N\r\namz-sdk-invocation-id: 5c0d8f52-7a4c-4f5e-9a5b-0a0a0a0a0a0a\r\n' +
      'amz-sdk-request: attempt=1; max=1\r\nX-Amz-Date: 20260101T000000Z\r\n' +
      'Authorization: AWS4-HMAC-SHA256 Credential=AKIDPYLOGENBENCH/20260101/us-east-1/kms/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date;x-amz-target;x-amz-user-agent, Signature=0000000000000000000000000000000000000000000000000000000000000000\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** A raw load process: connections × window requests in flight, counts answers by status for D s. */
async function loadChild(url, opName, connections, window, seconds) {
  const { host, port } = new URL(url);
  const [op, input] = OPERATIONS[opName];
  const req = rawRequest(host, op, input);
  const counts = {};
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise((resolve, reject) => {
          const s = connect(Number(port), '127.0.0.1');
          s.setNoDelay(true);
          let tail = '';
          let outstanding = 0;
          let stopping = false;
          const send = () => {
            outstanding++;
            s.write(req);
          };
          s.on('connect', () => {
            for (let i = 0; i < window; i++) send();
          });
          s.setEncoding('latin1');
          s.on('data', (chunk) => {
            // Count status lines; a status line may straddle two chunks, hence the tail.
            const text = tail + chunk;
            const re = /HTTP\/1\.1 (\d{3}) /g;
            let m;
            let last = 0;
            while ((m = re.exec(text)) !== null) {
              counts[m[1]] = (counts[m[1]] ?? 0) + 1;
              outstanding--;
              done++;
              last = re.lastIndex;
              if (performance.now() < end) send();
              else stopping = true;
            }
            tail = text.slice(Math.max(last, text.length - 16));
            if (stopping && outstanding === 0) s.end();
          });
          s.on('error', reject);
          s.on('close', () => resolve());
        }),
    ),
  );
  process.stdout.write(JSON.stringify({ counts, done }));
}

async function ratioPart(server, dir) {
  const p = [];
  const b = [];
  const bareCpu = [];
  const runnerCpu = [];
  // Warm-up (JIT, the server's first keys), not measured.
  await bareRun(server.url);
  for (let i = 0; i < REPEAT; i++) {
    const bare = await bareRun(server.url);
    if (bare.errors !== 0) throw new Error(`bare loop: ${bare.errors} errors`);
    b.push(bare.rate);
    bareCpu.push((bare.rate * bare.elapsed) / bare.cpuSeconds);
    const py = await pylogenRun(server.url, dir);
    p.push(py.rate);
    runnerCpu.push(py.runnerCpu);
  }
  const pm = median(p);
  const bm = median(b);
  const result = {
    concurrency: CONCURRENCY,
    seconds: SECONDS,
    pylogen: Math.round(pm),
    bare: Math.round(bm),
    ratio: Math.round((pm / bm) * 1000) / 1000,
    runs: { pylogen: p.map(Math.round), bare: b.map(Math.round) },
    sdkOpsPerCoreSecond: Math.round(median(bareCpu)),
    pylogenRunnerCpu: median(runnerCpu),
  };
  console.log(
    `\nKmsEncryptSymmetric through pylogen vs a bare SDK loop: one kms serve, concurrency ${CONCURRENCY}, ${SECONDS} s, ${PAYLOAD}-byte payload, median of ${REPEAT}, interleaved`,
  );
  console.log('pylogen Encrypt/s   bare SDK loop Encrypt/s   ratio   (runs: pylogen | bare)');
  console.log(
    `${String(result.pylogen).padStart(17)}   ${String(result.bare).padStart(23)}   ${result.ratio.toFixed(3)}   (${result.runs.pylogen.join(' ')} | ${result.runs.bare.join(' ')})`,
  );
  console.log(
    `one SDK client process sends ${result.sdkOpsPerCoreSecond} Encrypt per CPU-second of its own; pylogen's runner CPU ${Math.round(result.pylogenRunnerCpu * 100)}%`,
  );
  return result;
}

async function capacityPart(server) {
  const rows = [];
  // kms serve (one worker) is one process: its own CPU time.
  for (const name of Object.keys(OPERATIONS)) rows.push(await serverLoad(server, name, ownCpu));
  console.log(
    `\nThe embedded server's capacity: raw keep-alive HTTP load, ${LOAD.procs} processes × ${LOAD.connections} connections × ${LOAD.window} in flight, ${SECONDS} s each`,
  );
  console.log('operation               ops/s   server CPU (cores)   ops per core-second');
  for (const r of rows) {
    console.log(
      `${r.operation.padEnd(22)}${String(r.opsPerSecond).padStart(7)}   ${r.serverCpu.toFixed(2).padStart(18)}   ${String(r.opsPerCoreSecond).padStart(19)}`,
    );
  }
  return rows;
}

export default async function kmsBench() {
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-bench-kms-'));
  const server = await startServer();
  try {
    const ratio = PART === 'capacity' ? undefined : await ratioPart(server, dir);
    const capacity = PART === 'ratio' ? undefined : await capacityPart(server);
    const out = { ratio, capacity };
    if (ratio !== undefined && capacity !== undefined) {
      const encrypt = capacity.find((r) => r.operation.startsWith('Encrypt'));
      out.serverVsOneClient = Math.round((encrypt.opsPerCoreSecond / ratio.sdkOpsPerCoreSecond) * 100) / 100;
      out.targetsMet = ratio.ratio >= 0.95 && out.serverVsOneClient >= 2;
      console.log(
        `\nserver Encrypt per core-second / one SDK client's Encrypt per core-second: ${out.serverVsOneClient} (target >= 2); ` +
          `pylogen/bare ratio ${ratio.ratio} (target >= 0.95): targets ${out.targetsMet ? 'met' : 'NOT met'}`,
      );
    }
    return out;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === SELF) {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'bare') await bareChild(args[0], Number(args[1]), Number(args[2]));
  else if (mode === 'load') await loadChild(args[0], args[1], Number(args[2]), Number(args[3]), Number(args[4]));
  else console.log('\n' + JSON.stringify(await kmsBench()));
}
