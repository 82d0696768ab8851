/**
 * The fast KMS client (`--client fast`, the default): AWS JSON 1.1 spoken directly — POST /,
 * content-type application/x-amz-json-1.1, X-Amz-Target TrentService.<Operation>, SigV4 with
 * node:crypto and a signing key cached per day (src/kms/model/sigv4.ts) — on keep-alive connections
 * (src/transport/http.ts: undici, the whole exchange bounded by the timeout, answers bounded to
 * 1 MiB, proxies from the environment), so that the injector measures the KMS rather than the SDK's
 * middleware (docs/kms-clients.md).
 *
 * What is not re-implemented comes from the SDK itself, through a KMSClient made by createKmsClient
 * (the same settings as `--client sdk`, never sent a request): the credential provider chain, with
 * its refresh before expiry; the region; the endpoint rules (FIPS, dual stack, AWS_ENDPOINT_URL_KMS,
 * --endpoint); the standard retry strategy (throttling and transient errors, jittered backoff, the
 * retry quota) and its error classifiers; the bodies and answers (the SDK's operation schemas,
 * src/kms/client/operationCodec.ts); the exceptions (src/kms/client/serviceError.ts). A CUT calls it as it calls
 * KMSClient — `client.send(new EncryptCommand({...}))` — and gets the same output or the same error.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { getRetryAfterHint, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { codecOf, type OperationCodec } from './operationCodec.js';
import { serviceError, type ResponseMetadata } from './serviceError.js';
import { SigV4Signer, type SigningCredentials } from '../model/sigv4.js';
import type { HttpPool } from '../../transport/http.js';

/** What KmsCut's CUTs use of a client: KMSClient has it, FastKmsClient has it. */
export interface KmsSender {
  send: KMSClient['send'];
  destroy(): void;
}

/** The SDK's own threshold: credentials expiring within 5 minutes are refreshed before use. */
const REFRESH_BEFORE_MS = 5 * 60_000;
const JSON_TYPE = 'application/x-amz-json-1.1';

interface Target {
  url: URL;
  region: string;
  signer: SigV4Signer;
  pool: HttpPool;
  /** the Host header: host[:port], the port only when not the scheme's default */
  hostHeader: string;
}

interface Credentials extends SigningCredentials {
  expiration?: Date;
}

interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
  $retryLog?: { acquisitionDelay?: number };
}
interface RetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, info: { error: unknown; errorType: string; retryAfterHint?: Date }): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

