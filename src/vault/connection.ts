/**
 * Where Vault is and who is asking, as Vault's own CLI reads it: the address (--endpoint, else
 * VAULT_ADDR), the token (VAULT_TOKEN, else ~/.vault-token), the namespace (--extra "namespace",
 * else VAULT_NAMESPACE), the CA (VAULT_CACERT, else the system's) and VAULT_SKIP_VERIFY (honoured
 * only when set on purpose, and warned about on every run). The token is read, never shown.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface VaultConnection {
  address: string;
  token?: string;
  /** where the token came from, for messages (never the token) */
  tokenFrom: string;
  namespace?: string;
  ca?: string;
  insecure: boolean;
}

const truthy = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes)$/i.test(v);

/** The named endpoint of the throwaway embedded server. */
export const VAULT_LOCAL = 'vault-local';

/** The problem of an --endpoint for a Vault line, or undefined (the address itself is checked later). */
export function vaultEndpointProblem(endpoint: string, env: Readonly<Record<string, string | undefined>>, who = 'a Vault CUT'): string | undefined {
  if (endpoint === VAULT_LOCAL) return undefined;
  const address = endpoint === '' ? (env.VAULT_ADDR ?? '') : endpoint;
  if (address === '') return `--endpoint: ${who} needs --endpoint https://vault:8200 (or VAULT_ADDR, or ${VAULT_LOCAL}: a throwaway embedded server)`;
  let url: URL | undefined;
  try {
    url = new URL(address);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return `${endpoint === '' ? 'VAULT_ADDR' : '--endpoint'}: ${who} needs an http:// or https:// URL or ${VAULT_LOCAL}, but is "${address}"`;
  }
  if (url.username !== '' || url.password !== '') return `${endpoint === '' ? 'VAULT_ADDR' : '--endpoint'}: give the token in VAULT_TOKEN, not in the URL`;
  return undefined;
}

/** The connection of a runner (or of preflight, setup) from its endpoint and environment. */
export function vaultConnection(endpoint: string, env: Readonly<Record<string, string | undefined>>, namespace?: string): VaultConnection {
  const address = (endpoint === '' ? (env.VAULT_ADDR ?? '') : endpoint).replace(/\/+$/, '');
  let token = env.VAULT_TOKEN;
  let tokenFrom = 'VAULT_TOKEN';
  if (token === undefined || token === '') {
    tokenFrom = '~/.vault-token';
    try {
      token = readFileSync(join(env.HOME ?? homedir(), '.vault-token'), 'utf8').trim();
    } catch {
      token = undefined;
      tokenFrom = 'no token (VAULT_TOKEN unset, no ~/.vault-token)';
    }
  }
  const ns = namespace ?? env.VAULT_NAMESPACE;
  const caFile = env.VAULT_CACERT;
  return {
    address,
    ...(token === undefined || token === '' ? {} : { token }),
    tokenFrom,
    ...(ns === undefined || ns === '' ? {} : { namespace: ns }),
    ...(caFile === undefined || caFile === '' ? {} : { ca: readFileSync(caFile, 'utf8') }),
    insecure: truthy(env.VAULT_SKIP_VERIFY),
  };
}

/** The warning every run shows when TLS verification is off. */
export const INSECURE_WARNING = 'VAULT_SKIP_VERIFY is set: the Vault server certificate is NOT verified (anyone on the path can read the token)';
