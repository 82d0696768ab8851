/**
 * A small keep-alive client of Vault's HTTP API: one per runner, one Agent per scheme (bounded:
 * sockets made on demand, reused), the token and namespace headers built once, a whole-request
 * timeout (connection included: past it a TimeoutError), answers read up to 1 MiB, `--retries` of
 * 429 and 5xx answers (and of a connection reset) with full-jitter exponential backoff (Retry-After
 * honoured up to the cap), and a performance standby's 307 followed to the active node (counted in
 * `redirects`). The token is sent, never shown: messages name the method and the path only. An
 * address whose scheme is not the server's says so in the error (transport/scheme.ts).
 *
 * It could share the lean undici transport of src/kms/client once that lands; node:http keeps this
 * folder free of a new dependency meanwhile.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { explainScheme } from '../transport/scheme.js';
import { MAX_BODY } from './model.js';
import { VaultError } from './VaultError.js';

export interface VaultClientOptions {
  /** http(s)://host:port of Vault (VAULT_ADDR) */
  address: string;
  token?: string;
  /** X-Vault-Namespace (Vault Enterprise, HCP, OpenBao namespaces) */
  namespace?: string;
  /** whole-request timeout, ms */
  timeoutMs: number;
  /** retries of a 429 / 5xx answer or a reset connection */
  retries: number;
  /** CA certificates (PEM) to trust instead of the system's (VAULT_CACERT) */
  ca?: string;
  /** skip TLS verification (VAULT_SKIP_VERIFY: said on purpose, warned about by the caller) */
  insecure?: boolean;
}

/** A request over --timeout. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** An answer that is not Vault's JSON, or over the size cap. */
export class VaultProtocolError extends Error {
  override name = 'VaultProtocolError';
}

const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 5_000;
const MAX_REDIRECTS = 3;

export type VaultBody = Record<string, unknown> & { data?: Record<string, unknown> };

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

export class VaultClient {
  /** 307s followed to an active node */
  redirects = 0;
  /** requests sent again after a retryable failure */
  retried = 0;
  readonly address: URL;
  private readonly httpAgent = new HttpAgent({ keepAlive: true, scheduling: 'lifo' });
  private httpsAgent: HttpsAgent | undefined;
  private readonly headers: OutgoingHttpHeaders;
  private readonly bodyHeaders = new Map<string, OutgoingHttpHeaders>();

  constructor(private readonly o: VaultClientOptions) {
    this.address = new URL(o.address);
    this.headers = { 'Content-Type': 'application/json' };
    if (o.token !== undefined && o.token !== '') this.headers['X-Vault-Token'] = o.token;
    if (o.namespace !== undefined && o.namespace !== '') this.headers['X-Vault-Namespace'] = o.namespace;
  }

  /** `method /v1/<path>` with a JSON body; the parsed answer (null for 204). A batch answer with failed items (400 and `batch_results`) resolves too when `batch`. */
  call(method: string, path: string, body?: string, batch = false): Promise<VaultBody | null> {
    // The first attempt without an async frame of its own: the hot path is one send and one read.
    const first = this.once(method, path, body, batch);
    return this.o.retries > 0 ? first.catch((err: unknown) => this.retry(err, 0, method, path, body, batch)) : first;
  }

  private async retry(err: unknown, attempt: number, method: string, path: string, body: string | undefined, batch: boolean): Promise<VaultBody | null> {
    for (;;) {
      const retryable = err instanceof VaultError ? err.retryable : (err as { code?: string }).code === 'ECONNRESET';
      if (!retryable || attempt >= this.o.retries) throw err;
      const hint = err instanceof VaultError && err.retryAfter !== undefined ? Math.min(err.retryAfter * 1000, BACKOFF_CAP_MS) : undefined;
      const ceiling = hint ?? Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
      attempt++;
      this.retried++;
      // Full jitter (AWS's backoff); a Retry-After is kept within its upper half.
      await new Promise((r) => setTimeout(r, hint === undefined ? Math.random() * ceiling : ceiling * (0.5 + Math.random() / 2)));
      try {
        return await this.once(method, path, body, batch);
      } catch (next) {
        err = next;
      }
    }
  }

