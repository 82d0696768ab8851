/**
 * pylogen's Vault client against the embedded server and a bare node:http server: --retries of 429
 * with backoff, a performance standby's 307 followed and counted, the whole-request timeout, the
 * 1 MiB answer cap; the error types a summary counts; the key file's checks (every problem in one line).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { errorType } from '../src/cut/errorType.js';
import { TimeoutError, VaultClient, VaultProtocolError } from '../src/vault/client.js';
import { parseVaultKeyFile } from '../src/vault/keyfile.js';
import { startVaultServer, type VaultServerHandle } from '../src/vault/server/server.js';
import { BatchItemError, VaultError } from '../src/vault/VaultError.js';

const closers: (() => Promise<void>)[] = [];
const clients: VaultClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function serve(o: Parameters<typeof startVaultServer>[0]): Promise<VaultServerHandle> {
  const h = await startVaultServer(o);
  closers.push(() => h.close());
  return h;
}

function client(address: string, o: { retries?: number; timeoutMs?: number; token?: string } = {}): VaultClient {
  const c = new VaultClient({ address, token: o.token ?? 'T', timeoutMs: o.timeoutMs ?? 10_000, retries: o.retries ?? 0 });
  clients.push(c);
  return c;
}

const ENCRYPT = JSON.stringify({ plaintext: Buffer.from('x').toString('base64') });

describe('vault client', () => {
  it('retries a 429 with backoff when --retries allows, and gives RateLimited when it does not', async () => {
    // Two requests a second, a burst of one: a second request sent at once is throttled.
    const keys = [{ name: 'k', type: 'aes256-gcm96' as const }];
    const h = await serve({ throttleRps: 2, keys });
    const none = client(h.url);
    await none.call('POST', 'transit/encrypt/k', ENCRYPT);
    const refused = await none.call('POST', 'transit/encrypt/k', ENCRYPT).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(VaultError);
    expect(errorType(refused)).toBe('RateLimited');
    expect((refused as VaultError).retryAfter).toBe(1);
    // With retries, Retry-After (1 s, jittered within its upper half) waits for the bucket's next token.
    const h2 = await serve({ throttleRps: 2, keys });
    const patient = client(h2.url, { retries: 5 });
    await patient.call('POST', 'transit/encrypt/k', ENCRYPT);
    const ok = await patient.call('POST', 'transit/encrypt/k', ENCRYPT);
    expect(ok?.data?.ciphertext).toMatch(/^vault:v1:/);
    expect(patient.retried).toBeGreaterThan(0);
  });

  it("follows a performance standby's 307 to the active node and counts it", async () => {
    const active = await serve({ keys: [{ name: 'k', type: 'aes256-gcm96' }] });
    const standby = await serve({ standbyOf: active.url });
    const c = client(standby.url);
    const out = await c.call('POST', 'transit/encrypt/k', ENCRYPT);
    expect(out?.data?.ciphertext).toMatch(/^vault:v1:/);
    expect(c.redirects).toBe(1);
    expect(active.stats().requests).toBe(1);
  });

  it('bounds each call by its timeout (TimeoutError), connection included', async () => {
    const h = await serve({ latencyMs: { min: 3000, max: 3000 }, keys: [{ name: 'k', type: 'aes256-gcm96' }] });
    const c = client(h.url, { timeoutMs: 200 });
    const err = await c.call('POST', 'transit/encrypt/k', ENCRYPT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(errorType(err)).toBe('TimeoutError');
  });

  it('refuses an answer over 1 MiB', async () => {
    const big = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`{"data":{"x":"${'a'.repeat(2 * 1024 * 1024)}"}}`);
    });
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => (big as Server).close(() => r())));
    const c = client(`http://127.0.0.1:${(big.address() as AddressInfo).port}`);
    const err = await c.call('GET', 'sys/seal-status').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultProtocolError);
    expect((err as Error).message).toMatch(/exceeds 1048576 bytes/);
  });

  it('names errors as errorsByType counts them, and never puts the token in a message', async () => {
    const h = await serve({ token: 'the-secret-token', keys: [{ name: 'k', type: 'aes256-gcm96' }] });
    const denied = await client(h.url, { token: 'wrong-token-value' })
      .call('POST', 'transit/encrypt/k', ENCRYPT)
      .catch((e: unknown) => e);
    expect(errorType(denied)).toBe('PermissionDenied');
    expect(String((denied as Error).message)).not.toMatch(/wrong-token-value|the-secret-token/);
    expect(errorType(new VaultError(503, ['Vault is sealed'], 'POST x'))).toBe('Sealed');
    expect(errorType(new VaultError(503, ['standby'], 'POST x'))).toBe('Unavailable');
    expect(errorType(new VaultError(418, [], 'POST x'))).toBe('HTTP 418');
    expect(errorType(new BatchItemError(3, 'cipher: message authentication failed'))).toBe('DecryptionFailed');
    expect(errorType(new BatchItemError(0, 'something else'))).toBe('BatchItemError');
  });
});

describe('vault key file', () => {
  it('reports every problem of a file in one line, each naming its key', () => {
    const text = JSON.stringify({
      ok: { type: 'aes256-gcm96' },
      badType: { type: 'aes999' },
      badDerived: { type: 'rsa-2048', derived: true },
      badJws: { type: 'ed25519', marshaling: 'jws' },
      dup: { type: 'hmac', name: 'ok' },
      extra: { type: 'hmac', colour: 'blue' },
    });
    let message = '';
    try {
      parseVaultKeyFile(text, 'k.json');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^k\.json: /);
    expect(message).toContain('key "badType": type must be one of');
    expect(message).toContain('key "badDerived": derived is only for');
    expect(message).toContain('key "badJws": marshaling jws is only for ecdsa keys');
    expect(message).toContain('key "dup": mount/name "transit/ok" is already used by key "ok"');
    expect(message).toContain('key "extra": unknown field "colour"');
  });

  it('reads profiles/VaultDefault.json: every entry valid', async () => {
    const { readFileSync } = await import('node:fs');
    const entries = parseVaultKeyFile(readFileSync(new URL('../profiles/VaultDefault.json', import.meta.url), 'utf8'), 'VaultDefault.json');
    expect([...entries.keys()]).toContain('aes256');
    expect(entries.get('derived')).toMatchObject({ derived: true, context: 'cHlsb2dlbi1jb250ZXh0' });
  });
});
