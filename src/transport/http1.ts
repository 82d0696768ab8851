/**
 * A minimal HTTP/1.1 client on node:net / node:tls sockets: one origin, keep-alive, at most
 * `connections` sockets (the requests beyond wait in order), no proxy (http.ts uses it only when no
 * proxy variable is set). It speaks what a load injector sends and a KMS answers, nothing more:
 * - the request: the request line, the caller's headers (plus Host and Content-Length when not
 *   given) and the body, one `socket.write` of one string per request; no pipelining, no Expect;
 * - the answer: the status line, the headers, a body by Content-Length, chunked (extensions and
 *   trailers skipped), or until the server closes; 1xx answers skipped; none for 204, 304 and HEAD;
 * - the faults, typed as node:http (hence the SDK's client) types them, so that both KMS clients count
 *   a fault under the same name: a malformed answer by llhttp's code (HPE_INVALID_CONSTANT,
 *   HPE_INVALID_VERSION, HPE_INVALID_STATUS, HPE_INVALID_HEADER_TOKEN, HPE_INVALID_CONTENT_LENGTH,
 *   HPE_UNEXPECTED_CONTENT_LENGTH, HPE_INVALID_TRANSFER_ENCODING, HPE_INVALID_CHUNK_SIZE, HPE_STRICT,
 *   HPE_HEADER_OVERFLOW past 16 KiB of head), a connection closed before the answer's end as
 *   ECONNRESET, connection and TLS errors as Node gives them; the bounds (time, size) are http.ts's.
 *   (undici, the transport before, left llhttp's code off its HTTPParserError.)
 * HTTPS is tls.connect with its defaults: Node's CA store plus NODE_EXTRA_CA_CERTS, the name checked,
 * SNI unless the host is an IP address.
 *
 * Why not undici: measured side by side (bench/http-transports.js, docs/performance.md "Which
 * client"), undici's request object, its header validation and its parser callbacks were most of the
 * fast client's transport cost; this client's per-request work is one string and one parse of a head.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { InFlight, type Deadlined } from './deadlines.js';
import { timeoutError, tooLarge } from './bounds.js';
import { explainScheme } from './scheme.js';
import type { HttpAnswer, HttpHeaders } from './http.js';

/** The largest answer head accepted: node:http's default (--max-http-header-size), undici's maxHeaderSize. */
const MAX_HEAD_BYTES = 16 * 1024;
/** A header name (RFC 9110 token), as llhttp checks it. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What may not be in a request header's value (a CR or LF would start another header). */
const UNSAFE_VALUE = /[\r\n\0]/;
const CRLF2 = Buffer.from('\r\n\r\n');

function parserError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'HTTPParserError', code });
}

function closedError(): Error {
  return Object.assign(new Error('the server closed the connection: other side closed'), { code: 'ECONNRESET' });
}

export interface Http1PoolOptions {
  timeoutMs: number;
  connections: number;
  maxAnswerBytes: number;
}

/** One request, from its call to its answer or its error. */
class Exchange implements Deadlined<Exchange> {
  deadline = 0;
  prev: Exchange | undefined;
  next: Exchange | undefined;
  done = false;
  conn: Conn | undefined;

  constructor(
    readonly wire: string | Buffer,
    readonly bodyless: boolean,
    private readonly resolve: (a: HttpAnswer) => void,
    private readonly reject: (e: Error) => void,
    private readonly pool: Http1Pool,
  ) {}

  timeout(): void {
    this.fail(timeoutError(this.pool.timeoutMs));
  }

  /** Ends with an error; its connection (if it has one) is dropped: what it was in the middle of cannot be used again. */
  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.pool.inFlight.remove(this);
    const conn = this.conn;
    this.conn = undefined;
    if (conn !== undefined) conn.drop();
    this.reject(err);
  }

  succeed(answer: HttpAnswer): void {
    if (this.done) return;
    this.done = true;
    this.pool.inFlight.remove(this);
    this.conn = undefined;
    this.resolve(answer);
  }
}

const enum State {
  Idle,
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
}

