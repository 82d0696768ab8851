/**
 * The embedded Vault Transit server (`pylogen vault serve`, `--endpoint vault-local`): Vault's HTTP
 * API v1 on node:http — the Transit endpoints of src/vault/server/transit.ts under their mounts,
 * sys/seal-status, sys/health, sys/mounts (read, enable a transit mount), sys/tools/random and
 * auth/token/lookup-self — with Vault's envelope (`request_id`, `data`, `warnings`, ...), its
 * `{"errors": [...]}` bodies and status codes. Tokens are checked when it is given one (X-Vault-Token
 * or Authorization: Bearer; 403 "permission denied" otherwise); it never logs a header or a body.
 * Fault injection as `kms serve`'s: --latency, --throttle (429 "rate limit quota exceeded" with
 * Retry-After, as a Vault rate-limit quota answers), --error-rate (500), --sealed (503 "Vault is
 * sealed"), and `standbyOf` (a performance standby: 307 to the active node) for the client's tests.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MOUNT, MAX_BODY, type KeyType } from '../model.js';
import { TransitError } from './keys.js';
import { TransitMount, type Json, type Outcome } from './transit.js';

/** A key made at start (a key file's entry). */
export interface StartKey {
  mount?: string;
  name: string;
  type: KeyType;
  derived?: boolean;
  exportable?: boolean;
}

export interface VaultServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** When given, every request but sys/seal-status and sys/health must carry it. */
  token?: string;
  keys?: readonly StartKey[];
  latencyMs?: { min: number; max: number };
  /** Requests/s over all clients (token bucket, burst of a tenth of a second): over it, 429. */
  throttleRps?: number;
  /** Probability in [0, 1] of answering 500 instead of serving a request. */
  errorRate?: number;
  /** Answers 503 "Vault is sealed" to everything but sys/seal-status and sys/health. */
  sealed?: boolean;
  /** A performance standby of this active node's URL: Transit requests are answered 307 to it. */
  standbyOf?: string;
}

export interface VaultServerStats {
  requests: number;
  throttled: number;
  injectedErrors: number;
}

export interface VaultServerHandle {
  url: string;
  port: number;
  stats(): VaultServerStats;
  close(): Promise<void>;
}

const VERSION = '1.15.0';
const JSON_TYPE = 'application/json';

class Bucket {
  private tokens: number;
  private last = performance.now();
  constructor(
    private readonly rate: number,
    private readonly burst = Math.max(1, Math.ceil(rate / 10)),
  ) {
    this.tokens = burst;
  }
  take(): boolean {
    const t = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export async function startVaultServer(opts: VaultServerOptions = {}): Promise<VaultServerHandle> {
  const mounts = new Map<string, TransitMount>([[DEFAULT_MOUNT, new TransitMount(DEFAULT_MOUNT)]]);
  for (const k of opts.keys ?? []) {
    const path = k.mount ?? DEFAULT_MOUNT;
    let mount = mounts.get(path);
    if (mount === undefined) mounts.set(path, (mount = new TransitMount(path)));
    try {
      mount.createKey(k.name, { type: k.type, derived: k.derived === true, exportable: k.exportable === true });
    } catch (err) {
      throw new Error(`vault server: key ${k.name}: ${(err as Error).message}`);
    }
  }
  const stats: VaultServerStats = { requests: 0, throttled: 0, injectedErrors: 0 };
  const bucket = opts.throttleRps === undefined ? undefined : new Bucket(opts.throttleRps);
  const errorRate = opts.errorRate ?? 0;
  const latency = opts.latencyMs !== undefined && opts.latencyMs.max > 0 ? opts.latencyMs : undefined;
  const timers = new Set<NodeJS.Timeout>();
  const started = new Date().toISOString();

  const write = (res: ServerResponse, status: number, body: string | undefined, extra?: Record<string, string>): void => {
    if (res.writableEnded || res.destroyed) return;
    const send = (): void => {
      if (res.writableEnded || res.destroyed) return;
      const headers: Record<string, string | number> = { 'Cache-Control': 'no-store', ...extra };
      if (body !== undefined) {
        headers['Content-Type'] = JSON_TYPE;
        headers['Content-Length'] = Buffer.byteLength(body);
      }
      res.writeHead(status, headers);
      res.end(body);
    };
    if (latency === undefined) return send();
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        send();
      },
      latency.min + Math.random() * (latency.max - latency.min),
    );
    timers.add(timer);
  };
  const errors = (res: ServerResponse, status: number, messages: string[], extra?: Record<string, string>): void =>
    write(res, status, JSON.stringify({ errors: messages }), extra);
  const answer = (res: ServerResponse, o: Outcome, mountType: string): void => {
    if (o.data === null) return o.status === 204 ? write(res, 204, undefined) : errors(res, o.status, []);
    write(
      res,
      o.status,
      JSON.stringify({
        request_id: randomUUID(),
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data: o.data,
        wrap_info: null,
        warnings: o.warnings ?? null,
        auth: null,
        mount_type: mountType,
      }),
    );
  };

  const sealStatus = (): Json => ({
    type: 'shamir',
    initialized: true,
    sealed: opts.sealed === true,
    t: 1,
    n: 1,
    progress: 0,
    nonce: '',
    version: VERSION,
    build_date: '2023-09-22T20:53:58Z',
    migration: false,
    ...(opts.sealed === true ? {} : { cluster_name: 'pylogen-embedded', cluster_id: '00000000-0000-0000-0000-000000000000' }),
    recovery_seal: false,
    storage_type: 'inmem',
  });

