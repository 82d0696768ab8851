/**
 * `kms serve --credentials` against hostile callers (docs/kms.md, its options and what it implements): an unsigned request is
 * answered from its headers, before its body is read, and its connection closed; stalled bodies hold
 * no memory. Before, every connection buffered up to 1 MiB before the signature was checked: 600
 * stalled unsigned 1 MB bodies took the server from 88 to 698 MB.
 */
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { GenerateRandomCommand } from '@aws-sdk/client-kms';
import { afterEach, describe, expect, it } from 'vitest';
import { createKmsClient } from '../src/kms/client/client.js';
import { startKmsServer } from '../src/kms/server/server.js';
import { kmsServe } from './helpers.js';
import { CREDENTIALS } from './kms-helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MB = 1024 * 1024;
/** A process's resident and peak resident memory, MB (Linux /proc). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** An unsigned POST declaring 1 MB whose last byte never comes; resolves with what the server answered once it closed. */
function stalledUnsigned(port: number, body: Buffer, sockets: Socket[]): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    sockets.push(s);
    let got = '';
    s.setEncoding('utf8').on('data', (d: string) => (got += d));
    s.on('error', () => undefined); // the server cuts a caller that keeps sending
    s.on('close', () => resolve(got));
    s.write(
      `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Amz-Target: TrentService.GenerateRandom\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: ${MB}\r\n\r\n`,
    );
    s.write(body);
  });
}

describe('kms serve --credentials: limits', () => {
  it('300 stalled unsigned 1 MB bodies: each answered 4xx and closed, the RSS stays bounded, a signed request is still served', async () => {
    let pid = 0;
    const url = await kmsServe(['--credentials', `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`], cleanups, (p) => (pid = p));
    const port = Number(new URL(url).port);
    const before = memory(pid);
    const sockets: Socket[] = [];
    cleanups.push(() => sockets.forEach((s) => s.destroy()));
    const body = Buffer.alloc(MB - 1);
    const all = Promise.all(Array.from({ length: 300 }, () => stalledUnsigned(port, body, sockets)));
    // Bounded, so that the old behaviour (no answer until the body ends: never) fails rather than hangs;
    // 60 s is generous for 300 connections on a shared, loaded machine.
    const answers = await Promise.race([all, new Promise<string[]>((r) => setTimeout(() => r(sockets.map(() => 'no answer')), 60_000))]);
    expect(answers.filter((a) => /^HTTP\/1\.1 4\d\d /.test(a) && a.includes('MissingAuthenticationTokenException'))).toHaveLength(300);
    const after = memory(pid);
    // Before: about 1 MB held per stalled connection (300 MB). 120 MB is generous for the garbage of
    // the bodies read and dropped before a collection.
    expect(after.peak - before.rss, `peak RSS ${after.peak.toFixed(0)} MB, ${before.rss.toFixed(0)} MB before`).toBeLessThan(120);
    const kms = createKmsClient({ endpoint: url, region: 'us-east-1', credentials: CREDENTIALS, timeoutMs: 10_000 });
    try {
      const out = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 }));
      expect(out.Plaintext).toHaveLength(8);
    } finally {
      kms.destroy();
    }
  }, 120_000); // a spawned server and 300 MB over loopback on a shared, loaded machine

  it('--max-connections 2: a third connection is closed at once, the two others stay open', async () => {
    const h = await startKmsServer({ maxConnections: 2, credentials: CREDENTIALS });
    cleanups.push(() => h.close());
    const sockets: Socket[] = [];
    cleanups.push(() => sockets.forEach((s) => s.destroy()));
    const open = (): Promise<Socket> =>
      new Promise((resolve) => {
        const s = connect(h.port, '127.0.0.1', () => resolve(s));
        s.on('error', () => undefined);
        sockets.push(s);
      });
    // Connections are accepted in the order they came: the third is the one over the cap.
    const [a, b] = [await open(), await open()];
    const third = await open();
    await new Promise((r) => third.once('close', r));
    expect([a.destroyed, b.destroyed]).toEqual([false, false]);
  }, 60_000);
});
