/**
 * An endpoint whose scheme is not the server's: `https://` to a plain HTTP server fails in OpenSSL
 * ("wrong version number"), `http://` to a TLS server gets its connection closed or an answer that
 * is not HTTP. Both say nothing of the cause; explainScheme puts it first in the error's message
 * ("the server does not speak TLS: did you mean http://?") and keeps the error's type. Used on the
 * error path of both KMS clients (src/transport/http.ts, src/kms/client/boundedSdkHandler.ts), hence
 * in the preflight's line and in the runners' error samples.
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

/**
 * The error of a request to `origin`, its message saying so when the scheme is not the server's;
 * synchronous unless an http:// request's closed or garbled connection needs a TLS probe to tell.
 */
export function explainScheme(err: Error, origin: string, timeoutMs: number): Error | Promise<Error> {
  if (origin.startsWith('https:') && NOT_TLS.test(err.message)) {
    const said = NOT_TLS.exec(err.message)![0];
    return hint(err, 'http', `the server does not speak TLS: did you mean http://? (OpenSSL: ${said})`);
  }
  const code = (err as { code?: unknown }).code;
  if (!origin.startsWith('http:') || typeof code !== 'string' || !CLOSED_OR_GARBLED.test(code)) return err;
  return speaksTls(origin, timeoutMs).then((tls) => (tls ? hint(err, 'https', `the server speaks TLS: did you mean https://? (${err.message})`) : err));
}
