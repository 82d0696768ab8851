/**
 * The embedded server's SigV4 verification (`kms serve --credentials`, src/kms/server/auth.ts): the
 * SDK's own client signs and is accepted or refused as AWS would; raw requests signed by hand probe
 * each refusal (missing, incomplete, unknown key, wrong secret, tampered body, old or future date,
 * wrong scope, session tokens).
 */
import { GenerateRandomCommand } from '@aws-sdk/client-kms';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyError, createKmsClient } from '../src/kms/client/client.js';
import { parseCredentials } from '../src/kms/server/auth.js';
import { startKmsServer, type KmsServerHandle } from '../src/kms/server/server.js';
import { SigV4Signer, type SigningCredentials } from '../src/kms/model/sigv4.js';
import { expectAwsError, raw } from './kms-helpers.js';

const GOOD = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'pylogen-verify-secret' };

const handles: KmsServerHandle[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

async function serve(credentials: SigningCredentials | undefined, region = 'us-east-1'): Promise<KmsServerHandle> {
  const h = await startKmsServer({ region, ...(credentials === undefined ? {} : { credentials }) });
  handles.push(h);
  return h;
}

/** What the SDK's KMSClient gets for one GenerateRandom: 'ok' or the error type and message. */
async function sdkCall(h: KmsServerHandle, credentials: SigningCredentials, region = 'us-east-1'): Promise<{ type: string; message: string; status?: number }> {
  const kms = createKmsClient({ endpoint: h.url, region, credentials, timeoutMs: 5000 });
  try {
    await kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 }));
    return { type: 'ok', message: '' };
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    return { type: classifyError(e), message: e.message, status: e.$metadata?.httpStatusCode };
  } finally {
    kms.destroy();
  }
}

/** A raw GenerateRandom signed by pylogen's signer (at `date`, for `region`), then optionally altered. */
function signedRequest(
  h: KmsServerHandle,
  creds: SigningCredentials,
  opts: { date?: Date; region?: string; body?: string; alter?: (headers: Record<string, string>) => void } = {},
) {
  const body = opts.body ?? '{"NumberOfBytes":8}';
  const headers: Record<string, string> = {
    host: new URL(h.url).host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'TrentService.GenerateRandom',
  };
  new SigV4Signer(opts.region ?? 'us-east-1').sign('POST', '/', headers, body, creds, opts.date ?? new Date());
  opts.alter?.(headers);
  return { headers, body };
}

