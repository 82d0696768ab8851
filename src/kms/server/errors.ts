/**
 * An error answered in AWS's JSON 1.1 shape: `{"__type": type, "message": ...}` with the same type in
 * the x-amzn-ErrorType header. AWS KMS answers its client errors with HTTP 400 (even NotFoundException,
 * whose model says 404), its internal ones with 5xx.
 */
export class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** AWS's wording for a constraint violation on one member (lowerCamel member names, as AWS prints them). */
export function invalidMember(member: string, value: string | null, constraint: string): KmsError {
  const shown = value === null ? 'null' : `'${value.length > 64 ? `${value.slice(0, 64)}...` : value}'`;
  return new KmsError(
    'ValidationException',
    `1 validation error detected: Value ${shown} at '${lowerCamel(member)}' failed to satisfy constraint: ${constraint}`,
  );
}

export function lowerCamel(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

export const validation = (message: string): KmsError => new KmsError('ValidationException', message);
export const invalidKeyUsage = (message: string): KmsError => new KmsError('InvalidKeyUsageException', message);
export const unsupported = (message: string): KmsError => new KmsError('UnsupportedOperationException', message);
export const serialization = (message: string): KmsError => new KmsError('SerializationException', message);
