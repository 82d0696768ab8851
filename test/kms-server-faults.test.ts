import { EncryptCommand, GenerateRandomCommand } from '@aws-sdk/client-kms';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.js';
import { classifyError, createKmsSender, type KmsClientKind } from '../src/kms/client/client.js';
import { startKmsServer, type KmsServerHandle } from '../src/kms/server/server.js';
import { CREDENTIALS, expectAwsError, raw, rejection, type RawResponse } from './kms-helpers.js';

// Fault injection (latency, throttling, injected 5xx) and hostile input.

const handles: KmsServerHandle[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

async function serve(opts: Parameters<typeof startKmsServer>[0]): Promise<KmsServerHandle> {
  const h = await startKmsServer(opts);
  handles.push(h);
  return h;
}

const clientFor = (h: KmsServerHandle, kind: KmsClientKind = 'sdk') =>
  createKmsSender(kind, { endpoint: h.url, region: 'us-east-1', credentials: CREDENTIALS });

/** Runs `total` GenerateRandom calls `concurrency` at a time; counts outcomes by classifyError. */
async function hammer(h: KmsServerHandle, opts: { total?: number; concurrency: number; forMs?: number; client?: KmsClientKind }): Promise<Map<string, number>> {
  const kms = clientFor(h, opts.client);
  const counts = new Map<string, number>();
  const end = opts.forMs === undefined ? Infinity : performance.now() + opts.forMs;
  let left = opts.total ?? Infinity;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (left-- > 0 && performance.now() < end) {
        let kind = 'ok';
        try {
          await kms.send(new GenerateRandomCommand({ NumberOfBytes: 16 }));
        } catch (err) {
          kind = `${classifyError(err)}/${(err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode}`;
        }
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
      }
    }),
  );
  kms.destroy();
  return counts;
}

// Both clients against the same faults: the same outcomes, counted under the same types.
describe.each(['fast', 'sdk'] as const)('fault injection, --client %s', (client) => {
  it('delays every response by the configured latency', async () => {
    const h = await serve({ latencyMs: { min: 40, max: 60 } });
    const kms = clientFor(h, client);
    for (let i = 0; i < 4; i++) {
      const t0 = performance.now();
      await kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 }));
      const ms = performance.now() - t0;
      expect(ms).toBeGreaterThanOrEqual(39);
      expect(ms).toBeLessThan(500);
    }
    kms.destroy();
  });

  it('throttles above the configured rate with ThrottlingException (HTTP 400)', async () => {
    // 20/s: low enough that even the SDK's client on a machine loaded by other suites sends twice that.
    const h = await serve({ throttleRps: 20 });
    const counts = await hammer(h, { concurrency: 8, forMs: 1000, client });
    const ok = counts.get('ok') ?? 0;
    const throttled = counts.get('ThrottlingException/400') ?? 0;
    // 20/s for one second plus a burst of 2: about 22 served, the rest refused.
    expect(ok).toBeGreaterThanOrEqual(14);
    expect(ok).toBeLessThanOrEqual(32);
    expect(throttled).toBeGreaterThan(ok);
    expect([...counts.keys()].sort()).toEqual(['ThrottlingException/400', 'ok']);
    expect(h.stats()).toEqual({ requests: ok + throttled, throttled, injectedErrors: 0 });
  });

  it('injects KMSInternalException (HTTP 500) at the configured rate', async () => {
    const h = await serve({ errorRate: 0.3 });
    const counts = await hammer(h, { concurrency: 8, total: 300, client });
    const injected = counts.get('KMSInternalException/500') ?? 0;
    expect(injected).toBeGreaterThanOrEqual(50);
    expect(injected).toBeLessThanOrEqual(130);
    expect((counts.get('ok') ?? 0) + injected).toBe(300);
    expect(h.stats()).toEqual({ requests: 300, throttled: 0, injectedErrors: injected });
  });

  it('refuses bad options with one line', async () => {
    await expect(startKmsServer({ errorRate: 2 })).rejects.toThrow(UsageError);
    await expect(startKmsServer({ throttleRps: 0 })).rejects.toThrow('kms server: throttleRps must be a positive number, but is 0');
    await expect(startKmsServer({ latencyMs: { min: 5, max: 1 } })).rejects.toThrow(UsageError);
    await expect(startKmsServer({ port: 70000 })).rejects.toThrow(UsageError);
    const h = await serve({});
    await expect(startKmsServer({ port: h.port })).rejects.toThrow(`kms server: cannot listen on 127.0.0.1:${h.port}: EADDRINUSE`);
  });
});

describe.each(['fast', 'sdk'] as const)('client errors by type, --client %s', (client) => {
  it('classifies refused connections and timeouts', async () => {
    const h = await startKmsServer({});
    const url = h.url;
    await h.close();
    const refused = createKmsSender(client, { endpoint: url, credentials: CREDENTIALS, timeoutMs: 2000 });
    expect(classifyError(await rejection(refused.send(new GenerateRandomCommand({ NumberOfBytes: 1 }))))).toBe('ECONNREFUSED');
    refused.destroy();

    // A server that accepts connections and never answers: the request timeout ends the call.
    const sockets: import('node:net').Socket[] = [];
    const silent = (await import('node:net')).createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    const slow = createKmsSender(client, { endpoint: `http://127.0.0.1:${port}`, credentials: CREDENTIALS, timeoutMs: 300 });
    const t0 = performance.now();
    expect(classifyError(await rejection(slow.send(new GenerateRandomCommand({ NumberOfBytes: 1 }))))).toBe('TimeoutError');
    expect(performance.now() - t0).toBeLessThan(2000);
    slow.destroy();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));

    expect(classifyError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(classifyError(new Error('wrapped', { cause: Object.assign(new Error('y'), { code: 'ENOTFOUND' }) }))).toBe('ENOTFOUND');
    expect(classifyError(Object.assign(new Error('z'), { name: 'AccessDeniedException' }))).toBe('AccessDeniedException');
  });
});

