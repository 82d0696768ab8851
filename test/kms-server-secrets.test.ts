/**
 * The embedded server keeps its secrets and its guard (issue 5 items 7 and 8): key material never
 * leaves it except GenerateDataKey's plaintext data key (the API's own), every answer carries only
 * the members the AWS API reference lists, it binds 127.0.0.1 unless told otherwise, and bodies
 * over 1 MiB are refused however they are sent, never with a 5xx.
 */
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { KmsError } from '../src/kms/server/errors.js';
import type { KmsKey } from '../src/kms/server/keys.js';
import { OPERATIONS, OTHER_AWS_OPERATIONS } from '../src/kms/server/ops/table.js';
import { KeyStore } from '../src/kms/server/store.js';
import { startKmsServer, type KmsServerHandle } from '../src/kms/server/server.js';
import { expectAwsError, raw } from './kms-helpers.js';

/** The response members of each operation in the AWS KMS API reference (nothing else may appear). */
const RESPONSE_MEMBERS: Record<string, readonly string[]> = {
  CreateKey: ['KeyMetadata'],
  DescribeKey: ['KeyMetadata'],
  ListKeys: ['Keys', 'NextMarker', 'Truncated'],
  CreateAlias: [],
  ListAliases: ['Aliases', 'NextMarker', 'Truncated'],
  GetPublicKey: ['KeyId', 'PublicKey', 'CustomerMasterKeySpec', 'KeySpec', 'KeyUsage', 'EncryptionAlgorithms', 'SigningAlgorithms', 'KeyAgreementAlgorithms'],
  Encrypt: ['CiphertextBlob', 'KeyId', 'EncryptionAlgorithm'],
  Decrypt: ['Plaintext', 'KeyId', 'EncryptionAlgorithm', 'CiphertextForRecipient', 'KeyMaterialId'],
  ReEncrypt: [
    'CiphertextBlob',
    'SourceKeyId',
    'KeyId',
    'SourceEncryptionAlgorithm',
    'DestinationEncryptionAlgorithm',
    'SourceKeyMaterialId',
    'DestinationKeyMaterialId',
  ],
  GenerateDataKey: ['CiphertextBlob', 'Plaintext', 'KeyId', 'CiphertextForRecipient', 'KeyMaterialId'],
  GenerateDataKeyWithoutPlaintext: ['CiphertextBlob', 'KeyId', 'KeyMaterialId'],
  GenerateRandom: ['Plaintext', 'CiphertextForRecipient'],
  Sign: ['KeyId', 'Signature', 'SigningAlgorithm'],
  Verify: ['KeyId', 'SignatureValid', 'SigningAlgorithm'],
  GenerateMac: ['Mac', 'MacAlgorithm', 'KeyId'],
  VerifyMac: ['KeyId', 'MacValid', 'MacAlgorithm'],
};
const METADATA_MEMBERS = [
  'AWSAccountId',
  'KeyId',
  'Arn',
  'CreationDate',
  'Enabled',
  'Description',
  'KeyUsage',
  'KeyState',
  'DeletionDate',
  'ValidTo',
  'Origin',
  'CustomKeyStoreId',
  'CloudHsmClusterId',
  'ExpirationModel',
  'KeyManager',
  'CustomerMasterKeySpec',
  'KeySpec',
  'EncryptionAlgorithms',
  'SigningAlgorithms',
  'KeyAgreementAlgorithms',
  'MultiRegion',
  'MultiRegionConfiguration',
  'PendingDeletionWindowInDays',
  'MacAlgorithms',
  'XksKeyConfiguration',
  'CurrentKeyMaterialId',
];

/** Every secret byte string of a key: symmetric and HMAC keys, RSA and ECC private components. */
function secretsOf(key: KmsKey): Buffer[] {
  const m = key.material;
  if (m.family !== 'rsa' && m.family !== 'ecc') return [m.secret.export()];
  const jwk = m.privateKey.export({ format: 'jwk' });
  return (['d', 'p', 'q', 'dp', 'dq', 'qi'] as const).flatMap((k) => (typeof jwk[k] === 'string' ? [Buffer.from(jwk[k], 'base64url')] : []));
}

/** 16-byte windows of a secret: a partial copy is a leak too. */
function windows(secret: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i + 16 <= secret.length; i += 8) out.push(secret.subarray(i, i + 16));
  return out;
}

/** Every byte string an answer carries: its text, and each string member decoded from base64. */
function payloads(body: string): Buffer[] {
  const out = [Buffer.from(body)];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      out.push(Buffer.from(v, 'base64'));
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v !== null && typeof v === 'object') {
      Object.values(v).forEach(walk);
    }
  };
  walk(JSON.parse(body));
  return out;
}

