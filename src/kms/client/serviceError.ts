/**
 * An error answer of KMS as the fast client reads it, into the same exception the SDK throws, so
 * that a CUT's `catch` (and `instanceof NotFoundException`) and errorsByType cannot tell the clients
 * apart. As @aws-sdk/core's JSON RPC protocol does: the error code from the x-amzn-ErrorType header,
 * else the body's `code`, else its `__type` (namespace and suffixes stripped), else "Unknown"; the
 * message from `message` or `Message`; a modeled error (NotFoundException, DisabledException, ...)
 * as its own class, any other (ThrottlingException, InvalidSignatureException: not in KMS's model)
 * as KMSServiceException with that name and $fault from the status; the answer's other members
 * copied on.
 */
import * as kms from '@aws-sdk/client-kms';

export interface ResponseMetadata {
  httpStatusCode?: number;
  requestId?: string;
  extendedRequestId?: string;
  cfId?: string;
  attempts?: number;
  totalRetryDelay?: number;
}

type ErrorCtor = new (opts: Record<string, unknown>) => kms.KMSServiceException;

/** The modeled exception classes of @aws-sdk/client-kms, by name. */
const MODELED = new Map<string, ErrorCtor>();
for (const [name, value] of Object.entries(kms)) {
  if (typeof value === 'function' && value.prototype instanceof kms.KMSServiceException) MODELED.set(name, value as unknown as ErrorCtor);
}

/** The SDK's sanitizeErrorCode: "ns#Name:suffix,more" → "Name". */
function sanitize(raw: unknown): string {
  let v = typeof raw === 'number' ? String(raw) : String(raw);
  if (v.includes(',')) v = v.split(',')[0]!;
  if (v.includes(':')) v = v.split(':')[0]!;
  if (v.includes('#')) v = v.split('#')[1]!;
  return v;
}

function errorCode(errorTypeHeader: string | undefined, data: Record<string, unknown> | undefined): string | undefined {
  if (errorTypeHeader !== undefined) return sanitize(errorTypeHeader);
  if (data === undefined) return undefined;
  const codeKey = Object.keys(data).find((k) => k.toLowerCase() === 'code');
  if (codeKey !== undefined && data[codeKey] !== undefined) return sanitize(data[codeKey]);
  if (data.__type !== undefined) return sanitize(data.__type);
  return undefined;
}

/**
 * The exception for an answer with status >= 300: `data` is its parsed JSON body (undefined when the
 * body is not a JSON object: a proxy's page; the code is then "Unknown" and errorsByType counts it
 * as `HTTP <status>`, as it does the SDK's).
 */
export function serviceError(
  status: number,
  errorTypeHeader: string | undefined,
  data: Record<string, unknown> | undefined,
  $metadata: ResponseMetadata,
): Error {
  const name = errorCode(errorTypeHeader, data) ?? 'Unknown';
  const body = data ?? {};
  const message = (body.message ?? body.Message ?? 'UnknownError') as string;
  const Modeled = MODELED.get(name);
  // As the SDK builds it: an empty exception, then its metadata, fault and message, then the answer's
  // other members where the exception has none.
  const err = (Modeled !== undefined ? new Modeled({}) : new kms.KMSServiceException({ name } as never)) as unknown as Record<string, unknown>;
  err.$metadata = $metadata;
  err.$fault = Modeled !== undefined ? err.$fault : status < 500 ? 'client' : 'server';
  err.message = message;
  for (const [k, v] of Object.entries(body)) {
    if (v !== undefined && k !== 'Message' && (err[k] === undefined || err[k] === '')) err[k] = v;
  }
  return err as unknown as Error;
}
