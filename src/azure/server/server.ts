/**
 * The embedded Azure Key Vault / Managed HSM server (`pylogen azure serve`, `--endpoint azure-local`):
 * the keys REST API that @azure/keyvault-keys speaks (create, get, encrypt, decrypt, sign, verify,
 * wrapkey, unwrapkey, and Managed HSM's rng), over HTTPS on loopback with a throwaway CA (the SDK
 * refuses bearer tokens over plain HTTP), with the challenge-based authentication the SDK performs:
 * a request without a bearer token is answered 401 with `WWW-Authenticate: Bearer authorization=...,
 * resource=...`, after which the client asks its credential for a token of that resource. Answers
 * and errors follow the Key Vault REST reference (KeyBundle, base64url values, `kid` with versions,
 * `{"error":{"code","message","innererror"}}`), and fault injection is that of `kms serve`: latency,
 * a token bucket answering 429 Throttled with Retry-After, and a rate of 503 ServiceUnavailable.
 * The server counts the requests it served per operation: a test proves one call per measured one.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeThrowawayPki } from '../../kmip/throwawayPki.js';
import { TokenBucket } from '../../kms/server/tokenBucket.js';
import { AZURE_CURVES, AZURE_KTYS, type AzureKeyEntry } from '../keyfile.js';
import { badParameter, makeVaultKey, VaultError, type VaultKey } from './vaultKeys.js';

export type AzureFlavour = 'vault' | 'managedhsm';

export interface AzureServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** vault (Key Vault: RSA, EC, RSA-HSM, EC-HSM) or managedhsm (also oct-HSM keys and /rng). Default vault. */
  flavour?: AzureFlavour;
  /** Keys created at start (e.g. the entries of profiles/AzureDefault.json). */
  keys?: readonly AzureKeyEntry[];
  /** The bearer token every request must carry; absent: any bearer token is accepted. */
  token?: string;
  /** Added to every answer that is not a challenge, uniformly drawn in [min, max] ms. */
  latencyMs?: { min: number; max: number };
  /** Requests per second (token bucket, a tenth of a second of burst); over it 429 Throttled. */
  throttleRps?: number;
  /** Probability in [0, 1] of answering 503 ServiceUnavailable instead of serving a request. */
  errorRate?: number;
}

export interface AzureServerStats {
  /** every request received */
  requests: number;
  /** 401 challenges answered (no or wrong bearer token) */
  challenges: number;
  throttled: number;
  injectedErrors: number;
  /** operations served (answered 2xx or with Key Vault's error), by name: sign, get, encrypt, rng, ... */
  ops: Record<string, number>;
}

export interface AzureServerHandle {
  /** https://127.0.0.1:PORT */
  url: string;
  port: number;
  flavour: AzureFlavour;
  /** the PEM certificate of the throwaway CA that signed the server's certificate */
  ca: string;
  stats(): AzureServerStats;
  close(): Promise<void>;
}

const BODY_LIMIT = 1024 * 1024;
const MAX_RANDOM = 128;
const RESOURCE: Record<AzureFlavour, string> = { vault: 'https://vault.azure.net', managedhsm: 'https://managedhsm.azure.net' };
const TENANT = '00000000-0000-0000-0000-000000000000';
// The SDK sends it as api%2Dversion (its URL template escapes the dash).
const API_VERSION_PARAM = /(^|&)api(-|%2D)version=[^&]/i;
const KEY_OPS = new Set(['encrypt', 'decrypt', 'sign', 'verify', 'wrapkey', 'unwrapkey']);

type Body = Record<string, unknown>;

const bytes = (body: Body, field: string, required = true): Buffer | undefined => {
  const v = body[field];
  if (v === undefined || v === null) {
    if (required) throw badParameter(`The parameter ${field} is required.`);
    return undefined;
  }
  if (typeof v !== 'string' || !/^[A-Za-z0-9_-]*={0,2}$/.test(v)) throw badParameter(`The parameter ${field} must be base64url.`);
  return Buffer.from(v, 'base64url');
};
const text = (body: Body, field: string): string => {
  const v = body[field];
  if (typeof v !== 'string' || v === '') throw badParameter(`The parameter ${field} is required.`);
  return v;
};

