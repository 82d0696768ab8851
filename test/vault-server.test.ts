/**
 * The embedded Vault Transit server, driven over real HTTP by fetch (an HTTP client independent of
 * pylogen's), its answers checked against a second reference: node:crypto decrypting its `vault:v1:`
 * ciphertexts with the key exported by Vault's export endpoint, and verifying its signatures with the
 * public key of keys/{name}. Field names, status codes and error bodies as Vault's API reference
 * gives them (developer.hashicorp.com/vault/api-docs/secret/transit).
 */
import { createDecipheriv, createHmac, createPublicKey, verify, constants } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startVaultServer, type VaultServerHandle, type VaultServerOptions } from '../src/vault/server/server.js';

const handles: VaultServerHandle[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

async function serve(o: VaultServerOptions = {}): Promise<VaultServerHandle> {
  const h = await startVaultServer(o);
  handles.push(h);
  return h;
}

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function call(h: VaultServerHandle, method: string, path: string, body?: unknown, token = 'T'): Promise<Answer> {
  const r = await fetch(`${h.url}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: text === '' ? undefined : JSON.parse(text), headers: r.headers };
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

describe('vault server: encryption', () => {
  it("answers encrypt in Vault's envelope, with a vault:v1: ciphertext that node:crypto decrypts with the exported key", async () => {
    const h = await serve();
    const created = await call(h, 'POST', 'transit/keys/exp', { type: 'aes256-gcm96', exportable: true });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({ name: 'exp', type: 'aes256-gcm96', exportable: true, latest_version: 1, supports_encryption: true });
    const enc = await call(h, 'POST', 'transit/encrypt/exp', { plaintext: b64('the quick brown fox'), associated_data: b64('aad') });
    expect(enc.status).toBe(200);
    expect(Object.keys(enc.body).sort()).toEqual([
      'auth',
      'data',
      'lease_duration',
      'lease_id',
      'mount_type',
      'renewable',
      'request_id',
      'warnings',
      'wrap_info',
    ]);
    expect(enc.body.data.key_version).toBe(1);
    const ct: string = enc.body.data.ciphertext;
    expect(ct).toMatch(/^vault:v1:[A-Za-z0-9+/]+=*$/);
    const exported = await call(h, 'GET', 'transit/export/encryption-key/exp');
    const key = Buffer.from(exported.body.data.keys['1'], 'base64');
    expect(key.length).toBe(32);
    // Vault's format: base64(nonce(12) || ciphertext || tag(16)).
    const raw = Buffer.from(ct.slice('vault:v1:'.length), 'base64');
    const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(raw.length - 16));
    d.setAAD(Buffer.from('aad'));
    expect(Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString()).toBe('the quick brown fox');
  });

  it('keeps old versions decrypting after a rotation, and rewrap moves a ciphertext to the latest version', async () => {
    const h = await serve({ keys: [{ name: 'k', type: 'chacha20-poly1305' }] });
    const v1 = (await call(h, 'POST', 'transit/encrypt/k', { plaintext: b64('before') })).body.data.ciphertext as string;
    const rotated = await call(h, 'POST', 'transit/keys/k/rotate');
    expect(rotated.body.data.latest_version).toBe(2);
    expect(Object.keys(rotated.body.data.keys)).toEqual(['1', '2']);
    expect((await call(h, 'POST', 'transit/decrypt/k', { ciphertext: v1 })).body.data.plaintext).toBe(b64('before'));
    const rewrapped = await call(h, 'POST', 'transit/rewrap/k', { ciphertext: v1 });
    expect(rewrapped.body.data.ciphertext).toMatch(/^vault:v2:/);
    expect((await call(h, 'POST', 'transit/decrypt/k', { ciphertext: rewrapped.body.data.ciphertext })).body.data.plaintext).toBe(b64('before'));
    const v2 = (await call(h, 'POST', 'transit/encrypt/k', { plaintext: b64('after') })).body.data;
    expect(v2.key_version).toBe(2);
  });

  it('needs the context of a derived key, and a wrong context does not decrypt', async () => {
    const h = await serve({ keys: [{ name: 'd', type: 'aes256-gcm96', derived: true }] });
    const missing = await call(h, 'POST', 'transit/encrypt/d', { plaintext: b64('x') });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0]).toMatch(/missing 'context' for key derivation/);
    const ct = (await call(h, 'POST', 'transit/encrypt/d', { plaintext: b64('x'), context: b64('tenant-1') })).body.data.ciphertext;
    expect((await call(h, 'POST', 'transit/decrypt/d', { ciphertext: ct, context: b64('tenant-1') })).body.data.plaintext).toBe(b64('x'));
    const wrong = await call(h, 'POST', 'transit/decrypt/d', { ciphertext: ct, context: b64('tenant-2') });
    expect(wrong).toMatchObject({ status: 400, body: { errors: ['cipher: message authentication failed'] } });
  });

  it('answers batch_input item by item: results in order, each failed item its own error, 400 unless partial_failure_response_code', async () => {
    const h = await serve({ keys: [{ name: 'k', type: 'aes256-gcm96' }] });
    const ok = await call(h, 'POST', 'transit/encrypt/k', { batch_input: [{ plaintext: b64('a'), reference: 'r1' }, { plaintext: b64('b') }] });
    expect(ok.status).toBe(200);
    expect(ok.body.data.batch_results).toHaveLength(2);
    expect(ok.body.data.batch_results[0]).toMatchObject({ reference: 'r1', key_version: 1 });
    const mixed = await call(h, 'POST', 'transit/decrypt/k', {
      batch_input: [{ ciphertext: ok.body.data.batch_results[1].ciphertext }, { ciphertext: 'nope' }],
    });
    expect(mixed.status).toBe(400);
    expect(mixed.body.data.batch_results[0].plaintext).toBe(b64('b'));
    expect(mixed.body.data.batch_results[1].error).toBe('invalid ciphertext: no prefix');
    const partial = await call(h, 'POST', 'transit/decrypt/k', {
      partial_failure_response_code: 207,
      batch_input: [{ ciphertext: ok.body.data.batch_results[0].ciphertext }, { ciphertext: 'vault:v1:AAAA' }],
    });
    expect(partial.status).toBe(207);
  });

  it('answers datakey plaintext and wrapped, and random of the bytes asked', async () => {
    const h = await serve({ keys: [{ name: 'k', type: 'aes256-gcm96' }] });
    const pt = await call(h, 'POST', 'transit/datakey/plaintext/k', { bits: 512 });
    expect(Buffer.from(pt.body.data.plaintext, 'base64')).toHaveLength(64);
    expect((await call(h, 'POST', 'transit/decrypt/k', { ciphertext: pt.body.data.ciphertext })).body.data.plaintext).toBe(pt.body.data.plaintext);
    const wrapped = await call(h, 'POST', 'transit/datakey/wrapped/k', {});
    expect(wrapped.body.data.plaintext).toBeUndefined();
    expect(wrapped.body.data.ciphertext).toMatch(/^vault:v1:/);
    expect(Buffer.from((await call(h, 'POST', 'transit/random/48', {})).body.data.random_bytes, 'base64')).toHaveLength(48);
    expect((await call(h, 'POST', 'sys/tools/random/16', { format: 'hex' })).body.data.random_bytes).toMatch(/^[0-9a-f]{32}$/);
    expect((await call(h, 'POST', 'transit/random/200000', {})).status).toBe(400);
  });
});

describe('vault server: signatures and HMAC', () => {
  const cases: [string, Record<string, unknown>, (pub: string, msg: Buffer, sig: Buffer) => boolean, string][] = [
    ['ecdsa-p256', {}, (p, m, s) => verify('sha256', m, createPublicKey(p), s), 'base64'],
    ['ecdsa-p256', { marshaling_algorithm: 'jws' }, (p, m, s) => verify('sha256', m, { key: createPublicKey(p), dsaEncoding: 'ieee-p1363' }, s), 'base64url'],
    ['ecdsa-p384', { hash_algorithm: 'sha2-384' }, (p, m, s) => verify('sha384', m, createPublicKey(p), s), 'base64'],
    [
      'ed25519',
      {},
      (p, m, s) =>
        verify(
          null,
          m,
          createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(p, 'base64')]), format: 'der', type: 'spki' }),
          s,
        ),
      'base64',
    ],
    [
      'rsa-2048',
      { signature_algorithm: 'pss' },
      (p, m, s) => verify('sha256', m, { key: createPublicKey(p), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, s),
      'base64',
    ],
    ['rsa-2048', { signature_algorithm: 'pkcs1v15', hash_algorithm: 'sha2-512' }, (p, m, s) => verify('sha512', m, createPublicKey(p), s), 'base64'],
  ];
  for (const [type, params, check, encoding] of cases) {
    it(`signs with ${type} ${JSON.stringify(params)}: node:crypto verifies with keys/{name}'s public key, and verify says valid`, async () => {
      const h = await serve({ keys: [{ name: 's', type: type as 'ed25519' }] });
      const msg = Buffer.from(`message for ${type}`);
      const signed = await call(h, 'POST', 'transit/sign/s', { input: msg.toString('base64'), ...params });
      expect(signed.status).toBe(200);
      const sig: string = signed.body.data.signature;
      expect(sig).toMatch(/^vault:v1:/);
      const pub = (await call(h, 'GET', 'transit/keys/s')).body.data.keys['1'].public_key as string;
      expect(check(pub, msg, Buffer.from(sig.slice(9), encoding as BufferEncoding))).toBe(true);
      expect(check(pub, Buffer.from('another message'), Buffer.from(sig.slice(9), encoding as BufferEncoding))).toBe(false);
      expect((await call(h, 'POST', 'transit/verify/s', { input: msg.toString('base64'), signature: sig, ...params })).body.data.valid).toBe(true);
      expect((await call(h, 'POST', 'transit/verify/s', { input: b64('other'), signature: sig, ...params })).body.data.valid).toBe(false);
    });
  }

  it('refuses to sign with an encryption key, as Vault does', async () => {
    const h = await serve({ keys: [{ name: 'k', type: 'aes256-gcm96' }] });
    expect(await call(h, 'POST', 'transit/sign/k', { input: b64('x') })).toMatchObject({
      status: 400,
      body: { errors: ['key type aes256-gcm96 does not support signing'] },
    });
  });

  it('computes HMACs that node:crypto reproduces with the exported HMAC key, and verifies them', async () => {
    const h = await serve();
    await call(h, 'POST', 'transit/keys/h', { type: 'hmac', exportable: true, key_size: 32 });
    const mac = (await call(h, 'POST', 'transit/hmac/h/sha2-384', { input: b64('data') })).body.data.hmac as string;
    const key = Buffer.from((await call(h, 'GET', 'transit/export/hmac-key/h/1')).body.data.keys['1'], 'base64');
    expect(mac).toBe(`vault:v1:${createHmac('sha384', key).update('data').digest('base64')}`);
    expect((await call(h, 'POST', 'transit/verify/h/sha2-384', { input: b64('data'), hmac: mac })).body.data.valid).toBe(true);
    expect((await call(h, 'POST', 'transit/verify/h/sha2-384', { input: b64('datA'), hmac: mac })).body.data.valid).toBe(false);
  });
});

