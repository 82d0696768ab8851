import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, UsageError } from '../../core/errors.js';
import type { KeyEntry } from '../model/keyfile.js';
import { SignatureVerifier } from './auth.js';
import { KmsError } from './errors.js';
import type { Json } from './input.js';
import { OPERATIONS, OTHER_AWS_OPERATIONS } from './ops/table.js';
import type { SigningCredentials } from '../model/sigv4.js';
import { exportKeys, importKeys, type SharedKeys } from './sharedKeys.js';
import { KeyStore } from './store.js';
import { TokenBucket } from './tokenBucket.js';

/**
 * The embedded KMS-compatible server: the AWS KMS JSON 1.1 protocol (POST /, X-Amz-Target:
 * TrentService.<Operation>) over plain node:http, real cryptography with node:crypto, errors in AWS's
 * shape, and fault injection (latency, throttling, 5xx errors) for tests. It exists so that every KMS
 * CUT runs offline through the real SDK over real HTTP. Signatures (SigV4) are checked when the server
 * is given credentials (src/kms/server/auth.ts), else any signature passes; no header is ever echoed
 * or logged: the Authorization header carries the caller's access key id.
 */
export interface KmsServerOptions {
  /** Default 127.0.0.1: the server has no authentication and must not be reachable from elsewhere. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Keys (and their aliases) created at start, e.g. the entries of profiles/KmsDefault.json. */
  keys?: KeyEntry[];
  /** Added to every response that is not throttled, uniformly drawn in [min, max] ms. */
  latencyMs?: { min: number; max: number };
  /** Token bucket (burst of a tenth of a second): over it, ThrottlingException (HTTP 400) as AWS. */
  throttleRps?: number;
  /** Probability in [0, 1] of answering KMSInternalException (HTTP 500) instead of serving a request. */
  errorRate?: number;
  /** Region and account in the ARNs the server returns (defaults us-east-1, 111122223333). */
  region?: string;
  accountId?: string;
  /** When given, every request must be SigV4-signed with them (for the server's region, service kms). */
  credentials?: SigningCredentials;
  /** Keys made by another process (the primary of `kms serve --workers N`): used instead of `keys`. */
  shared?: SharedKeys;
  /** Connections held at once (default DEFAULT_MAX_CONNECTIONS); past it, node:http closes a new one at once. */
  maxConnections?: number;
}

export interface KmsServerStats {
  requests: number;
  throttled: number;
  injectedErrors: number;
}

export interface KmsServerHandle {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): KmsServerStats;
}

const BODY_LIMIT = 1024 * 1024;
export const DEFAULT_MAX_CONNECTIONS = 1024;
// The request bodies held at once, all connections together: past it, ThrottlingException. Without
// it, 600 stalled 1 MB bodies held 600 MB.
const HELD_LIMIT = 64 * BODY_LIMIT;
// A refused caller that keeps sending is cut this long after its answer (its body is read and dropped).
const REFUSED_LINGER_MS = 1000;
// Beyond this, an oversized body is no longer drained for a clean 413: the connection is cut.
const DRAIN_LIMIT = 16 * BODY_LIMIT;
const TARGET_PREFIX = 'TrentService.';
const JSON_TYPE = 'application/x-amz-json-1.1';

function checkOptions(opts: KmsServerOptions): void {
  const bad = (what: string, value: unknown): never => {
    throw new UsageError(`kms server: ${what}, but is ${JSON.stringify(value)}`);
  };
  if (opts.host !== undefined && (typeof opts.host !== 'string' || opts.host === '')) bad('host must be a host name or address', opts.host);
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port >= 0 && opts.port <= 65535))
    bad('port must be an integer from 0 to 65535', opts.port);
  if (opts.errorRate !== undefined && !(opts.errorRate >= 0 && opts.errorRate <= 1)) bad('errorRate must be between 0 and 1', opts.errorRate);
  if (opts.throttleRps !== undefined && !(opts.throttleRps > 0 && Number.isFinite(opts.throttleRps)))
    bad('throttleRps must be a positive number', opts.throttleRps);
  if (opts.maxConnections !== undefined && !(Number.isInteger(opts.maxConnections) && opts.maxConnections >= 1))
    bad('maxConnections must be a positive integer', opts.maxConnections);
  const c = opts.credentials;
  if (c !== undefined && !(typeof c.accessKeyId === 'string' && c.accessKeyId !== '' && typeof c.secretAccessKey === 'string' && c.secretAccessKey !== '')) {
    throw new UsageError('kms server: credentials must have a non-empty access key id and secret');
  }
  const l = opts.latencyMs;
  if (l !== undefined && !(Number.isFinite(l.min) && Number.isFinite(l.max) && l.min >= 0 && l.min <= l.max)) {
    bad('latencyMs must be { min, max } with 0 <= min <= max', l);
  }
}

