/**
 * How an error of a KMS request is counted (the kms protocol's errorType hook, src/kms/protocol.ts):
 * an answer that is not in AWS's shape (a proxy's 503 page, a 500 without an error type), which the
 * SDK names SyntaxError or Unknown, counts as `HTTP <status>`. An answer in AWS's shape keeps the
 * SDK's exception name (ThrottlingException, AccessDeniedException), which cut/errorType.ts uses.
 * It imports nothing: every runner loads it.
 */

/** Names that say nothing about the cause (the SDK's for an answer it could not read). */
const NAMELESS = new Set(['Error', 'SystemError', 'TypeError', 'SyntaxError', 'Unknown', 'UnknownError', 'AggregateError']);

export function kmsErrorType(err: unknown): string | undefined {
  const e = err as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = e.$metadata?.httpStatusCode;
  if (typeof status !== 'number' || status < 300) return undefined;
  const name = typeof e.name === 'string' && e.name !== '' ? e.name : 'Error';
  // an errno code says more than the status (cut/errorType.ts counts it)
  if (!NAMELESS.has(name) || (typeof e.code === 'string' && /^E[A-Z0-9_]+$/.test(e.code))) return undefined;
  return `HTTP ${status}`;
}
