/**
 * The embedded Cloud KMS server driven by the OFFICIAL client (@google-cloud/kms), over gRPC and over
 * the REST mapping: real cryptography round trips, the CRC32C fields both ways, Google's status codes
 * (NOT_FOUND, FAILED_PRECONDITION for a disabled version, INVALID_ARGUMENT for a wrong checksum), and
 * the fault options (RESOURCE_EXHAUSTED, UNAVAILABLE, a wrong CRC32C). Each error is also classified
 * by the runner's errorType hook, as errorsByType will count it.
 */
import { constants, createHash, createPublicKey, publicEncrypt, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyManagementServiceClient } from '@google-cloud/kms';
import { createGcpClient } from '../src/gcp/client.js';
import { callOptions, type GcpTransport } from '../src/gcp/endpoint.js';
import { crc32c } from '../src/gcp/crc32c.js';
import { gcpErrorType } from '../src/gcp/errorType.js';
import { cryptoKeyName, loadGcpKeyFile, versionName, type GcpKeyFile } from '../src/gcp/keyfile.js';
import { startGcpServer, type GcpServer } from '../src/gcp/server/server.js';

const root = new URL('..', import.meta.url).pathname;
const file: GcpKeyFile = loadGcpKeyFile(undefined, root, root);
const entry = (n: string) => file.entries.get(n)!;
const call = callOptions({ timeoutMs: 20_000, retries: 0 });
const crc = (b: Uint8Array) => ({ value: crc32c(b) });
const n = (v: unknown) => Number((v as { value: unknown }).value);

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('the call succeeded');
}

let server: GcpServer;
beforeAll(async () => {
  server = await startGcpServer({ keyFiles: [file] });
});
afterAll(async () => {
  await server?.close();
});