describe('hostile input', () => {
  const TARGETS = [
    'Encrypt',
    'Decrypt',
    'ReEncrypt',
    'Sign',
    'Verify',
    'GenerateMac',
    'VerifyMac',
    'CreateKey',
    'CreateAlias',
    'DescribeKey',
    'ListKeys',
    'ListAliases',
    'GenerateDataKey',
    'GenerateRandom',
    'GetPublicKey',
  ];
  const MEMBERS = [
    'KeyId',
    'Plaintext',
    'CiphertextBlob',
    'Message',
    'Signature',
    'Mac',
    'SigningAlgorithm',
    'MacAlgorithm',
    'MessageType',
    'KeySpec',
    'KeyUsage',
    'EncryptionContext',
    'NumberOfBytes',
    'Limit',
    'Marker',
    'AliasName',
    'TargetKeyId',
    'DestinationKeyId',
    'EncryptionAlgorithm',
    'GrantTokens',
    'DryRun',
    'Tags',
    'Origin',
    'CustomerMasterKeySpec',
  ];

  // A seeded generator: a failure can be replayed.
  let seed = 0x5eed;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)] as T;
  const junkValues = (): unknown =>
    pick<() => unknown>([
      () => null,
      () => rnd(2) === 0,
      () => rnd(100000) - 50000,
      () => 1e308 * 10,
      () => 0.5,
      () => '',
      () => 'x'.repeat(rnd(5000)),
      () => 'alias/pylogen-symmetric1',
      () => 'arn:aws:kms:us-east-1:111122223333:key/nope',
      () => 'arn:bad',
      () => Buffer.from('hello').toString('base64'),
      () => '!!!notbase64',
      () => 'RSA_2048',
      () => 'SYMMETRIC_DEFAULT',
      () => [1, 'a', null],
      () => ({ a: 1 }),
      () => ({ a: 'b' }),
      () => ({ __proto__: { polluted: true }, constructor: 'x' }),
    ])();

  function junkBody(): string | Buffer {
    switch (rnd(8)) {
      case 0:
        return Buffer.from(Array.from({ length: rnd(200) }, () => rnd(256)));
      case 1:
        return pick(['', '{', '}', 'null', '[]', '"str"', '42', '{"a":}', '{"KeyId":"x"', '\u0000', '{"KeyId":"a","KeyId":"b"}']);
      case 2:
        return '['.repeat(20000) + ']'.repeat(20000);
      default: {
        const o: Record<string, unknown> = {};
        for (let i = rnd(5); i >= 0; i--) o[pick(MEMBERS)] = junkValues();
        return JSON.stringify(o);
      }
    }
  }

  function junkHeaders(): Record<string, string> {
    const h: Record<string, string> = { 'content-type': pick(['application/x-amz-json-1.1', 'text/plain', 'application/json']) };
    const target = rnd(10);
    if (target < 7) h['x-amz-target'] = `TrentService.${pick(TARGETS)}`;
    else if (target === 7) h['x-amz-target'] = `TrentService.${pick(['Nope', '', '__proto__', 'constructor', 'DisableKey'])}`;
    else if (target === 8) h['x-amz-target'] = pick(['Encrypt', 'TrentService', 'Other.Encrypt']);
    if (rnd(3) === 0) h.authorization = `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/x, Signature=${CREDENTIALS.secretAccessKey}`;
    return h;
  }

  it('answers a few hundred malformed requests with AWS-shaped 4xx, and keeps serving', async () => {
    const h = await serve({ keys: [{ name: 's', alias: 'alias/pylogen-symmetric1', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' }] });
    const statuses = new Map<number, number>();
    const check = (res: RawResponse): void => {
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, res.body).toBeLessThan(500);
      if (res.status !== 200) expectAwsError(res);
      expect(res.body).not.toContain(CREDENTIALS.secretAccessKey);
      expect(res.body).not.toContain(CREDENTIALS.accessKeyId);
    };
    for (let batch = 0; batch < 30; batch++) {
      const all = await Promise.all(
        Array.from({ length: 10 }, () =>
          raw(h.url, { method: rnd(12) === 0 ? pick(['GET', 'PUT', 'DELETE']) : 'POST', headers: junkHeaders(), body: junkBody() }),
        ),
      );
      all.forEach(check);
    }
    // An oversized body: refused without reading it into memory.
    const big = await raw(h.url, { headers: { 'x-amz-target': 'TrentService.Encrypt' }, body: Buffer.alloc(1024 * 1024 + 10, 0x61) });
    expect(big.status).toBe(413);
    expectAwsError(big);
    // Garbage that is not HTTP at all.
    for (const junk of ['GARBAGE\r\n\r\n', 'POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']) {
      const reply = await new Promise<string>((resolve) => {
        const s = connect(h.port, '127.0.0.1', () => s.end(junk));
        let text = '';
        s.on('data', (d) => (text += d.toString()));
        s.on('close', () => resolve(text));
        s.on('error', () => resolve(text));
      });
      expect(reply).toMatch(/^HTTP\/1\.1 400 /);
      expect(reply).toContain('"__type":"SerializationException"');
    }
    expect(statuses.get(400) ?? 0).toBeGreaterThan(200);

    const kms = clientFor(h);
    const out = await kms.send(new EncryptCommand({ KeyId: 'alias/pylogen-symmetric1', Plaintext: Buffer.from('still alive') }));
    expect(out.CiphertextBlob!.length).toBeGreaterThan(11);
    kms.destroy();
  });
});
