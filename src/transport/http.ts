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
 *   a malformed answer keeps undici's llhttp code (HPE_*) as its type (src/cut/errorType.ts);
 * - HTTPS with Node's CA store plus NODE_EXTRA_CA_CERTS (undici connects with node:tls defaults);
 * - HTTP_PROXY / HTTPS_PROXY / NO_PROXY (either case) honoured when set, through undici's
 *   EnvHttpProxyAgent (CONNECT tunnels), as curl and the AWS CLI do.
 *
 * Why undici's Pool.dispatch with a plain handler: measured side by side (bench/http-transports.js,
 * docs/performance.md), signed Encrypts per CPU-second were 1.7-3x node:http's keep-alive Agent, above
 * Pool.request (whose body is a stream); no stream, no promise per chunk, one object per request.
 * undici's own per-phase timers (headersTimeout, bodyTimeout) are off: the one timer here bounds the
 * whole exchange.
 */
import { EnvHttpProxyAgent, Pool, type Dispatcher } from 'undici';
import { MAX_ANSWER_BYTES, timeoutError, tooLarge } from './bounds.js';
import { explainScheme } from './scheme.js';

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

export class HttpPool {
  private readonly dispatcher: Dispatcher;
  private readonly maxAnswerBytes: number;
  private readonly inFlight: InFlight;

  constructor(
    /** scheme://host[:port], no path */
    readonly origin: string,
    private readonly opts: HttpPoolOptions,
  ) {
    this.maxAnswerBytes = opts.maxAnswerBytes ?? MAX_ANSWER_BYTES;
    this.inFlight = new InFlight(opts.timeoutMs);
    const settings = { connections: opts.connections, connectTimeout: opts.timeoutMs, headersTimeout: 0, bodyTimeout: 0 };
    // Without proxy variables, the Pool itself: no per-request origin lookup of an Agent.
    const proxy = proxyEnv();
    this.dispatcher = proxy === undefined ? new Pool(origin, settings) : new EnvHttpProxyAgent({ ...settings, ...proxy });
  }

  request(method: string, path: string, headers: HttpHeaders, body: string | Buffer): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      const exchange = new Exchange(resolve, reject, this.maxAnswerBytes, this.opts.timeoutMs, this.origin, this.inFlight);
      this.inFlight.add(exchange);
      this.dispatcher.dispatch({ origin: this.origin, method, path, headers, body }, exchange);
    });
  }

  /** Drops every connection now (requests in flight end as errors). */
  close(): void {
    this.inFlight.close();
    void this.dispatcher.destroy().catch(() => undefined);
  }
}

/**
 * The exchanges in flight, oldest first, and one timer for the oldest one's deadline. Every exchange
 * of a pool has the same timeout, so their deadlines come in the order they started: a linked list
 * (O(1) to add and to remove, nothing allocated) and one timer stand for a timer per request (a
 * Timeout object, its async resource and its list entry, made and cleared thousands of times a second).
 * The bound is as exact as with a timer per request: the timer fires at the oldest deadline, every
 * exchange past its deadline then ends, and the timer is armed again for the new oldest one.
 */
class InFlight {
  private first: Exchange | undefined;
  private last: Exchange | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  add(e: Exchange): void {
    e.deadline = performance.now() + this.timeoutMs;
    e.prev = this.last;
    if (this.last === undefined) this.first = e;
    else this.last.next = e;
    this.last = e;
    if (this.timer === undefined) this.arm(e.deadline);
  }

  remove(e: Exchange): void {
    if (e.prev === undefined) {
      if (this.first !== e) return; // not in the list (any more)
      this.first = e.next;
    } else e.prev.next = e.next;
    if (e.next === undefined) this.last = e.prev;
    else e.next.prev = e.prev;
    e.prev = e.next = undefined;
    // Nothing in flight: no timer keeps the process alive. Else it stays armed for an earlier
    // deadline, and is armed again for the oldest one left when it fires.
    if (this.first === undefined) this.close();
  }

  private arm(deadline: number): void {
    this.timer = setTimeout(() => this.expire(), Math.max(1, Math.ceil(deadline - performance.now())));
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    // A timer may fire early by a rounding of its milliseconds: what is due within half of one is due.
    while (this.first !== undefined && this.first.deadline <= now + 0.5) this.first.timeout();
    if (this.first !== undefined) this.arm(this.first.deadline);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** One request's handler (undici's callback API, the cheapest: no wrapping, no stream). */
class Exchange implements Dispatcher.DispatchHandler {
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
    private readonly inFlight: InFlight,
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
