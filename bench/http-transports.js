// node bench/http-transports.js: the candidates for the fast KMS client's transport, side by side
// (issue 22): one process, C requests in flight, every Encrypt signed with pylogen's SigV4Signer and
// its JSON answer parsed, against one `kms serve --credentials` (signatures verified); Encrypt per
// CPU-second of this process (process.cpuUsage), ROUNDS interleaved rounds, medians.
//   node:http  keep-alive Agent (the transport until issue 22)
//   undici Pool.request, undici Pool.dispatch (a handler, no stream), undici Client x C
//   http1      src/transport/http1.ts: pylogen's own HTTP/1.1 client on net sockets (the transport since)
// Environment: BENCH_KMS_SECONDS (per run, default 5), BENCH_KMS_REPEAT (rounds, default 5),
// BENCH_KMS_CONCURRENCY (C, default 16).
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, Pool } from 'undici';
import { ACCESS, CONCURRENCY, median, REPEAT, root, SECONDS, SECRET, startServer } from './kms-shared.js';

const { SigV4Signer } = await import(pathToFileURL(join(root, 'dist/kms/model/sigv4.js')).href);
const { Http1Pool } = await import(pathToFileURL(join(root, 'dist/transport/http1.js')).href);
const creds = { accessKeyId: ACCESS, secretAccessKey: SECRET };

function signed(url) {
  const signer = new SigV4Signer('us-east-1', 'kms');
  const plaintext = Buffer.alloc(16, 7).toString('base64');
  return () => {
    const body = JSON.stringify({ KeyId: 'alias/pylogen-symmetric1', Plaintext: plaintext });
    const headers = {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-target': 'TrentService.Encrypt',
    };
    signer.sign('POST', '/', headers, body, creds);
    return { headers, body };
  };
}

function check(status, buf) {
  const o = JSON.parse(buf.toString('utf8'));
  if (status !== 200 || typeof o.CiphertextBlob !== 'string') throw new Error(`answer ${status}`);
}

const transports = {
  'node:http': (url) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
    const next = signed(url);
    return {
      one: () =>
        new Promise((resolve, reject) => {
          const { headers, body } = next();
          const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers, agent }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
              try {
                check(res.statusCode, Buffer.concat(chunks));
                resolve();
              } catch (e) {
                reject(e);
              }
            });
            res.on('error', reject);
          });
          req.on('error', reject);
          req.end(body);
        }),
      close: () => agent.destroy(),
    };
  },
  'undici Pool.request': (url) => {
    const pool = new Pool(url.origin, { connections: CONCURRENCY });
    const next = signed(url);
    return {
      one: async () => {
        const { headers, body } = next();
        const res = await pool.request({ method: 'POST', path: '/', headers, body });
        check(res.statusCode, Buffer.from(await res.body.arrayBuffer()));
      },
      close: () => pool.destroy(),
    };
  },
  'undici Pool.dispatch': (url) => {
    const pool = new Pool(url.origin, { connections: CONCURRENCY });
    const next = signed(url);
    return {
      one: () =>
        new Promise((resolve, reject) => {
          const { headers, body } = next();
          const chunks = [];
          let status = 0;
          pool.dispatch(
            { method: 'POST', path: '/', headers, body },
            {
              onConnect() {},
              onHeaders(s) {
                status = s;
                return true;
              },
              onData(c) {
                chunks.push(c);
                return true;
              },
              onComplete() {
                try {
                  check(status, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
                  resolve();
                } catch (e) {
                  reject(e);
                }
              },
              onError: reject,
            },
          );
        }),
      close: () => pool.destroy(),
    };
  },
  http1: (url) => {
    const pool = new Http1Pool(url.origin, { connections: CONCURRENCY, timeoutMs: 30_000, maxAnswerBytes: 1 << 20 });
    const next = signed(url);
    return {
      one: async () => {
        const { headers, body } = next();
        const res = await pool.request('POST', '/', headers, body);
        check(res.status, res.body);
      },
      close: () => pool.close(),
    };
  },
  'undici Client x C': (url) => {
    const clients = Array.from({ length: CONCURRENCY }, () => new Client(url.origin));
    let i = 0;
    const next = signed(url);
    return {
      one: async () => {
        const { headers, body } = next();
        const res = await clients[i++ % clients.length].request({ method: 'POST', path: '/', headers, body });
        check(res.statusCode, Buffer.from(await res.body.arrayBuffer()));
      },
      close: () => Promise.all(clients.map((c) => c.destroy())),
    };
  },
};

async function measure(name, url) {
  const t = transports[name](url);
  // warm-up: connections and JIT, not measured
  const warmEnd = performance.now() + 500;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < warmEnd) await t.one();
    }),
  );
  let count = 0;
  const cpu0 = process.cpuUsage();
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await t.one();
        count++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  await t.close();
  return { perCpu: count / ((cpu.user + cpu.system) / 1e6), rate: count / SECONDS };
}

const server = await startServer(['--workers', '1', '--credentials', `${ACCESS}:${SECRET}`]);
const url = new URL(server.url);
const runs = Object.fromEntries(Object.keys(transports).map((k) => [k, []]));
try {
  for (let r = 0; r < REPEAT; r++) for (const k of Object.keys(transports)) runs[k].push(await measure(k, url));
} finally {
  await server.stop();
}
const base = median(runs['node:http'].map((x) => x.perCpu));
console.log(`transport              Encrypt per CPU-second   Encrypt/s   vs node:http   (C=${CONCURRENCY}, ${SECONDS} s, median of ${REPEAT}, interleaved)`);
for (const [k, v] of Object.entries(runs)) {
  const p = median(v.map((x) => x.perCpu));
  console.log(
    `${k.padEnd(23)}${String(Math.round(p)).padStart(22)}   ${String(Math.round(median(v.map((x) => x.rate)))).padStart(9)}   ${(p / base).toFixed(2).padStart(12)}   (${v.map((x) => Math.round(x.perCpu)).join(' ')})`,
  );
}
