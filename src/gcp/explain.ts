/**
 * A Cloud KMS endpoint that is not what the user thinks, said in the error's message as the KMS
 * clients say it (src/transport/scheme.ts words the TLS hint), for both transports, in the
 * preflight's line and in the runners' error samples:
 *
 *   https:// to a plain server     grpc-js and gaxios both carry OpenSSL's "wrong version number"
 *   http:// to a TLS server        grpc-js "Failed to connect", gaxios "socket hang up": a TLS probe tells
 *   gRPC to a server that is not   grpc-js "Protocol error" (the answer is not HTTP/2: an HTTP/1.1
 *     HTTP/2 (a web server)        web server, or a REST-only endpoint): "does not speak gRPC"
 *
 * The error keeps its type (UNAVAILABLE): only its message changes.
 */
import { explainScheme, schemeMismatch } from '../transport/scheme.js';
import type { GcpTransport } from './endpoint.js';

/** How either transport says that the connection closed, or never became what it expected (grpc-js, gaxios). */
const CLOSED = /Failed to connect|Protocol error|socket hang up|ECONNRESET/;
/** grpc-js's word when the server's bytes are not HTTP/2. */
const NOT_HTTP2 = /Protocol error/;

const said = new WeakSet<object>();

/** Whether the error's message already says what the endpoint is (a scheme mismatch, not gRPC): the preflight shows it as it is. */
export function endpointExplained(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (said.has(err) || schemeMismatch(err) !== undefined);
}

/** The origin of an http(s):// endpoint (undefined for Google's own, where neither mistake can happen). */
export function gcpOrigin(endpoint: string): string | undefined {
  return /^https?:\/\//.test(endpoint) && URL.canParse(endpoint) ? new URL(endpoint).origin : undefined;
}

/** The error of a Cloud KMS call to `origin`, its message saying what the endpoint is when that is the cause. */
export function explainGcp(err: unknown, origin: string | undefined, transport: GcpTransport, timeoutMs: number): unknown {
  if (origin === undefined || !(err instanceof Error)) return err;
  const closed = CLOSED.test(err.message);
  const notGrpc = (e: Error): Error => {
    if (transport !== 'grpc' || schemeMismatch(e) !== undefined || !NOT_HTTP2.test(e.message)) return e;
    e.message = `the server does not speak gRPC (its answer is not HTTP/2): for Cloud KMS's HTTP/JSON API use --client rest (${e.message.trim()})`;
    said.add(e);
    return e;
  };
  const e = explainScheme(err, origin, timeoutMs, { closed });
  return e instanceof Promise ? e.then(notGrpc) : notGrpc(e);
}
