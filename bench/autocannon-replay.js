// node bench/autocannon-replay.js URL CONCURRENCY SECONDS: the cheapest HTTP load Node has, for
// bench/kms-clients.js (issue 22): autocannon (in this process, no workers) replaying ONE Encrypt,
// signed once with pylogen's SigV4Signer (valid for the server's 15-minute clock skew), on
// CONCURRENCY keep-alive connections for SECONDS; no signing, no JSON per request. Prints
// { window: { requests, cpu, wall, perCpuSecond, rate }, non2xx, errors } over the steady window of
// bench/steady.js (from 1 s after the start to the end), this process's CPU.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { ACCESS, PAYLOAD, root, SECRET } from './kms-shared.js';
import { bareWindow } from './steady.js';

const [url, concurrency, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const { SigV4Signer } = await import(pathToFileURL(join(root, 'dist/kms/model/sigv4.js')).href);
const u = new URL(url);
const body = JSON.stringify({ KeyId: 'alias/pylogen-symmetric1', Plaintext: Buffer.alloc(PAYLOAD, 7).toString('base64') });
const headers = {
  host: u.host,
  'content-type': 'application/x-amz-json-1.1',
  'content-length': String(Buffer.byteLength(body)),
  'x-amz-target': 'TrentService.Encrypt',
};
new SigV4Signer('us-east-1', 'kms').sign('POST', '/', headers, body, { accessKeyId: ACCESS, secretAccessKey: SECRET });

// autocannon writes Content-Length itself: given twice, the server refuses the request.
delete headers['content-length'];

const w = bareWindow();
let count = 0;
const instance = autocannon({ url, connections: concurrency, pipelining: 1, duration: seconds, method: 'POST', headers, body });
instance.on('response', (_client, status) => {
  if (status === 200) count++;
});
const mark = setTimeout(() => w.mark(count), 1000);
const result = await new Promise((resolve, reject) => instance.once('done', resolve).once('error', reject));
clearTimeout(mark);
w.done(count);
process.stdout.write(JSON.stringify({ window: w.result(), non2xx: result.non2xx, errors: result.errors }));