  const tokenOf = (req: IncomingMessage): string | undefined => {
    const t = req.headers['x-vault-token'];
    if (typeof t === 'string' && t !== '') return t;
    const a = req.headers.authorization;
    return typeof a === 'string' && a.startsWith('Bearer ') ? a.slice(7) : undefined;
  };

  const route = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const method = req.method === 'PUT' ? 'POST' : (req.method ?? 'GET');
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const list = q >= 0 && /(?:^|&)list=true(?:&|$)/.test(url.slice(q + 1));
    if (!path.startsWith('/v1/')) return errors(res, 404, []);
    const rel = path.slice(4).replace(/\/+$/, '');
    if (rel === 'sys/seal-status' && method === 'GET') return write(res, 200, JSON.stringify(sealStatus()));
    if (rel === 'sys/health' && (method === 'GET' || method === 'HEAD')) {
      const h = {
        initialized: true,
        sealed: opts.sealed === true,
        standby: opts.standbyOf !== undefined,
        performance_standby: opts.standbyOf !== undefined,
        server_time_utc: Math.floor(Date.now() / 1000),
        version: VERSION,
      };
      return write(res, opts.sealed === true ? 503 : opts.standbyOf !== undefined ? 473 : 200, JSON.stringify(h));
    }
    if (opts.sealed === true) return errors(res, 503, ['Vault is sealed']);
    if (opts.token !== undefined && tokenOf(req) !== opts.token) return errors(res, 403, ['permission denied']);
    if (opts.standbyOf !== undefined && !rel.startsWith('sys/') && !rel.startsWith('auth/')) {
      return write(res, 307, undefined, { Location: `${opts.standbyOf}${url}` });
    }
    if (bucket !== undefined && !bucket.take()) {
      stats.throttled++;
      return errors(res, 429, [`request path "${rel}": rate limit quota exceeded`], { 'Retry-After': '1' });
    }
    if (errorRate > 0 && Math.random() < errorRate) {
      stats.injectedErrors++;
      return errors(res, 500, ['internal error (injected by --error-rate)']);
    }
    let input: Json = {};
    if (body.length > 0) {
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return errors(res, 400, ['error parsing JSON']);
        input = parsed as Json;
      } catch {
        return errors(res, 400, ['error parsing JSON']);
      }
    }
    try {
      const outcome = dispatch(method, rel, input, list);
      if (outcome === undefined) return errors(res, 404, [`no handler for route "${rel}". route entry not found.`]);
      answer(res, outcome, rel.startsWith('sys/') || rel.startsWith('auth/') ? (rel.startsWith('auth/') ? 'token' : 'system') : 'transit');
    } catch (err) {
      if (err instanceof TransitError) return errors(res, err.status, [err.message]);
      process.stderr.write(`pylogen vault server: internal error on ${method} ${rel.split('/').slice(0, 2).join('/')}: ${(err as Error).message}\n`);
      errors(res, 500, ['internal error']);
    }
  };

  const dispatch = (method: string, rel: string, input: Json, list: boolean): Outcome | undefined => {
    if (rel === 'auth/token/lookup-self' && method === 'GET') {
      return {
        status: 200,
        data: {
          accessor: 'pylogen-embedded',
          creation_time: Math.floor(Date.parse(started) / 1000),
          creation_ttl: 0,
          display_name: 'token',
          entity_id: '',
          expire_time: null,
          explicit_max_ttl: 0,
          id: '',
          issue_time: started,
          meta: null,
          num_uses: 0,
          orphan: true,
          path: 'auth/token/create',
          policies: ['root'],
          renewable: false,
          ttl: 0,
          type: 'service',
        },
      };
    }
    if (rel === 'sys/mounts' && method === 'GET') {
      const data: Json = {};
      for (const m of mounts.keys())
        data[`${m}/`] = { type: 'transit', description: '', accessor: `transit_${m}`, config: {}, options: null, local: false, seal_wrap: false };
      return { status: 200, data };
    }
    if (rel.startsWith('sys/mounts/')) {
      const path = rel.slice('sys/mounts/'.length);
      if (path === '' || path.includes('/')) return undefined;
      if (method === 'GET') return mounts.has(path) ? { status: 200, data: { type: 'transit', options: null, config: {} } } : { status: 400, data: null };
      if (method !== 'POST') return undefined;
      if (input.type !== 'transit') throw new TransitError(400, `plugin not found in the catalog: ${String(input.type ?? '')}`);
      if (mounts.has(path)) throw new TransitError(400, `path is already in use at ${path}/`);
      mounts.set(path, new TransitMount(path));
      return { status: 204, data: null };
    }
    if (rel === 'sys/tools/random' || rel.startsWith('sys/tools/random/')) {
      if (method !== 'POST') return undefined;
      return mounts.get(DEFAULT_MOUNT)!.random(input, rel.split('/').slice(3));
    }
    const slash = rel.indexOf('/');
    const mount = mounts.get(slash < 0 ? rel : rel.slice(0, slash));
    if (mount === undefined || slash < 0) return undefined;
    return mount.handle(method === 'GET' && list ? 'LIST' : method, rel.slice(slash + 1).split('/'), input, list);
  };

  const server = createServer({ noDelay: true }, (req, res) => {
    stats.requests++;
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return errors(res, 413, [`http: request body too large`]);
      route(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
