/**
 * One origin's HTTP/1.1 keep-alive transport for a load injector: `pool.request(method, path,
 * headers, body)` → the status, the headers and the whole body, or an error counted by type. No
 * protocol in it (the fast KMS client signs and parses around it; other HTTP key managers may reuse
 * it). What it guarantees, whatever the server does:
 * - the whole exchange (queueing, connecting, sending, headers, every byte of the body) ends within
 *   `timeoutMs`: past it, TimeoutError, and the connection is dropped (a server trickling one byte a
 *   second cannot hold a request longer);
 * - an answer larger than `maxAnswerBytes` (1 MiB by default: no KMS answer comes near) ends as
 *   ResponseTooLargeError as soon as its Content-Length or its bytes say so, with nothing more
 *   buffered: the runner's memory stays bounded;
 * - a connection the server closes mid-answer is ECONNRESET (as node:http, hence the SDK, names it);
 *   a malformed answer is typed by llhttp's code (HPE_*) (src/cut/errorType.ts);
 * - HTTPS with Node's CA store plus NODE_EXTRA_CA_CERTS (node:tls defaults);
 * - HTTP_PROXY / HTTPS_PROXY / NO_PROXY (either case) honoured when set, as curl and the AWS CLI do.
 *
 * Two transports: without proxy variables, pylogen's own HTTP/1.1 client on sockets (http1.ts: it
 * measured cheaper per request than undici's Pool.dispatch, docs/performance.md "Which client"); with
 * them, undici's EnvHttpProxyAgent (CONNECT tunnels, NO_PROXY) and a plain dispatch handler: no
 * stream, no promise per chunk; undici's per-phase timers (headersTimeout, bodyTimeout) off, the one
 * timer of deadlines.ts bounds the whole exchange.
 */
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { MAX_ANSWER_BYTES, timeoutError, tooLarge } from './bounds.js';
import { explainScheme } from './scheme.js';
import { InFlight, type Deadlined } from './deadlines.js';
import { Http1Pool } from './http1.js';

export type HttpHeaders = Record<string, string>;

export interface HttpAnswer {
  status: number;
  /** lower-case names; a repeated header keeps its first value */
  headers: HttpHeaders;
  body: Buffer;
}

export interface HttpPoolOptions {
  /** Whole-exchange bound in ms (connection included). */
  timeoutMs: number;
  /** Connections at most to the origin (one pool per runner): the bounded pool. */
  connections: number;
  /** Bytes of an answer's body at most (default MAX_ANSWER_BYTES). */
  maxAnswerBytes?: number;
}

/** A variable by its lower-case name, else its upper-case one, an empty value taken as unset (as curl does). */
function variable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name] || env[name.toUpperCase()];
  return v === '' ? undefined : v;
}

/**
 * The proxy settings of the environment, or undefined when no proxy is set (NO_PROXY alone changes
 * nothing). Given to undici explicitly: it reads an empty https_proxy as set and ignores HTTPS_PROXY.
 */
export function proxyEnv(env: NodeJS.ProcessEnv = process.env): { httpProxy?: string; httpsProxy?: string; noProxy?: string } | undefined {
  const httpProxy = variable(env, 'http_proxy');
  const httpsProxy = variable(env, 'https_proxy');
  if (httpProxy === undefined && httpsProxy === undefined) return undefined;
  const noProxy = variable(env, 'no_proxy');
  return { ...(httpProxy === undefined ? {} : { httpProxy }), ...(httpsProxy === undefined ? {} : { httpsProxy }), noProxy: noProxy ?? '' };
}

/** Through a proxy (undici, which speaks CONNECT), when the environment sets one. */
class ProxiedPool {
  private readonly dispatcher: Dispatcher;
  private readonly inFlight: InFlight<Exchange>;

  constructor(
    readonly origin: string,
    private readonly opts: HttpPoolOptions & { maxAnswerBytes: number },
    proxy: NonNullable<ReturnType<typeof proxyEnv>>,
  ) {
    this.inFlight = new InFlight<Exchange>(opts.timeoutMs);
    this.dispatcher = new EnvHttpProxyAgent({ connections: opts.connections, connectTimeout: opts.timeoutMs, headersTimeout: 0, bodyTimeout: 0, ...proxy });
  }

