/**
 * The commands the Azure protocol contributes: `pylogen azure serve` and `pylogen azure setup`. Texts
 * and option rows are plain data; the bodies are loaded when they run (the registry stays light).
 */
import type { Command } from '../core/command.js';
import { API_NOTE, AZURE_SERVE_OPTIONS, AZURE_SETUP_OPTIONS } from './options.js';

export const azureServeCommand: Command = {
  path: ['azure', 'serve'],
  describe: 'the embedded Azure Key Vault / Managed HSM server, until Ctrl-C',
  details:
    'The embedded Key Vault / Managed HSM server: the keys REST API of @azure/keyvault-keys over HTTPS with a throwaway CA ' +
    "(its PEM written to --ca-file), Key Vault's challenge authentication (any bearer token is accepted), real cryptography, " +
    `the keys of a key file created at start, and fault injection. ${API_NOTE} Prints its URL on stdout, serves until Ctrl-C ` +
    '(SIGINT) or SIGTERM, then prints its counts per operation and exits 0.',
  options: AZURE_SERVE_OPTIONS,
  examples: [
    [
      'pylogen azure serve --port 8443 --ca-file ca.pem',
      'then: NODE_EXTRA_CA_CERTS=ca.pem PYLOGEN_AZURE_TOKEN=any pylogen cuts.AzureKeyVaultSign --endpoint https://127.0.0.1:8443',
    ],
    ['pylogen azure serve --flavour vault --throttle 50', 'a Key Vault throttling at 50 requests/s'],
  ],
  run: async (a) => {
    const { takeSignals } = await import('../command/signals.js');
    takeSignals();
    return (await import('./serve.js')).azureServe(a.positionals, a.values, a.cwd);
  },
};

export const azureSetupCommand: Command = {
  path: ['azure', 'setup'],
  describe: 'create in a Key Vault or Managed HSM the keys that an Azure key file names',
  details:
    'Creates the keys of an Azure key file that the vault lacks (RSA, EC, RSA-HSM, EC-HSM; oct-HSM on Managed HSM) and checks ' +
    "the ones it has; never deletes nor purges (soft delete and purge protection are the vault owner's business). Credentials: " +
    `DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI). ${API_NOTE}`,
  options: AZURE_SETUP_OPTIONS,
  examples: [['pylogen azure setup --endpoint https://my-vault.vault.azure.net', 'the keys of profiles/AzureDefault.json']],
  run: async (a) => (await import('./setup.js')).azureSetup(a.positionals, a.values, a.cwd),
};
