/**
 * The Vault / OpenBao Transit protocol, as the protocol seam takes it
 * (src/protocols/Protocol.ts): the VaultTransit* CUTs (they extend VaultCut: the static `vault`
 * spec), http/https endpoints, the throwaway target `vault-local`, the preflight (seal status, token,
 * mount, key), the error types, and `pylogen vault serve` / `pylogen vault setup`. Light: the server,
 * the client and the command bodies are imported when used.
 */
import type { Protocol } from '../protocols/Protocol.js';
import { vaultServeCommand, vaultSetupCommand } from './commands.js';
import { VAULT_LOCAL } from './connection.js';
import { vaultErrorType } from './errorType.js';

export const vault: Protocol = {
  name: 'vault',
  // the client's token, and `vault serve`'s
  secretEnv: ['VAULT_TOKEN', 'PYLOGEN_VAULT_TOKEN'],
  describe: 'HashiCorp Vault and OpenBao Transit (HTTP API v1)',
  owns: (cls) => {
    const c = cls as { keyFor?: unknown; vault?: unknown } | null;
    return typeof c?.keyFor === 'function' && typeof c.vault === 'object' && c.vault !== null;
  },
  schemes: ['http', 'https'],
  targets: [
    {
      name: VAULT_LOCAL,
      describe: 'a throwaway embedded Vault Transit server',
      start: async (lines, { cwd }) => (await import('./target.js')).startLocalVault(lines, cwd),
    },
  ],
  preflight: async (lines) => (await import('./preflight.js')).preflightVault(lines),
  errorType: vaultErrorType,
  commands: [vaultServeCommand, vaultSetupCommand],
};