  request(method: string, path: string, headers: HttpHeaders, body: string | Buffer): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      const exchange = new Exchange(resolve, reject, this.opts.maxAnswerBytes, this.opts.timeoutMs, this.origin, this.inFlight);
      this.inFlight.add(exchange);
      this.dispatcher.dispatch({ origin: this.origin, method, path, headers, body }, exchange);
    });
  }

  close(): void {
    this.inFlight.close();
    void this.dispatcher.destroy().catch(() => undefined);
  }
}

export class HttpPool {
  private readonly transport: Http1Pool | ProxiedPool;

  constructor(
    /** scheme://host[:port], no path */
    readonly origin: string,
    opts: HttpPoolOptions,
  ) {
    const o = { ...opts, maxAnswerBytes: opts.maxAnswerBytes ?? MAX_ANSWER_BYTES };
    // Without proxy variables, the socket client (http1.ts); with them, undici's proxy agent, which
    // also applies NO_PROXY.
    const proxy = proxyEnv();
    this.transport = proxy === undefined ? new Http1Pool(origin, o) : new ProxiedPool(origin, o, proxy);
  }

  request(method: string, path: string, headers: HttpHeaders, body: string | Buffer): Promise<HttpAnswer> {
    return this.transport.request(method, path, headers, body);
  }

  /** Drops every connection now (requests in flight end as errors). */
  close(): void {
    this.transport.close();
  }
}

/** One request's handler (undici's callback API, the cheapest: no wrapping, no stream). */
class Exchange implements Dispatcher.DispatchHandler, Deadlined<Exchange> {
  private abort: ((err: Error) => void) | undefined;
  /** performance.now() past which it ends as a TimeoutError, and its neighbours in flight (InFlight) */
  deadline = 0;
  prev: Exchange | undefined;
  next: Exchange | undefined;
  private done = false;
  private status = 0;
  private headers: HttpHeaders = {};
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  constructor(
    private readonly resolve: (a: HttpAnswer) => void,
    private readonly reject: (e: Error) => void,
    private readonly maxBytes: number,
    private readonly timeoutMs: number,
    private readonly origin: string,
    private readonly inFlight: InFlight<Exchange>,
  ) {}

  timeout(): void {
    // Still queued or connecting: aborted as soon as undici hands the request its abort.
    this.fail(timeoutError(this.timeoutMs));
  }

  private fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.inFlight.remove(this);
    this.chunks.length = 0;
    this.reject(err);
    this.abort?.(err);
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    if (this.done) abort(new Error('request abandoned'));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (this.done) return false;
    this.status = statusCode;
    const headers: HttpHeaders = {};
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!.toString('latin1').toLowerCase();
      if (headers[name] === undefined) headers[name] = rawHeaders[i + 1]!.toString('latin1');
    }
    this.headers = headers;
    const length = Number(headers['content-length']);
    if (length > this.maxBytes) this.fail(tooLarge(this.maxBytes, `Content-Length ${length}`));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return false;
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      this.fail(tooLarge(this.maxBytes, `more than ${this.maxBytes} bytes`));
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.done) return;
    this.done = true;
    this.inFlight.remove(this);
    const c = this.chunks;
    this.resolve({ status: this.status, headers: this.headers, body: c.length === 1 ? c[0]! : Buffer.concat(c, this.bytes) });
  }

  onError(err: Error): void {
    // A scheme that is not the server's says so (scheme.ts); a probe, when one is needed, is bounded and once per origin.
    const explained = explainScheme(socketClosed(err), this.origin, this.timeoutMs);
    if (explained instanceof Promise) void explained.then((e) => this.fail(e));
    else this.fail(explained);
  }
}

/**
 * undici's "other side closed" (UND_ERR_SOCKET) is what node:http, hence the SDK, reports as
 * ECONNRESET: the same type for both clients.
 */
function socketClosed(err: Error): Error {
  if ((err as { code?: unknown }).code !== 'UND_ERR_SOCKET') return err;
  return Object.assign(new Error(`the server closed the connection: ${err.message}`, { cause: err }), { code: 'ECONNRESET' });
}