/** One keep-alive connection and the parser of its answers. */
class Conn {
  readonly socket: Socket;
  private ex: Exchange | undefined;
  private state = State.Idle;
  /** bytes of a head, a chunk-size line or a trailer not complete yet */
  private pending: Buffer | undefined;
  private remaining = 0;
  private status = 0;
  private headers: HttpHeaders = {};
  private chunks: Buffer[] = [];
  private bytes = 0;
  private keepAlive = true;
  private dropped = false;

  constructor(
    private readonly pool: Http1Pool,
    first: Exchange,
  ) {
    const { host, port, tls } = pool.target;
    this.socket = tls ? tlsConnect({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}) }) : netConnect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', (e: Error) => this.onError(e));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => this.onClose());
    this.send(first);
  }

  send(ex: Exchange): void {
    this.ex = ex;
    ex.conn = this;
    this.state = State.Head;
    this.keepAlive = true;
    this.socket.write(ex.wire);
  }

  /** Closes the socket now; the pool forgets it (its close event then finds no exchange to end). */
  drop(): void {
    if (this.dropped) return;
    this.dropped = true;
    this.ex = undefined;
    this.pool.forget(this);
    this.socket.destroy();
  }

  private onError(err: Error): void {
    const ex = this.ex;
    this.drop();
    if (ex === undefined) return;
    // A scheme that is not the server's says so (scheme.ts); a probe, when one is needed, is bounded and once per origin.
    const explained = explainScheme(err, this.pool.origin, this.pool.timeoutMs);
    if (explained instanceof Promise) void explained.then((e) => ex.fail(e));
    else ex.fail(explained);
  }

  private onEnd(): void {
    // An answer without a length ends with the connection; any other answer cut short is a reset.
    if (this.ex !== undefined && this.state === State.UntilClose) {
      this.keepAlive = false;
      this.complete(undefined);
    } else if (this.ex !== undefined) this.onError(closedError());
    else this.drop();
  }

  private onClose(): void {
    if (this.ex !== undefined) this.onError(closedError());
    else this.drop();
  }

  private fault(err: Error): void {
    const ex = this.ex;
    if (ex === undefined) this.drop();
    else ex.fail(err);
  }

  private onData(data: Buffer): void {
    if (this.ex === undefined) {
      // Bytes with no request out (HTTP/1.1 without pipelining): what is left of an answer that lied
      // about its length, or garbage; the connection cannot be trusted with another request.
      this.drop();
      return;
    }
    let buf = data;
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, data]);
      this.pending = undefined;
    }
    let off = 0;
    while (off < buf.length && this.ex !== undefined) {
      switch (this.state) {
        case State.Head: {
          const end = buf.indexOf(CRLF2, off);
          if (end < 0) {
            if (buf.length - off > MAX_HEAD_BYTES) return this.fault(parserError('HPE_HEADER_OVERFLOW', 'Header overflow'));
            this.pending = buf.subarray(off);
            return;
          }
          if (end - off > MAX_HEAD_BYTES) return this.fault(parserError('HPE_HEADER_OVERFLOW', 'Header overflow'));
          const err = this.head(buf.toString('latin1', off, end));
          if (err !== undefined) return this.fault(err);
          off = end + 4;
          if ((this.state as State) === State.Idle) this.complete(buf.length > off ? buf : undefined);
          break;
        }
        case State.Length: {
          off = this.take(buf, off);
          if (this.remaining === 0) this.complete(buf.length > off ? buf : undefined);
          break;
        }
        case State.UntilClose: {
          if (!this.body(buf.subarray(off))) return;
          off = buf.length;
          break;
        }
        case State.ChunkData: {
          off = this.take(buf, off);
          if (this.remaining === 0) this.state = State.ChunkEnd;
          break;
        }
        default: {
          // ChunkSize, ChunkEnd, Trailers: one line each.
          const nl = buf.indexOf('\r\n', off, 'latin1');
          if (nl < 0) {
            if (buf.length - off > MAX_HEAD_BYTES) return this.fault(parserError('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size'));
            this.pending = buf.subarray(off);
            return;
          }
          const line = buf.toString('latin1', off, nl);
          off = nl + 2;
          if (this.state === State.ChunkEnd) {
            if (line !== '') return this.fault(parserError('HPE_STRICT', 'Expected LF after chunk data'));
            this.state = State.ChunkSize;
          } else if (this.state === State.Trailers) {
            if (line === '') this.complete(buf.length > off ? buf : undefined);
          } else {
            const semi = line.indexOf(';');
            const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
            if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) return this.fault(parserError('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size'));
            const size = parseInt(hex, 16);
            if (size === 0) this.state = State.Trailers;
            else if (this.bytes + size > this.pool.maxAnswerBytes) {
              return this.fault(tooLarge(this.pool.maxAnswerBytes, `more than ${this.pool.maxAnswerBytes} bytes`));
            } else {
              this.bytes += size;
              this.remaining = size;
              this.state = State.ChunkData;
            }
          }
        }
      }
    }
  }

  /** Up to `remaining` bytes of a body (by Content-Length, or a chunk's) from `buf` at `off`: the offset past them. */
  private take(buf: Buffer, off: number): number {
    const n = Math.min(this.remaining, buf.length - off);
    this.chunks.push(buf.subarray(off, off + n));
    this.remaining -= n;
    return off + n;
  }

  /** A body's bytes of an answer without a length: false when they pass the bound (the exchange then failed). */
  private body(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.bytes > this.pool.maxAnswerBytes) {
      this.fault(tooLarge(this.pool.maxAnswerBytes, `more than ${this.pool.maxAnswerBytes} bytes`));
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  /** Parses an answer's head (without its blank line) and sets the state for its body; an error if malformed. */
  private head(text: string): Error | undefined {
    const lines = text.split('\r\n');
    const statusLine = lines[0]!;
    if (!statusLine.startsWith('HTTP/')) return parserError('HPE_INVALID_CONSTANT', 'Expected HTTP/');
    if (!/^HTTP\/1\.[01] $/.test(statusLine.slice(0, 9))) return parserError('HPE_INVALID_VERSION', 'Invalid HTTP version');
    const code = statusLine.slice(9, 12);
    if (!/^\d{3}$/.test(code) || (statusLine.length > 12 && statusLine[12] !== ' ')) return parserError('HPE_INVALID_STATUS', 'Invalid status code');
    const status = Number(code);
    const headers: HttpHeaders = {};
    let length: string | undefined;
    let chunked = false;
    let connection = '';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0 || !TOKEN.test(line.slice(0, colon))) return parserError('HPE_INVALID_HEADER_TOKEN', 'Invalid header token');
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d+$/.test(value)) return parserError('HPE_INVALID_CONTENT_LENGTH', 'Invalid character in Content-Length');
        if (length !== undefined && length !== value) return parserError('HPE_UNEXPECTED_CONTENT_LENGTH', 'Duplicate Content-Length');
        length = value;
      } else if (name === 'transfer-encoding') chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      else if (name === 'connection') connection = value.toLowerCase();
      if (headers[name] === undefined) headers[name] = value;
    }
    if (status >= 100 && status < 200 && status !== 101) return undefined; // informational: the answer follows
    if (chunked && length !== undefined) return parserError('HPE_INVALID_TRANSFER_ENCODING', "Transfer-Encoding can't be present with Content-Length");
    this.status = status;
    this.headers = headers;
    this.chunks = [];
    this.bytes = 0;
    this.keepAlive = statusLine[7] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    if (this.ex!.bodyless || status === 204 || status === 304) this.state = State.Idle;
    else if (chunked) this.state = State.ChunkSize;
    else if (length !== undefined) {
      const n = Number(length);
      if (n > this.pool.maxAnswerBytes) return tooLarge(this.pool.maxAnswerBytes, `Content-Length ${n}`);
      this.remaining = n;
      this.bytes = n;
      this.state = n === 0 ? State.Idle : State.Length;
    } else {
      this.keepAlive = false;
      this.state = State.UntilClose;
    }
    return undefined;
  }

  /** The answer is whole: hands it over, then the connection goes back to the pool or is closed. */
  private complete(leftover: Buffer | undefined): void {
    const ex = this.ex!;
    this.ex = undefined;
    this.state = State.Idle;
    const c = this.chunks;
    const body = c.length === 1 ? c[0]! : Buffer.concat(c);
    this.chunks = [];
    ex.succeed({ status: this.status, headers: this.headers, body });
    // Bytes past the answer's end (no pipelining): the connection cannot be trusted with another request.
    if (!this.keepAlive || leftover !== undefined) this.drop();
    else if (!this.dropped) this.pool.release(this);
  }
}

