/**
 * An endpoint that is not what the user thinks (issue 19 §2): a server that is not a KMS, https://
 * to a plain HTTP server, http:// to a TLS server. The preflight refuses each with one line that
 * says what answered (exit 2, nothing started), for both KMS clients; with --no-preflight the
 * runners' errors say the same. A KMS's own JSON 1.1 errors keep their messages. Vault's preflight
 * follows the same rule. Real CLI, real
 * sockets: node:http answering as `python3 -m http.server` does to a POST, node:https, and a port
 * that speaks TLS but answers plain HTTP with a 400 page, as nginx does.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pylogen, readJson, selfSignedCert, tempDir } from './helpers.js';

// Each test starts the CLI (a node start, a CUT load, for some the AWS SDK): seen at 20 s each at load average 35.
vi.setConfig({ testTimeout: 120_000 });

// No proxy between the CLI and these loopback servers, and credentials that are no one's.
const ENV = {
  AWS_ACCESS_KEY_ID: 'AKIDNOTAKMS',
  AWS_SECRET_ACCESS_KEY: 'pylogen-not-a-kms-secret',
  AWS_REGION: 'us-east-1',
  HTTPS_PROXY: '',
  https_proxy: '',
  HTTP_PROXY: '',
  http_proxy: '',
};
const dir = tempDir('pylogen-not-a-kms-');
const sockets = new Set<Socket>();
const track = (s: Socket): void => {
  sockets.add(s);
  s.once('close', () => sockets.delete(s));
};

let web: HttpServer; // answers every request 501 text/html, as python3 -m http.server does a POST
let kmsLike: HttpServer; // answers every request as AWS KMS refuses one: JSON 1.1, AccessDeniedException
let tls: HttpsServer; // a TLS server
let nginxLike: NetServer; // TLS, and a 400 page to a plain HTTP request on the same port
const urls = { web: '', kmsLike: '', tls: '', nginxLike: '' };

const listen = async (server: HttpServer | NetServer, scheme: string): Promise<string> => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `${scheme}://127.0.0.1:${(server.address() as { port: number }).port}`;
};

beforeAll(async () => {
  const cert = selfSignedCert(dir);
  web = createHttpServer((_req, res) =>
    res.writeHead(501, { 'Content-Type': 'text/html;charset=utf-8' }).end('<html><body>Error response: 501 Unsupported method</body></html>'),
  );
  kmsLike = createHttpServer((_req, res) =>
    res
      .writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1' })
      .end(JSON.stringify({ __type: 'AccessDeniedException', message: 'User is not authorized to perform: kms:DescribeKey' })),
  );
  tls = createHttpsServer(cert, (_req, res) => res.end('{}'));
  const page = '<html><body>400 The plain HTTP request was sent to HTTPS port</body></html>';
  nginxLike = createNetServer((s) => {
    track(s);
    s.on('error', () => undefined);
    s.once('readable', () => {
      const first = s.read() as Buffer | null;
      if (first === null) return;
      s.unshift(first);
      // a TLS ClientHello is handed to the TLS server, anything else gets nginx's page
      if (first[0] === 0x16) tls.emit('connection', s);
      else s.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: ${page.length}\r\nConnection: close\r\n\r\n${page}`);
    });
  });
  for (const s of [web, kmsLike, tls]) s.on('connection', track);
  urls.web = await listen(web, 'http');
  urls.kmsLike = await listen(kmsLike, 'http');
  urls.tls = await listen(tls, 'http');
  urls.nginxLike = await listen(nginxLike, 'http');
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all([web, kmsLike, tls, nginxLike].map((s) => new Promise((r) => s.close(r))));
});

/** A KMS CUT against `endpoint` with the given client: it must be refused by the preflight with one line. */
async function refused(endpoint: string, client: string): Promise<string> {
  // --duration 30: a run that started would take 30 s; the preflight ends it first.
  const r = await pylogen(['cuts.KmsEncryptSymmetric', '--endpoint', endpoint, '--client', client, '--duration', '30'], { env: ENV, timeoutMs: 90_000 });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

describe.each(['fast', 'sdk'])('--client %s: the preflight says what answered, exit 2, one line', (client) => {
  it('a web server that is not a KMS (501 text/html)', async () => {
    expect(await refused(urls.web, client)).toBe(`pylogen: KmsEncryptSymmetric: preflight: ${urls.web}: does not speak the AWS KMS API (HTTP 501, text/html)`);
  });

  it('a KMS that refuses in JSON 1.1 keeps its own message (AccessDeniedException)', async () => {
    expect(await refused(urls.kmsLike, client)).toMatch(
      new RegExp(
        `^pylogen: KmsEncryptSymmetric: preflight: ${urls.kmsLike} denied kms:DescribeKey on key "symmetric1" .*\\(AccessDeniedException: User is not authorized`,
      ),
    );
  });

  it('https:// to a plain HTTP server', async () => {
    const https = urls.web.replace('http:', 'https:');
    expect(await refused(https, client)).toBe(
      `pylogen: KmsEncryptSymmetric: preflight: ${https}: the server does not speak TLS: did you mean http://? (OpenSSL: wrong version number)`,
    );
  });

  it('http:// to a TLS server that closes the connection (Node)', async () => {
    expect(await refused(urls.tls, client)).toMatch(
      new RegExp(`^pylogen: KmsEncryptSymmetric: preflight: ${urls.tls}: the server speaks TLS: did you mean https://\\? \\(`),
    );
  });

  it('http:// to a TLS server that answers a 400 page (nginx)', async () => {
    expect(await refused(urls.nginxLike, client)).toBe(
      `pylogen: KmsEncryptSymmetric: preflight: ${urls.nginxLike}: the server speaks TLS: did you mean https://? (it answered HTTP 400, text/html)`,
    );
  });

  it.each([
    [
      'https:// to a plain HTTP server',
      () => urls.web.replace('http:', 'https:'),
      'the server does not speak TLS: did you mean http://? (OpenSSL: wrong version number)',
    ],
    ['http:// to a TLS server', () => urls.tls, 'the server speaks TLS: did you mean https://? ('],
  ])("--no-preflight, %s: the runners' errors say the same", async (_name, endpoint, said) => {
    const json = join(tempDir(), 's.json');
    const r = await pylogen(
      [
        'cuts.KmsEncryptSymmetric',
        '--endpoint',
        endpoint(),
        '--client',
        client,
        '--loops',
        '2',
        '--no-preflight',
        '--outformat',
        'none',
        '--summary-json',
        json,
      ],
      {
        env: ENV,
        timeoutMs: 90_000,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const samples = Object.values(readJson<{ errorSamples: Record<string, string[]> }>(json).errorSamples).flat();
    expect(samples.length, r.stderr).toBeGreaterThan(0);
    for (const s of samples) expect(s).toContain(said);
  });
});

describe('the same rule for Vault Transit: exit 2, one line naming what answered', () => {
  const vault = async (endpoint: string): Promise<string> => {
    const r = await pylogen(['cuts.VaultTransitEncrypt', '--endpoint', endpoint, '--duration', '30'], {
      env: { ...ENV, VAULT_TOKEN: 'pylogen-not-a-vault-token' },
      timeoutMs: 90_000,
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    return r.stderr.trim();
  };

  it('a web server that is not Vault', async () => {
    expect(await vault(urls.web)).toBe(`pylogen: VaultTransitEncrypt: preflight: ${urls.web}: does not speak the Vault API (HTTP 501, text/html)`);
  });

  it('https:// to a plain HTTP server, http:// to a TLS server', async () => {
    const https = urls.web.replace('http:', 'https:');
    expect(await vault(https)).toBe(
      `pylogen: VaultTransitEncrypt: preflight: Vault at ${https}: the server does not speak TLS: did you mean http://? (OpenSSL: wrong version number)`,
    );
    expect(await vault(urls.tls)).toMatch(
      new RegExp(`^pylogen: VaultTransitEncrypt: preflight: Vault at ${urls.tls}: the server speaks TLS: did you mean https://\\? \\(`),
    );
  });
});

describe('the same rule for Cloud KMS over REST', () => {
  it('a web server that is not Cloud KMS: exit 2, one line naming what answered', async () => {
    const r = await pylogen(['cuts.CloudKmsEncrypt', '--endpoint', urls.web, '--client', 'rest', '--duration', '30'], { env: ENV, timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(
      new RegExp(
        `^pylogen: CloudKmsEncrypt: preflight: key "symmetric": GetCryptoKeyVersion of \\S+: ${urls.web} does not speak the Cloud KMS API \\(HTTP 501, not JSON\\)$`,
      ),
    );
  });
});
