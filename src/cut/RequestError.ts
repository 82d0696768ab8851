import { errorType } from './errorType.js';

/**
 * Thrown out of a timed request after its error was recorded (rc, class, message), so that func()
 * stops the operation and the runner goes on with the next one without recording it twice.
 */
export class RequestError extends Error {
  override name = 'RequestError';
  constructor(
    readonly request: string,
    override readonly cause: unknown,
  ) {
    super(`request ${request} failed`);
  }
}

/** PYLOGEN's return code of a request whose call raised. */
export const RC_ERROR = 16;

/** The rc of an error: its own numeric `rc` if it has one, else PYLOGEN's 16. */
export function rcOf(err: unknown): number {
  const rc = (err as { rc?: unknown } | null)?.rc;
  return typeof rc === 'number' && Number.isInteger(rc) && rc > 0 ? rc : RC_ERROR;
}

/**
 * The type an error is counted under in errorsByType: one classification for the whole program
 * (src/cut/errorType.ts; src/kms/client/client.ts's classifyError is the same function).
 */
export { errorType };

/** The error column's text: "Class: message", one line. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return `${errorType(err)}: ${err.message}`.replace(/\s*\n\s*/g, ' ');
  return String(err).replace(/\s*\n\s*/g, ' ');
}

/** An operation still in flight when the grace period after the end of the run expired. */
export class GraceTimeoutError extends Error {
  override name = 'GraceTimeout';
  constructor(graceS: number) {
    super(`still in flight ${graceS}s after the end of the run (--grace)`);
  }
}