describe.each(['grpc', 'rest'] as GcpTransport[])('the official client over %s', (transport) => {
  let c: KeyManagementServiceClient;
  beforeAll(() => {
    c = createGcpClient({ endpoint: transport === 'grpc' ? server.grpcUrl : server.restUrl, transport, timeoutMs: 20_000, retries: 0 });
  });
  afterAll(async () => {
    await c.close();
  });

  it('Encrypt and Decrypt with additional authenticated data, every CRC32C checked', async () => {
    const plaintext = Buffer.from('pylogen plaintext');
    const aad = Buffer.from('aad');
    const [enc] = await c.encrypt(
      {
        name: cryptoKeyName(file, entry('symmetric')),
        plaintext,
        plaintextCrc32c: crc(plaintext),
        additionalAuthenticatedData: aad,
        additionalAuthenticatedDataCrc32c: crc(aad),
      },
      call,
    );
    expect(enc.name).toBe(versionName(file, entry('symmetric')));
    expect(enc.verifiedPlaintextCrc32c).toBe(true);
    expect(enc.verifiedAdditionalAuthenticatedDataCrc32c).toBe(true);
    expect(n(enc.ciphertextCrc32c)).toBe(crc32c(enc.ciphertext as Uint8Array));
    const [dec] = await c.decrypt({ name: cryptoKeyName(file, entry('symmetric')), ciphertext: enc.ciphertext, additionalAuthenticatedData: aad }, call);
    expect(Buffer.from(dec.plaintext as Uint8Array).toString()).toBe('pylogen plaintext');
    expect(n(dec.plaintextCrc32c)).toBe(crc32c(dec.plaintext as Uint8Array));
    // the wrong AAD does not decrypt
    const err = await failure(
      c.decrypt({ name: cryptoKeyName(file, entry('symmetric')), ciphertext: enc.ciphertext, additionalAuthenticatedData: Buffer.from('other') }, call),
    );
    expect(gcpErrorType(err)).toBe('INVALID_ARGUMENT');
  });

  it('a request checksum that does not match is INVALID_ARGUMENT, as Google answers', async () => {
    const err = await failure(c.encrypt({ name: cryptoKeyName(file, entry('symmetric')), plaintext: Buffer.from('x'), plaintextCrc32c: { value: 1 } }, call));
    expect(gcpErrorType(err)).toBe('INVALID_ARGUMENT');
    expect(String((err as Error).message)).toContain('The checksum in field plaintext_crc32c did not match the data in field plaintext.');
  });

  it('RawEncrypt / RawDecrypt with AES_256_GCM', async () => {
    const plaintext = Buffer.from('raw');
    const [enc] = await c.rawEncrypt({ name: versionName(file, entry('raw-aes-gcm')), plaintext, plaintextCrc32c: crc(plaintext) }, call);
    expect(enc.verifiedPlaintextCrc32c).toBe(true);
    expect(n(enc.initializationVectorCrc32c)).toBe(crc32c(enc.initializationVector as Uint8Array));
    const [dec] = await c.rawDecrypt(
      {
        name: versionName(file, entry('raw-aes-gcm')),
        ciphertext: enc.ciphertext,
        ciphertextCrc32c: crc(enc.ciphertext as Uint8Array),
        initializationVector: enc.initializationVector,
        tagLength: enc.tagLength,
      },
      call,
    );
    expect(dec.verifiedCiphertextCrc32c).toBe(true);
    expect(Buffer.from(dec.plaintext as Uint8Array).toString()).toBe('raw');
  });

  it.each(['ec-p256', 'ec-p384', 'rsa-pss', 'rsa-pkcs1'])('AsymmetricSign over a digest with %s verifies locally with GetPublicKey', async (key) => {
    const e = entry(key);
    const hash = e.algorithm === 'EC_SIGN_P384_SHA384' ? 'sha384' : 'sha256';
    const message = Buffer.from('signed message');
    const digest = createHash(hash).update(message).digest();
    const [pk] = await c.getPublicKey({ name: versionName(file, e) }, call);
    expect(n(pk.pemCrc32c)).toBe(crc32c(Buffer.from(pk.pem!)));
    const [out] = await c.asymmetricSign({ name: versionName(file, e), digest: { [hash]: digest }, digestCrc32c: crc(digest) }, call);
    expect(out.verifiedDigestCrc32c).toBe(true);
    expect(n(out.signatureCrc32c)).toBe(crc32c(out.signature as Uint8Array));
    const publicKey = createPublicKey(pk.pem!);
    const opts = e.algorithm.startsWith('RSA_SIGN_PSS') ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : publicKey;
    expect(verify(hash, message, opts, out.signature as Uint8Array)).toBe(true);
  });

  it('AsymmetricDecrypt of what the public key encrypted (RSA OAEP SHA-256)', async () => {
    const [pk] = await c.getPublicKey({ name: versionName(file, entry('rsa-decrypt')) }, call);
    const ciphertext = publicEncrypt({ key: pk.pem!, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from('secret'));
    const [out] = await c.asymmetricDecrypt({ name: versionName(file, entry('rsa-decrypt')), ciphertext, ciphertextCrc32c: crc(ciphertext) }, call);
    expect(out.verifiedCiphertextCrc32c).toBe(true);
    expect(Buffer.from(out.plaintext as Uint8Array).toString()).toBe('secret');
  });

  it('MacSign then MacVerify (HMAC_SHA256), and a wrong MAC is success false', async () => {
    const data = Buffer.from('mac me');
    const [m] = await c.macSign({ name: versionName(file, entry('hmac')), data, dataCrc32c: crc(data) }, call);
    expect(m.verifiedDataCrc32c).toBe(true);
    expect(n(m.macCrc32c)).toBe(crc32c(m.mac as Uint8Array));
    const [ok] = await c.macVerify({ name: versionName(file, entry('hmac')), data, mac: m.mac, macCrc32c: crc(m.mac as Uint8Array) }, call);
    expect(ok.success).toBe(true);
    expect(ok.verifiedMacCrc32c).toBe(true);
    expect(ok.verifiedSuccessIntegrity).toBe(true);
    const [bad] = await c.macVerify({ name: versionName(file, entry('hmac')), data: Buffer.from('other'), mac: m.mac }, call);
    expect(bad.success).toBe(false);
  });

  it('GenerateRandomBytes: HSM only, 8 to 1024 bytes', async () => {
    const [r] = await c.generateRandomBytes({ location: `projects/${file.project}/locations/${file.location}`, lengthBytes: 64, protectionLevel: 'HSM' }, call);
    expect((r.data as Uint8Array).length).toBe(64);
    expect(n(r.dataCrc32c)).toBe(crc32c(r.data as Uint8Array));
    const err = await failure(
      c.generateRandomBytes({ location: `projects/${file.project}/locations/${file.location}`, lengthBytes: 64, protectionLevel: 'SOFTWARE' }, call),
    );
    expect(gcpErrorType(err)).toBe('INVALID_ARGUMENT');
  });

  it('a missing key is NOT_FOUND', async () => {
    const err = await failure(c.getCryptoKeyVersion({ name: `${cryptoKeyName(file, entry('symmetric'))}-missing/cryptoKeyVersions/1` }, call));
    expect(gcpErrorType(err)).toBe('NOT_FOUND');
  });
});

it('a disabled version answers FAILED_PRECONDITION over both transports, and can be enabled again', async () => {
  const g = createGcpClient({ endpoint: server.grpcUrl, transport: 'grpc', timeoutMs: 20_000, retries: 0 });
  const r = createGcpClient({ endpoint: server.restUrl, transport: 'rest', timeoutMs: 20_000, retries: 0 });
  const name = versionName(file, entry('hmac'));
  try {
    const [v] = await r.updateCryptoKeyVersion({ cryptoKeyVersion: { name, state: 'DISABLED' }, updateMask: { paths: ['state'] } }, call);
    expect(v.state).toBe('DISABLED');
    for (const c of [g, r]) {
      const err = await failure(c.macSign({ name, data: Buffer.from('x') }, call));
      expect(gcpErrorType(err)).toBe('FAILED_PRECONDITION');
      expect(String((err as Error).message)).toContain('is not enabled, current state is: DISABLED');
    }
    await g.updateCryptoKeyVersion({ cryptoKeyVersion: { name, state: 'ENABLED' }, updateMask: { paths: ['state'] } }, call);
    await g.macSign({ name, data: Buffer.from('x') }, call);
  } finally {
    await g.close();
    await r.close();
  }
});

describe('fault injection', () => {
  it.each(['grpc', 'rest'] as GcpTransport[])(
    '--throttle answers RESOURCE_EXHAUSTED, --error-rate UNAVAILABLE, --bad-crc a wrong checksum (%s)',
    async (transport) => {
      const faulty = await startGcpServer({ keyFiles: [file], throttleRps: 1 });
      const failing = await startGcpServer({ keyFiles: [file], errorRate: 1 });
      const lying = await startGcpServer({ keyFiles: [file], badCrc: 1 });
      const url = (s: GcpServer) => (transport === 'grpc' ? s.grpcUrl : s.restUrl);
      const clients = [faulty, failing, lying].map((s) => createGcpClient({ endpoint: url(s), transport, timeoutMs: 20_000, retries: 0 }));
      try {
        const req = { name: versionName(file, entry('hmac')), data: Buffer.from('x') };
        // a bucket of 1 request per second: of 5 calls at once, at least 3 are refused
        const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => clients[0]!.macSign(req, call)));
        const refused = results.filter((r) => r.status === 'rejected').map((r) => gcpErrorType((r as PromiseRejectedResult).reason));
        expect(refused.length).toBeGreaterThanOrEqual(3);
        expect(new Set(refused)).toEqual(new Set(['RESOURCE_EXHAUSTED']));
        expect(gcpErrorType(await failure(clients[1]!.macSign(req, call)))).toBe('UNAVAILABLE');
        const [m] = await clients[2]!.macSign(req, call);
        expect(n(m.macCrc32c)).not.toBe(crc32c(m.mac as Uint8Array));
      } finally {
        await Promise.all(clients.map((c) => c.close()));
        await Promise.all([faulty, failing, lying].map((s) => s.close()));
      }
    },
  );
});
