/**
 * The Vault / OpenBao Transit protocol (issue 23), as the protocol seam takes it
 * (src/protocols/Protocol.ts): the VaultTransit* CUTs (they extend VaultCut, whose static `protocol`
 * is "vault"), http/https endpoints, the throwaway target `vault-local`, the preflight (seal status,
 * token, mount, key), the error types, and `pylogen vault serve` / `pylogen vault setup`.
 */
import type { Protocol } from '../protocols/Protocol.js';
import { vaultServeCommand, vaultSetupCommand } from './commands.js';
import { vaultErrorType } from './errorType.js';
import { preflightVault } from './preflight.js';
import { vaultLocalTarget } from './target.js';

export const vaultProtocol: Protocol = {
  name: 'vault',
  describe: 'HashiCorp Vault and OpenBao Transit (HTTP API v1)',
  owns: (cls) => typeof cls === 'function' && (cls as { protocol?: unknown }).protocol === 'vault',
  schemes: ['http', 'https'],
  targets: [vaultLocalTarget],
  preflight: (lines) => preflightVault(lines),
  errorType: vaultErrorType,
  commands: [vaultServeCommand, vaultSetupCommand],
};
