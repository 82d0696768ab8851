import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { boundSdkHandler } from './boundedSdkHandler.js';
import { loopbackAwareCredentials } from './credentials.js';
import { FastKmsClient, type KmsSender } from './FastKmsClient.js';
import { FALLBACK_REGION } from '../model/region.js';

/**
 * The one way pylogen builds a KMS client (one per runner, reused for the whole run). The SDK's own
 * retries are off unless asked for: retried throttling would hide inside latency instead of being
 * counted as ThrottlingException. Endpoint, region and credentials otherwise come from the SDK's own
 * chain (AWS_ENDPOINT_URL_KMS, AWS_REGION, profiles, the credential providers), never re-implemented.
 */
export interface KmsClientOptions {
  /** A KMS endpoint URL; when absent the SDK resolves it (AWS_ENDPOINT_URL_KMS, config files, AWS). */
  endpoint?: string;
  region?: string;
  /** Retries after the first attempt (default 0); the SDK's standard retry strategy applies. */
  retries?: number;
  /** Whole-request timeout, and connection timeout, in ms (default 10 s). */
  timeoutMs?: number;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Sockets per client (default 1024): more than any per-runner concurrency, so none queue. */
  maxSockets?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_SOCKETS = 1024;

/** `--client`: `fast` speaks JSON 1.1 itself (src/kms/client/FastKmsClient.ts), `sdk` is KMSClient.send. */
export type KmsClientKind = 'fast' | 'sdk';
export const CLIENT_KINDS: readonly KmsClientKind[] = ['fast', 'sdk'];

let sdkRegion: Promise<string> | undefined;

/**
 * The region the SDK finds by itself (environment, shared config), or us-east-1 when it finds none.
 * Asked of a throwaway client, so the SDK's chain is used as is.
 */
function regionOrFallback(): Promise<string> {
  return (sdkRegion ??= (async () => {
    const probe = new KMSClient({});
    try {
      return await probe.config.region();
    } catch {
      return FALLBACK_REGION;
    } finally {
      probe.destroy();
    }
  })());
}

export function createKmsClient(opts: KmsClientOptions = {}): KMSClient {
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxSockets = opts.maxSockets ?? DEFAULT_MAX_SOCKETS;
  const config: KMSClientConfig = {
    maxAttempts: (opts.retries ?? 0) + 1,
    requestHandler: {
      requestTimeout: timeout,
      // Without it the SDK only warns when requestTimeout passes: a silent endpoint would hang a run.
      throwOnRequestTimeout: true,
      connectionTimeout: timeout,
      httpAgent: { keepAlive: true, maxSockets },
      httpsAgent: { keepAlive: true, maxSockets },
    },
  };
  if (opts.endpoint !== undefined) config.endpoint = opts.endpoint;
  if (opts.region !== undefined) config.region = opts.region;
  // An explicit endpoint (the embedded server, a KMS-compatible service) needs some region to sign
  // with even when none is configured anywhere; for AWS itself a missing region stays an SDK error.
  else if (opts.endpoint !== undefined) config.region = regionOrFallback;
  // Given credentials, else the SDK's chain, else throwaway ones for a loopback endpoint
  // (src/kms/client/credentials.ts: the one place that decides).
  const credentials = opts.credentials ?? loopbackAwareCredentials(opts.endpoint);
  if (credentials !== undefined) config.credentials = credentials;
  const client = new KMSClient(config);
  // The whole exchange within the timeout, answers within 1 MiB: as the fast client.
  boundSdkHandler(client, timeout);
  return client;
}

/**
 * The client a KMS CUT sends with (`--client`): both take their credentials, region, endpoint and
 * retry strategy from the same KMSClient configuration made here, so the two differ only in how a
 * request is built and sent.
 */
export function createKmsSender(kind: KmsClientKind, opts: KmsClientOptions = {}): KmsSender {
  const sdk = createKmsClient(opts);
  if (kind === 'sdk') {
    // The SDK's retry middleware records its attempts in $metadata, on an output and on an error alike.
    const count = (m: { attempts?: number } | undefined): void => {
      if (m?.attempts !== undefined && m.attempts > 1) sdkRetried.set(sdk, (sdkRetried.get(sdk) ?? 0) + m.attempts - 1);
    };
    sdk.middlewareStack.add(
      (next) => async (args) => {
        try {
          const out = await next(args);
          count((out.output as { $metadata?: { attempts?: number } }).$metadata);
          return out;
        } catch (err) {
          count((err as { $metadata?: { attempts?: number } } | null)?.$metadata);
          throw err;
        }
      },
      { step: 'initialize', name: 'pylogenRetryCount' },
    );
    return sdk;
  }
  return new FastKmsClient(sdk, { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxSockets: opts.maxSockets ?? DEFAULT_MAX_SOCKETS });
}

const sdkRetried = new WeakMap<object, number>();

/** Requests a sender made here sent again after a retryable failure (--retries), so far. */
export function retriedBy(sender: KmsSender): number {
  return sender instanceof FastKmsClient ? sender.retried : (sdkRetried.get(sender) ?? 0);
}

export type { KmsSender };

/**
 * The error type counted in a summary's errorsByType (the SDK's error name, TimeoutError, the errno
 * code of a network failure, `HTTP <status>`): the program's one classification, src/cut/errorType.ts.
 */
export { errorType as classifyError } from '../../cut/errorType.js';
