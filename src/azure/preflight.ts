/**
 * The preflight of the Azure lines: one GET of each line's key (GetRandomBytes of one byte for the
 * keyless CUT), with the credential and the CA its runners will have, before anything is forked. The
 * key must exist, be enabled, and its kty, size or curve and key_ops fit the CUT (keyCheck.ts). No
 * credential, no permission or a missing key is one line naming the fix.
 */
import { readFileSync } from 'node:fs';
import type { PreflightLine, PreflightOutcome } from '../protocols/Protocol.js';
import { describeError } from '../core/errors.js';
import { schemeMismatch } from '../transport/scheme.js';
import { packageRoot } from '../core/paths.js';
import type { AzureCutSpec } from './AzureCut.js';
import { azureCredential, clientOptions } from './client.js';
import { azureErrorType } from './errorType.js';
import { keyProblem } from './keyCheck.js';
import { azureVaultUrl, describeAzureKey, loadAzureKeyFile } from './keyfile.js';

/** What answered, when it is not Key Vault: a status without Key Vault's JSON error (a web server's page, a proxy's). */
function notKeyVault(err: unknown, type: string | undefined): string | undefined {
  if (type === undefined || !type.startsWith('HTTP ')) return undefined;
  const contentType = (err as { response?: { headers?: { get?(name: string): string | undefined } } }).response?.headers?.get?.('content-type');
  const media = contentType?.split(';')[0]?.trim() || 'no Content-Type';
  return /json/i.test(media) ? undefined : `${type}, ${media}`;
}

function cause(err: unknown, what: string, url: string): string {
  const type = azureErrorType(err);
  const name = (err as { name?: string } | null)?.name;
  // The vault URL's server does not speak TLS (client.ts), or is not Key Vault: said as the KMS preflight says it.
  if (schemeMismatch(err) !== undefined) return `${what}: ${url}: ${(err as Error).message}`;
  const answered = notKeyVault(err, type);
  if (answered !== undefined) return `${what}: ${url}: does not speak the Azure Key Vault API (${answered})`;
  if (name === 'CredentialUnavailableError' || name === 'AggregateAuthenticationError' || name === 'AuthenticationError') {
    return `${what}: no Azure credential: sign in with az login, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or use a managed / workload identity)`;
  }
  if (type?.startsWith('Unauthorized'))
    return `${what}: ${url} refused the credential (401 Unauthorized): check the tenant and the identity (az login, AZURE_TENANT_ID)`;
  if (type?.startsWith('Forbidden'))
    return `${what}: the identity may not use this key (403 ${type}): grant it "Key Vault Crypto User" (RBAC) or the key permissions get and the CUT's operation (access policy)`;
  if (type === 'KeyNotFound') return `${what}: no such key on ${url}: create the key file's keys with pylogen azure setup --endpoint ${url}`;
  return `${what} at ${url} failed: ${type ?? ''}${type === undefined ? '' : ': '}${describeError(err)}`;
}

export async function preflightAzure(lines: readonly PreflightLine[], ctx: { verbosity: number }): Promise<PreflightOutcome[]> {
  const { KeyClient } = await import('@azure/keyvault-keys');
  return Promise.all(
    lines.map(async (pl): Promise<PreflightOutcome> => {
      const spec = (pl.cls as { azure: AzureCutSpec }).azure;
      const env = { ...process.env, ...pl.env };
      const extra = pl.line.options.extra as { file?: string; key?: string };
      const file = loadAzureKeyFile(extra.file, process.cwd(), packageRoot);
      const url = azureVaultUrl(pl.endpoint, file).url;
      const ca = pl.env.NODE_EXTRA_CA_CERTS;
      const options = { ...clientOptions(url, 0), ...(ca === undefined ? {} : { tlsOptions: { ca: readFileSync(ca, 'utf8') } }) };
      const keys = new KeyClient(url, await azureCredential(env), options);
      if (spec.defaultKey === undefined) {
        try {
          await keys.getRandomBytes(1);
          return { ok: true, ...(ctx.verbosity > 0 ? { detail: `GetRandomBytes at ${url}: ok` } : {}) };
        } catch (err) {
          return { ok: false, cause: cause(err, `${pl.line.cut}: GetRandomBytes`, url) };
        }
      }
      const entry = file.entries.get(extra.key ?? spec.defaultKey);
      if (entry === undefined) return { ok: false, cause: `${pl.line.cut}: no key ${extra.key ?? spec.defaultKey} in the key file` };
      const what = `${pl.line.cut}: key "${entry.entry}" (${describeAzureKey(entry)})`;
      try {
        const key = await keys.getKey(entry.name, entry.version === undefined ? {} : { version: entry.version });
        const bad = keyProblem(spec.ops, entry, key);
        if (bad !== undefined) return { ok: false, cause: `${pl.line.cut}: ${bad}` };
        return { ok: true, ...(ctx.verbosity > 0 ? { detail: `${what}: ${key.id}` } : {}) };
      } catch (err) {
        return { ok: false, cause: cause(err, what, url) };
      }
    }),
  );
}
