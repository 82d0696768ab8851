// npm run bench azure (or node bench/azure.js): pylogen's Azure Key Vault path against a bare loop of
// the same official-client calls, per CPU-second of the whole process tree, side by side.
//
// One `pylogen azure serve --flavour managedhsm` process (its own CPU is not counted); against it, in
// the same run, interleaved, REPEAT times each:
//   pylogen cuts.AzureKeyVaultSign --endpoint <url> --proc 1 --concurrency C --duration D --lengths 32 --outformat none
//   (ES256 on key ec256: @azure/keyvault-keys' CryptographyClient.sign of a digest, the key handed
//   without its material as AzureCut does), CPU of pylogen's main process + runner over the steady
//   window (bench/steady.js);
//   a bare loop: one process, one KeyClient + CryptographyClient built the same way, C concurrent
//   loops of sign of the same 32-byte message's digest, CPU of its process over its steady window.
// Medians of signatures per CPU-second, and their ratio (target >= 0.9).
//
// Environment: BENCH_AZURE_SECONDS (D, default 6), BENCH_AZURE_REPEAT (default 3), BENCH_AZURE_CONCURRENCY (C, default 8).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bareLoop, median, runArgs, runNode, steadyRun } from './steady.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const SECONDS = Number(process.env.BENCH_AZURE_SECONDS ?? 6);
const REPEAT = Number(process.env.BENCH_AZURE_REPEAT ?? 3);
const CONCURRENCY = Number(process.env.BENCH_AZURE_CONCURRENCY ?? 8);

/** Starts `pylogen azure serve`; resolves with its URL and a stop function once it prints the URL. */
function startServer(caFile) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(root, 'bin/pylogen.js'), 'azure', 'serve', '--flavour', 'managedhsm', '--ca-file', caFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    p.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        const stop = () => new Promise((done) => (p.exitCode !== null ? done() : (p.once('exit', () => done()), p.kill('SIGTERM'))));
        resolve({ url: out.slice(0, nl).trim(), stop });
      }
    });
    p.on('exit', (code) => reject(new Error(`azure serve exited ${code}: ${err}`)));
  });
}

/** The bare loop (a child process): one KeyClient + CryptographyClient, C loops of sign, D seconds. */
async function bareChild(url, concurrency, seconds) {
  const { KeyClient, CryptographyClient } = await import('@azure/keyvault-keys');
  const { clientOptions, azureCredential } = await import(pathToFileURL(join(root, 'dist/azure/client.js')).href);
  const credential = await azureCredential();
  const options = clientOptions(url, 0);
  const key = await new KeyClient(url, credential, options).getKey('pylogen-ec256');
  const crypto = new CryptographyClient({ ...key, key: undefined }, credential, options);
  const digest = createHash('sha256').update(Buffer.alloc(32)).digest();
  const call = { requestOptions: { timeout: 10_000 } };
  await crypto.sign('ES256', digest, call); // the challenge, as AzureCut's setup()
  const r = await bareLoop(concurrency, seconds, () => crypto.sign('ES256', digest, call));
  if (r.errors !== 0) throw new Error(`bare loop: ${r.errors} errors`);
  process.stdout.write(JSON.stringify(r.window));
}

export default async function azureBench() {
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-bench-azure-'));
  const caFile = join(dir, 'ca.pem');
  const server = await startServer(caFile);
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: caFile, PYLOGEN_AZURE_TOKEN: 'bench' };
  const p = [];
  const b = [];
  try {
    for (let i = 0; i < REPEAT; i++) {
      const r = await steadyRun(runArgs('cuts.AzureKeyVaultSign', server.url, { concurrency: CONCURRENCY, seconds: SECONDS, lengths: 32 }), env);
      p.push(r.perCpuSecond);
      const bare = JSON.parse(await runNode([SELF, 'bare', server.url, String(CONCURRENCY), String(SECONDS)], env));
      b.push(bare.perCpuSecond);
      console.log(
        `azure sign run ${i + 1}: pylogen ${r.perCpuSecond.toFixed(0)}/CPU-s (${r.rate.toFixed(0)}/s), bare ${bare.perCpuSecond.toFixed(0)}/CPU-s (${bare.rate.toFixed(0)}/s)`,
      );
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const result = { pylogenPerCpuSecond: median(p), barePerCpuSecond: median(b), ratio: median(p) / median(b), target: 0.9 };
  console.log(
    `azure AzureKeyVaultSign ES256 per CPU-second (medians of ${REPEAT}, concurrency ${CONCURRENCY}, ${SECONDS} s): pylogen ${result.pylogenPerCpuSecond.toFixed(0)}, bare loop ${result.barePerCpuSecond.toFixed(0)}, ratio ${result.ratio.toFixed(2)} (target >= 0.9)`,
  );
  return result;
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === 'bare') await bareChild(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
  else await azureBench();
}