async function createEntries(store: KeyStore, entries: readonly KeyEntry[]): Promise<void> {
  // Key pairs are generated in parallel (libuv's pool); aliases are added in file order afterwards.
  const keys = await Promise.all(
    entries.map(async (e) => {
      try {
        const id = e.keyId?.replace(/^arn:.*:key\//, '');
        return await store.createKey({
          spec: e.keySpec,
          usage: e.keyUsage,
          description: e.description ?? `pylogen ${e.name}`,
          ...(id === undefined ? {} : { id }),
        });
      } catch (err) {
        throw new UsageError(`kms server: key "${e.name}": ${err instanceof KmsError ? err.message : describeError(err)}`);
      }
    }),
  );
  entries.forEach((e, i) => {
    if (e.alias === undefined) return;
    try {
      store.addAlias(e.alias, (keys[i] as { id: string }).id);
    } catch (err) {
      throw new UsageError(`kms server: key "${e.name}": ${(err as Error).message}`);
    }
  });
}

/** The keys of a key file generated once, as data for the workers of one server (server-shared-keys.ts). */
export async function generateSharedKeys(opts: Pick<KmsServerOptions, 'keys' | 'region' | 'accountId'>): Promise<SharedKeys> {
  const store = new KeyStore(opts.region ?? 'us-east-1', opts.accountId ?? '111122223333');
  await createEntries(store, opts.keys ?? []);
  return exportKeys(store);
}

export async function startKmsServer(opts: KmsServerOptions = {}): Promise<KmsServerHandle> {
  checkOptions(opts);
  const host = opts.host ?? '127.0.0.1';
  const store = new KeyStore(opts.region ?? 'us-east-1', opts.accountId ?? '111122223333');
  if (opts.shared !== undefined) importKeys(store, opts.shared);
  else await createEntries(store, opts.keys ?? []);

  const stats: KmsServerStats = { requests: 0, throttled: 0, injectedErrors: 0 };
  const bucket = opts.throttleRps === undefined ? undefined : new TokenBucket(opts.throttleRps, Math.max(1, Math.ceil(opts.throttleRps / 10)));
  const errorRate = opts.errorRate ?? 0;
  const latency = opts.latencyMs !== undefined && opts.latencyMs.max > 0 ? opts.latencyMs : undefined;
  const timers = new Set<NodeJS.Timeout>();
  const verifier = opts.credentials === undefined ? undefined : new SignatureVerifier(opts.credentials, store.region);

  const send = (res: ServerResponse, status: number, payload: string, requestId: string, errorType?: string): void => {
    if (res.writableEnded || res.destroyed) return;
    const headers: OutgoingHttpHeaders = {
      'Content-Type': JSON_TYPE,
      'Content-Length': Buffer.byteLength(payload),
      'x-amzn-RequestId': requestId,
    };
    if (errorType !== undefined) headers['x-amzn-ErrorType'] = errorType;
    res.writeHead(status, headers);
    res.end(payload);
  };

  const sendError = (res: ServerResponse, err: KmsError, requestId: string): void => {
    send(res, err.status, JSON.stringify({ __type: err.type, message: err.message }), requestId, err.type);
  };

  /** Delays a response by the configured latency, as a slower KMS would. */
  const later = (fn: () => void): void => {
    if (latency === undefined) return fn();
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        fn();
      },
      latency.min + Math.random() * (latency.max - latency.min),
    );
    timers.add(timer);
  };

  const answer = (res: ServerResponse, requestId: string, outcome: Json | KmsError): void => {
    later(() => (outcome instanceof KmsError ? sendError(res, outcome, requestId) : send(res, 200, JSON.stringify(outcome), requestId)));
  };

  const internal = (op: string, err: unknown): KmsError => {
    // A bug of this server, never the caller's input: say so on stderr, without request data.
    process.stderr.write(`pylogen kms server: internal error in ${op}: ${describeError(err)}\n`);
    return new KmsError('KMSInternalException', 'The request was rejected because an internal exception occurred.', 500);
  };

  const dispatch = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const requestId = randomUUID();
    const refused = verifier?.check(req.method ?? '', req.url ?? '/', req.headers, body);
    if (refused !== undefined) return sendError(res, refused, requestId);
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
      return sendError(res, new KmsError('UnknownOperationException', 'Expected POST / with an X-Amz-Target: TrentService.<Operation> header'), requestId);
    }
    const name = target.slice(TARGET_PREFIX.length);
    const op = OPERATIONS.get(name);
    if (op === undefined) {
      const err = OTHER_AWS_OPERATIONS.has(name)
        ? new KmsError('UnsupportedOperationException', `${name} is not implemented by the pylogen embedded server`)
        : new KmsError('UnknownOperationException', `Unknown operation ${name.slice(0, 100)}`);
      return sendError(res, err, requestId);
    }
    if (bucket !== undefined && !bucket.take()) {
      stats.throttled++;
      return sendError(
        res,
        new KmsError('ThrottlingException', 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.'),
        requestId,
      );
    }
    if (errorRate > 0 && Math.random() < errorRate) {
      stats.injectedErrors++;
      return answer(
        res,
        requestId,
        new KmsError('KMSInternalException', 'The request was rejected because an internal exception occurred (injected by --error-rate).', 500),
      );
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return answer(res, requestId, new KmsError('SerializationException', 'The request body is not valid JSON'));
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return answer(res, requestId, new KmsError('SerializationException', 'The request body must be a JSON object'));
    }
    let result: Json | Promise<Json>;
    try {
      result = op(input as Json, store);
    } catch (err) {
      return answer(res, requestId, err instanceof KmsError ? err : internal(name, err));
    }
    if (result instanceof Promise) {
      result.then(
        (out) => answer(res, requestId, out),
        (err: unknown) => answer(res, requestId, err instanceof KmsError ? err : internal(name, err)),
      );
    } else {
      answer(res, requestId, result);
    }
  };

  /** Answers at once and closes the connection; the body is read and dropped, a caller that keeps sending is cut. */
  const refuse = (req: IncomingMessage, res: ServerResponse, err: KmsError): void => {
    res.shouldKeepAlive = false;
    sendError(res, err, randomUUID());
    if (req.complete) return;
    req.resume();
    const timer = setTimeout(() => req.socket.destroy(), REFUSED_LINGER_MS);
    timer.unref();
    req.once('close', () => clearTimeout(timer));
  };
  /** bytes of request bodies held, all connections together (HELD_LIMIT) */
  let held = 0;
  const server = createServer({ noDelay: true }, (req, res) => {
    stats.requests++;
    req.on('error', () => undefined); // the client went away: nothing to answer
    res.on('error', () => undefined);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > DRAIN_LIMIT) {
      res.shouldKeepAlive = false;
      return sendError(res, new KmsError('ValidationException', `The request body exceeds ${BODY_LIMIT} bytes`, 413), randomUUID());
    }
    // An unsigned or unknown caller is answered before its body is read: it holds no memory.
    const unsigned = verifier?.checkHeaders(req.headers);
    if (unsigned !== undefined) return refuse(req, res, unsigned);
    let chunks: Buffer[] = [];
    let size = 0;
    let mine = 0;
    const release = () => {
      held -= mine;
      mine = 0;
      chunks = [];
    };
    req.once('close', release);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (res.writableEnded) return; // refused: read and dropped
      if (size <= BODY_LIMIT) {
        if (held + chunk.length > HELD_LIMIT) {
          release();
          return refuse(req, res, new KmsError('ThrottlingException', 'The server holds too many request bodies at once. Retry later.'));
        }
        chunks.push(chunk);
        held += chunk.length;
        mine += chunk.length;
      } else if (size > DRAIN_LIMIT) {
        res.shouldKeepAlive = false;
        sendError(res, new KmsError('ValidationException', `The request body exceeds ${BODY_LIMIT} bytes`, 413), randomUUID());
        req.destroy();
      }
    });
    req.on('end', () => {
      if (size > BODY_LIMIT) {
        // Drained rather than cut, so that the client reads this answer instead of a reset.
        return sendError(res, new KmsError('ValidationException', `The request body exceeds ${BODY_LIMIT} bytes`, 413), randomUUID());
      }
      if (res.writableEnded) return;
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      release();
      dispatch(req, res, body);
    });
  });
  // Longer than any client's idle keep-alive, so that a reused socket is never closed under a request
  // (Node's default of 5 s makes load tests see ECONNRESET); headersTimeout must exceed it.
  server.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const payload = JSON.stringify({ __type: 'SerializationException', message: 'Malformed HTTP request' });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: ${JSON_TYPE}\r\nx-amzn-RequestId: ${randomUUID()}\r\nx-amzn-ErrorType: SerializationException\r\n` +
        `Content-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
    );
  });

  await new Promise<void>((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException): void =>
      reject(new UsageError(`kms server: cannot listen on ${host}:${opts.port ?? 0}: ${err.code ?? describeError(err)}`));
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stats: () => ({ ...stats }),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
