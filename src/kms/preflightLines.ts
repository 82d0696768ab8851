/**
 * The kms protocol's preflight (src/kms/protocol.ts): every KMS line makes one real call with its
 * runners' settings (src/kms/client/preflight.ts), all at once, each bounded by its --timeout.
 */
import { maskUrl } from '../core/redact.js';
import type { PreflightLine, PreflightOutcome } from '../protocols/Protocol.js';
import type { KeyEntry } from './model/keyfile.js';
import { THROWAWAY_CREDENTIALS } from './client/credentials.js';
import { preflightKms } from './client/preflight.js';

interface KmsCutClass {
  keyFor(extra: Record<string, unknown>): { key: KeyEntry } | undefined;
}

export async function preflightKmsLines(lines: readonly PreflightLine[], _ctx: { verbosity: number; say: (s: string) => void }): Promise<PreflightOutcome[]> {
  return Promise.all(
    lines.map(async ({ line, cls, endpoint: given, region: targetRegion, target }): Promise<PreflightOutcome> => {
      const o = line.options;
      const isLocal = target === 'local';
      const key = (cls as KmsCutClass).keyFor(o.extra)?.key;
      // Exactly what a runner of this line gets (run.ts, KmsCut.setup): the embedded server's URL,
      // region and throwaway credentials for a local line, else the line's options and the SDK's chain.
      const endpoint = given === '' ? undefined : given;
      const region = targetRegion ?? (o.region === '' ? undefined : o.region);
      const outcome = await preflightKms(
        {
          ...(endpoint !== undefined ? { endpoint } : {}),
          ...(region !== undefined ? { region } : {}),
          ...(isLocal ? { credentials: { ...THROWAWAY_CREDENTIALS } } : {}),
          timeoutMs: o.timeout * 1000,
          client: o.client === 'sdk' ? 'sdk' : 'fast',
        },
        key,
      );
      if (!outcome.ok) return { ok: false, cause: outcome.cause };
      const detail: string[] = [];
      if (outcome.credentials === 'throwaway') {
        detail.push(
          `no AWS credentials in the SDK's chain: requests to the loopback endpoint ${maskUrl(endpoint ?? '')} are signed with throwaway credentials`,
        );
      }
      detail.push(`preflight kms:${outcome.operation} ok`);
      return { ok: true, detail: detail.join('\n'), ...(outcome.note !== undefined ? { note: outcome.note } : {}) };
    }),
  );
}
