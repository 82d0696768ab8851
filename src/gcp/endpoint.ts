/**
 * What a Cloud KMS line's endpoint, transport and call options are, without loading the client
 * (the CUT base's validate() and the preflight use it in the main process): the heavy SDK is in
 * client.ts, loaded by a runner's setup().
 */

export type GcpTransport = 'grpc' | 'rest';
export const GCP_CLIENTS: readonly GcpTransport[] = ['grpc', 'rest'];

export interface GcpClientOptions {
  endpoint: string;
  transport: GcpTransport;
  timeoutMs: number;
  retries: number;
}

/** What every call of a runner passes as its CallOptions. */
export interface GcpCallOptions {
  timeout: number;
  retry: null | {
    retryCodes: number[];
    backoffSettings: {
      initialRetryDelayMillis: number;
      retryDelayMultiplier: number;
      maxRetryDelayMillis: number;
      initialRpcTimeoutMillis: number;
      rpcTimeoutMultiplier: number;
      maxRpcTimeoutMillis: number;
      maxRetries: number;
    };
  };
}

/** UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED. */
const RETRY_CODES = [14, 4, 8];

/** A --endpoint as the client takes it, or a problem. */
export function parseGcpEndpoint(endpoint: string): { host: string; port: number; secure: boolean } | { problem: string } | undefined {
  if (endpoint === '') return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { problem: `a Cloud KMS endpoint is http://host:port (an emulator) or https://host[:port], but is "${endpoint}"` };
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.pathname.replace(/\/$/, '') !== '' ||
    url.search !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    return {
      problem: `a Cloud KMS endpoint is http://host:port (an emulator) or https://host[:port], nothing more, but is "${url.protocol}//${url.host}${url.pathname}"`,
    };
  }
  const secure = url.protocol === 'https:';
  if (!secure && url.port === '') return { problem: `an http:// Cloud KMS endpoint needs its port, e.g. http://127.0.0.1:8443` };
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? 443 : Number(url.port), secure };
}

export function callOptions(o: Pick<GcpClientOptions, 'timeoutMs' | 'retries'>): GcpCallOptions {
  if (o.retries <= 0) return { timeout: o.timeoutMs, retry: null };
  return {
    timeout: o.timeoutMs,
    retry: {
      retryCodes: RETRY_CODES,
      backoffSettings: {
        initialRetryDelayMillis: 100,
        retryDelayMultiplier: 1.3,
        maxRetryDelayMillis: 60_000,
        initialRpcTimeoutMillis: o.timeoutMs,
        rpcTimeoutMultiplier: 1,
        maxRpcTimeoutMillis: o.timeoutMs,
        // google-gax's maxRetries counts the first attempt too (normalCalls/retries.js): N retries are N + 1 attempts.
        maxRetries: o.retries + 1,
      },
    },
  };
}
