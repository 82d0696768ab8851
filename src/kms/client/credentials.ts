/**
 * The credentials a KMS client signs with: the one place that decides them, for every client
 * pylogen makes (the runners' clients, the preflight, kms setup). The SDK's own chain always comes
 * first (environment, AWS_PROFILE and ~/.aws, SSO, container and instance roles): real credentials,
 * when there are any, are used as they are. Only when that chain finds none and the endpoint is on
 * the loopback (127.0.0.0/8, ::1, localhost: `kms serve`, LocalStack, local-kms) are throwaway
 * credentials used instead, as `--endpoint local` does: such servers check no signature, and a
 * newcomer's first run against one must not be a run full of CredentialsProviderError.
 */
import { KMSClient } from '@aws-sdk/client-kms';

export interface KmsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** What signs requests to a loopback endpoint when the SDK's chain finds nothing (and to `--endpoint local`). */
export const THROWAWAY_CREDENTIALS: Readonly<KmsCredentials> = Object.freeze({
  accessKeyId: 'AKIDPYLOGENLOCAL',
  secretAccessKey: 'pylogen-local-throwaway-secret',
});

/** Where a client's credentials come from. */
export type CredentialSource = 'given' | 'chain' | 'throwaway' | 'none';

/** Whether a URL's host is on the loopback: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  if (endpoint === undefined || endpoint === '') return false;
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]' || host === '::1') return true;
  // URL normalises IPv4 forms (127.1, 0x7f.0.0.1) to dotted quads.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The endpoint a client will talk to: the one given, else what the SDK would read from the
 * environment (AWS_ENDPOINT_URL_KMS, then AWS_ENDPOINT_URL).
 */
export function effectiveEndpoint(given: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (given !== undefined && given !== '') return given;
  for (const v of [env.AWS_ENDPOINT_URL_KMS, env.AWS_ENDPOINT_URL]) if (v !== undefined && v.trim() !== '') return v.trim();
  return undefined;
}

let chainClient: KMSClient | undefined;

/** The SDK's default credential chain, as any KMSClient resolves it (memoised by the SDK, refreshed when it expires). */
function sdkChain(): Promise<KmsCredentials> {
  chainClient ??= new KMSClient({});
  return chainClient.config.credentials() as Promise<KmsCredentials>;
}

/** The SDK's chain found nothing (as opposed to a network failure of a credential source). */
function isNoCredentials(err: unknown): boolean {
  return err instanceof Error && err.name === 'CredentialsProviderError';
}

/**
 * A credentials provider for a client of `endpoint` (its `credentials` option), or undefined to let
 * the SDK use its own chain untouched (an endpoint off the loopback). The decision is taken once per
 * provider: the SDK's chain, else, for a loopback endpoint, the throwaway credentials.
 */
export function loopbackAwareCredentials(endpoint: string | undefined): (() => Promise<KmsCredentials>) | undefined {
  if (!isLoopbackEndpoint(effectiveEndpoint(endpoint))) return undefined;
  let throwaway = false;
  return async () => {
    if (throwaway) return THROWAWAY_CREDENTIALS;
    try {
      return await sdkChain();
    } catch (err) {
      if (!isNoCredentials(err)) throw err;
      throwaway = true;
      return THROWAWAY_CREDENTIALS;
    }
  };
}

/** Which credentials a client of `endpoint` signs with (for -v, and for the preflight's messages). */
export async function credentialSource(endpoint: string | undefined, given?: KmsCredentials): Promise<CredentialSource> {
  if (given !== undefined) return 'given';
  try {
    await sdkChain();
    return 'chain';
  } catch (err) {
    if (!isNoCredentials(err)) return 'chain';
    return isLoopbackEndpoint(effectiveEndpoint(endpoint)) ? 'throwaway' : 'none';
  }
}
