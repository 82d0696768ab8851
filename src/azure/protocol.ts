/**
 * Azure Key Vault and Managed HSM as a protocol of pylogen (src/protocols/Protocol.ts): the
 * AzureKeyVault CUTs (they extend AzureCut: the static `azure` spec), https:// vault URLs, the embedded
 * server as `--endpoint azure-local`, the preflight (one GET of each line's key), Key Vault's error
 * codes in errorsByType, and `pylogen azure serve` / `pylogen azure setup`. Light: the SDK, the server
 * and the preflight are imported when used.
 */
import type { Protocol } from '../protocols/Protocol.js';
import { azureServeCommand, azureSetupCommand } from './commands.js';
import { azureErrorType } from './errorType.js';
import { AZURE_LOCAL } from './keyCheck.js';

export const azure: Protocol = {
  name: 'azure',
  // a bearer token given directly (src/azure/client.ts), and what @azure/identity's EnvironmentCredential reads
  secretEnv: ['PYLOGEN_AZURE_TOKEN', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_PASSWORD'],
  describe: 'Azure Key Vault and Managed HSM (@azure/keyvault-keys), or the embedded server',
  owns: (cls) => {
    const c = cls as { azure?: unknown } | null;
    return typeof c?.azure === 'object' && c.azure !== null;
  },
  schemes: ['https'],
  targets: [
    {
      name: AZURE_LOCAL,
      describe: 'the embedded Azure Key Vault / Managed HSM server',
      async start(lines, { cwd }) {
        const { startAzureLocal } = await import('./localTarget.js');
        const local = await startAzureLocal(lines, cwd);
        const s = local.server;
        return {
          describe: `embedded Azure ${s.flavour === 'managedhsm' ? 'Managed HSM' : 'Key Vault'} server on ${s.url} (${local.keys} keys, in this process)`,
          forLine: () => ({ endpoint: s.url, env: local.env }),
          died: () => undefined,
          close: local.close,
        };
      },
    },
  ],
  preflight: async (lines, ctx) => (await import('./preflight.js')).preflightAzure(lines, ctx),
  errorType: azureErrorType,
  commands: [azureServeCommand, azureSetupCommand],
};
