/**
 * The type an Azure Key Vault error is counted under in errorsByType: Key Vault's `error.code`
 * (Unauthorized, Forbidden, KeyNotFound, BadParameter, Throttled, ServiceUnavailable, ...), followed
 * by its `innererror.code` when it gives one (Forbidden/KeyOperationForbidden), or `HTTP <status>`
 * for an answer without Key Vault's error body (a proxy's page). A RestError without a status (the
 * request never got an answer) falls through to the common classification, which reads its errno
 * code. LIGHT: a runner calls it for every error; it imports nothing (never the SDK).
 */
interface RestErrorShape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  details?: { error?: { innerError?: { code?: unknown }; innererror?: { code?: unknown } } };
}

export function azureErrorType(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as RestErrorShape;
  if (e.name !== 'RestError' || typeof e.statusCode !== 'number') return undefined;
  const code = typeof e.code === 'string' && /^[A-Za-z][A-Za-z0-9_.]*$/.test(e.code) ? e.code : `HTTP ${e.statusCode}`;
  const body = typeof e.details === 'object' && e.details !== null ? e.details.error : undefined;
  const inner = body?.innerError?.code ?? body?.innererror?.code;
  return typeof inner === 'string' && inner !== '' && inner !== code ? `${code}/${inner}` : code;
}