  private once(method: string, path: string, body: string | undefined, batch: boolean): Promise<VaultBody | null> {
    const target = path.startsWith('/') ? path : `/v1/${path}`;
    return this.send(this.address, method, target, body).then((a) => this.answer(a, this.address, method, target, body, batch, 0));
  }

  /** Reads an answer, or follows a performance standby's 307 to the active node (at most MAX_REDIRECTS hops). */
  private answer(
    a: Answer,
    url: URL,
    method: string,
    target: string,
    body: string | undefined,
    batch: boolean,
    hop: number,
  ): VaultBody | null | Promise<VaultBody | null> {
    if ((a.status === 307 || a.status === 308) && typeof a.headers.location === 'string' && hop < MAX_REDIRECTS) {
      this.redirects++;
      const next = new URL(a.headers.location, url);
      const nextTarget = next.pathname + next.search;
      return this.send(next, method, nextTarget, body).then((b) => this.answer(b, next, method, nextTarget, body, batch, hop + 1));
    }
    return this.read(a, method, target, batch);
  }

  private read(a: Answer, method: string, target: string, batch: boolean): VaultBody | null {
    const what = `${method} ${target.replace(/^\/v1\//, '').replace(/\?.*$/, '')}`;
    if (a.status === 204) return null;
    let parsed: unknown;
    try {
      parsed = a.text === '' ? {} : JSON.parse(a.text);
    } catch {
      // Not JSON, so not Vault's answer (a web server's page, a proxy's): what answered, for the preflight.
      const notVault = `HTTP ${a.status}, ${String(a.headers['content-type'] ?? 'no Content-Type').split(';')[0]}`;
      if (a.status >= 300) throw Object.assign(new VaultError(a.status, [], what, retryAfterOf(a)), { notVault });
      throw Object.assign(new VaultProtocolError(`${what}: HTTP ${a.status} with a body that is not JSON`), { notVault });
    }
    const o = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as VaultBody;
    if (a.status < 300) return o;
    if (batch && Array.isArray((o.data as { batch_results?: unknown } | undefined)?.batch_results)) return o;
    const errors = Array.isArray(o.errors) ? o.errors.map(String) : [];
    throw new VaultError(a.status, errors, what, retryAfterOf(a));
  }

  private send(url: URL, method: string, target: string, body: string | undefined): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const https = url.protocol === 'https:';
      const headers = body === undefined ? this.headers : this.headersFor(body);
      const req = (https ? httpsRequest : httpRequest)({
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
        method,
        path: target,
        headers,
        agent: https ? this.tlsAgent() : this.httpAgent,
      });
      const timer = setTimeout(
        () => req.destroy(new TimeoutError(`${method} ${target.replace(/^\/v1\//, '')}: no answer within ${this.o.timeoutMs} ms (--timeout)`)),
        this.o.timeoutMs,
      );
      req.on('error', (err) => {
        clearTimeout(timer);
        // A scheme that is not the server's says so, as the KMS clients' errors do (transport/scheme.ts).
        const explained = explainScheme(err, url.origin, this.o.timeoutMs);
        if (explained instanceof Promise) void explained.then(reject);
        else reject(explained);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) req.destroy(new VaultProtocolError(`${method} ${target.replace(/^\/v1\//, '')}: the answer exceeds ${MAX_BODY} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8') });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
      req.end(body);
    });
  }

  /** The headers of a body, made once per body (a CUT sends the same few bodies over and over). */
  private headersFor(body: string): OutgoingHttpHeaders {
    let h = this.bodyHeaders.get(body);
    if (h === undefined) {
      h = { ...this.headers, 'Content-Length': Buffer.byteLength(body) };
      if (this.bodyHeaders.size >= 64) this.bodyHeaders.clear();
      this.bodyHeaders.set(body, h);
    }
    return h;
  }

  private tlsAgent(): HttpsAgent {
    this.httpsAgent ??= new HttpsAgent({
      keepAlive: true,
      scheduling: 'lifo',
      ...(this.o.ca !== undefined ? { ca: this.o.ca } : {}),
      ...(this.o.insecure === true ? { rejectUnauthorized: false } : {}),
    });
    return this.httpsAgent;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent?.destroy();
  }
}

function retryAfterOf(a: Answer): number | undefined {
  const v = a.headers['retry-after'];
  const n = typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
