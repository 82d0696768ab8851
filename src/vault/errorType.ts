/**
 * The protocol's errorType (Protocol.errorType): the errorsByType name of a Vault error, or undefined
 * to fall through to the common classification (network codes, TimeoutError, ...). A runner calls
 * it for every error: it loads no client and no server.
 */
import { BatchItemError, VaultError } from './VaultError.js';

export function vaultErrorType(err: unknown): string | undefined {
  return err instanceof VaultError || err instanceof BatchItemError ? err.name : undefined;
}
