/**
 * The embedded Cloud KMS server: the real KeyManagementService definition served over gRPC
 * (@grpc/grpc-js, HTTP/2 without TLS) AND over its REST mapping (HTTP/1.1 + JSON, the
 * google.api.http routes), each on its own loopback port, sharing one key store, so that the
 * official client works against it with either transport (and other languages' clients too). No
 * authentication: it accepts any credentials, or none.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { fromProto3JSON, toProto3JSON } from 'proto3-json-serializer';
import type protobuf from 'protobufjs';
import { ALGORITHM_INFO } from '../algorithms.js';
import { cryptoKeyName, keyRingName, locationName, type GcpKeyFile } from '../keyfile.js';
import { Faults, type FaultOptions } from './faults.js';
import { loadProtos, SERVICE, type Method } from './protos.js';
import { kmsService, type Handler } from './service.js';
import { GcpStatus, HTTP_STATUS, restErrorBody } from './status.js';
import { Store } from './store.js';

export interface GcpServerOptions extends FaultOptions {
  host?: string;
  /** the gRPC port (0: a free one) */
  grpcPort?: number;
  /** the REST port (0: a free one) */
  restPort?: number;
  /** fraction of answers with a wrong CRC32C (a fault to test clients' checks) */
  badCrc?: number;
  /** key files whose key rings and keys exist from the start */
  keyFiles?: readonly GcpKeyFile[];
}

export interface GcpServer {
  /** http://host:port of the gRPC transport */
  grpcUrl: string;
  /** http://host:port of the REST transport */
  restUrl: string;
  /** answers given, by method; errors by status name */
  counts(): { calls: Record<string, number>; errors: Record<string, number> };
  close(): Promise<void>;
}

/** Creates a key file's key ring and keys in a store (what `gcp setup` does through the API). */
export function seed(store: Store, file: GcpKeyFile): void {
  const ring = keyRingName(file);
  if (!store.keyRings.has(ring)) store.createKeyRing(locationName(file), file.keyRing);
  for (const e of file.entries.values()) {
    const key =
      store.keys.get(cryptoKeyName(file, e)) ?? store.createCryptoKey(ring, e.cryptoKey, ALGORITHM_INFO[e.algorithm].purpose, e.algorithm, e.protectionLevel);
    while (key.versions.size < e.version) store.createVersion(key);
  }
}

export async function startGcpServer(o: GcpServerOptions = {}): Promise<GcpServer> {
  const host = o.host ?? '127.0.0.1';
  const protos = loadProtos();
  const store = new Store();
  for (const f of o.keyFiles ?? []) seed(store, f);
  const handlers = kmsService(store, protos.enums, { badCrc: o.badCrc ?? 0 });
  const faults = new Faults(o);
  const calls: Record<string, number> = {};
  const errors: Record<string, number> = {};

  /** One call, whichever transport: the response message or the error status. */
  const invoke = (method: Method, req: protobuf.Message, done: (err: GcpStatus | undefined, res?: protobuf.Message) => void): void => {
    calls[method.name] = (calls[method.name] ?? 0) + 1;
    const fail = (e: GcpStatus): void => {
      errors[e.status] = (errors[e.status] ?? 0) + 1;
      faults.later(() => done(e));
    };
    const fault = faults.check();
    if (fault !== undefined) return fail(fault);
    const handler: Handler | undefined = handlers[method.name];
    if (handler === undefined) return fail(new GcpStatus('UNIMPLEMENTED', `Method ${method.name} is not implemented by pylogen's embedded Cloud KMS server.`));
    let res: protobuf.Message;
    try {
      res = method.responseType.fromObject(handler(req as unknown as Record<string, unknown>));
    } catch (err) {
      return fail(err instanceof GcpStatus ? err : new GcpStatus('INTERNAL', `Internal error: ${(err as Error).message}`));
    }
    faults.later(() => done(undefined, res));
  };

  // gRPC: a service definition built from the protobuf types (one decoder for both transports).
  const definition: Record<string, grpc.MethodDefinition<protobuf.Message, protobuf.Message>> = {};
  const impl: grpc.UntypedServiceImplementation = {};
  for (const m of protos.methods.values()) {
    definition[m.name] = {
      path: `/${SERVICE}/${m.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (x: protobuf.Message) => Buffer.from(m.requestType.encode(x).finish()),
      requestDeserialize: (b: Buffer) => m.requestType.decode(b),
      responseSerialize: (x: protobuf.Message) => Buffer.from(m.responseType.encode(x).finish()),
      responseDeserialize: (b: Buffer) => m.responseType.decode(b),
    };
    impl[m.name] = (call: grpc.ServerUnaryCall<protobuf.Message, protobuf.Message>, callback: grpc.sendUnaryData<protobuf.Message>) =>
      invoke(m, call.request, (err, res) => (err !== undefined ? callback({ code: err.code, details: err.message }) : callback(null, res)));
  }
  const grpcServer = new grpc.Server();
  grpcServer.addService(definition, impl);
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync(`${host}:${o.grpcPort ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );

  // REST: the google.api.http routes.
  const routes = [...protos.methods.values()].filter((m) => m.http !== undefined);
  const rest = createServer((req, res) => serveRest(req, res, routes, invoke));
  rest.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    rest.once('error', reject);
    rest.listen(o.restPort ?? 0, host, () => resolve());
  });
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    grpcUrl: `http://${urlHost}:${grpcPort}`,
    restUrl: `http://${urlHost}:${(rest.address() as AddressInfo).port}`,
    counts: () => ({ calls: { ...calls }, errors: { ...errors } }),
    close: () => closeBoth(grpcServer, rest),
  };
}

