/**
 * src/transport/http1.ts, the fast KMS client's socket transport, against a raw TCP server that
 * writes each answer byte for byte: the answers a server may send (chunked and split across writes,
 * a 1xx before the answer, a body ended by the close, Connection: close), keep-alive reuse, the bound
 * on sockets, and malformed answers typed by the same llhttp code as node:http gives them (the SDK
 * client's transport), so both KMS clients count them alike (src/cut/errorType.ts).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { Http1Pool } from '../src/transport/http1.js';

type Answer = (s: Socket, n: number) => void;

let server: Server | undefined;
const sockets = new Set<Socket>();
let pool: Http1Pool | undefined;

afterEach(async () => {
  pool?.close();
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise((r) => server?.close(r) ?? r(undefined));
});

/** A server that calls `answer` once per request head it reads (requests here have no body); counts connections. */
async function rawServer(answer: Answer): Promise<{ origin: string; connections: () => number; open: () => number }> {
  let connections = 0;
  let requests = 0;
  server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let end;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        buf = buf.slice(end + 4);
        answer(s, requests++);
      }
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server!.address() as { port: number }).port}`;
  return { origin, connections: () => connections, open: () => sockets.size };
}

const newPool = (origin: string, connections = 4): Http1Pool => (pool = new Http1Pool(origin, { timeoutMs: 10_000, connections, maxAnswerBytes: 1 << 20 }));

describe('http1: what a server may answer', () => {
  it('a chunked answer written in pieces (an extension, a trailer), then a second request on the same connection', async () => {
    const pieces = [
      'HTTP/1.1 200 OK\r\nTransfer-',
      'Encoding: chunked\r\nX-A: 1\r\n\r\n5;ext=1\r',
      '\nhello\r\n6\r\n world\r',
      '\n0\r\nX-Trailer: t\r\n',
      '\r\n',
    ];
    const srv = await rawServer((s) => {
      let i = 0;
      const next = (): void => void (i < pieces.length && s.write(pieces[i++]!, () => setImmediate(next)));
      next();
    });
    const p = newPool(srv.origin);
    for (let k = 0; k < 2; k++) {
      const a = await p.request('GET', '/', {}, '');
      expect({ status: a.status, body: a.body.toString(), x: a.headers['x-a'] }).toEqual({ status: 200, body: 'hello world', x: '1' });
    }
    expect(srv.connections()).toBe(1);
  });

  it('a 100 Continue before the answer, a body ended by the close, and Connection: close', async () => {
    const srv = await rawServer((s, n) => {
      if (n === 0) s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else if (n === 1) s.end('HTTP/1.1 200 OK\r\n\r\nuntil the close');
      else s.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 4\r\n\r\nnone');
    });
    const p = newPool(srv.origin, 1);
    const a = await p.request('GET', '/', {}, '');
    expect([a.status, a.body.toString()]).toEqual([200, 'ok']);
    const b = await p.request('GET', '/', {}, '');
    expect([b.status, b.body.toString()]).toEqual([200, 'until the close']);
    const c = await p.request('GET', '/', {}, '');
    expect([c.status, c.body.toString()]).toEqual([404, 'none']);
    // the first connection was kept for the second request, which ended it; the third had its own
    expect(srv.connections()).toBe(2);
  });

  it('sends a body with its Content-Length and at most `connections` sockets, whatever the requests in flight', async () => {
    const bodies: string[] = [];
    let maxOpen = 0;
    const srv = await rawServer((s) => {
      maxOpen = Math.max(maxOpen, sockets.size);
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    server!.on('connection', (s) => s.on('data', (d) => bodies.push(d.toString('latin1'))));
    const p = newPool(srv.origin, 2);
    const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => p.request('POST', '/', {}, `body ${i}`)));
    expect(answers.map((a) => a.body.toString())).toEqual(Array(9).fill('ok'));
    expect(srv.connections()).toBe(2);
    expect(maxOpen).toBeLessThanOrEqual(2);
    expect(bodies.join('')).toContain('content-length: 6\r\n\r\nbody 8');
  });
});

const MALFORMED: Record<string, string> = {
  'not HTTP': 'SSH-2.0-OpenSSH_9.6\r\n\r\n',
  'a bad version': 'HTTP/2.5 200 OK\r\nContent-Length: 0\r\n\r\n',
  'a bad status code': 'HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n',
  'a bad header name': 'HTTP/1.1 200 OK\r\nBad Header: 1\r\nContent-Length: 0\r\n\r\n',
  'a bad Content-Length': 'HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n',
  'two Content-Lengths': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok',
  'Content-Length with chunked': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
  'a bad chunk size': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n',
  'no CRLF after a chunk': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n',
  'a head over 16 KiB': `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\nContent-Length: 0\r\n\r\n`,
};

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
}

/** The code node:http's request ends with. */
function nodeHttpCode(origin: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(`${origin}/`, (res) => {
      res.resume();
      res.on('end', () => resolve('no error'));
      res.on('error', (e) => resolve(String((e as { code?: unknown }).code)));
    });
    req.on('error', (e) => resolve(String((e as { code?: unknown }).code)));
    req.end();
  });
}

describe('http1: a malformed answer is typed as node:http types it', () => {
  for (const [name, text] of Object.entries(MALFORMED)) {
    it(name, async () => {
      const srv = await rawServer((s) => s.write(text));
      const theirs = await nodeHttpCode(srv.origin);
      const ours = await codeOf(newPool(srv.origin).request('GET', '/', {}, ''));
      expect(theirs).toMatch(/^HPE_/);
      expect(ours).toBe(theirs);
    });
  }
});
