/**
 * The SDK's request handler (NodeHttpHandler) held to what the fast client's transport guarantees
 * (src/transport/http.ts), so that `--client sdk` and `--client fast` end a hostile answer alike:
 * the whole exchange, body included, within the timeout (the SDK's requestTimeout is
 * an idle-socket timeout: an answer trickling one byte a second never triggers it), as TimeoutError;
 * a body past 1 MiB as ResponseTooLargeError, from its Content-Length or its bytes, without buffering
 * it. The SDK reads the handler from client.config at each send, so wrapping it there is enough.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import type { IncomingMessage } from 'node:http';
import { MAX_ANSWER_BYTES, timeoutError, tooLarge } from '../../transport/bounds.js';
import { explainScheme } from '../../transport/scheme.js';

interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}
interface Handler {
  handle(request: unknown, options?: { abortSignal?: AbortSignal; requestTimeout?: number }): Promise<{ response: HttpResponse }>;
}

export function boundSdkHandler(client: KMSClient, timeoutMs: number, maxBytes = MAX_ANSWER_BYTES): void {
  const config = client.config as unknown as { requestHandler: Handler };
  const inner = config.requestHandler;
  const handle = inner.handle.bind(inner);
  inner.handle = async (request, options = {}) => {
    const abort = new AbortController();
    let body: IncomingMessage | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (body === undefined) abort.abort();
      else body.destroy(timeoutError(timeoutMs));
    }, timeoutMs);
    try {
      const out = await handle(request, { ...options, abortSignal: abort.signal });
      body = out.response.body as IncomingMessage;
      if (typeof body?.on !== 'function') {
        clearTimeout(timer);
        return out;
      }
      body.once('close', () => clearTimeout(timer));
      const length = Number(out.response.headers['content-length']);
      if (length > maxBytes) body.destroy(tooLarge(maxBytes, `Content-Length ${length}`));
      else countBytes(body, maxBytes);
      return out;
    } catch (err) {
      clearTimeout(timer);
      if (timedOut) throw timeoutError(timeoutMs);
      throw err instanceof Error ? await explainScheme(err, originOf(request), timeoutMs) : err;
    }
  };
}

/** scheme://host[:port] of the SDK's HttpRequest. */
function originOf(request: unknown): string {
  const r = request as { protocol?: string; hostname?: string; port?: number };
  const host = r.hostname?.includes(':') === true && !r.hostname.startsWith('[') ? `[${r.hostname}]` : (r.hostname ?? '');
  return `${r.protocol ?? 'http:'}//${host}${r.port === undefined ? '' : `:${r.port}`}`;
}

/** The body's bytes counted as node:http pushes them (no Transform stream per answer). */
function countBytes(body: IncomingMessage, maxBytes: number): void {
  let bytes = 0;
  const push = body.push;
  body.push = function (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk !== null && chunk !== undefined) {
      bytes += (chunk as Buffer).length;
      if (bytes > maxBytes) {
        this.destroy(tooLarge(maxBytes, `more than ${maxBytes} bytes`));
        return false;
      }
    }
    return push.call(this, chunk, encoding);
  };
}
