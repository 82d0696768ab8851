/**
 * One line naming the fix for a failed Cloud KMS call of the preflight or `gcp setup`: no
 * credentials, no permission, a missing key, anything else by its gRPC status. Never prints a token.
 */
import { describeError } from '../core/errors.js';
import { gcpErrorType } from './errorType.js';
import { endpointExplained } from './explain.js';

export function gcpAdvice(err: unknown, what: string, where: string): string {
  // The TLS hint, "does not speak gRPC": the message says it all (explain.ts).
  if (endpointExplained(err)) return `${what}: ${where}: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}`;
  const type = gcpErrorType(err);
  const message = (err as { details?: unknown; message?: unknown }).details ?? (err as { message?: unknown }).message;
  const text = typeof message === 'string' ? message.replace(/\s*\n\s*/g, ' ').replace(/^\d+ [A-Z_]+: /, '') : describeError(err);
  if (/default credentials|Could not load the default credentials|Could not refresh access token/i.test(text)) {
    return `${what} at ${where}: no Application Default Credentials: run \`gcloud auth application-default login\`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file`;
  }
  // REST: google-gax could not read the answer as Cloud KMS's JSON (a web server's page, a proxy's)
  const notJson = /with status (\d+) could not be decoded: the response body is not JSON/.exec(text);
  if (notJson !== null) return `${what}: ${where} does not speak the Cloud KMS API (HTTP ${notJson[1]}, not JSON)`;
  switch (type) {
    case 'UNAUTHENTICATED':
      return `${what} at ${where}: UNAUTHENTICATED (${text}): refresh the Application Default Credentials (gcloud auth application-default login)`;
    case 'PERMISSION_DENIED':
      return `${what} at ${where}: PERMISSION_DENIED (${text}): grant the caller roles/cloudkms.viewer and the crypto role of the CUT (e.g. roles/cloudkms.cryptoKeyEncrypterDecrypter) on the key ring`;
    case 'NOT_FOUND':
      return `${what} at ${where}: NOT_FOUND (${text}): create the key file's keys with pylogen gcp setup`;
    case undefined:
      return `${what} at ${where} failed: ${text}`;
    default:
      return `${what} at ${where}: ${type} (${text})`;
  }
}
