/**
 * The embedded Key Vault / Managed HSM server driven by the OFFICIAL client (@azure/keyvault-keys over
 * real HTTPS with the throwaway CA, through its challenge-based authentication): answers in Key
 * Vault's shape, real cryptography checked with node:crypto, errors as Azure gives them, the fault
 * injection, and the SDK's local cryptography kept away from a key handed without its material.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { CryptographyClient, KeyClient, type KeyVaultKey } from '@azure/keyvault-keys';
import type { TokenCredential } from '@azure/core-auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzureServer, type AzureServerHandle } from '../src/azure/server/server.js';
import type { AzureKeyEntry } from '../src/azure/keyfile.js';

const TOKEN = 'throwaway-test-token';
const credential = (token: string): TokenCredential => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) });
const KEYS: AzureKeyEntry[] = [
  { entry: 'rsa', name: 'rsa2048', kty: 'RSA', family: 'rsa', size: 2048 },
  { entry: 'ec', name: 'ec256', kty: 'EC', family: 'ec', curve: 'P-256' },
  { entry: 'ec384', name: 'ec384', kty: 'EC-HSM', family: 'ec', curve: 'P-384' },
  { entry: 'aes', name: 'aes256', kty: 'oct-HSM', family: 'oct', size: 256 },
];
const digest = createHash('sha256').update('pylogen').digest();

describe('the embedded Managed HSM server, through @azure/keyvault-keys', () => {
  let server: AzureServerHandle;
  let keys: KeyClient;
  let options: { disableChallengeResourceVerification: boolean; tlsOptions: { ca: string }; retryOptions: { maxRetries: number } };
  const cryptoFor = async (name: string): Promise<[CryptographyClient, KeyVaultKey]> => {
    const key = await keys.getKey(name);
    return [new CryptographyClient({ ...key, key: undefined }, credential(TOKEN), options), key];
  };

  beforeAll(async () => {
    server = await startAzureServer({ flavour: 'managedhsm', token: TOKEN, keys: KEYS });
    options = { disableChallengeResourceVerification: true, tlsOptions: { ca: server.ca }, retryOptions: { maxRetries: 0 } };
    keys = new KeyClient(server.url, credential(TOKEN), options);
  });
  afterAll(() => server?.close());

  it('answers the challenge, then serves a KeyBundle with the public JWK and a versioned kid', async () => {
    const before = server.stats().challenges;
    const key = await keys.getKey('rsa2048');
    expect(server.stats().challenges).toBe(before + 1);
    expect(key.id).toMatch(new RegExp(`^${server.url}/keys/rsa2048/[0-9a-f]{32}$`));
    expect(key.keyType).toBe('RSA');
    expect(key.keyOperations).toEqual(['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey']);
    expect(key.key?.n?.length).toBe(256);
    expect(key.properties.enabled).toBe(true);
  });

  it('signs digests (PS256, RS256, ES256, ES384) that node:crypto verifies with the public JWK, and verifies them', async () => {
    const [rsa, rsaKey] = await cryptoFor('rsa2048');
    const pub = createPublicKey({
      key: { kty: 'RSA', n: Buffer.from(rsaKey.key!.n!).toString('base64url'), e: Buffer.from(rsaKey.key!.e!).toString('base64url') },
      format: 'jwk',
    });
    for (const alg of ['PS256', 'RS256'] as const) {
      const sig = await rsa.sign(alg, digest);
      expect(sig.result.length).toBe(256);
      const padding = alg === 'PS256' ? 6 /* RSA_PKCS1_PSS_PADDING */ : 1;
      expect(verify('sha256', Buffer.from('pylogen'), { key: pub, padding, saltLength: 32 }, sig.result)).toBe(true);
      expect((await rsa.verify(alg, digest, sig.result)).result).toBe(true);
      expect((await rsa.verify(alg, digest, Buffer.alloc(256, 1))).result).toBe(false);
    }
    const [ec, ecKey] = await cryptoFor('ec256');
    const ecPub = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: Buffer.from(ecKey.key!.x!).toString('base64url'), y: Buffer.from(ecKey.key!.y!).toString('base64url') },
      format: 'jwk',
    });
    const es = await ec.sign('ES256', digest);
    expect(es.result.length).toBe(64);
    expect(verify('sha256', Buffer.from('pylogen'), { key: ecPub, dsaEncoding: 'ieee-p1363' }, es.result)).toBe(true);
    expect((await ec.verify('ES256', digest, es.result)).result).toBe(true);
    const [ec384] = await cryptoFor('ec384');
    const d384 = createHash('sha384').update('pylogen').digest();
    const es384 = await ec384.sign('ES384', d384);
    expect(es384.result.length).toBe(96);
    expect((await ec384.verify('ES384', d384, es384.result)).result).toBe(true);
  });

  it('encrypts and wraps at the vault: RSA-OAEP-256, A256GCM with its iv and tag, A256KW', async () => {
    const [rsa] = await cryptoFor('rsa2048');
    const enc = await rsa.encrypt({ algorithm: 'RSA-OAEP-256', plaintext: Buffer.from('hello') });
    expect((await rsa.decrypt({ algorithm: 'RSA-OAEP-256', ciphertext: enc.result })).result.toString()).toBe('hello');
    const wrapped = await rsa.wrapKey('RSA-OAEP-256', Buffer.alloc(32, 7));
    expect(Buffer.from((await rsa.unwrapKey('RSA-OAEP-256', wrapped.result)).result)).toEqual(Buffer.alloc(32, 7));
    const [aes] = await cryptoFor('aes256');
    const aad = Buffer.from('context');
    const g = await aes.encrypt({ algorithm: 'A256GCM', plaintext: Buffer.from('secret data'), additionalAuthenticatedData: aad });
    expect(g.iv?.length).toBe(12);
    expect(g.authenticationTag?.length).toBe(16);
    const back = await aes.decrypt({
      algorithm: 'A256GCM',
      ciphertext: g.result,
      iv: g.iv!,
      authenticationTag: g.authenticationTag!,
      additionalAuthenticatedData: aad,
    });
    expect(Buffer.from(back.result).toString()).toBe('secret data');
    const kw = await aes.wrapKey('A256KW', Buffer.alloc(32, 3));
    expect(kw.result.length).toBe(40);
    expect(Buffer.from((await aes.unwrapKey('A256KW', kw.result)).result)).toEqual(Buffer.alloc(32, 3));
    expect((await keys.getRandomBytes(16)).length).toBe(16);
  });

  it('sends every operation to the vault when the key is handed without its material (the SDK would encrypt RSA-OAEP locally)', async () => {
    const key = await keys.getKey('rsa2048');
    const local = new CryptographyClient(key, credential(TOKEN), options);
    const remote = new CryptographyClient({ ...key, key: undefined }, credential(TOKEN), options);
    const before = server.stats().ops.encrypt ?? 0;
    for (let i = 0; i < 3; i++) await local.encrypt({ algorithm: 'RSA-OAEP', plaintext: Buffer.from('x') });
    // the SDK did them itself: the server saw none
    expect(server.stats().ops.encrypt ?? 0).toBe(before);
    for (let i = 0; i < 3; i++) await remote.encrypt({ algorithm: 'RSA-OAEP', plaintext: Buffer.from('x') });
    expect(server.stats().ops.encrypt).toBe(before + 3);
  });

  it("answers errors in Key Vault's shape: KeyNotFound 404, Forbidden 403 for an operation the key lacks, BadParameter 400", async () => {
    const missing = await keys.getKey('nope').catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'RestError', code: 'KeyNotFound', statusCode: 404 });
    const made = await keys.createRsaKey('sign-only', { keySize: 2048, keyOps: ['sign'] });
    expect(made.keyOperations).toEqual(['sign']);
    // the SDK would refuse it itself from keyOperations: hand it a key without them
    const raw = new CryptographyClient({ ...made, key: undefined, keyOperations: undefined }, credential(TOKEN), options);
    const forbidden = await raw.decrypt({ algorithm: 'RSA-OAEP-256', ciphertext: Buffer.alloc(256) }).catch((e: unknown) => e);
    expect(forbidden).toMatchObject({ code: 'Forbidden', statusCode: 403 });
    // the SDK keeps the error body, innererror deserialized as innerError
    expect((forbidden as { details?: unknown }).details).toMatchObject({ error: { code: 'Forbidden', innerError: { code: 'KeyOperationForbidden' } } });
    const [rsa] = await cryptoFor('rsa2048');
    const bad = await rsa.sign('PS256', Buffer.alloc(20)).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'BadParameter', statusCode: 400 });
  });

  it('refuses a wrong token: 401 Unauthorized after the challenge', async () => {
    const wrong = new KeyClient(server.url, credential('wrong-token'), options);
    const err = await wrong.getKey('rsa2048').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Unauthorized', statusCode: 401 });
  });
});