/** The SDK's retry middleware's classification of an error. */
function retryErrorType(err: Error): string {
  const e = err as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(e)) return 'THROTTLING';
  if (isTransientError(e)) return 'TRANSIENT';
  if (isServerError(e)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

export interface FastKmsClientOptions {
  /** Whole-request timeout in ms (connection included): past it, TimeoutError, as the SDK's. */
  timeoutMs: number;
  /** Sockets at most per client (one client per runner): the bounded pool. */
  maxSockets: number;
}

export class FastKmsClient implements KmsSender {
  private target: Target | Promise<Target> | undefined;
  private creds: Credentials | undefined;
  private refreshing: Promise<Credentials> | undefined;
  private readonly codecs = new Map<unknown, OperationCodec>();
  private pool: HttpPool | undefined;
  private destroyed = false;
  private readonly maxAttempts: Promise<number>;
  /** maxAttempts once resolved: read on every request, without a promise to await */
  private attemptsMax: number | undefined;
  private retryStrategy: RetryStrategy | undefined;
  /** requests sent again by the retry strategy (--retries) */
  retried = 0;

  /** `sdk`: a KMSClient made by createKmsClient, whose configuration (not its transport) is used. */
  constructor(
    private readonly sdk: KMSClient,
    private readonly opts: FastKmsClientOptions,
  ) {
    this.maxAttempts = Promise.resolve(sdk.config.maxAttempts()).then((n) => (this.attemptsMax = Number.isInteger(n) && n >= 1 ? n : 1));
  }

  destroy(): void {
    this.destroyed = true;
    this.pool?.close();
    this.sdk.destroy();
  }

  /** The URL requests go to, as the SDK's rules resolve it (for messages and tests). */
  async endpoint(): Promise<string> {
    const t = await (this.target ??= this.resolveTarget());
    return t.url.href;
  }

  /** The endpoint and region, resolved once by the SDK's rules. */
  private async resolveTarget(): Promise<Target> {
    const config = this.sdk.config;
    const region = await config.region();
    let endpoint: string | undefined;
    if (config.isCustomEndpoint && config.endpoint !== undefined) {
      const ep = await config.endpoint();
      endpoint = `${ep.protocol}//${ep.hostname}${ep.port === undefined ? '' : `:${ep.port}`}${ep.path}`;
    } else {
      endpoint = (await config.serviceConfiguredEndpoint?.()) ?? undefined;
    }
    const resolved = config.endpointProvider({
      Region: region,
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
      ...(endpoint === undefined ? {} : { Endpoint: endpoint }),
    });
    const url = new URL(resolved.url.href);
    // Loaded with the first request: the commands that only build a client (and the main process of
    // a run) do not load undici.
    const { HttpPool } = await import('../../transport/http.js');
    this.pool = new HttpPool(url.origin, { timeoutMs: this.opts.timeoutMs, connections: this.opts.maxSockets });
    if (this.destroyed) this.pool.close();
    const t: Target = { url, region, signer: new SigV4Signer(region, 'kms'), pool: this.pool, hostHeader: url.host };
    this.target = t;
    return t;
  }

  /** The SDK chain's credentials, refreshed (once, for all requests in flight) before they expire. */
  private credentials(): Credentials | Promise<Credentials> {
    const c = this.creds;
    if (c !== undefined && (c.expiration === undefined || c.expiration.getTime() - Date.now() > REFRESH_BEFORE_MS)) return c;
    return (this.refreshing ??= (async () => {
      try {
        const fresh = (await this.sdk.config.credentials()) as Credentials;
        this.creds = fresh;
        return fresh;
      } finally {
        this.refreshing = undefined;
      }
    })());
  }

  private codec(command: { schema?: unknown; constructor: unknown }): OperationCodec {
    let codec = this.codecs.get(command.constructor);
    if (codec === undefined) {
      codec = codecOf(command);
      if (codec === undefined)
        throw new TypeError(
          `the fast KMS client cannot send ${String((command.constructor as { name?: unknown }).name)}: not a command of @aws-sdk/client-kms`,
        );
      this.codecs.set(command.constructor, codec);
    }
    return codec;
  }

  send = ((command: { input: object; schema?: unknown }) => this.sendCommand(command)) as unknown as KMSClient['send'];

  private async sendCommand(command: { input: object; schema?: unknown }): Promise<unknown> {
    const codec = this.codec(command as { schema?: unknown; constructor: unknown });
    const body = codec.encode(command.input);
    const target = this.target instanceof Promise || this.target === undefined ? await (this.target ??= this.resolveTarget()) : this.target;
    const maxAttempts = this.attemptsMax ?? (await this.maxAttempts);
    if (maxAttempts === 1) {
      try {
        return await this.attempt(codec, target, body, 1, 0);
      } catch (err) {
        throw withAttempts(err, 1, 0);
      }
    }
    // The SDK's retry middleware, step by step (@smithy/core retryMiddleware).
    const strategy = (this.retryStrategy ??= (await this.sdk.config.retryStrategy()) as unknown as RetryStrategy);
    let token = await strategy.acquireInitialRetryToken('');
    let attempts = 0;
    let totalRetryDelay = 0;
    for (;;) {
      try {
        const out = await this.attempt(codec, target, body, attempts + 1, totalRetryDelay);
        strategy.recordSuccess(token);
        return out;
      } catch (err) {
        const error = err as Error & { $response?: { statusCode: number; headers: Record<string, string> } };
        const info: { error: unknown; errorType: string; retryAfterHint?: Date } = { error, errorType: retryErrorType(error) };
        const hint = error.$response === undefined ? undefined : getRetryAfterHint(error.$response as never);
        if (hint !== undefined) info.retryAfterHint = hint;
        try {
          token = await strategy.refreshRetryTokenForRetry(token, info);
        } catch {
          throw withAttempts(error, attempts + 1, totalRetryDelay);
        }
        attempts = token.getRetryCount();
        this.retried++;
        const delay = token.getRetryDelay();
        totalRetryDelay += (token.$retryLog?.acquisitionDelay ?? 0) + delay;
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** One signed request and its answer: the output, or the SDK's exception for it. */
  private async attempt(codec: OperationCodec, target: Target, body: string, attempts: number, totalRetryDelay: number): Promise<unknown> {
    const credsOrPromise = this.credentials();
    const creds = credsOrPromise instanceof Promise ? await credsOrPromise : credsOrPromise;
    const headers: Record<string, string> = {
      host: target.hostHeader,
      'content-type': JSON_TYPE,
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-target': codec.target,
    };
    target.signer.sign('POST', '/', headers, body, creds);
    const answer = await target.pool.request('POST', '/', headers, body);
    const $metadata: ResponseMetadata = {
      httpStatusCode: answer.status,
      requestId: answer.headers['x-amzn-requestid'],
      extendedRequestId: answer.headers['x-amz-id-2'],
      cfId: answer.headers['x-amz-cf-id'],
      attempts,
      totalRetryDelay,
    };
    let data: unknown;
    try {
      data = answer.body.length === 0 ? {} : JSON.parse(answer.body.toString('utf8'));
    } catch (err) {
      if (answer.status < 300) {
        // as the SDK leaves it on a deserialization error: what answered, for the preflight (preflight.ts notKmsAnswer)
        Object.defineProperty(err, '$response', { value: { statusCode: answer.status, headers: answer.headers }, enumerable: false });
        throw Object.assign(err as Error, { $metadata });
      }
      data = undefined;
    }
    const obj = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
    if (answer.status >= 300) {
      const err = serviceError(answer.status, answer.headers['x-amzn-errortype'], obj, $metadata);
      Object.defineProperty(err, '$response', { value: { statusCode: answer.status, headers: answer.headers }, enumerable: false });
      throw err;
    }
    const out = codec.decode(obj ?? {});
    out.$metadata = $metadata;
    return out;
  }
}

/** $metadata.attempts and totalRetryDelay on an error, as the SDK's retry middleware leaves them. */
function withAttempts(err: unknown, attempts: number, totalRetryDelay: number): unknown {
  if (typeof err !== 'object' || err === null) return err;
  const e = err as { $metadata?: ResponseMetadata };
  e.$metadata = { ...(e.$metadata ?? {}), attempts, totalRetryDelay };
  return err;
}
