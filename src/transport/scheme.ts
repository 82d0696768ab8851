/**
 * An endpoint whose scheme is not the server's: `https://` to a plain HTTP server fails in OpenSSL
 * ("wrong version number"), `http://` to a TLS server gets its connection closed or an answer that
 * is not HTTP. Both say nothing of the cause; explainScheme puts it first in the error's message
 * ("the server does not speak TLS: did you mean http://?") and keeps the error's type. Used on the
 * error path of both KMS clients (src/transport/http.ts, src/kms/client/boundedSdkHandler.ts), of
 * Vault's (src/vault/client.ts), Azure's pipeline (src/azure/client.ts) and Cloud KMS's client
 * (src/gcp/explain.ts), hence in the preflights' lines and in the runners' error samples.
 */
import { connect } from 'node:tls';

/** What OpenSSL says when the answer to its ClientHello is not TLS (plain HTTP bytes). */
const NOT_TLS = /wrong version number|packet length too long|unknown protocol|record layer failure/i;
/** Errors an http:// request gets from a TLS server: its connection closed, or bytes that are not HTTP. */
const CLOSED_OR_GARBLED = /^(ECONNRESET|EPIPE|HPE_\w+)$/;
const PROBE_MS = 2000;

const MISMATCH = Symbol('pylogen.schemeMismatch');

/** The scheme the server speaks, when explainScheme found the endpoint's was not it. */
export function schemeMismatch(err: unknown): 'http' | 'https' | undefined {
  return typeof err === 'object' && err !== null ? (err as { [MISMATCH]?: 'http' | 'https' })[MISMATCH] : undefined;
}

const probes = new Map<string, Promise<boolean>>();

/** Whether a TLS handshake with the host and port of an http:// origin completes: once per origin and process, bounded. */
export function speaksTls(origin: string, timeoutMs = PROBE_MS): Promise<boolean> {
  let probe = probes.get(origin);
  if (probe === undefined) {
    const url = URL.canParse(origin) ? new URL(origin) : undefined;
    if (url === undefined) return Promise.resolve(false);
    probe = new Promise<boolean>((resolve) => {
      // Any certificate: the question is only whether the port speaks TLS.
      const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), rejectUnauthorized: false });
      const done = (yes: boolean): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(yes);
      };
      const timer = setTimeout(() => done(false), Math.min(timeoutMs, PROBE_MS));
      socket.once('secureConnect', () => done(true));
      socket.once('error', () => done(false));
    });
    probes.set(origin, probe);
  }
  return probe;
}

function hint(err: Error, scheme: 'http' | 'https', text: string): Error {
  err.message = text;
  Object.defineProperty(err, MISMATCH, { value: scheme, enumerable: false });
  return err;
}

/** Whether an http:// request's error is a closed or garbled connection (by Node's error codes): the TLS probe may tell why. */
function closedOrGarbled(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && CLOSED_OR_GARBLED.test(code);
}

/** How a client calls explainScheme when its errors or its endpoints differ from Node's. */
export interface SchemeOptions {
  /** whether an http:// request's error is a closed or garbled connection (default: by Node's error codes) */
  closed?: boolean;
  /** the protocol takes https:// only (Azure Key Vault): why, said instead of suggesting http:// */
  httpsOnly?: string;
}

/**
 * The error of a request to `origin`, its message saying so when the scheme is not the server's;
 * synchronous unless an http:// request's closed or garbled connection needs a TLS probe to tell.
 * An error already explained is returned as it is.
 */
export function explainScheme(err: Error, origin: string, timeoutMs: number, o: SchemeOptions = {}): Error | Promise<Error> {
  if (schemeMismatch(err) !== undefined) return err;
  if (origin.startsWith('https:') && NOT_TLS.test(err.message)) {
    const said = NOT_TLS.exec(err.message)![0];
    const fix = o.httpsOnly === undefined ? ': did you mean http://?' : `, and ${o.httpsOnly}`;
    return hint(err, 'http', `the server does not speak TLS${fix} (OpenSSL: ${said})`);
  }
  if (!origin.startsWith('http:') || !(o.closed ?? closedOrGarbled(err))) return err;
  return speaksTls(origin, timeoutMs).then((tls) => (tls ? hint(err, 'https', `the server speaks TLS: did you mean https://? (${err.message})`) : err));
}
