// npm run bench gcp (or node bench/gcp.js): Cloud KMS, pylogen vs a bare loop of the same official-
// client calls, per CPU-second of the whole injector process tree, over gRPC and over REST.
//
// One `pylogen gcp serve` process (its own process: its CPU is not counted); against it, interleaved,
// REPEAT times each, for each transport:
//   pylogen cuts.CloudKmsEncrypt --endpoint <url> --client T --proc 1 --concurrency C --duration D --outformat none
//   a bare loop: one process, one KeyManagementServiceClient made by the same factory (createGcpClient),
//   C concurrent loops of the same Encrypt (plaintext and AAD with their CRC32C, the answer's CRC32C
//   and verified flags checked) for D seconds.
// The steady-state window of each (bench/steady.js: from the first status line / 1 s after the start)
// gives Encrypts per CPU-second of the process tree (pylogen: main process + runner). Medians, and
// their ratio (target >= 0.9 for both transports). Also: the CRC32C cost (@aws-crypto/crc32c) per call.
//
// Environment: BENCH_GCP_SECONDS (D, default 5), BENCH_GCP_REPEAT (default 3), BENCH_GCP_CONCURRENCY (C, default 16),
// BENCH_GCP_TRANSPORTS (default grpc,rest).
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bareLoop, median, runArgs, runNode, steadyRun } from './steady.js';

const SELF = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const SECONDS = Number(process.env.BENCH_GCP_SECONDS ?? 5);
const REPEAT = Number(process.env.BENCH_GCP_REPEAT ?? 3);
const CONCURRENCY = Number(process.env.BENCH_GCP_CONCURRENCY ?? 16);
const PAYLOAD = 16;
const TRANSPORTS = (process.env.BENCH_GCP_TRANSPORTS ?? 'grpc,rest').split(',');
const ENV = { ...process.env, METADATA_SERVER_DETECTION: 'none' };
const KEY = 'projects/pylogen-project/locations/us-east1/keyRings/pylogen/cryptoKeys/pylogen-symmetric';

function startServer() {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(root, 'bin/pylogen.js'), 'gcp', 'serve'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /grpc (\S+)\nrest (\S+)\n/.exec(out);
      if (m !== null) resolve({ grpc: m[1], rest: m[2], stop: () => new Promise((r) => (p.once('exit', r), p.kill('SIGTERM'))) });
    });
    p.once('exit', (code) => reject(new Error(`gcp serve exited ${code}`)));
  });
}

/** The bare loop (a child process): one official client, C loops of Encrypt with the CRC32C checks, D s. */
async function bareChild(url, transport, concurrency, seconds) {
  const { createGcpClient } = await import(pathToFileURL(join(root, 'dist/gcp/client.js')).href);
  const { callOptions } = await import(pathToFileURL(join(root, 'dist/gcp/endpoint.js')).href);
  const { crc32c } = await import(pathToFileURL(join(root, 'dist/gcp/crc32c.js')).href);
  const client = createGcpClient({ endpoint: url, transport, timeoutMs: 10_000, retries: 0 });
  const call = callOptions({ timeoutMs: 10_000, retries: 0 });
  const plaintext = randomBytes(PAYLOAD);
  const aad = Buffer.from('pylogen');
  // the request's checksums once, as pylogen computes them once per (shared, read-only) payload
  const request = {
    name: KEY,
    plaintext,
    plaintextCrc32c: { value: crc32c(plaintext) },
    additionalAuthenticatedData: aad,
    additionalAuthenticatedDataCrc32c: { value: crc32c(aad) },
  };
  const r = await bareLoop(concurrency, seconds, async () => {
    const [out] = await client.encrypt(request, call);
    if (out.verifiedPlaintextCrc32c !== true || Number(out.ciphertextCrc32c.value) !== crc32c(out.ciphertext)) throw new Error('crc');
  });
  await client.close();
  process.stdout.write(JSON.stringify({ errors: r.errors, ...r.window }));
}

function crcCost() {
  // @aws-crypto/crc32c, loaded as the runners load it.
  return import(pathToFileURL(join(root, 'dist/gcp/crc32c.js')).href).then(({ crc32c }) => {
    const rows = [];
    for (const size of [16, 1024, 65536]) {
      const b = randomBytes(size);
      const n = Math.max(200, Math.floor(2e7 / size));
      for (let i = 0; i < n / 10; i++) crc32c(b);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) crc32c(b);
      rows.push({ bytes: size, microseconds: Math.round(((performance.now() - t0) * 1000 * 100) / n) / 100 });
    }
    return rows;
  });
}

export default async function gcpBench() {
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-bench-gcp-'));
  const server = await startServer();
  const results = {};
  try {
    for (const transport of TRANSPORTS) {
      const url = server[transport];
      const p = [];
      const b = [];
      await runNode([SELF, 'bare', url, transport, String(CONCURRENCY), '2'], ENV); // warm-up, not measured
      for (let i = 0; i < REPEAT; i++) {
        const bare = JSON.parse(await runNode([SELF, 'bare', url, transport, String(CONCURRENCY), String(SECONDS)], ENV));
        if (bare.errors !== 0) throw new Error(`bare loop: ${bare.errors} errors`);
        b.push(bare.perCpuSecond);
        const py = await steadyRun(
          runArgs('cuts.CloudKmsEncrypt', url, {
            concurrency: CONCURRENCY,
            seconds: SECONDS,
            lengths: PAYLOAD,
            more: ['--client', transport, '--no-preflight'],
          }),
          ENV,
          join(dir, 's.json'),
        );
        if (py.summary.requests.errors !== 0) throw new Error(`pylogen: ${py.summary.requests.errors} errors`);
        p.push(py.perCpuSecond);
      }
      const pm = median(p);
      const bm = median(b);
      results[transport] = {
        pylogen: Math.round(pm),
        bare: Math.round(bm),
        ratio: Math.round((pm / bm) * 1000) / 1000,
        runs: { pylogen: p.map(Math.round), bare: b.map(Math.round) },
      };
    }
    results.crc32c = await crcCost();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nCloudKmsEncrypt per CPU-second of the injector process tree: pylogen vs a bare official-client loop; one gcp serve, concurrency ${CONCURRENCY}, ${SECONDS} s, ${PAYLOAD}-byte payload, median of ${REPEAT}, interleaved`,
  );
  console.log('transport   pylogen Encrypt/CPU-s   bare Encrypt/CPU-s   ratio   (runs: pylogen | bare)');
  for (const t of TRANSPORTS) {
    const r = results[t];
    console.log(
      `${t.padEnd(9)}   ${String(r.pylogen).padStart(21)}   ${String(r.bare).padStart(18)}   ${r.ratio.toFixed(3)}   (${r.runs.pylogen.join(' ')} | ${r.runs.bare.join(' ')})`,
    );
  }
  console.log(`CRC32C (@aws-crypto/crc32c) per call: ${results.crc32c.map((r) => `${r.bytes} B ${r.microseconds} µs`).join(', ')}`);
  results.targetsMet = TRANSPORTS.every((t) => results[t].ratio >= 0.9);
  console.log(`targets (ratio >= 0.9 for gRPC and REST): ${results.targetsMet ? 'met' : 'NOT met'}`);
  return results;
}

if (process.argv[1] === SELF) {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'bare') await bareChild(args[0], args[1], Number(args[2]), Number(args[3]));
  else console.log('\n' + JSON.stringify(await gcpBench()));
}
