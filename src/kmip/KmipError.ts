/**
 * A KMIP answer whose batch item failed: counted in errorsByType under "KMIP <reason>" (the KMIP
 * result reason as the specification names it: "KMIP ItemNotFound", "KMIP PermissionDenied",
 * "KMIP CryptographicFailure"), with the server's result message as the error's message.
 */
import { RESULT_REASONS } from './tags.js';

export class KmipError extends Error {
  override name: string;
  constructor(
    readonly reason: number | undefined,
    readonly resultMessage: string | undefined,
    readonly operation: string,
  ) {
    super(`${operation}: ${resultMessage ?? 'no result message'}`);
    this.name = `KMIP ${reasonName(reason)}`;
  }
}

export function reasonName(reason: number | undefined): string {
  if (reason === undefined) return 'OperationFailed';
  return RESULT_REASONS[reason] ?? `Reason${reason}`;
}

/** A response that breaks the protocol (undecodable, the wrong batch count, a missing member). */
export class KmipProtocolError extends Error {
  override name = 'KmipProtocolError';
}
