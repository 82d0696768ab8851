/**
 * The fast KMS client (src/kms/client/FastKmsClient.ts) against the SDK's KMSClient, both on the same
 * embedded server verifying every signature: the same outputs (types and, where deterministic,
 * values) for the twelve operations the CUTs send, each client reading what the other wrote, the
 * same exceptions; retries by the SDK's strategy; credentials from the SDK chain refreshed before
 * expiry, with session tokens; the endpoint from the SDK's rules.
 */
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateMacCommand,
  GenerateRandomCommand,
  GetPublicKeyCommand,
  KMSClient,
  NotFoundException,
  ReEncryptCommand,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
  KMSServiceException,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError, createKmsSender, type KmsSender } from '../src/kms/client/client.js';
import { FastKmsClient } from '../src/kms/client/FastKmsClient.js';
import { loadKeyFile } from '../src/kms/model/keyfile.js';
import { startKmsServer, type KmsServerHandle } from '../src/kms/server/server.js';
import { rejection, ROOT } from './kms-helpers.js';

const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'pylogen-fast-client-secret' };
const SYM = 'alias/pylogen-symmetric1';
const SYM2 = 'alias/pylogen-symmetric2';

let server: KmsServerHandle;
let fast: KmsSender;
let sdk: KmsSender;

beforeAll(async () => {
  const { entries } = loadKeyFile('KmsDefault.json', ROOT, ROOT);
  server = await startKmsServer({ keys: [...entries.values()], credentials: CREDS });
  fast = createKmsSender('fast', { endpoint: server.url, region: 'us-east-1', credentials: CREDS });
  sdk = createKmsSender('sdk', { endpoint: server.url, region: 'us-east-1', credentials: CREDS });
});

afterAll(async () => {
  fast?.destroy();
  sdk?.destroy();
  await server?.close();
});

/** An output without what differs per request (request ids), for comparison. */
function shape(out: object): Record<string, unknown> {
  const { $metadata, ...rest } = out as { $metadata: Record<string, unknown> };
  return { ...rest, $metadata: { ...$metadata, requestId: typeof $metadata.requestId } };
}

/** The type of every member, recursively: Uint8Array, Date, string, ... */
function types(v: unknown): unknown {
  if (v instanceof Uint8Array) return `${v.constructor.name}`;
  if (v instanceof Date) return 'Date';
  if (Array.isArray(v)) return v.map(types);
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, types(x)]),
    );
  return typeof v;
}

