/**
 * A hostile KMS endpoint (issue 22 "Done when", issue 20 §6): a raw TCP server on loopback answering
 * every request in one bad way — 200 MB, one byte a second, a reset mid-body, invalid JSON with 200,
 * an HTML 500, invalid base64 in CiphertextBlob, a Content-Length shorter than the body. Both clients
 * (`fast` on src/transport/http.ts, `sdk` bounded by src/kms/client/boundedSdkHandler.ts) must end
 * each request as an error of the same type, within the timeout, with their memory bounded.
 */
import { EncryptCommand } from '@aws-sdk/client-kms';
import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError, createKmsSender, type KmsClientKind } from '../src/kms/client/client.js';
import { ROOT } from './kms-helpers.js';

const CREDS = { accessKeyId: 'AKIDHOSTILE', secretAccessKey: 'pylogen-hostile-secret' };
const TIMEOUT_MS = 1500;

type Mode = (s: Socket) => void;

const head = (status: string, headers: Record<string, string | number>): string =>
  `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
const answer = (status: string, body: string, type = 'application/x-amz-json-1.1'): string =>
  head(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }) + body;
const VALID = JSON.stringify({
  CiphertextBlob: Buffer.from('ciphertext').toString('base64'),
  KeyId: 'arn:aws:kms:us-east-1:111122223333:key/k',
  EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
});

/** One byte each interval of `text`, until the client goes. */
function trickle(s: Socket, text: string, everyMs = 1000): void {
  let i = 0;
  const t = setInterval(() => (i < text.length ? s.write(text[i++]!) : clearInterval(t)), everyMs);
  s.once('close', () => clearInterval(t));
}

/** `total` bytes (far more than any client may buffer) as fast as the client reads them. */
function flood(s: Socket, chunked: boolean): void {
  const block = Buffer.alloc(64 * 1024, 0x41);
  const piece = chunked ? Buffer.concat([Buffer.from(`${block.length.toString(16)}\r\n`), block, Buffer.from('\r\n')]) : block;
  s.write(
    head(
      '200 OK',
      chunked
        ? { 'Content-Type': 'application/x-amz-json-1.1', 'Transfer-Encoding': 'chunked' }
        : { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': 200 * 1024 * 1024 },
    ),
  );
  let sent = 0;
  const pump = (): void => {
    while (!s.destroyed && sent < 200 * 1024 * 1024) {
      sent += block.length;
      if (!s.write(piece)) return void s.once('drain', pump);
    }
  };
  pump();
}

const MODES: Record<string, Mode> = {
  'invalid JSON with 200': (s) => s.write(answer('200 OK', '{"CiphertextBlob": not json')),
  'an HTML 500': (s) => s.write(answer('500 Internal Server Error', '<html><body><h1>500 Internal Server Error</h1></body></html>', 'text/html')),
  'invalid base64 in CiphertextBlob': (s) => s.write(answer('200 OK', JSON.stringify({ ...JSON.parse(VALID), CiphertextBlob: 'not*base64!' }))),
  'a Content-Length shorter than the body': (s) => s.write(head('200 OK', { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': 20 }) + VALID),
  'a reset mid-body': (s) =>
    s.write(head('200 OK', { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': 1000 }) + VALID.slice(0, 30), () => s.resetAndDestroy()),
  'a close mid-body': (s) => s.end(head('200 OK', { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': 1000 }) + VALID.slice(0, 30)),
  'one byte a second, from the status line': (s) => trickle(s, answer('200 OK', VALID)),
  'one byte a second, after the headers': (s) => {
    s.write(head('200 OK', { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': VALID.length }));
    trickle(s, VALID);
  },
  '200 MB with its Content-Length': (s) => flood(s, false),
  '200 MB chunked': (s) => flood(s, true),
};

/** What both clients must count each answer as. */
const EXPECTED: Record<string, RegExp> = {
  'invalid JSON with 200': /^SyntaxError$/,
  'an HTML 500': /^HTTP 500$/,
  'invalid base64 in CiphertextBlob': /^TypeError$/,
  'a Content-Length shorter than the body': /^SyntaxError$/,
  'a reset mid-body': /^ECONNRESET$/,
  'a close mid-body': /^ECONNRESET$/,
  'one byte a second, from the status line': /^TimeoutError$/,
  'one byte a second, after the headers': /^TimeoutError$/,
  '200 MB with its Content-Length': /^ResponseTooLargeError$/,
  '200 MB chunked': /^ResponseTooLargeError$/,
};

let server: Server;
let url: string;
let mode: Mode = () => undefined;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    // Answer once the request has come in (its head is enough: the body follows in the same write).
    s.once('data', () => mode(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

async function outcome(kind: KmsClientKind): Promise<{ type: string; ms: number }> {
  const c = createKmsSender(kind, { endpoint: url, region: 'us-east-1', credentials: CREDS, timeoutMs: TIMEOUT_MS });
  const t0 = performance.now();
  try {
    await c.send(new EncryptCommand({ KeyId: 'alias/hostile', Plaintext: new Uint8Array(16) }));
    return { type: 'success', ms: performance.now() - t0 };
  } catch (err) {
    return { type: classifyError(err), ms: performance.now() - t0 };
  } finally {
    c.destroy();
  }
}

describe('a hostile endpoint: both clients end each request as the same error, within the timeout', () => {
  for (const [name, m] of Object.entries(MODES)) {
    it(name, async () => {
      mode = m;
      const [fast, sdk] = [await outcome('fast'), await outcome('sdk')];
      expect({ fast: fast.type, sdk: sdk.type }).toEqual({ fast: expect.stringMatching(EXPECTED[name]!), sdk: expect.stringMatching(EXPECTED[name]!) });
      // Within the timeout: 1.5 s, plus 2 s for a machine loaded by other test processes (the
      // one-byte-a-second answer would otherwise last its whole length, 100+ s).
      for (const o of [fast, sdk]) expect(o.ms).toBeLessThan(TIMEOUT_MS + 2000);
    });
  }
});

describe('the memory of a client process stays bounded', () => {
  it('16 requests of 200 MB answers, 8 at a time, for each client: max RSS well under one answer', async () => {
    mode = (s) => flood(s, false);
    const chunked = (s: Socket): void => flood(s, true);
    const results: Record<string, { maxRssMb: number; types: string[] }> = {};
    for (const [label, m] of [
      ['Content-Length', mode],
      ['chunked', chunked],
    ] as const) {
      mode = m;
      for (const kind of ['fast', 'sdk'] as const) {
        // A child process: its own max RSS, not the test runner's.
        const code = `
          const { createKmsSender, classifyError } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/kms/client/client.js')).href)});
          const { EncryptCommand } = await import('@aws-sdk/client-kms');
          const c = createKmsSender(${JSON.stringify(kind)}, { endpoint: ${JSON.stringify(url)}, region: 'us-east-1', credentials: ${JSON.stringify(CREDS)}, timeoutMs: 20000 });
          const types = [];
          await Promise.all(Array.from({ length: 8 }, async () => {
            for (let i = 0; i < 2; i++) {
              try { await c.send(new EncryptCommand({ KeyId: 'k', Plaintext: new Uint8Array(16) })); types.push('success'); }
              catch (e) { types.push(classifyError(e)); }
            }
          }));
          c.destroy();
          console.log(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, types: [...new Set(types)] }));`;
        const out = await new Promise<string>((resolve, reject) =>
          execFile(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) =>
            err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout),
          ),
        );
        results[`${kind} ${label}`] = JSON.parse(out.trim().split('\n').pop()!);
      }
    }
    for (const [k, r] of Object.entries(results)) {
      expect(r.types, k).toEqual(['ResponseTooLargeError']);
      // node with the SDK loaded is about 100-150 MB; one buffered 200 MB answer alone would pass 300.
      expect(r.maxRssMb, k).toBeLessThan(300);
    }
    // Four child processes, each loading the SDK and reading 16 floods: 17 s alone on a machine at load 50,
    // past vitest's 30 s beside other test files; each child is bounded by its own 120 s above.
  }, 240_000);
});
