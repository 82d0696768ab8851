/**
 * The KMS clients over HTTPS with a throwaway CA (trusted through NODE_EXTRA_CA_CERTS only), in
 * front of `kms serve --credentials` (every signature verified), and `--client fast` through an
 * HTTPS_PROXY (a tiny CONNECT proxy on loopback) that NO_PROXY bypasses (issue 22 "Done when").
 * The SDK does not read proxy variables (AWS SDK v3 needs an agent for that): `--client sdk` goes
 * direct, which is what this test shows too.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeyFile } from '../src/kms/model/keyfile.js';
import { startKmsServer, type KmsServerHandle } from '../src/kms/server/server.js';
import { pylogen, selfSignedCert, tempDir } from './helpers.js';
import { ROOT } from './kms-helpers.js';

const CREDS = { accessKeyId: 'AKIDHTTPSTEST', secretAccessKey: 'pylogen-https-secret' };
const ENV = {
  AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
  AWS_REGION: 'us-east-1',
  HTTPS_PROXY: '',
  https_proxy: '',
  HTTP_PROXY: '',
  http_proxy: '',
  NO_PROXY: '',
  no_proxy: '',
};

const dir = tempDir('pylogen-https-');
let kms: KmsServerHandle;
let tls: HttpsServer;
let proxy: Server;
let httpsUrl: string;
let proxyUrl: string;
const tunnels: string[] = [];
const sockets = new Set<Socket>();

/** A throwaway CA and a certificate for 127.0.0.1 signed by it (openssl, P-256: quick). */
function throwawayCa(): { ca: string; key: string; cert: string } {
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  selfSignedCert(dir, 'ca', '/CN=pylogen throwaway test CA');
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '1', '-extfile', 'ext.cnf');
  return { ca: join(dir, 'ca.pem'), key: readFileSync(join(dir, 'srv.key'), 'utf8'), cert: readFileSync(join(dir, 'srv.pem'), 'utf8') };
}

let caFile: string;

beforeAll(async () => {
  const { entries } = loadKeyFile('KmsDefault.json', ROOT, ROOT);
  kms = await startKmsServer({ keys: [...entries.values()], credentials: CREDS });
  const target = new URL(kms.url);
  const { ca, key, cert } = throwawayCa();
  caFile = ca;
  // TLS in front of the embedded server: each request forwarded as is (its Host header, hence its
  // signature, unchanged).
  tls = createHttpsServer({ key, cert }, (req, res) => {
    const fwd = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  httpsUrl = `https://127.0.0.1:${(tls.address() as { port: number }).port}`;
  // A CONNECT proxy: one tunnel per connection, its target recorded.
  proxy = createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.once('data', (d) => {
      const m = /^CONNECT ([^\s:]+):(\d+) HTTP\/1\.1\r\n/.exec(d.toString('latin1'));
      if (m === null) return void s.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
      tunnels.push(`${m[1]}:${m[2]}`);
      const up = connect(Number(m[2]), m[1]!, () => {
        s.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        s.pipe(up).pipe(s);
      });
      sockets.add(up);
      up.once('close', () => sockets.delete(up));
      up.on('error', () => s.destroy());
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  tls?.closeAllConnections();
  await Promise.all([new Promise((r) => tls?.close(r)), new Promise((r) => proxy?.close(r)), kms?.close()]);
});

async function run(
  client: string,
  env: Record<string, string>,
  more: string[] = [],
): Promise<{ code: number | null; stderr: string; summary: { requests: { count: number; errors: number }; errorsByType: Record<string, number> } }> {
  const json = join(tempDir(), 'summary.json');
  const r = await pylogen(
    [
      'cuts.KmsEncryptSymmetric',
      '--endpoint',
      httpsUrl,
      '--client',
      client,
      '--loops',
      '4',
      '--concurrency',
      '2',
      '--outformat',
      'none',
      '--summary-json',
      json,
      ...more,
    ],
    { env: { ...ENV, ...env }, timeoutMs: 90_000 },
  );
  let summary = { requests: { count: 0, errors: 0 }, errorsByType: {} };
  try {
    summary = JSON.parse(readFileSync(json, 'utf8'));
  } catch {
    // no summary: the run was refused (asserted by the caller through code and stderr)
  }
  return { code: r.code, stderr: r.stderr, summary };
}

describe('HTTPS with a throwaway CA, signatures verified', () => {
  it('both clients run clean with NODE_EXTRA_CA_CERTS; without it the certificate is refused, by its code', async () => {
    for (const client of ['fast', 'sdk']) {
      const ok = await run(client, { NODE_EXTRA_CA_CERTS: caFile });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.summary.requests).toMatchObject({ count: 4, errors: 0 });
    }
    const untrusted = await run('fast', {}, ['--no-preflight']);
    expect(untrusted.code, untrusted.stderr).toBe(0);
    expect(Object.keys(untrusted.summary.errorsByType)).toEqual([
      expect.stringMatching(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT)$/),
    ]);
  }, 240_000);
});

describe('HTTPS_PROXY and NO_PROXY', () => {
  it('--client fast tunnels through HTTPS_PROXY (CONNECT to the endpoint), and not when NO_PROXY names it', async () => {
    const through = await run('fast', { NODE_EXTRA_CA_CERTS: caFile, HTTPS_PROXY: proxyUrl });
    expect(through.code, through.stderr).toBe(0);
    expect(through.summary.requests).toMatchObject({ count: 4, errors: 0 });
    const port = new URL(httpsUrl).port;
    expect(tunnels.length).toBeGreaterThan(0);
    expect(new Set(tunnels)).toEqual(new Set([`127.0.0.1:${port}`]));
    const before = tunnels.length;
    const bypassed = await run('fast', { NODE_EXTRA_CA_CERTS: caFile, HTTPS_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' });
    expect(bypassed.code, bypassed.stderr).toBe(0);
    expect(bypassed.summary.requests).toMatchObject({ count: 4, errors: 0 });
    expect(tunnels.length).toBe(before);
  }, 240_000);
});
