import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Throwaway credentials: the embedded server never checks them. */
export const CREDENTIALS = { accessKeyId: 'AKIDPYLOGENTEST', secretAccessKey: 'pylogen-test-secret-do-not-echo' };

export interface SdkError extends Error {
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** The error a promise rejects with (the test fails if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error('expected a rejection');
}

export async function expectKmsError(p: Promise<unknown>, name: string, status = 400): Promise<SdkError> {
  const err = await rejection(p);
  expect(err.name, err.message).toBe(name);
  expect(err.$metadata?.httpStatusCode).toBe(status);
  return err;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP request, outside the SDK: for protocol and hostile-input tests. */
export function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'POST', headers: opts.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Asserts AWS's JSON 1.1 error shape and returns the error type. */
export function expectAwsError(res: RawResponse): string {
  const body = JSON.parse(res.body) as { __type?: unknown; message?: unknown };
  expect(typeof body.__type).toBe('string');
  expect(typeof body.message).toBe('string');
  expect(res.headers['x-amzn-errortype']).toBe(body.__type);
  expect(res.headers['content-type']).toBe('application/x-amz-json-1.1');
  expect(typeof res.headers['x-amzn-requestid']).toBe('string');
  return body.__type as string;
}
