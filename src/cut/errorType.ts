/**
 * The one classification of errors in pylogen: the type an error is counted under in a summary's
 * errorsByType (and shown in the event stream's error column). The runner uses it for every request
 * error; src/kms/client/client.ts re-exports it as classifyError. It asks only the installed protocols (src/protocols/seam.ts), whose
 * protocol.ts files are light, so a runner of a non-KMS CUT does not load the AWS SDK for it.
 *
 * - network failures by their errno code: ECONNREFUSED, ECONNRESET, ENOTFOUND, EAI_AGAIN, EPIPE, ...
 *   (checked first: the SDK's HTTP handler renames ECONNRESET and EPIPE errors "TimeoutError", which
 *   would hide a reset endpoint among slow ones);
 * - TimeoutError for a request over --timeout (the SDK's requestTimeout / connectionTimeout) and for
 *   ETIMEDOUT;
 * - an HTTP parser's error by its llhttp code (HPE_INVALID_CONSTANT, HPE_UNEXPECTED_CONTENT_LENGTH,
 *   ...: node:http's and undici's, so both KMS clients count a malformed answer alike);
 * - what a protocol says (the errorType hooks of the installed protocols, src/protocols/seam.ts: a PKCS#11 return value
 *   by its CKR_ name, `HTTP <status>` for a KMS answer not in AWS's shape, ...);
 * - the error's class name (the SDK's exception name for an answer in AWS's shape:
 *   ThrottlingException, AccessDeniedException; DummyError, GraceTimeout, a CUT's own errors);
 * - else its errno-like code, else the generic name.
 */
import { protocolErrorType } from '../protocols/seam.js';

/** Codes of failures to reach or keep talking to an endpoint, counted under the code itself. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);
/** Names that say nothing about the cause: the code or the HTTP status says more. */
const GENERIC_NAMES = new Set(['Error', 'SystemError', 'TypeError', 'SyntaxError', 'Unknown', 'UnknownError', 'AggregateError']);

/** The errno-like code of an error, its cause's, or (happy eyeballs' AggregateError) a member's. */
function codeOf(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 4) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && e.code !== '') return e.code;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const c = codeOf(inner, depth + 1);
      if (c !== undefined) return c;
    }
  }
  return e.cause === err ? undefined : codeOf(e.cause, depth + 1);
}

export function errorType(err: unknown): string {
  if (err === null || typeof err !== 'object') return typeof err;
  const rawName = (err as { name?: unknown }).name;
  const name = typeof rawName === 'string' && rawName !== '' ? rawName : 'Error';
  const code = codeOf(err);
  if (code !== undefined && NETWORK_CODES.has(code)) return code;
  if (name === 'TimeoutError' || (code !== undefined && TIMEOUT_CODES.has(code))) return 'TimeoutError';
  if (code !== undefined && code.startsWith('HPE_')) return code;
  const told = protocolErrorType(err);
  if (told !== undefined) return told;
  if (!GENERIC_NAMES.has(name)) return name;
  if (code !== undefined && /^E[A-Z0-9_]+$/.test(code)) return code;
  return name;
}