const both = async <T extends object>(call: (c: KmsSender) => Promise<T>): Promise<[T, T]> => [await call(fast), await call(sdk)];
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('the fast client answers as the SDK does', () => {
  it('Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext): same shapes, each decrypts what the other encrypted', async () => {
    const plaintext = bytes('the fast client and the sdk');
    const context = { purpose: 'parity' };
    const [ef, es] = await both((c) => c.send(new EncryptCommand({ KeyId: SYM, Plaintext: plaintext, EncryptionContext: context })));
    expect(types(ef)).toEqual(types(es));
    expect(ef.CiphertextBlob).toBeInstanceOf(Uint8Array);
    expect(shape({ ...ef, CiphertextBlob: 0 })).toEqual(shape({ ...es, CiphertextBlob: 0 }));
    const df = await fast.send(new DecryptCommand({ CiphertextBlob: es.CiphertextBlob, EncryptionContext: context }));
    const ds = await sdk.send(new DecryptCommand({ CiphertextBlob: ef.CiphertextBlob, EncryptionContext: context }));
    expect(Buffer.from(df.Plaintext!)).toEqual(Buffer.from(plaintext));
    expect(Buffer.from(ds.Plaintext!)).toEqual(Buffer.from(plaintext));
    expect(shape({ ...df, Plaintext: 0 })).toEqual(shape({ ...ds, Plaintext: 0 }));
    // A string Plaintext is taken as UTF-8 by both.
    const [sf] = await both((c) => c.send(new EncryptCommand({ KeyId: SYM, Plaintext: 'text' as unknown as Uint8Array })));
    expect(Buffer.from((await sdk.send(new DecryptCommand({ CiphertextBlob: sf.CiphertextBlob }))).Plaintext!).toString()).toBe('text');

    const [rf, rs] = await both((c) =>
      c.send(new ReEncryptCommand({ CiphertextBlob: ef.CiphertextBlob, SourceEncryptionContext: context, DestinationKeyId: SYM2 })),
    );
    expect(types(rf)).toEqual(types(rs));
    expect(Buffer.from((await sdk.send(new DecryptCommand({ CiphertextBlob: rf.CiphertextBlob }))).Plaintext!)).toEqual(Buffer.from(plaintext));

    const [gf, gs] = await both((c) => c.send(new GenerateDataKeyCommand({ KeyId: SYM, KeySpec: 'AES_256' })));
    expect(types(gf)).toEqual(types(gs));
    expect(gf.Plaintext).toHaveLength(32);
    expect(Buffer.from((await sdk.send(new DecryptCommand({ CiphertextBlob: gf.CiphertextBlob }))).Plaintext!)).toEqual(Buffer.from(gf.Plaintext!));
    const [wf, ws] = await both((c) => c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: SYM, NumberOfBytes: 24 })));
    expect(types(wf)).toEqual(types(ws));
    expect((await fast.send(new DecryptCommand({ CiphertextBlob: ws.CiphertextBlob }))).Plaintext).toHaveLength(24);
  });

  it('Sign, Verify, GetPublicKey, GenerateMac, VerifyMac, GenerateRandom, DescribeKey: same shapes and same values where deterministic', async () => {
    const message = bytes('signed by one, verified by the other');
    for (const [key, alg] of [
      ['alias/pylogen-ecc256', 'ECDSA_SHA_256'],
      ['alias/pylogen-rsa2048', 'RSASSA_PSS_SHA_256'],
    ] as const) {
      const [sf, ss] = await both((c) => c.send(new SignCommand({ KeyId: key, Message: message, SigningAlgorithm: alg })));
      expect(types(sf)).toEqual(types(ss));
      const [vf, vs] = await both((c) =>
        c.send(new VerifyCommand({ KeyId: key, Message: message, Signature: c === fast ? ss.Signature : sf.Signature, SigningAlgorithm: alg })),
      );
      expect(vf.SignatureValid).toBe(true);
      expect(shape(vf)).toEqual(shape(vs));
      const [pf, ps] = await both((c) => c.send(new GetPublicKeyCommand({ KeyId: key })));
      expect(shape(pf)).toEqual(shape(ps));
      expect(pf.PublicKey).toBeInstanceOf(Uint8Array);
    }
    const mac = 'alias/pylogen-hmac256';
    const [mf, ms] = await both((c) => c.send(new GenerateMacCommand({ KeyId: mac, Message: message, MacAlgorithm: 'HMAC_SHA_256' })));
    expect(shape(mf)).toEqual(shape(ms));
    const [vmf, vms] = await both((c) => c.send(new VerifyMacCommand({ KeyId: mac, Message: message, Mac: mf.Mac, MacAlgorithm: 'HMAC_SHA_256' })));
    expect(vmf.MacValid).toBe(true);
    expect(shape(vmf)).toEqual(shape(vms));
    const [rf, rs] = await both((c) => c.send(new GenerateRandomCommand({ NumberOfBytes: 48 })));
    expect(types(rf)).toEqual(types(rs));
    expect(rf.Plaintext).toHaveLength(48);
    const [kf, ks] = await both((c) => c.send(new DescribeKeyCommand({ KeyId: SYM })));
    expect(kf.KeyMetadata!.CreationDate).toBeInstanceOf(Date);
    expect(shape(kf)).toEqual(shape(ks));
  });

  it('throws the SDK exceptions: modeled ones as their class, others by name, with the same metadata', async () => {
    const [nf, ns] = await Promise.all([fast, sdk].map((c) => rejection(c.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })))));
    expect(nf).toBeInstanceOf(NotFoundException);
    expect(ns).toBeInstanceOf(NotFoundException);
    for (const k of ['name', 'message', '$fault'] as const) expect((nf as never)[k]).toBe((ns as never)[k]);
    expect(nf!.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 });
    const wrong = { ...CREDS, secretAccessKey: 'not-it' };
    const errs = await Promise.all(
      (['fast', 'sdk'] as const).map(async (kind) => {
        const c = createKmsSender(kind, { endpoint: server.url, region: 'us-east-1', credentials: wrong });
        try {
          return await rejection(c.send(new EncryptCommand({ KeyId: SYM, Plaintext: bytes('x') })));
        } finally {
          c.destroy();
        }
      }),
    );
    for (const e of errs) {
      expect(e).toBeInstanceOf(KMSServiceException);
      expect(classifyError(e)).toBe('InvalidSignatureException');
      expect(e.$metadata?.httpStatusCode).toBe(400);
    }
  });
});