export async function startAzureServer(opts: AzureServerOptions = {}): Promise<AzureServerHandle> {
  const flavour = opts.flavour ?? 'vault';
  const pki = makeThrowawayPki();
  const keys = new Map<string, VaultKey[]>();
  for (const k of opts.keys ?? []) {
    if (keys.has(k.name)) continue;
    const key = await makeVaultKey(k.name, k);
    keys.set(k.name, [key]);
  }
  const stats: AzureServerStats = { requests: 0, challenges: 0, throttled: 0, injectedErrors: 0, ops: {} };
  const bucket = opts.throttleRps === undefined ? undefined : new TokenBucket(opts.throttleRps, Math.max(1, Math.ceil(opts.throttleRps / 10)));
  const latency = opts.latencyMs !== undefined && opts.latencyMs.max > 0 ? opts.latencyMs : undefined;
  const errorRate = opts.errorRate ?? 0;
  const token = opts.token === undefined ? undefined : Buffer.from(`Bearer ${opts.token}`);
  const challenge = `Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="${RESOURCE[flavour]}"`;
  let base = '';

  const count = (op: string): void => {
    stats.ops[op] = (stats.ops[op] ?? 0) + 1;
  };

  const send = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void => {
    const out = JSON.stringify(body);
    const write = (): void => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(out),
        'x-ms-keyvault-service-version': '1.9.0.0',
        ...headers,
      });
      res.end(out);
    };
    if (latency === undefined || status === 401) write();
    else setTimeout(write, latency.min + Math.random() * (latency.max - latency.min));
  };
  const fail = (res: ServerResponse, e: VaultError, headers?: Record<string, string>): void =>
    send(res, e.status, { error: { code: e.code, message: e.message, ...(e.inner === undefined ? {} : { innererror: { code: e.inner } }) } }, headers);

  const authorized = (req: IncomingMessage): boolean => {
    const auth = req.headers.authorization;
    if (auth === undefined || !auth.startsWith('Bearer ') || auth.length <= 7) return false;
    if (token === undefined) return true;
    const given = Buffer.from(auth);
    return given.length === token.length && timingSafeEqual(given, token);
  };

  const keyOf = (name: string, version: string): VaultKey => {
    const versions = keys.get(name);
    const key = versions === undefined ? undefined : version === '' ? versions[versions.length - 1] : versions.find((k) => k.version === version);
    if (key === undefined)
      throw new VaultError(404, 'KeyNotFound', `A key with (name/id) ${name}${version === '' ? '' : `/${version}`} was not found in this key vault.`);
    return key;
  };

  const create = async (name: string, body: Body): Promise<object> => {
    const kty = body.kty;
    if (!(AZURE_KTYS as readonly unknown[]).includes(kty)) throw badParameter(`The parameter kty must be one of ${AZURE_KTYS.join(', ')}.`);
    if (kty === 'oct-HSM' && flavour !== 'managedhsm') throw badParameter('Key type oct-HSM is only supported by Managed HSM.');
    const crv = body.crv ?? (String(kty).startsWith('EC') ? 'P-256' : undefined);
    if (crv !== undefined && !(AZURE_CURVES as readonly unknown[]).includes(crv))
      throw badParameter(`The parameter crv must be one of ${AZURE_CURVES.join(', ')}.`);
    const size = body.key_size ?? (String(kty).startsWith('RSA') ? 2048 : 256);
    const valid = String(kty).startsWith('RSA') ? [2048, 3072, 4096] : [128, 192, 256];
    if (!String(kty).startsWith('EC') && !valid.includes(size as number)) throw badParameter(`The parameter key_size must be one of ${valid.join(', ')}.`);
    const ops = Array.isArray(body.key_ops) ? body.key_ops.map(String) : undefined;
    const key = await makeVaultKey(name, {
      kty: kty as AzureKeyEntry['kty'],
      size: size as number,
      curve: crv as AzureKeyEntry['curve'],
      ...(ops === undefined ? {} : { keyOps: ops }),
    });
    const attrs = body.attributes as { enabled?: unknown } | undefined;
    if (attrs?.enabled === false) key.enabled = false;
    const versions = keys.get(name) ?? [];
    versions.push(key);
    keys.set(name, versions);
    return key.bundle(base);
  };

  const operate = (key: VaultKey, op: string, body: Body): object => {
    const alg = text(body, 'alg');
    const kid = `${base}/keys/${key.name}/${key.version}`;
    switch (op) {
      case 'encrypt': {
        const r = key.encrypt(alg, bytes(body, 'value')!, bytes(body, 'aad', false));
        return {
          kid,
          value: r.value.toString('base64url'),
          ...(r.iv === undefined ? {} : { iv: r.iv.toString('base64url'), tag: r.tag!.toString('base64url') }),
        };
      }
      case 'decrypt':
        return {
          kid,
          value: key.decrypt(alg, bytes(body, 'value')!, bytes(body, 'iv', false), bytes(body, 'tag', false), bytes(body, 'aad', false)).toString('base64url'),
        };
      case 'sign':
        return { kid, value: key.sign(alg, bytes(body, 'value')!).toString('base64url') };
      case 'verify':
        return { value: key.verify(alg, bytes(body, 'digest')!, bytes(body, 'value')!) };
      case 'wrapkey':
        return { kid, value: key.wrap(alg, bytes(body, 'value')!).toString('base64url') };
      default:
        return { kid, value: key.unwrap(alg, bytes(body, 'value')!).toString('base64url') };
    }
  };

  /** Routes one authorized request; returns the operation's name and its answer. */
  const route = async (method: string, path: string[], body: Body): Promise<[string, object]> => {
    // /keys/{name}/create, /keys/{name}[/{version}], /keys/{name}/{version}/{op} (version may be empty), /rng
    if (path[0] === 'rng' && path.length === 1 && method === 'POST') {
      if (flavour !== 'managedhsm') throw badParameter('GetRandomBytes is only supported by Managed HSM.');
      const n = body.count;
      if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > MAX_RANDOM)
        throw badParameter(`The parameter count must be an integer from 1 to ${MAX_RANDOM}.`);
      return ['rng', { value: randomBytes(n as number).toString('base64url') }];
    }
    if (path[0] === 'keys' && path.length >= 2 && path[1] !== '') {
      const name = path[1]!;
      if (path.length === 3 && path[2] === 'create' && method === 'POST') return ['create', await create(name, body)];
      if (path.length <= 3 && method === 'GET') return ['get', keyOf(name, path[2] ?? '').bundle(base)];
      if (path.length === 4 && method === 'POST' && KEY_OPS.has(path[3]!)) return [path[3]!, operate(keyOf(name, path[2]!), path[3]!, body)];
    }
    throw new VaultError(404, 'NotFound', `No such operation: ${method} /${path.join('/')}.`);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: Buffer): void => {
    stats.requests++;
    if (!authorized(req)) {
      stats.challenges++;
      const message = req.headers.authorization === undefined ? 'AKV10000: Request is missing a Bearer or PoP token.' : 'AKV10032: Invalid issuer or token.';
      return fail(res, new VaultError(401, 'Unauthorized', message), { 'www-authenticate': challenge });
    }
    if (bucket !== undefined && !bucket.take()) {
      stats.throttled++;
      return fail(
        res,
        new VaultError(
          429,
          'Throttled',
          'Request was not processed because too many requests were received. Reason: The throttling limit of this vault was exceeded.',
        ),
        { 'retry-after': '1' },
      );
    }
    if (errorRate > 0 && Math.random() < errorRate) {
      stats.injectedErrors++;
      return fail(res, new VaultError(503, 'ServiceUnavailable', 'The service is unavailable (injected by --error-rate).'));
    }
    const q = req.url!.indexOf('?');
    const pathText = q < 0 ? req.url! : req.url!.slice(0, q);
    if (q < 0 || !API_VERSION_PARAM.test(req.url!.slice(q + 1))) return fail(res, badParameter('The api-version query parameter is missing.'));
    let body: Body = {};
    if (raw.length > 0) {
      try {
        const parsed: unknown = JSON.parse(raw.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        body = parsed as Body;
      } catch {
        return fail(res, badParameter('The request body is not a JSON object.'));
      }
    }
    const path = pathText
      .split('/')
      .slice(1)
      .map((p) => decodeURIComponent(p));
    if (path.length > 1 && path[path.length - 1] === '' && req.method === 'GET') path.pop();
    route(req.method ?? 'GET', path, body).then(
      ([op, answer]) => {
        count(op);
        send(res, 200, answer);
      },
      (e: unknown) => {
        if (e instanceof VaultError) {
          if (path[0] === 'keys' && path.length === 4) count(path[3]!);
          fail(res, e);
        } else fail(res, new VaultError(500, 'InternalServerError', 'The server failed to process the request.'));
      },
    );
  };

  const server: Server = createServer({ key: pki.server.key, cert: pki.server.cert, keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= BODY_LIMIT) chunks.push(c);
    });
    req.on('end', () => {
      if (size > BODY_LIMIT) return fail(res, new VaultError(413, 'RequestTooLarge', `The request body exceeds ${BODY_LIMIT} bytes.`));
      handle(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
  });
  server.keepAliveTimeout = 60_000;
  // Answers go out at once (no Nagle wait behind the client's delayed ACK).
  server.on('connection', (socket: import('node:net').Socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  base = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: base,
    port,
    flavour,
    ca: pki.ca.cert,
    stats: () => ({ ...stats, ops: { ...stats.ops } }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
