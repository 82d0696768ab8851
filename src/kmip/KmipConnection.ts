/**
 * One TLS connection to a KMIP server (KMIP 1.x over TLS, port 5696 by default), carrying one
 * request message at a time: the specification lets a server answer in order only, so a request in
 * flight owns the connection until its response has arrived. Responses are framed by the TTLV
 * header (8 bytes, the length in bytes 4-7). TLS sessions are resumed: the session of the previous
 * connection to the same server is offered when the next one is made (KmipClient keeps it).
 */
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { messageLength } from './ttlv.js';

export interface KmipTlsOptions {
  host: string;
  port: number;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  /** the server certificate's name when it is not the host (TLS SNI and the name check) */
  servername?: string;
}

/** A request over --timeout; the connection is closed, since its answer may still come. */
export class KmipTimeoutError extends Error {
  override name = 'TimeoutError';
}

/** The connection closed (or failed) while a request was in flight. */
export class KmipConnectionError extends Error {
  override name = 'KmipConnectionError';
  constructor(
    message: string,
    readonly code: string | undefined,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

interface Pending {
  resolve: (response: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class KmipConnection {
  private chunks: Buffer[] = [];
  private received = 0;
  private expected = -1;
  private pending: Pending | undefined;
  private failure: Error | undefined;
  closed = false;

  private constructor(readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(new KmipConnectionError(`connection failed: ${err.message}`, err.code ?? 'ECONNRESET', err)));
    socket.on('close', () => this.fail(new KmipConnectionError('the server closed the connection', 'ECONNRESET')));
  }

  /** Opens a connection; `session` is a TLS session to resume, `onSession` gets the new one. */
  static open(tls: KmipTlsOptions, timeoutMs: number, session: Buffer | undefined, onSession: (s: Buffer) => void): Promise<KmipConnection> {
    return new Promise((resolve, reject) => {
      const options: ConnectionOptions = {
        host: tls.host,
        port: tls.port,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        minVersion: 'TLSv1.2',
        ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
        ...(session !== undefined ? { session } : {}),
      };
      const socket = connect(options);
      socket.setNoDelay(true);
      socket.on('session', onSession);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new KmipTimeoutError(`no TLS connection to ${tls.host}:${tls.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (err: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once('error', onError);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new KmipConnection(socket));
      });
    });
  }

  /** Whether the last connection resumed a TLS session (for tests and -v). */
  get resumed(): boolean {
    return this.socket.isSessionReused();
  }

  /** Sends one encoded request message and resolves with the encoded response message. */
  request(message: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.pending !== undefined) return Promise.reject(new Error('KmipConnection: a request is already in flight'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new KmipTimeoutError(`no KMIP response within ${timeoutMs} ms`));
        this.close();
      }, timeoutMs);
      this.pending = { resolve, reject, timer };
      this.socket.write(message);
    });
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.received += chunk.length;
    while (true) {
      if (this.expected < 0) {
        if (this.received < 8) return;
        const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.received);
        this.chunks = [all];
        this.expected = messageLength(all);
      }
      if (this.received < this.expected) return;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.received);
      const message = all.subarray(0, this.expected);
      const rest = all.subarray(this.expected);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.received = rest.length;
      this.expected = -1;
      const p = this.pending;
      this.pending = undefined;
      if (p === undefined) {
        // An answer nobody waits for (its request timed out): the stream can no longer be trusted.
        this.close();
        return;
      }
      clearTimeout(p.timer);
      p.resolve(message);
    }
  }

  private fail(err: Error): void {
    this.closed = true;
    this.failure ??= err;
    const p = this.pending;
    this.pending = undefined;
    if (p !== undefined) {
      clearTimeout(p.timer);
      p.reject(this.failure);
    }
  }

  close(): void {
    this.closed = true;
    this.failure ??= new KmipConnectionError('the connection was closed', 'ECONNRESET');
    this.socket.destroy();
  }
}