describe('key material never leaves the server', () => {
  it('no answer of any operation, success or error, carries any part of any key', async () => {
    const store = new KeyStore('us-east-1', '111122223333');
    const make = async (alias: string, spec: KmsKey['spec'], usage: KmsKey['usage']): Promise<KmsKey> => {
      const k = await store.createKey({ spec, usage });
      store.addAlias(alias, k.id);
      return k;
    };
    const keys = [
      await make('alias/sym', 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'),
      await make('alias/sym2', 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'),
      await make('alias/rsa-enc', 'RSA_2048', 'ENCRYPT_DECRYPT'),
      await make('alias/rsa-sign', 'RSA_2048', 'SIGN_VERIFY'),
      await make('alias/p256', 'ECC_NIST_P256', 'SIGN_VERIFY'),
      await make('alias/p384', 'ECC_NIST_P384', 'SIGN_VERIFY'),
      await make('alias/hmac', 'HMAC_256', 'GENERATE_VERIFY_MAC'),
    ];
    const leaks = keys.flatMap((k) =>
      secretsOf(k)
        .flatMap(windows)
        .map((w) => ({ key: k.spec, w })),
    );
    expect(leaks.length).toBeGreaterThan(50);

    const answers: { op: string; body: string; ok: boolean }[] = [];
    /** One request as the server handles it: JSON in, the JSON body it would send out. */
    const call = async (op: string, input: Record<string, unknown>): Promise<Record<string, any>> => {
      try {
        const out = await OPERATIONS.get(op)!(JSON.parse(JSON.stringify(input)), store);
        const body = JSON.stringify(out);
        answers.push({ op, body, ok: true });
        return JSON.parse(body);
      } catch (err) {
        if (!(err instanceof KmsError)) throw err;
        const body = JSON.stringify({ __type: err.type, message: err.message });
        answers.push({ op, body, ok: false });
        return JSON.parse(body);
      }
    };
    const b64 = (b: Buffer) => b.toString('base64');
    const data = randomBytes(100);
    const digest = (n: number) => b64(randomBytes(n));

    await call('CreateKey', { KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' });
    for (const k of keys) await call('DescribeKey', { KeyId: k.id });
    await call('ListKeys', {});
    await call('ListAliases', {});
    for (const alias of ['alias/rsa-enc', 'alias/rsa-sign', 'alias/p256', 'alias/p384', 'alias/sym', 'alias/hmac']) {
      const pk = await call('GetPublicKey', { KeyId: alias });
      if (pk.PublicKey !== undefined) {
        // A public key, and nothing that parses as a private one.
        expect(createPublicKey({ key: Buffer.from(pk.PublicKey, 'base64'), format: 'der', type: 'spki' }).type).toBe('public');
        expect(() => createPrivateKey({ key: Buffer.from(pk.PublicKey, 'base64'), format: 'der', type: 'pkcs8' })).toThrow();
      }
    }
    const enc = await call('Encrypt', { KeyId: 'alias/sym', Plaintext: b64(data), EncryptionContext: { a: 'b' } });
    await call('Decrypt', { CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: 'b' } });
    await call('Decrypt', { CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: 'c' } });
    const tampered = Buffer.from(enc.CiphertextBlob, 'base64');
    tampered[tampered.length - 1]! ^= 1;
    await call('Decrypt', { CiphertextBlob: b64(tampered), EncryptionContext: { a: 'b' } });
    await call('ReEncrypt', { CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { a: 'b' }, DestinationKeyId: 'alias/sym2' });
    const rsa = await call('Encrypt', { KeyId: 'alias/rsa-enc', Plaintext: b64(data), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    await call('Decrypt', { KeyId: 'alias/rsa-enc', CiphertextBlob: rsa.CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    await call('Decrypt', { KeyId: 'alias/rsa-enc', CiphertextBlob: rsa.CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' });
    const dk = await call('GenerateDataKey', { KeyId: 'alias/sym', KeySpec: 'AES_256' });
    expect(Buffer.from(dk.Plaintext, 'base64')).toHaveLength(32); // the one plaintext key the API hands out
    const dkw = await call('GenerateDataKeyWithoutPlaintext', { KeyId: 'alias/sym', NumberOfBytes: 64 });
    expect(dkw.Plaintext).toBeUndefined();
    await call('GenerateRandom', { NumberOfBytes: 1024 });
    for (const [alias, alg, n] of [
      ['alias/rsa-sign', 'RSASSA_PSS_SHA_256', 32],
      ['alias/rsa-sign', 'RSASSA_PKCS1_V1_5_SHA_256', 32],
      ['alias/p256', 'ECDSA_SHA_256', 32],
      ['alias/p384', 'ECDSA_SHA_384', 48],
    ] as const) {
      const message = digest(n);
      const sig = await call('Sign', { KeyId: alias, Message: message, MessageType: 'DIGEST', SigningAlgorithm: alg });
      await call('Sign', { KeyId: alias, Message: b64(data), SigningAlgorithm: alg });
      await call('Verify', { KeyId: alias, Message: message, MessageType: 'DIGEST', Signature: sig.Signature, SigningAlgorithm: alg });
      await call('Verify', { KeyId: alias, Message: digest(n), MessageType: 'DIGEST', Signature: sig.Signature, SigningAlgorithm: alg });
      await call('Sign', { KeyId: alias, Message: message, MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PSS_SHA_512' });
    }
    const mac = await call('GenerateMac', { KeyId: 'alias/hmac', Message: b64(data), MacAlgorithm: 'HMAC_SHA_256' });
    await call('VerifyMac', { KeyId: 'alias/hmac', Message: b64(data), Mac: mac.Mac, MacAlgorithm: 'HMAC_SHA_256' });
    await call('VerifyMac', { KeyId: 'alias/hmac', Message: b64(data), Mac: digest(32), MacAlgorithm: 'HMAC_SHA_256' });
    await call('GenerateMac', { KeyId: 'alias/sym', Message: b64(data), MacAlgorithm: 'HMAC_SHA_256' });

    expect(answers.filter((a) => a.ok).length).toBeGreaterThan(30);
    expect(answers.filter((a) => !a.ok).length).toBeGreaterThan(8);
    for (const a of answers) {
      const body = JSON.parse(a.body) as Record<string, unknown>;
      if (a.ok) {
        for (const member of Object.keys(body)) expect(RESPONSE_MEMBERS[a.op], `${a.op} answers ${member}`).toContain(member);
        const meta = body.KeyMetadata as Record<string, unknown> | undefined;
        if (meta !== undefined) for (const member of Object.keys(meta)) expect(METADATA_MEMBERS, `KeyMetadata.${member}`).toContain(member);
      } else {
        expect(Object.keys(body).sort()).toEqual(['__type', 'message']);
      }
      const bytes = payloads(a.body);
      for (const { key, w } of leaks) {
        for (const b of bytes) expect(b.includes(w), `${a.op} carries part of a ${key} key`).toBe(false);
        for (const text of [w.toString('base64'), w.toString('base64url'), w.toString('hex')]) {
          expect(a.body.includes(text.slice(0, 20)), `${a.op} carries part of a ${key} key as text`).toBe(false);
        }
      }
    }
  });
});

describe('hostile input, beyond the fuzz test', () => {
  let server: KmsServerHandle;
  afterAll(async () => server?.close());

  /** A chunked request body (no Content-Length), `size` bytes; the status, or the error of a cut connection. */
  function chunked(url: string, size: number): Promise<{ status: number; body: string } | { error: string }> {
    return new Promise((resolve) => {
      const req = request(url, { method: 'POST', headers: { 'x-amz-target': 'TrentService.Encrypt' }, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = (): void => {
        while (sent < size) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
  }

  it('binds 127.0.0.1 by default: not reachable on the other addresses of this machine', async () => {
    server = await startKmsServer({});
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && !a.internal && a.family === 'IPv4')
      .map((a) => a!.address);
    for (const address of others) {
      const outcome = await new Promise<string>((resolve) => {
        const s = connect(server.port, address, () => (s.destroy(), resolve('connected')));
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
      expect(outcome, address).toBe('ECONNREFUSED');
    }
  });

  it('refuses bodies over 1 MiB sent without a Content-Length, with a 413 or a cut connection, never a 5xx', async () => {
    const over = await chunked(server.url, 1024 * 1024 + 64 * 1024);
    expect(over).toMatchObject({ status: 413 });
    expect(JSON.parse((over as { body: string }).body)).toMatchObject({ __type: 'ValidationException' });
    const huge = await chunked(server.url, 20 * 1024 * 1024);
    if ('status' in huge) expect(huge.status).toBe(413);
    else expect(huge.error).toMatch(/^(ECONNRESET|EPIPE)$/);
    // Still serving.
    const ok = await raw(server.url, { headers: { 'x-amz-target': 'TrentService.GenerateRandom' }, body: '{"NumberOfBytes":4}' });
    expect(ok.status).toBe(200);
  });

  it('answers every other AWS operation, and other methods and paths, with an AWS-shaped 4xx', async () => {
    for (const op of OTHER_AWS_OPERATIONS) {
      const res = await raw(server.url, { headers: { 'x-amz-target': `TrentService.${op}` }, body: '{}' });
      expect(res.status, op).toBe(400);
      expect(expectAwsError(res)).toBe('UnsupportedOperationException');
    }
    for (const [method, path] of [
      ['GET', '/'],
      ['PUT', '/'],
      ['POST', '/../../etc/passwd'],
      ['OPTIONS', '*'],
      ['DELETE', '/x'],
    ] as const) {
      const res = await raw(`${server.url}${path === '*' ? '' : path}`, { method, headers: {}, body: '' });
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
    }
  });
});