describe('kms server --credentials: SigV4 verification', () => {
  it('accepts the SDK signing with the right credentials, refuses a wrong secret and an unknown key', async () => {
    const h = await serve(GOOD);
    expect(await sdkCall(h, GOOD)).toEqual({ type: 'ok', message: '' });
    const wrong = await sdkCall(h, { ...GOOD, secretAccessKey: 'not-the-secret' });
    expect(wrong).toMatchObject({ type: 'InvalidSignatureException', status: 400 });
    expect(wrong.message).toContain('signature we calculated does not match');
    expect(await sdkCall(h, { ...GOOD, accessKeyId: 'AKIDOTHER' })).toMatchObject({ type: 'UnrecognizedClientException', status: 400 });
    // The SDK adds a session token when it has one: a server without one accepts it, signed.
    expect(await sdkCall(h, { ...GOOD, sessionToken: 'some-session-token' })).toEqual({ type: 'ok', message: '' });
    // The region of the scope must be the server's.
    expect(await sdkCall(h, GOOD, 'eu-west-1')).toMatchObject({ type: 'InvalidSignatureException', message: expect.stringContaining('valid region') });
  });

  it('requires the session token it was given', async () => {
    const h = await serve({ ...GOOD, sessionToken: 'the-token' });
    expect(await sdkCall(h, { ...GOOD, sessionToken: 'the-token' })).toEqual({ type: 'ok', message: '' });
    expect((await sdkCall(h, { ...GOOD, sessionToken: 'another-token' })).type).toBe('UnrecognizedClientException');
    expect((await sdkCall(h, GOOD)).type).toBe('UnrecognizedClientException');
  });

  it('refuses missing, incomplete, tampered, old and future signatures as AWS does, without echoing secrets', async () => {
    const h = await serve(GOOD);
    const send = async (r: { headers: Record<string, string>; body: string }): Promise<{ type: string; message: string }> => {
      const res = await raw(h.url, { headers: r.headers, body: r.body });
      if (res.status === 200) return { type: 'ok', message: '' };
      expect(res.status).toBe(400);
      const type = expectAwsError(res);
      expect(res.body).not.toContain(GOOD.secretAccessKey);
      expect(res.body).not.toContain(GOOD.accessKeyId);
      return { type, message: (JSON.parse(res.body) as { message: string }).message };
    };
    expect(await send(signedRequest(h, GOOD))).toEqual({ type: 'ok', message: '' });
    // No Authorization at all.
    expect((await send(signedRequest(h, GOOD, { alter: (hd) => delete hd.authorization }))).type).toBe('MissingAuthenticationTokenException');
    // Parts missing, host or x-amz-date not signed, no x-amz-date.
    const cut = (f: (a: string) => string) => (hd: Record<string, string>) => void (hd.authorization = f(hd.authorization!));
    for (const alter of [
      cut((a) => a.replace(/, Signature=[0-9a-f]+/, '')),
      cut((a) => a.replace(/Credential=[^,]+, /, '')),
      cut((a) => a.replace(/SignedHeaders=[^,]+, /, '')),
      cut((a) => a.replace('AWS4-HMAC-SHA256', 'AWS3')),
      cut((a) => a.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=content-type;x-amz-date;x-amz-target')),
      cut((a) => a.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=content-type;host;x-amz-target')),
      cut((a) => a.replace('/aws4_request', '/aws4')),
      (hd: Record<string, string>) => void delete hd['x-amz-date'],
    ]) {
      expect((await send(signedRequest(h, GOOD, { alter }))).type).toBe('IncompleteSignatureException');
    }
    // Unknown access key; wrong secret; a body or a signed header changed after signing.
    expect((await send(signedRequest(h, { ...GOOD, accessKeyId: 'AKIDNOPE' }))).type).toBe('UnrecognizedClientException');
    expect((await send(signedRequest(h, { ...GOOD, secretAccessKey: 'nope' }))).type).toBe('InvalidSignatureException');
    const tampered = signedRequest(h, GOOD);
    tampered.body = '{"NumberOfBytes":9}';
    expect((await send(tampered)).type).toBe('InvalidSignatureException');
    expect((await send(signedRequest(h, GOOD, { alter: (hd) => void (hd['x-amz-target'] = 'TrentService.Encrypt') }))).type).toBe('InvalidSignatureException');
    // A request signed 6 minutes ago, or 6 minutes ahead; 4 minutes is within AWS's tolerance.
    const old = await send(signedRequest(h, GOOD, { date: new Date(Date.now() - 6 * 60_000) }));
    expect(old.type).toBe('InvalidSignatureException');
    expect(old.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z/);
    expect((await send(signedRequest(h, GOOD, { date: new Date(Date.now() + 6 * 60_000) }))).message).toMatch(/^Signature not yet current/);
    expect((await send(signedRequest(h, GOOD, { date: new Date(Date.now() - 4 * 60_000) }))).type).toBe('ok');
    // A scope of another region.
    expect((await send(signedRequest(h, GOOD, { region: 'eu-west-3' }))).message).toContain("not 'eu-west-3'");
  });

  it('accepts any signature, and none, without credentials (as before)', async () => {
    const h = await serve(undefined);
    expect(await sdkCall(h, { accessKeyId: 'anything', secretAccessKey: 'at-all' }, 'eu-west-1')).toEqual({ type: 'ok', message: '' });
    expect((await raw(h.url, { headers: { 'x-amz-target': 'TrentService.GenerateRandom' }, body: '{"NumberOfBytes":4}' })).status).toBe(200);
  });

  it('parses ACCESS_KEY:SECRET[:TOKEN] and refuses anything else', async () => {
    expect(parseCredentials('AKIDEXAMPLE:secret')).toEqual({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
    expect(parseCredentials('A:S:T')).toEqual({ accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T' });
    for (const bad of ['AKID', 'A:', ':S', 'A:S:T:U', 'A::T']) expect(typeof parseCredentials(bad)).toBe('string');
    await expect(startKmsServer({ credentials: { accessKeyId: '', secretAccessKey: 's' } })).rejects.toThrow('kms server: credentials must have');
  });
});
