/**
 * A Cloud KMS error answer: a google.rpc.Code and its message, as Google's API reference gives them
 * ("CryptoKey projects/.../cryptoKeys/x not found.", "... is not enabled, current state is:
 * DISABLED."). gRPC sends the code and message as its status; REST as Google's JSON error body with
 * the HTTP status that AIP-193 maps the code to.
 */
export const Code = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
export type CodeName = keyof typeof Code;

/** AIP-193: the HTTP status of each code. */
export const HTTP_STATUS: Readonly<Record<CodeName, number>> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  UNAUTHENTICATED: 401,
};

export class GcpStatus extends Error {
  override name = 'GcpStatus';
  constructor(
    readonly status: CodeName,
    message: string,
  ) {
    super(message);
  }
  get code(): number {
    return Code[this.status];
  }
}

/** The REST error body (google.rpc.Status in Google's JSON error envelope). */
export function restErrorBody(e: GcpStatus): string {
  const details =
    e.status === 'RESOURCE_EXHAUSTED'
      ? [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RATE_LIMIT_EXCEEDED',
            domain: 'googleapis.com',
            metadata: { service: 'cloudkms.googleapis.com', quota_metric: 'cloudkms.googleapis.com/crypto_requests' },
          },
        ]
      : [];
  return JSON.stringify({ error: { code: HTTP_STATUS[e.status], message: e.message, status: e.status, details } });
}
