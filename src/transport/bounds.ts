/**
 * The bounds every HTTP exchange of a KMS client keeps, and their errors: shared by the fast client's
 * transport (http.ts) and the SDK's bounded handler (src/kms/client/boundedSdkHandler.ts). Apart from
 * http.ts so that what only needs these does not load undici.
 */

/** No KMS answer is near 1 MiB (the largest, GetPublicKey of RSA-4096, is under 2 KiB). */
export const MAX_ANSWER_BYTES = 1 << 20;

/** An answer past the bound: counted under its own type, never buffered. */
export class ResponseTooLargeError extends Error {
  override name = 'ResponseTooLargeError';
}

export function tooLarge(max: number, what: string): ResponseTooLargeError {
  return new ResponseTooLargeError(`the answer is larger than ${max} bytes (${what}): no answer of this protocol is`);
}

/** The error of an exchange past its bound (named as the SDK names its own). */
export function timeoutError(ms: number): Error {
  return Object.assign(new Error(`Request did not complete within the timeout of ${ms} ms`), { name: 'TimeoutError' });
}