describe('the fast client takes from the SDK what it does not re-implement', () => {
  it("retries throttling and 5xx by the SDK's standard strategy, counting attempts", async () => {
    const h = await startKmsServer({ errorRate: 0.5 });
    try {
      const outcomes = await Promise.all(
        (['fast', 'sdk'] as const).map(async (kind) => {
          const c = createKmsSender(kind, { endpoint: h.url, region: 'us-east-1', credentials: CREDS, retries: 4 });
          let ok = 0;
          let retried = 0;
          let retryDelay = 0;
          for (let i = 0; i < 40; i++) {
            // Asserted outside the try: an assertion must not be caught and classified as an error.
            let out: { $metadata: { attempts?: number; totalRetryDelay?: number } } | undefined;
            let failure: unknown;
            try {
              out = await c.send(new GenerateRandomCommand({ NumberOfBytes: 4 }));
            } catch (err) {
              failure = err;
            }
            if (out === undefined) {
              expect(classifyError(failure)).toBe('KMSInternalException');
              // up to 5 attempts (--retries 4); the standard strategy's retry quota (a token bucket
              // that failures drain) may end them sooner: 4 seen on a loaded machine
              const attempts = (failure as { $metadata: { attempts: number } }).$metadata.attempts;
              expect(attempts).toBeGreaterThanOrEqual(2);
              expect(attempts).toBeLessThanOrEqual(5);
              continue;
            }
            ok++;
            if (out.$metadata.attempts! > 1) {
              retried++;
              // The SDK's backoff is Math.floor(random * base * 2^i) ms: now and then 0 for one call.
              expect(out.$metadata.totalRetryDelay).toBeGreaterThanOrEqual(0);
              retryDelay += out.$metadata.totalRetryDelay!;
            }
          }
          c.destroy();
          return { ok, retried, retryDelay };
        }),
      );
      for (const o of outcomes) {
        // Half the attempts fail: with 5 attempts, about 1 call in 32 fails them all.
        expect(o.ok).toBeGreaterThanOrEqual(34);
        expect(o.retried).toBeGreaterThan(5);
        // Jittered backoff between attempts, counted in $metadata.totalRetryDelay.
        expect(o.retryDelay).toBeGreaterThan(0);
      }
    } finally {
      await h.close();
    }
  });

  it('refreshes credentials from the provider before they expire, and signs with their session token', async () => {
    const h = await startKmsServer({ credentials: { ...CREDS, sessionToken: 'the-token' } });
    let calls = 0;
    let token = 'the-token';
    // A provider whose credentials expire in 2 minutes (inside the SDK's 5-minute refresh window):
    // every request must ask it again, and sign with the token it gives then.
    const sdkClient = new KMSClient({
      endpoint: h.url,
      region: 'us-east-1',
      credentials: async () => (calls++, { ...CREDS, sessionToken: token, expiration: new Date(Date.now() + 120_000) }),
    });
    const c = new FastKmsClient(sdkClient, { timeoutMs: 5000, maxSockets: 4 });
    try {
      for (let i = 0; i < 3; i++) expect((await c.send(new GenerateRandomCommand({ NumberOfBytes: 4 }))).Plaintext).toHaveLength(4);
      expect(calls).toBeGreaterThanOrEqual(3);
      token = 'a-revoked-token';
      expect(classifyError(await rejection(c.send(new GenerateRandomCommand({ NumberOfBytes: 4 }))))).toBe('UnrecognizedClientException');
    } finally {
      c.destroy();
      await h.close();
    }
    // Credentials without an expiry are asked for once.
    let once = 0;
    const h2 = await startKmsServer({ credentials: CREDS });
    const c2 = new FastKmsClient(new KMSClient({ endpoint: h2.url, region: 'us-east-1', credentials: async () => (once++, CREDS) }), {
      timeoutMs: 5000,
      maxSockets: 4,
    });
    for (let i = 0; i < 5; i++) await c2.send(new GenerateRandomCommand({ NumberOfBytes: 1 }));
    expect(once).toBe(1);
    c2.destroy();
    await h2.close();
  });

  it('resolves the endpoint by the SDK rules: --endpoint, AWS_ENDPOINT_URL_KMS, region, FIPS', async () => {
    const endpointOf = async (config: ConstructorParameters<typeof KMSClient>[0]): Promise<string> => {
      const c = new FastKmsClient(new KMSClient({ credentials: CREDS, ...config }), { timeoutMs: 1000, maxSockets: 1 });
      try {
        return await c.endpoint();
      } finally {
        c.destroy();
      }
    };
    expect(await endpointOf({ endpoint: server.url, region: 'us-east-1' })).toBe(`${server.url}/`);
    expect(await endpointOf({ region: 'eu-west-3' })).toBe('https://kms.eu-west-3.amazonaws.com/');
    expect(await endpointOf({ region: 'eu-west-3', useFipsEndpoint: true })).toBe('https://kms-fips.eu-west-3.amazonaws.com/');
    const saved = process.env.AWS_ENDPOINT_URL_KMS;
    process.env.AWS_ENDPOINT_URL_KMS = 'http://127.0.0.1:4599';
    try {
      expect(await endpointOf({ region: 'eu-west-3' })).toBe('http://127.0.0.1:4599/');
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_KMS;
      else process.env.AWS_ENDPOINT_URL_KMS = saved;
    }
  });
});
