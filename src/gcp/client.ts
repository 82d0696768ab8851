/**
 * The official Cloud KMS client (@google-cloud/kms KeyManagementServiceClient) as a runner uses it:
 * one client (one gRPC channel, or one keep-alive HTTP agent for REST) per runner, the transport
 * chosen by --client grpc|rest, the endpoint by --endpoint:
 *
 *   ''                    Google's (cloudkms.googleapis.com:443), Application Default Credentials
 *   https://host[:port]   another TLS endpoint (a private endpoint), Application Default Credentials
 *   http://host:port      a plain-text emulator (`gcp serve`, `--endpoint gcp-local`): no TLS and no
 *                         credentials at all (no token is sent in clear text, nothing is looked up:
 *                         no ADC file, no metadata server)
 *
 * --timeout bounds each call (and each attempt); --retries N retries UNAVAILABLE, DEADLINE_EXCEEDED
 * (Google's retry codes for these methods) and RESOURCE_EXHAUSTED (Google's advice for quota
 * errors) with Google's backoff (100 ms x1.3, at most 60 s, jittered by google-gax), N times at most.
 *
 * Against an http(s):// endpoint every call's error says what the endpoint is when that is its cause
 * (explain.ts: the TLS hint, "does not speak gRPC"), for the preflight and the runners' samples alike.
 */
import * as grpc from '@grpc/grpc-js';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { PassThroughClient } from 'google-auth-library';

import type { GcpClientOptions, GcpTransport } from './endpoint.js';
import { parseGcpEndpoint } from './endpoint.js';
import { explainGcp, gcpOrigin } from './explain.js';

quietDependencyWarnings();

/**
 * The calls of one client and the attempts that carried them: google-gax retries a call by calling
 * the transport's stub again (normalCalls/retries.js), so the attempts past each call's first are its
 * retries, counted in `requests.retries` as every client's are.
 */
export class GcpAttempts {
  calls = 0;
  attempts = 0;
  /** the stub's methods, counted once countAttempts() has wrapped them */
  readonly rpcs = new Set<PropertyKey>();
  get retried(): number {
    return Math.max(0, this.attempts - this.calls);
  }
}

/** Counts, in `counts`, every attempt of the (initialized) client's calls: each stub method wrapped once. */
export async function countAttempts(client: KeyManagementServiceClient, counts: GcpAttempts): Promise<void> {
  const stub = (await client.initialize()) as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of Object.keys(client.innerApiCalls)) {
    const call = stub[name];
    if (typeof call !== 'function') continue;
    counts.rpcs.add(name);
    stub[name] = (...args: unknown[]): unknown => (counts.attempts++, call.apply(stub, args));
  }
}

export function createGcpClient(o: GcpClientOptions, counts?: GcpAttempts): KeyManagementServiceClient {
  const where = parseGcpEndpoint(o.endpoint);
  if (where !== undefined && 'problem' in where) throw new Error(`--endpoint: ${where.problem}`);
  const rest = o.transport === 'rest';
  const options: Record<string, unknown> = { fallback: rest };
  if (where !== undefined) {
    options.apiEndpoint = where.host;
    options.port = where.port;
    if (!where.secure) {
      // An emulator: no TLS and no credentials (nothing probed: no ADC file, no metadata server).
      options.authClient = new PassThroughClient();
      options.universeDomain = 'googleapis.com';
      if (rest) options.protocol = 'http';
      else options.sslCreds = grpc.credentials.createInsecure();
    }
  }
  const client = new KeyManagementServiceClient(options as ConstructorParameters<typeof KeyManagementServiceClient>[0]);
  const origin = gcpOrigin(o.endpoint);
  return origin === undefined && counts === undefined ? client : wrapped(client, origin, o.transport, o.timeoutMs, counts);
}

/**
 * The client, each of its calls counted (`counts`) and its rejections passed through explainGcp
 * (`origin`): one wrapper per method, made on first use.
 */
function wrapped(
  client: KeyManagementServiceClient,
  origin: string | undefined,
  transport: GcpTransport,
  timeoutMs: number,
  counts: GcpAttempts | undefined,
): KeyManagementServiceClient {
  const wrappers = new Map<PropertyKey, unknown>();
  const explained = async (err: unknown): Promise<never> => Promise.reject(await explainGcp(err, origin, transport, timeoutMs));
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      let wrapper = wrappers.get(prop);
      if (wrapper === undefined) {
        wrapper = (...args: unknown[]): unknown => {
          if (counts?.rpcs.has(prop) === true) counts.calls++;
          const r: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          return origin !== undefined && r instanceof Promise ? r.catch(explained) : r;
        };
        wrappers.set(prop, wrapper);
      }
      return wrapper;
    },
  });
}

/**
 * Two warnings of the client's dependencies that tell a pylogen user nothing, kept off stderr in the
 * processes that load the client (the preflight's is one line): gcp-metadata's MetadataLookupWarning
 * (no metadata server where Application Default Credentials looked for one: the line about the
 * missing credentials says what to do) and grpc-js's DEP0123 (an IP address as the TLS server name
 * of an https://IP endpoint). Node prints every other warning as it would.
 */
function quietDependencyWarnings(): void {
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (w: Error & { code?: string }) => {
    if (w.name === 'MetadataLookupWarning' || w.code === 'DEP0123') return;
    for (const print of printers) print(w);
  });
}
