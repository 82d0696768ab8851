/** `pylogen/vault`: the vault protocol's CUT base and what its CUT authors need around it. */
export {
  VaultCut,
  VaultVerifyCut,
  VaultSetupError,
  resultsOf,
  field,
  bodyProblems,
  MAX_BATCH,
  VAULT_EXTRA_KEYS,
  type VaultExtra,
  type VaultCutSpec,
} from '../vault/VaultCut.js';
export { VaultClient, type VaultClientOptions, type VaultBody } from '../vault/client.js';
export { VaultError, BatchItemError } from '../vault/VaultError.js';
export { vaultPublicKey, verifyVaultSignature } from '../vault/localVerify.js';
export { HASHES as VAULT_HASHES, MAX_RANDOM_BYTES as VAULT_MAX_RANDOM_BYTES, parseVersioned, type KeyType as VaultKeyType } from '../vault/model.js';
export type { VaultKeyEntry, VaultKeyFile } from '../vault/keyfile.js';
