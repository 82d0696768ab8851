/**
 * `pylogen azure setup`: makes the keys of an Azure key file exist in a vault or Managed HSM: a key
 * found (GET) is checked (enabled, its kty, size or curve the key file's) and left alone; a missing one
 * is created (RSA / RSA-HSM 2048-4096, EC / EC-HSM P-256/P-384/P-521, oct-HSM on Managed HSM). It never
 * deletes or purges anything: soft delete and purge protection stay the vault owner's business (a
 * deleted key whose name is kept by soft delete must be recovered or purged by its owner). One line
 * per key on stdout; a vault that refuses is one line on stderr naming Key Vault's error code, exit 1.
 */
import { describeError, UsageError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';
import { optionsCommand, runSetup } from '../command/optionsCommand.js';
import { azureEndpointProblem } from './AzureCut.js';
import { azureCredential, clientOptions } from './client.js';
import { azureErrorType } from './errorType.js';
import { AZURE_LOCAL, keyProblem } from './keyCheck.js';
import { azureVaultUrl, describeAzureKey, loadAzureKeyFile, type AzureKeyEntry } from './keyfile.js';
import { AZURE_SETUP_OPTIONS } from './options.js';

export const azureSetup = optionsCommand('azure', 'setup', AZURE_SETUP_OPTIONS, async (r) => {
  const { v, cwd } = r;
  const file = loadAzureKeyFile(v.text('keys'), cwd, packageRoot);
  const { url, from } = azureVaultUrl(v.maybeText('endpoint') ?? '', file);
  if (url === '')
    throw new UsageError('azure setup: give --endpoint https://NAME.vault.azure.net (or https://NAME.managedhsm.azure.net), or "vaultUrl" in the key file');
  if (url === AZURE_LOCAL)
    throw new UsageError(`azure setup --endpoint ${AZURE_LOCAL}: the throwaway server of a run lives only for that run and creates its keys itself`);
  const problem = azureEndpointProblem(url, from);
  if (problem !== undefined) throw new UsageError(problem);
  const { KeyClient } = await import('@azure/keyvault-keys');
  const keys = new KeyClient(url, await azureCredential(), clientOptions(url, v.num('retries')));
  const call = { requestOptions: { timeout: v.num('timeout') * 1000 } };
  const make = async (e: AzureKeyEntry, say: (line: string) => void): Promise<'existing' | 'created'> => {
    try {
      const key = await keys.getKey(e.name, e.version === undefined ? call : { ...call, version: e.version });
      const bad = keyProblem([], e, key);
      if (bad !== undefined) throw new UsageError(`azure setup: ${bad} (setup never replaces a key: give the entry another name)`);
      say(`key "${e.entry}": ${describeAzureKey(e)} exists: ${key.id}`);
      return 'existing';
    } catch (err) {
      if (azureErrorType(err) !== 'KeyNotFound' || e.version !== undefined) throw err;
    }
    const created = await keys.createKey(e.name, e.kty, { ...call, ...(e.family === 'ec' ? { curve: e.curve! } : { keySize: e.size! }) });
    say(`key "${e.entry}": ${describeAzureKey(e)} created: ${created.id}`);
    return 'created';
  };
  return runSetup(r, {
    file: file.path,
    target: () => url,
    create: async (say) => {
      const existing: AzureKeyEntry[] = [];
      const created: AzureKeyEntry[] = [];
      for (const e of file.entries.values()) ((await make(e, say)) === 'existing' ? existing : created).push(e);
      return { existing, created };
    },
    failure: (e) => `${azureErrorType(e) ?? (e as Error).name}: ${describeError(e).replace(/^[^:]*: /, '')}`,
    close: () => undefined,
  });
});
