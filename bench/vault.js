// npm run bench vault (or node bench/vault.js): the Vault Transit path.
//
// One `pylogen vault serve` process (its own CPU is in neither measurement); against it, in the same
// run, interleaved, REPEAT times each:
// 1. pylogen cuts.VaultTransitEncrypt --endpoint <url> --proc 1 --concurrency C --duration D (16 B)
//    vs a bare loop: one process, one node:http keep-alive Agent, C concurrent loops POSTing the same
//    encrypt body to /v1/transit/encrypt/pylogen-aes256 and parsing the JSON answer for D seconds.
//    Both in their steady state (bench/steady.js): requests per CPU-second of the whole process tree
//    (pylogen: main process + runner). Target: pylogen >= 0.9x the bare loop.
// 2. Items per second with --extra '{"batch":N}' for N = 1, 16, 256 (requests/s × N), pylogen runs
//    side by side. Target: batches of 256 >= 20x the items/s of batches of 1.
//
// Environment: BENCH_VAULT_SECONDS (D, default 5), BENCH_VAULT_REPEAT (default 3),
// BENCH_VAULT_CONCURRENCY (C, default 16), BENCH_VAULT_PART=ratio|batch (one part only).
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bareLoop, median, runArgs, runNode, steadyRun } from './steady.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const SECONDS = Number(process.env.BENCH_VAULT_SECONDS ?? 5);
const REPEAT = Number(process.env.BENCH_VAULT_REPEAT ?? 3);
const CONCURRENCY = Number(process.env.BENCH_VAULT_CONCURRENCY ?? 16);
const PART = process.env.BENCH_VAULT_PART ?? '';
const PAYLOAD = 16;
const TOKEN = 'pylogen-bench-token';
const ENV = { ...process.env, VAULT_TOKEN: TOKEN };

/** `pylogen vault serve` requiring TOKEN (from PYLOGEN_VAULT_TOKEN: out of ps) in its own process: { url, stop() }. */
function startServer() {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, PYLOGEN_VAULT_TOKEN: TOKEN };
    const p = spawn(process.execPath, [join(root, 'bin/pylogen.js'), 'vault', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /^(http:\/\/\S+)\n/.exec(out);
      if (m) resolve({ url: m[1], stop: () => new Promise((r) => (p.once('exit', r), p.kill('SIGTERM'))) });
    });
    p.once('exit', (code) => reject(new Error(`vault serve exited ${code}`)));
  });
}

/** The bare loop (a child process): C loops of the encrypt call on one keep-alive Agent, D seconds. */
async function bareChild(url, concurrency, seconds) {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true });
  const body = JSON.stringify({ plaintext: Buffer.alloc(PAYLOAD, 7).toString('base64') });
  const headers = { 'X-Vault-Token': TOKEN, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
  const once = () =>
    new Promise((resolve, reject) => {
      const req = request({ host: hostname, port: Number(port), method: 'POST', path: '/v1/transit/encrypt/pylogen-aes256', headers, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const o = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (res.statusCode !== 200 || !o.data.ciphertext.startsWith('vault:v')) reject(new Error(`HTTP ${res.statusCode}`));
          else resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const r = await bareLoop(concurrency, seconds, once);
  agent.destroy();
  process.stdout.write(JSON.stringify({ errors: r.errors, ...r.window }));
}

function pylogenArgs(url, batch) {
  const more = ['--no-preflight', ...(batch > 1 ? ['--extra', JSON.stringify({ batch })] : [])];
  return runArgs('cuts.VaultTransitEncrypt', url, { concurrency: CONCURRENCY, seconds: SECONDS, lengths: PAYLOAD, more });
}

async function ratioPart(url, dir) {
  const p = [];
  const b = [];
  await runNode([SELF, 'bare', url, String(CONCURRENCY), '2'], ENV); // warm-up, not measured
  for (let i = 0; i < REPEAT; i++) {
    const bare = JSON.parse(await runNode([SELF, 'bare', url, String(CONCURRENCY), String(SECONDS)], ENV));
    if (bare.errors !== 0) throw new Error(`bare loop: ${bare.errors} errors`);
    b.push(bare.perCpuSecond);
    const py = await steadyRun(pylogenArgs(url, 1), ENV, join(dir, 'r.json'));
    if (py.summary.requests.errors !== 0) throw new Error(`pylogen: ${py.summary.requests.errors} errors`);
    p.push(py.perCpuSecond);
  }
  const result = {
    concurrency: CONCURRENCY,
    seconds: SECONDS,
    pylogenPerCpuSecond: Math.round(median(p)),
    barePerCpuSecond: Math.round(median(b)),
    ratio: Math.round((median(p) / median(b)) * 1000) / 1000,
    runs: { pylogen: p.map(Math.round), bare: b.map(Math.round) },
  };
  console.log(
    `\nVaultTransitEncrypt through pylogen vs a bare node:http keep-alive loop: one vault serve, concurrency ${CONCURRENCY}, ${SECONDS} s, ${PAYLOAD} B, median of ${REPEAT}, interleaved`,
  );
  console.log('pylogen encrypt/CPU-s   bare loop encrypt/CPU-s   ratio   (runs: pylogen | bare)');
  console.log(
    `${String(result.pylogenPerCpuSecond).padStart(21)}   ${String(result.barePerCpuSecond).padStart(23)}   ${result.ratio.toFixed(3)}   (${result.runs.pylogen.join(' ')} | ${result.runs.bare.join(' ')})`,
  );
  return result;
}

async function batchPart(url, dir) {
  const sizes = [1, 16, 256];
  const items = Object.fromEntries(sizes.map((n) => [n, []]));
  for (let i = 0; i < REPEAT; i++) {
    for (const n of sizes) {
      const r = await steadyRun(pylogenArgs(url, n), ENV, join(dir, 'b.json'));
      if (r.summary.requests.errors !== 0) throw new Error(`batch ${n}: ${r.summary.requests.errors} errors`);
      items[n].push(r.rate * n);
    }
  }
  const rows = sizes.map((n) => ({
    batch: n,
    itemsPerSecond: Math.round(median(items[n])),
    requestsPerSecond: Math.round(median(items[n]) / n),
    runs: items[n].map(Math.round),
  }));
  const ratio = Math.round((rows[2].itemsPerSecond / rows[0].itemsPerSecond) * 10) / 10;
  console.log(`\nVaultTransitEncrypt items/s by batch size (batch_input), concurrency ${CONCURRENCY}, ${SECONDS} s, ${PAYLOAD} B items, median of ${REPEAT}`);
  console.log('batch   requests/s   items/s   (runs, items/s)');
  for (const r of rows)
    console.log(
      `${String(r.batch).padStart(5)}   ${String(r.requestsPerSecond).padStart(10)}   ${String(r.itemsPerSecond).padStart(7)}   (${r.runs.join(' ')})`,
    );
  console.log(`batches of 256: ${ratio}x the items/s of batches of 1`);
  return { rows, ratio256to1: ratio };
}

export default async function vaultBench() {
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-bench-vault-'));
  const server = await startServer();
  try {
    const ratio = PART === 'batch' ? undefined : await ratioPart(server.url, dir);
    const batch = PART === 'ratio' ? undefined : await batchPart(server.url, dir);
    return { ratio, batch };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'bare') {
  await bareChild(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
} else if (process.argv[1] === SELF) {
  console.log(JSON.stringify(await vaultBench()));
}
