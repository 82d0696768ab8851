// npm run bench (or node bench/kmip.js): KMIP Encrypt through pylogen vs a bare loop of the same client.
//
// One throwaway PyKMIP server (startPykmip: throwaway certificates, loopback port), its keys made by
// `pylogen kmip setup` (profiles/KmipDefault.json). Then, REPEAT times, interleaved, at concurrency
// 1 and 4:
//   pylogen cuts.KmipEncrypt --endpoint kmip://127.0.0.1:PORT --extra '{"ca","cert","clientKey"}'
//     --concurrency C --duration D --outformat none (AES-256-GCM of 16 bytes, the server's IV),
//     measured in its steady state (bench/steady.js);
//   a bare loop: one process, the same KmipClient (TLS client certificate, a connection per request
//     in flight, TLS sessions resumed), Locate of the key's name, then C loops of the same Encrypt for
//     D seconds, measured from 1 s after its start.
// Medians of Encrypt/s (PyKMIP is single-threaded Python: it is the limit, ~300/s) and of Encrypt per
// client CPU-second (the client's cost, which the server does not bound); ratios pylogen / bare.
//
// Environment: BENCH_KMIP_SECONDS (D, default 5), BENCH_KMIP_REPEAT (default 3).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bareLoop, median, runNode, steadyRun } from './steady.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const SECONDS = Number(process.env.BENCH_KMIP_SECONDS ?? 5);
const REPEAT = Number(process.env.BENCH_KMIP_REPEAT ?? 3);
const KEY_NAME = 'pylogen-aes256-gcm';
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);

/** The bare loop (a child process): C loops of KMIP Encrypt for D seconds; prints its window. */
async function bareChild(url, files, concurrency, seconds) {
  const { KmipClient, cryptoParams, CryptographicAlgorithm } = await dist('kmip/KmipClient.js');
  const { parseKmipUrl, tlsOptions } = await dist('kmip/target.js');
  const { MODE_OF } = await dist('kmip/keyfile.js');
  const where = parseKmipUrl(url);
  const pem = { ca: readFileSync(files.ca), cert: readFileSync(files.cert), clientKey: readFileSync(files.clientKey) };
  const client = new KmipClient({ tls: tlsOptions(where.host, where.port, pem), timeoutMs: 10_000, connections: 4096 });
  const [uid] = await client.locate(KEY_NAME);
  const params = cryptoParams({ blockCipherMode: MODE_OF.GCM, cryptographicAlgorithm: CryptographicAlgorithm.AES, randomIv: true, tagLength: 16 });
  const r = await bareLoop(concurrency, seconds, async () => {
    const out = await client.encrypt(uid, params, randomBytes(16));
    if (out.iv === undefined || out.tag === undefined) throw new Error('no IV or tag');
  });
  client.close();
  process.stdout.write(JSON.stringify({ ...r.window, errors: r.errors }));
}

export default async function kmipBench() {
  const { startPykmip } = await dist('kmip/pykmipServer.js');
  const server = await startPykmip();
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-bench-kmip-'));
  const files = { ca: server.files.ca, cert: server.files.cert, clientKey: server.files.key };
  const rows = [];
  try {
    execFileSync(
      process.execPath,
      [join(root, 'bin/pylogen.js'), 'kmip', 'setup', '--endpoint', server.url, '--ca', files.ca, '--cert', files.cert, '--client-key', files.clientKey],
      { stdio: 'ignore' },
    );
    for (const concurrency of [1, 4]) {
      const runs = { pylogen: [], bare: [] };
      for (let i = 0; i < REPEAT; i++) {
        const b = JSON.parse(await runNode([SELF, 'bare', server.url, JSON.stringify(files), String(concurrency), String(SECONDS)]));
        if (b.errors !== 0) throw new Error(`bare KMIP loop: ${b.errors} errors`);
        runs.bare.push(b);
        const p = await steadyRun(
          [
            'cuts.KmipEncrypt',
            '--endpoint',
            server.url,
            '--extra',
            JSON.stringify(files),
            '--concurrency',
            String(concurrency),
            '--duration',
            String(SECONDS),
            '--outformat',
            'none',
          ],
          process.env,
          join(dir, 'summary.json'),
        );
        if (p.summary.requests.errors !== 0)
          throw new Error(`pylogen KmipEncrypt: ${p.summary.requests.errors} errors ${JSON.stringify(p.summary.errorsByType)}`);
        runs.pylogen.push(p);
      }
      const m = (k, f) => median(runs[k].map((r) => r[f]));
      const row = { concurrency };
      for (const f of ['rate', 'perCpuSecond']) {
        row[f] = { pylogen: Math.round(m('pylogen', f)), bare: Math.round(m('bare', f)), ratio: Math.round((m('pylogen', f) / m('bare', f)) * 100) / 100 };
      }
      rows.push(row);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  }
  console.log(
    `\nKMIP Encrypt (AES-256-GCM, 16 bytes) against one PyKMIP server, pylogen vs a bare loop of the same KmipClient, ${SECONDS} s, steady state, median of ${REPEAT}, interleaved`,
  );
  console.log('concurrency   Encrypt/s pylogen   bare   ratio   Encrypt per client CPU-s pylogen   bare   ratio');
  for (const r of rows) {
    console.log(
      `${String(r.concurrency).padStart(11)}${String(r.rate.pylogen).padStart(20)}${String(r.rate.bare).padStart(7)}${r.rate.ratio.toFixed(2).padStart(8)}${String(r.perCpuSecond.pylogen).padStart(35)}${String(r.perCpuSecond.bare).padStart(7)}${r.perCpuSecond.ratio.toFixed(2).padStart(8)}`,
    );
  }
  return { seconds: SECONDS, repeat: REPEAT, rows };
}

if (process.argv[2] === 'bare') await bareChild(process.argv[3], JSON.parse(process.argv[4]), Number(process.argv[5]), Number(process.argv[6]));
else if (process.argv[1] === SELF) console.log('\n' + JSON.stringify(await kmipBench()));