describe('vault server: errors and faults as Vault answers them', () => {
  it('answers 403 "permission denied" to a wrong or missing token when started with one; seal-status needs none', async () => {
    const h = await serve({ token: 'right', keys: [{ name: 'k', type: 'aes256-gcm96' }] });
    expect(await call(h, 'POST', 'transit/encrypt/k', { plaintext: b64('x') }, 'wrong')).toMatchObject({
      status: 403,
      body: { errors: ['permission denied'] },
    });
    expect((await call(h, 'POST', 'transit/encrypt/k', { plaintext: b64('x') }, 'right')).status).toBe(200);
    expect((await call(h, 'GET', 'auth/token/lookup-self', undefined, 'right')).body.data.policies).toEqual(['root']);
    expect((await call(h, 'GET', 'sys/seal-status', undefined, '')).body).toMatchObject({ sealed: false, initialized: true, type: 'shamir' });
  });

  it('answers 404 with empty errors for a missing key, "no handler for route" for a missing mount, and enables a mount', async () => {
    const h = await serve();
    expect(await call(h, 'GET', 'transit/keys/none')).toMatchObject({ status: 404, body: { errors: [] } });
    expect(await call(h, 'POST', 'other/encrypt/k', { plaintext: b64('x') })).toMatchObject({
      status: 404,
      body: { errors: ['no handler for route "other/encrypt/k". route entry not found.'] },
    });
    expect((await call(h, 'POST', 'sys/mounts/other', { type: 'transit' })).status).toBe(204);
    expect((await call(h, 'POST', 'sys/mounts/other', { type: 'transit' })).body.errors[0]).toBe('path is already in use at other/');
    expect((await call(h, 'GET', 'sys/mounts')).body.data['other/'].type).toBe('transit');
    expect((await call(h, 'POST', 'other/encrypt/k', { plaintext: b64('x') })).status).toBe(200);
    expect(await call(h, 'POST', 'transit/decrypt/none', { ciphertext: 'vault:v1:AAAA' })).toMatchObject({
      status: 400,
      body: { errors: ['encryption key not found'] },
    });
  });

  it('--sealed: 503 "Vault is sealed" and a sealed seal-status; --throttle: 429 with Retry-After; --error-rate 1: 500', async () => {
    const sealed = await serve({ sealed: true, keys: [{ name: 'k', type: 'aes256-gcm96' }] });
    expect(await call(sealed, 'POST', 'transit/encrypt/k', { plaintext: b64('x') })).toMatchObject({ status: 503, body: { errors: ['Vault is sealed'] } });
    expect((await call(sealed, 'GET', 'sys/seal-status')).body.sealed).toBe(true);
    const throttled = await serve({ throttleRps: 1, keys: [{ name: 'k', type: 'aes256-gcm96' }] });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await call(throttled, 'POST', 'transit/encrypt/k', { plaintext: b64('x') }));
    const limited = answers.find((a) => a.status === 429);
    expect(limited?.body.errors[0]).toBe('request path "transit/encrypt/k": rate limit quota exceeded');
    expect(limited?.headers.get('retry-after')).toBe('1');
    const failing = await serve({ errorRate: 1, keys: [{ name: 'k', type: 'aes256-gcm96' }] });
    expect((await call(failing, 'POST', 'transit/encrypt/k', { plaintext: b64('x') })).status).toBe(500);
  });

  it("answers bad input with 400 and Vault's messages", async () => {
    const h = await serve({ keys: [{ name: 'k', type: 'aes256-gcm96' }] });
    expect((await call(h, 'POST', 'transit/encrypt/k', { plaintext: 'not base64!' })).body.errors).toEqual(['failed to base64-decode plaintext']);
    expect((await call(h, 'POST', 'transit/decrypt/k', {})).body.errors).toEqual(['missing ciphertext to decrypt']);
    expect((await call(h, 'POST', 'transit/keys/x', { type: 'aes512' })).body.errors).toEqual(['unknown key type: aes512']);
  });
});