export class Http1Pool {
  readonly inFlight: InFlight<Exchange>;
  readonly target: { host: string; port: number; tls: boolean };
  readonly timeoutMs: number;
  readonly maxAnswerBytes: number;
  private readonly conns = new Set<Conn>();
  private readonly idle: Conn[] = [];
  private readonly queue: Exchange[] = [];
  private readonly hostHeader: string;
  private closed = false;

  constructor(
    /** scheme://host[:port], no path */
    readonly origin: string,
    private readonly opts: Http1PoolOptions,
  ) {
    const url = new URL(origin);
    const tls = url.protocol === 'https:';
    this.target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (tls ? 443 : 80)), tls };
    this.hostHeader = url.host;
    this.timeoutMs = opts.timeoutMs;
    this.maxAnswerBytes = opts.maxAnswerBytes;
    this.inFlight = new InFlight<Exchange>(opts.timeoutMs);
  }

  request(method: string, path: string, headers: HttpHeaders, body: string | Buffer): Promise<HttpAnswer> {
    let head = `${method} ${path} HTTP/1.1\r\n`;
    for (const name in headers) {
      const value = headers[name]!;
      if (!TOKEN.test(name) || UNSAFE_VALUE.test(value)) return Promise.reject(new TypeError(`invalid request header ${JSON.stringify(name)}`));
      head += `${name}: ${value}\r\n`;
    }
    if (headers.host === undefined && headers.Host === undefined) head += `host: ${this.hostHeader}\r\n`;
    if (headers['content-length'] === undefined && (body.length > 0 || (method !== 'GET' && method !== 'HEAD')))
      head += `content-length: ${Buffer.byteLength(body)}\r\n`;
    head += '\r\n';
    const wire = typeof body === 'string' ? head + body : Buffer.concat([Buffer.from(head, 'latin1'), body]);
    return new Promise<HttpAnswer>((resolve, reject) => {
      const ex = new Exchange(wire, method === 'HEAD', resolve, reject, this);
      if (this.closed) return ex.fail(destroyed());
      this.inFlight.add(ex);
      this.dispatch(ex);
    });
  }

  private dispatch(ex: Exchange): void {
    const idle = this.idle.pop();
    if (idle !== undefined) idle.send(ex);
    else if (this.conns.size < this.opts.connections) this.conns.add(new Conn(this, ex));
    else this.queue.push(ex);
  }

  /** The next request waiting, skipping those that ended while they waited (their deadline passed). */
  private nextQueued(): Exchange | undefined {
    let ex = this.queue.shift();
    while (ex !== undefined && ex.done) ex = this.queue.shift();
    return ex;
  }

  /** A connection whose answer is whole: the next request waiting, else idle. */
  release(conn: Conn): void {
    const ex = this.nextQueued();
    if (ex !== undefined) conn.send(ex);
    else this.idle.push(conn);
  }

  /** A connection closed: a request waiting gets a new one. */
  forget(conn: Conn): void {
    if (!this.conns.delete(conn)) return;
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    if (this.closed) return;
    const ex = this.nextQueued();
    if (ex !== undefined) this.conns.add(new Conn(this, ex));
  }

  /** Drops every connection now (requests in flight end as errors, as undici's destroy ends them). */
  close(): void {
    this.closed = true;
    for (const ex of this.inFlight.all()) ex.fail(destroyed());
    this.queue.length = 0;
    for (const c of [...this.conns]) c.drop();
    this.inFlight.close();
  }
}

function destroyed(): Error {
  return Object.assign(new Error('The client is destroyed'), { name: 'ClientDestroyedError', code: 'UND_ERR_DESTROYED' });
}