function closeBoth(grpcServer: grpc.Server, rest: HttpServer): Promise<void> {
  return Promise.all([
    new Promise<void>((resolve) => {
      // Bounded: a client that keeps its stream open is cut after 2 s.
      const t = setTimeout(() => {
        grpcServer.forceShutdown();
        resolve();
      }, 2000);
      grpcServer.tryShutdown(() => {
        clearTimeout(t);
        resolve();
      });
    }),
    new Promise<void>((resolve) => {
      rest.close(() => resolve());
      rest.closeAllConnections();
    }),
  ]).then(() => undefined);
}

function serveRest(
  req: IncomingMessage,
  res: ServerResponse,
  routes: readonly Method[],
  invoke: (m: Method, r: protobuf.Message, done: (err: GcpStatus | undefined, res?: protobuf.Message) => void) => void,
): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    const numericEnums = (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int');
    const answer = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const fail = (e: GcpStatus): void => answer(HTTP_STATUS[e.status], restErrorBody(e));
    const path = decodeURIComponent(url.pathname);
    let method: Method | undefined;
    let match: RegExpExecArray | null = null;
    for (const m of routes) {
      if (m.http!.verb !== req.method) continue;
      match = m.http!.pattern.exec(path);
      if (match !== null) {
        method = m;
        break;
      }
    }
    if (method === undefined) return fail(new GcpStatus('NOT_FOUND', `No route for ${req.method} ${url.pathname}.`));
    const route = method.http!;
    let json: Record<string, unknown> = {};
    try {
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text === '' ? {} : JSON.parse(text);
      if (route.body === '*') json = body as Record<string, unknown>;
      else if (route.body !== '') json[route.body] = body;
    } catch {
      return fail(new GcpStatus('INVALID_ARGUMENT', 'Invalid JSON payload received.'));
    }
    for (const [k, v] of url.searchParams) {
      if (k.startsWith('$') || k.includes('.')) continue;
      const field = method.requestType.fields[k];
      json[k] = field?.type === 'bool' ? v === 'true' : field?.type === 'int32' || field?.type === 'int64' ? Number(v) : v;
    }
    route.fields.forEach((f, i) => {
      const parts = f.split('.');
      let at = json;
      for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
      at[parts[parts.length - 1]!] = match![i + 1];
    });
    let message: protobuf.Message | null;
    try {
      message = fromProto3JSON(method.requestType, json as never);
    } catch (err) {
      return fail(new GcpStatus('INVALID_ARGUMENT', `Invalid JSON payload received. ${(err as Error).message}`));
    }
    if (message === null) return fail(new GcpStatus('INVALID_ARGUMENT', 'Invalid JSON payload received.'));
    invoke(method, message, (err, out) => (err !== undefined ? fail(err) : answer(200, JSON.stringify(toProto3JSON(out!, { numericEnums })))));
  });
}
