/**
 * pylogen's SigV4 (src/kms/model/sigv4.ts, node:crypto) against the SDK's own signer, @smithy/signature-v4:
 * on a few hundred generated requests (methods, hosts and ports, paths, bodies, headers with odd
 * white space, session tokens, dates, regions, services), the x-amz-date and the authorization
 * header must be byte for byte the same.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { amzDate, deriveSigningKey, SigV4Signer } from '../src/kms/model/sigv4.js';

/** The Sha256 constructor the SDK's signer wants (a hash, or an HMAC with a secret), over node:crypto. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytesOf = (d: SourceData): string | Uint8Array =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
class NodeSha256 {
  private readonly h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: SourceData) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: SourceData): void {
    this.h.update(bytesOf(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

// A seeded generator, so that a failure can be replayed.
let seed = 0x51c4;
const rnd = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)] as T;
const word = (n: number, alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=-_'): string =>
  Array.from({ length: n }, () => alphabet[rnd(alphabet.length)]).join('');

interface Generated {
  method: string;
  host: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  date: Date;
  region: string;
  service: string;
}

function generate(): Generated {
  const host = pick([
    'kms.us-east-1.amazonaws.com',
    'kms-fips.eu-west-1.amazonaws.com',
    `127.0.0.1:${1 + rnd(65535)}`,
    `localhost:${1 + rnd(65535)}`,
    `[::1]:${1 + rnd(65535)}`,
    'kms.example.internal',
  ]);
  const target = pick(['Encrypt', 'Decrypt', 'Sign', 'GenerateRandom', 'DescribeKey', 'ReEncrypt']);
  const headers: Record<string, string> = {
    host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `TrentService.${target}`,
  };
  const bodyKind = rnd(5);
  const body =
    bodyKind === 0
      ? ''
      : bodyKind === 1
        ? new Uint8Array(Array.from({ length: rnd(400) }, () => rnd(256)))
        : JSON.stringify({ KeyId: `alias/${word(8)}`, Plaintext: Buffer.from(word(rnd(300))).toString('base64'), EncryptionContext: { [word(4)]: word(6) } });
  headers['content-length'] = String(Buffer.byteLength(body));
  // Headers the SDK signs, skips, or canonicalizes (white space, line breaks).
  if (rnd(3) === 0) headers['user-agent'] = `pylogen/${word(3)} aws-sdk-js/3`;
  if (rnd(3) === 0) headers['amz-sdk-invocation-id'] = word(36);
  if (rnd(4) === 0) headers['x-custom'] = pick(['  padded  value ', 'tab\tseparated', 'line\nbreak', 'two  spaces', ' ', 'x']);
  if (rnd(5) === 0) headers['proxy-authorization'] = word(10);
  if (rnd(5) === 0) headers.connection = 'keep-alive';
  const creds = { accessKeyId: `AKID${word(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`, secretAccessKey: word(40) };
  const withToken = rnd(3) === 0 ? { sessionToken: word(40 + rnd(300)) } : {};
  return {
    method: pick(['POST', 'POST', 'POST', 'GET', 'PUT']),
    host,
    path: pick(['/', '/', '/', '/a/b', '/a/./b/../c', '/with space/ünï', '/trailing/']),
    headers,
    body,
    creds: { ...creds, ...withToken },
    // From 2001 to 2040, to the millisecond (the signature keeps whole seconds).
    date: new Date(978_307_200_000 + rnd(2 ** 30) * 1185),
    region: pick(['us-east-1', 'eu-west-3', 'ap-southeast-2', 'us-gov-west-1', 'cn-north-1']),
    service: pick(['kms', 'kms', 'sts']),
  };
}

async function sdkSignature(g: Generated, applyChecksum: boolean): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: g.creds, region: g.region, service: g.service, sha256: NodeSha256, applyChecksum });
  const [hostname, port] = g.host.startsWith('[') ? [g.host.slice(0, g.host.indexOf(']') + 1), g.host.split(']:')[1]] : g.host.split(':');
  const signed = await signer.sign(
    {
      method: g.method,
      protocol: 'https:',
      hostname: hostname!,
      ...(port === undefined ? {} : { port: Number(port) }),
      path: g.path,
      query: {},
      headers: { ...g.headers },
      body: g.body,
    },
    { signingDate: g.date },
  );
  return signed.headers as Record<string, string>;
}

describe('SigV4 with node:crypto', () => {
  it('signs a few hundred generated requests byte for byte as @smithy/signature-v4 does', async () => {
    const signers = new Map<string, SigV4Signer>();
    let withToken = 0;
    for (let i = 0; i < 400; i++) {
      const g = generate();
      // Half the time as the SDK's clients sign (x-amz-content-sha256 too), half without it.
      const applyChecksum = i % 2 === 0;
      const expected = await sdkSignature(g, applyChecksum);
      const headers = { ...g.headers };
      if (applyChecksum) headers['x-amz-content-sha256'] = createHash('sha256').update(g.body).digest('hex');
      const key = `${g.region}/${g.service}`;
      const signer = signers.get(key) ?? new SigV4Signer(g.region, g.service);
      signers.set(key, signer);
      signer.sign(g.method, g.path, headers, g.body, g.creds, g.date);
      const context = JSON.stringify({ i, method: g.method, host: g.host, path: g.path, region: g.region });
      expect(headers['x-amz-date'], context).toBe(expected['x-amz-date']);
      expect(headers.authorization, context).toBe(expected.authorization);
      expect(headers['x-amz-security-token'], context).toBe(expected['x-amz-security-token']);
      if (g.creds.sessionToken !== undefined) withToken++;
    }
    // The generator did produce both kinds.
    expect(withToken).toBeGreaterThan(50);
    expect(withToken).toBeLessThan(350);
  });

  it('a request signed again is signed as the SDK signs it, whatever changed since the last one', async () => {
    // The signer reuses the last signature for the same request in the same second: each variation
    // below changes one thing the signature depends on, and comes back, with one signer throughout.
    for (let round = 0; round < 20; round++) {
      let g = generate();
      if (typeof g.body !== 'string') g = { ...g, body: '{"KeyId":"alias/a","Plaintext":"AAAA"}' };
      g.headers['content-length'] = String(Buffer.byteLength(g.body));
      const signer = new SigV4Signer(g.region, g.service);
      const sameSecond = new Date(Math.floor(g.date.getTime() / 1000) * 1000 + ((g.date.getMilliseconds() + 500) % 1000));
      const variations: [string, Generated][] = [
        ['the first', g],
        ['the same again', g],
        ['the same later in the same second', { ...g, date: sameSecond }],
        ['another body', { ...g, body: `${g.body as string} `, headers: { ...g.headers, 'content-length': String(Buffer.byteLength(g.body) + 1) } }],
        ['the first again', g],
        ['another body, same length', { ...g, body: (g.body as string).replace(/.$/, (c) => (c === 'x' ? 'y' : 'x')) }],
        ['another secret', { ...g, creds: { ...g.creds, secretAccessKey: `${g.creds.secretAccessKey}x` } }],
        ['another access key', { ...g, creds: { ...g.creds, accessKeyId: `${g.creds.accessKeyId}X` } }],
        ['a session token', { ...g, creds: { ...g.creds, sessionToken: 'token-one' } }],
        ['another session token', { ...g, creds: { ...g.creds, sessionToken: 'token-two' } }],
        ['the next second', { ...g, date: new Date(g.date.getTime() + 1000) }],
        ['another operation', { ...g, headers: { ...g.headers, 'x-amz-target': 'TrentService.Decrypt' } }],
        ['another path', { ...g, path: g.path === '/' ? '/a' : '/' }],
        ['the first once more', g],
      ];
      for (const [what, v] of variations) {
        const expected = await sdkSignature(v, false);
        const headers = { ...v.headers };
        signer.sign(v.method, v.path, headers, v.body, v.creds, v.date);
        expect(headers.authorization, `round ${round}: ${what}`).toBe(expected.authorization);
      }
    }
  });

  it('reuses the signing key within a day and derives a new one the next day', () => {
    const signer = new SigV4Signer('us-east-1');
    const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    const sign = (iso: string): string => {
      const h: Record<string, string> = { host: 'kms.us-east-1.amazonaws.com' };
      signer.sign('POST', '/', h, '{}', creds, new Date(iso));
      return h.authorization!;
    };
    const a = sign('2026-11-23T23:59:59Z');
    const b = sign('2026-11-24T00:00:00Z');
    expect(a).toContain('/20261123/us-east-1/kms/aws4_request');
    expect(b).toContain('/20261124/us-east-1/kms/aws4_request');
    expect(sign('2026-11-23T23:59:59Z')).toBe(a);
    expect(amzDate(new Date('2026-11-23T01:02:03.999Z'))).toBe('20261123T010203Z');
  });

  it('derives the signing key of AWS documentation example', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html (example key derivation)
    const key = deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam');
    expect(key.toString('hex')).toBe('f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });
});
