/**
 * An error answer of Vault (`{"errors": [...]}` with its HTTP status), and an item of a batch that
 * failed (`batch_results[i].error`). Their `name` is the type they are counted under in errorsByType
 * (the runner's classification takes a specific name as it is), so a runner needs no Vault code to
 * classify them: PermissionDenied (403), RateLimited (429), Sealed (503 "Vault is sealed"),
 * Unavailable (another 503: standby, maintenance), InvalidRequest (400), NotFound (404),
 * InternalError (500), `HTTP <status>` for the rest. Light: imports nothing.
 */

const BY_STATUS: Readonly<Record<number, string>> = {
  400: 'InvalidRequest',
  403: 'PermissionDenied',
  404: 'NotFound',
  405: 'UnsupportedOperation',
  412: 'PreconditionFailed',
  413: 'RequestTooLarge',
  429: 'RateLimited',
  500: 'InternalError',
  502: 'BadGateway',
};

/** The errorsByType name of a Vault answer. */
export function vaultErrorName(status: number, messages: readonly string[]): string {
  if (status === 503) return messages.some((m) => /sealed/i.test(m)) ? 'Sealed' : 'Unavailable';
  return BY_STATUS[status] ?? `HTTP ${status}`;
}

export class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly string[],
    /** what was asked: "POST transit/encrypt/k" (never a body, never a token) */
    readonly request: string,
    /** Retry-After of a 429 / 503, seconds */
    readonly retryAfter?: number,
  ) {
    super(`${request}: HTTP ${status}${errors.length > 0 ? `: ${errors.join('; ')}` : ''}`.replace(/\s*\n\s*/g, ' '));
    this.name = vaultErrorName(status, errors);
  }

  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** The errorsByType name of a failed batch item, by its message. */
export function batchItemErrorName(message: string): string {
  if (/message authentication failed/.test(message)) return 'DecryptionFailed';
  if (/invalid ciphertext|invalid signature|invalid HMAC/i.test(message)) return 'InvalidCiphertext';
  if (/not found/.test(message)) return 'KeyNotFound';
  if (/context/.test(message)) return 'ContextRequired';
  if (/permission denied/.test(message)) return 'PermissionDenied';
  if (/version/.test(message)) return 'KeyVersion';
  return 'BatchItemError';
}

/** One item of a batch answered with an error: counted by its message's type. */
export class BatchItemError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(`batch item ${index}: ${message}`.replace(/\s*\n\s*/g, ' '));
    this.name = batchItemErrorName(message);
  }
}
