/**
 * Whether a key as the vault answers it fits a key-file entry and a CUT: it is enabled, its kty is
 * the entry's (RSA and RSA-HSM alike), its size or curve is the entry's, and its key_ops allow what
 * the CUT does. Shared by a runner's setup() and the preflight (both hold a KeyVaultKey).
 */
import type { AzureKeyEntry } from './keyfile.js';

/** The named endpoint that starts the embedded Key Vault / Managed HSM server. */
export const AZURE_LOCAL = 'azure-local';

/** The parts of @azure/keyvault-keys' KeyVaultKey the checks read. */
export interface VaultKeyView {
  name: string;
  keyType?: string;
  keyOperations?: string[];
  key?: { n?: Uint8Array; crv?: string };
  properties: { enabled?: boolean; version?: string };
}

export function keyProblem(ops: readonly string[], entry: AzureKeyEntry, key: VaultKeyView): string | undefined {
  const at = `key "${entry.entry}" (${key.name}${key.properties.version === undefined ? '' : `/${key.properties.version}`})`;
  if (key.properties.enabled === false) return `${at} is disabled: enable it in the vault`;
  const base = (t: string | undefined): string => (t ?? '').replace(/-HSM$/, '');
  if (base(key.keyType) !== base(entry.kty)) return `${at} is ${key.keyType} in the vault, but the key file says ${entry.kty}`;
  if (entry.family === 'rsa' && key.key?.n !== undefined && key.key.n.length * 8 !== entry.size) {
    return `${at} is RSA ${key.key.n.length * 8} in the vault, but the key file says ${entry.size}`;
  }
  if (entry.family === 'ec' && key.key?.crv !== undefined && key.key.crv !== entry.curve)
    return `${at} is on ${key.key.crv} in the vault, but the key file says ${entry.curve}`;
  const missing = ops.filter((op) => key.keyOperations !== undefined && !key.keyOperations.includes(op));
  if (missing.length > 0) return `${at} does not allow ${missing.join(', ')} (its key_ops: ${key.keyOperations!.join(', ')}): update the key's operations`;
  return undefined;
}
