/**
 * The type an Azure Key Vault error is counted under in errorsByType: Key Vault's `error.code`
 * (Unauthorized, Forbidden, KeyNotFound, BadParameter, Throttled, ServiceUnavailable, ...), followed
 * by its `innererror.code` when it gives one (Forbidden/KeyOperationForbidden), or `HTTP <status>`
 * for an answer without Key Vault's error body (a proxy's page). A RestError without a status (the
 * request never got an answer) falls through to the common classification, which reads its errno
 * code. A call over --timeout is aborted by the SDK's pipeline (an AbortError with its own message):
 * TimeoutError, as for every protocol. LIGHT: a runner calls it for every error; it imports nothing (never the SDK).
 */
interface RestErrorShape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  details?: { error?: { innerError?: { code?: unknown }; innererror?: { code?: unknown } } };
}

/** What @azure/core-rest-pipeline's HTTP client says when a request's timeout aborts it. */
const SDK_TIMEOUT = 'Rejecting from abort signal callback while making request';

export function azureErrorType(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as RestErrorShape;
  if (e.name === 'AbortError' && typeof (err as { message?: unknown }).message === 'string' && (err as { message: string }).message.includes(SDK_TIMEOUT))
    return 'TimeoutError';
  if (e.name !== 'RestError' || typeof e.statusCode !== 'number') return undefined;
  const code = typeof e.code === 'string' && /^[A-Za-z][A-Za-z0-9_.]*$/.test(e.code) ? e.code : `HTTP ${e.statusCode}`;
  const body = typeof e.details === 'object' && e.details !== null ? e.details.error : undefined;
  const inner = body?.innerError?.code ?? body?.innererror?.code;
  return typeof inner === 'string' && inner !== '' && inner !== code ? `${code}/${inner}` : code;
}
