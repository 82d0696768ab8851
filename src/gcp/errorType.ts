/**
 * How an error of a Cloud KMS call is counted in errorsByType: by its gRPC status name
 * (RESOURCE_EXHAUSTED, PERMISSION_DENIED, NOT_FOUND, FAILED_PRECONDITION, UNAVAILABLE,
 * DEADLINE_EXCEEDED, ...), whichever transport carried it: google-gax gives both gRPC and REST errors
 * a numeric `code` (a GoogleError). A checksum that did not match is `Crc32cMismatch` (its class
 * name). LIGHT: every runner calls this for every error, so it imports nothing.
 */

/** google.rpc.Code, by number. */
export const GRPC_CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** The gRPC status name of an error that carries one (a GoogleError, a grpc-js ServiceError), else undefined. */
export function gcpErrorType(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; name?: unknown; details?: unknown; metadata?: unknown };
  if (e.name === 'Crc32cMismatch') return 'Crc32cMismatch';
  // A gRPC status: a number 1-16 beside gRPC's details or metadata (GoogleError, ServiceError).
  if (
    typeof e.code === 'number' &&
    Number.isInteger(e.code) &&
    e.code > 0 &&
    e.code < GRPC_CODE_NAMES.length &&
    (e.name === 'GoogleError' || 'metadata' in e || 'details' in e)
  ) {
    return GRPC_CODE_NAMES[e.code];
  }
  return undefined;
}
