// npm run bench sigv4 (or node bench/sigv4.js): the CPU of signing one fast-client Encrypt, in µs,
// for pylogen's SigV4Signer (dist/kms/model/sigv4.js) and for the SDK's own signer
// (@smithy/signature-v4 over node:crypto) beside it. With BENCH_SIGV4_BASE=<another checkout, built>,
// that checkout's SigV4Signer too, interleaved: a before/after of a change in one run.
// A loop in one process measures the code alone: unlike the client benches, the server and the
// machine's other load do not enter it (the figures are CPU time, medians of REPEAT rounds).
// Environment: BENCH_REPEAT (default 7), BENCH_SIGV4_BASE.
import { createHash, createHmac } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';

const root = fileURLToPath(new URL('..', import.meta.url));
const REPEAT = Number(process.env.BENCH_REPEAT ?? 7);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const creds = { accessKeyId: 'AKIDPYLOGENBENCH', secretAccessKey: 'pylogen-bench-secret' };
const body = JSON.stringify({ KeyId: 'alias/pylogen-symmetric1', Plaintext: Buffer.alloc(16, 7).toString('base64') });
const headersOf = () => ({
  host: '127.0.0.1:42847',
  'content-type': 'application/x-amz-json-1.1',
  'content-length': String(body.length),
  'x-amz-target': 'TrentService.Encrypt',
});

/** The SDK signer's hash: node:crypto behind its Sha256 interface. */
class NodeSha256 {
  constructor(secret) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(d) {
    this.h.update(d);
  }
  digest() {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

/** µs of CPU per call of sign(), over n calls. */
async function perCall(n, sign) {
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) await sign();
  const c = process.cpuUsage(t);
  return (c.user + c.system) / n;
}

export default async function sigv4Bench() {
  const builds = [['this build', root]];
  if (process.env.BENCH_SIGV4_BASE) builds.push([`BENCH_SIGV4_BASE (${process.env.BENCH_SIGV4_BASE})`, process.env.BENCH_SIGV4_BASE]);
  const signers = [];
  for (const [name, dir] of builds) {
    const { SigV4Signer } = await import(pathToFileURL(join(dir, 'dist/kms/model/sigv4.js')).href);
    const s = new SigV4Signer('us-east-1', 'kms');
    // A plain call, no await: the fast client signs synchronously.
    signers.push([`pylogen SigV4Signer, ${name}`, 100_000, () => s.sign('POST', '/', headersOf(), body, creds)]);
  }
  const sdk = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'kms', sha256: NodeSha256 });
  const request = { method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 42847, path: '/', query: {}, body };
  signers.push(['@smithy/signature-v4 (the SDK)', 20_000, () => sdk.sign({ ...request, headers: headersOf() })]);
  const runs = signers.map(() => []);
  for (let r = 0; r < REPEAT; r++) {
    for (let i = 0; i < signers.length; i++) {
      const [, n, fn] = signers[i];
      runs[i].push(await perCall(n, fn));
    }
  }
  console.log(`\nSigning one fast-client Encrypt (SigV4), µs of CPU per request, median of ${REPEAT}, interleaved`);
  const result = {};
  signers.forEach(([name], i) => {
    result[name] = Math.round(median(runs[i]) * 100) / 100;
    console.log(`${name.padEnd(60)} ${result[name].toFixed(2).padStart(8)} µs   (${runs[i].map((x) => x.toFixed(2)).join(' ')})`);
  });
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await sigv4Bench()));
