/**
 * Who is asking, and how the official clients are built for a vault URL. The credential is
 * @azure/identity's DefaultAzureCredential (environment, workload identity, managed identity, Azure
 * CLI; it caches and refreshes its tokens), loaded only when needed; with PYLOGEN_AZURE_TOKEN set (what
 * `--endpoint azure-local` gives its runners: a throwaway token of the throwaway server) a fixed
 * bearer token instead. Tokens are never printed.
 *
 * The client options: --retries as the pipeline's maxRetries (its policies retry 429 and 503 after
 * Retry-After, and 5xx / network errors with jittered exponential backoff), challenge resource
 * verification off for a loopback vault only (the challenge names https://vault.azure.net, which a
 * loopback host can never match), a per-retry policy that counts retries and 429 answers, and one
 * that says in the error when the vault URL's server does not speak TLS (transport/scheme.ts), for
 * the preflight's line and the runners' error samples alike.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { explainScheme } from '../transport/scheme.js';
import { AZURE_API_VERSION } from './apiVersion.js';

/** The variable that carries a fixed bearer token (the throwaway one of azure-local). */
export const AZURE_TOKEN_ENV = 'PYLOGEN_AZURE_TOKEN';

export async function azureCredential(env: NodeJS.ProcessEnv = process.env): Promise<TokenCredential> {
  const token = env[AZURE_TOKEN_ENV];
  if (token !== undefined && token !== '') {
    return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
  }
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new DefaultAzureCredential();
}

export const isLoopbackHost = (host: string): boolean => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** Retries and 429 answers seen by one client's pipeline (attempts after the first of each call). */
export interface RetryCounts {
  attempts: number;
  calls: number;
  /** 401 challenges answered (the first call of a client is sent twice) */
  challenged: number;
  throttled: number;
}

/** The TLS hint's fix for a protocol without http:// (the SDK sends bearer tokens over https:// only). */
const HTTPS_ONLY = "Azure Key Vault is https:// only: check the vault URL's host and port";

/** https:// only: no TLS probe is ever needed, this bounds it anyway. */
const PROBE_MS = 2000;

export function clientOptions(vaultUrl: string, retries: number, counts?: RetryCounts): Record<string, unknown> {
  const origin = new URL(vaultUrl).origin;
  const policies: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[] = [
    {
      position: 'perRetry',
      policy: {
        name: 'pylogenScheme',
        sendRequest: (req, next) =>
          next(req).catch(async (err: unknown) =>
            Promise.reject(err instanceof Error ? await explainScheme(err, origin, PROBE_MS, { httpsOnly: HTTPS_ONLY }) : err),
          ),
      },
    },
  ];
  if (counts !== undefined) {
    policies.push({ position: 'perCall', policy: { name: 'pylogenCalls', sendRequest: (req, next) => (counts.calls++, next(req)) } });
    policies.push({
      position: 'perRetry',
      policy: {
        name: 'pylogenAttempts',
        sendRequest: async (req, next) => {
          counts.attempts++;
          const res = await next(req);
          if (res.status === 429) counts.throttled++;
          else if (res.status === 401) counts.challenged++;
          return res;
        },
      },
    });
  }
  return {
    serviceVersion: AZURE_API_VERSION,
    disableChallengeResourceVerification: isLoopbackHost(new URL(vaultUrl).hostname),
    retryOptions: { maxRetries: retries },
    additionalPolicies: policies,
  };
}