describe('the embedded server: vault flavour and fault injection', () => {
  it('refuses oct-HSM keys and GetRandomBytes on a vault', async () => {
    const server = await startAzureServer({ flavour: 'vault' });
    try {
      const keys = new KeyClient(server.url, credential('any'), { disableChallengeResourceVerification: true, tlsOptions: { ca: server.ca } });
      await expect(keys.createOctKey('aes', { hsm: true, keySize: 256 })).rejects.toMatchObject({ code: 'BadParameter' });
      await expect(keys.getRandomBytes(8)).rejects.toMatchObject({ code: 'BadParameter' });
    } finally {
      await server.close();
    }
  });

  it('throttles with 429 Throttled and Retry-After, which the SDK retries when allowed', async () => {
    const server = await startAzureServer({ keys: [KEYS[1]!], throttleRps: 1 });
    try {
      const opts = { disableChallengeResourceVerification: true, tlsOptions: { ca: server.ca } };
      const noRetry = new KeyClient(server.url, credential('any'), { ...opts, retryOptions: { maxRetries: 0 } });
      // the burst is one request: the second within the same second is throttled
      const results = await Promise.allSettled([noRetry.getKey('ec256'), noRetry.getKey('ec256'), noRetry.getKey('ec256')]);
      const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(rejected.length).toBeGreaterThan(0);
      expect(rejected[0]!.reason).toMatchObject({ code: 'Throttled', statusCode: 429 });
      const throttled = server.stats().throttled;
      const retrying = new KeyClient(server.url, credential('any'), { ...opts, retryOptions: { maxRetries: 3 } });
      // retried after Retry-After (1 s): this one succeeds
      const key = await retrying.getKey('ec256');
      expect(key.name).toBe('ec256');
      expect(server.stats().throttled).toBeGreaterThanOrEqual(throttled);
    } finally {
      await server.close();
    }
  });

  it('injects 503 ServiceUnavailable at --error-rate 1', async () => {
    const server = await startAzureServer({ keys: [KEYS[1]!], errorRate: 1 });
    try {
      const keys = new KeyClient(server.url, credential('any'), {
        disableChallengeResourceVerification: true,
        tlsOptions: { ca: server.ca },
        retryOptions: { maxRetries: 0 },
      });
      await expect(keys.getKey('ec256')).rejects.toMatchObject({ code: 'ServiceUnavailable', statusCode: 503 });
      expect(server.stats().injectedErrors).toBe(1);
    } finally {
      await server.close();
    }
  });
});
