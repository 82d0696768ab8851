/**
 * The preflight of a run (issue 8): before anything is written or forked, every KMS line makes one
 * real call with its runners' settings (src/kms/client/preflight.ts). A failure is a UsageError: one line
 * naming the line, the cause and the fix, exit 2, nothing started. `--no-preflight` skips it.
 * A line is a KMS line when its CUT class extends KmsCut (it has the static `keyFor`).
 */
import { maskUrl, redactor } from '../core/redact.js';
import { UsageError } from '../core/errors.js';
import { loadCut } from '../cut/load.js';
import type { CutLine, RunPlan } from '../core/plan.js';
import type { LocalEndpoint } from './localEndpoint.js';

interface KmsCutClass {
  keyFor(extra: Record<string, unknown>): { key: import('../kms/model/keyfile.js').KeyEntry } | undefined;
  kms: object;
}

function isKmsCut(cls: unknown): cls is KmsCutClass {
  const c = cls as Partial<KmsCutClass>;
  return typeof c.keyFor === 'function' && typeof c.kms === 'object' && c.kms !== null;
}

function lineLabel(line: CutLine): string {
  return line.line > 0 ? `line ${line.line} (${line.cut}, id ${line.options.id})` : line.cut;
}

/** The KMS lines of a plan, with their CUT class. Loads no AWS SDK when there are none. */
async function kmsLines(plan: RunPlan): Promise<{ line: CutLine; cls: KmsCutClass }[]> {
  const found: { line: CutLine; cls: KmsCutClass }[] = [];
  for (const line of plan.lines) {
    const cls: unknown = await loadCut(line.cut, line.modulePath);
    if (isKmsCut(cls)) found.push({ line, cls });
  }
  return found;
}

/**
 * Runs the preflight of every KMS line at once (each bounded by its --timeout); throws a UsageError
 * listing every line that failed, in one line. `say` gets the -v lines and the notes.
 */
export async function preflightPlan(plan: RunPlan, local: LocalEndpoint | undefined, say: (s: string) => void): Promise<void> {
  const lines = await kmsLines(plan);
  if (lines.length === 0) return;
  const { preflightKms } = await import('../kms/client/preflight.js');
  const { THROWAWAY_CREDENTIALS } = await import('../kms/client/credentials.js');
  const outcomes = await Promise.all(
    lines.map(async ({ line, cls }) => {
      const o = line.options;
      const isLocal = o.endpoint === 'local';
      const key = cls.keyFor(o.extra)?.key;
      // Exactly what a runner of this line gets (run.ts, KmsCut.setup): the embedded server's URL,
      // region and throwaway credentials for a local line, else the line's options and the SDK's chain.
      const endpoint = isLocal ? local!.url : o.endpoint === '' ? undefined : o.endpoint;
      const region = isLocal ? local!.region : o.region === '' ? undefined : o.region;
      const outcome = await preflightKms({
        ...(endpoint !== undefined ? { endpoint } : {}),
        ...(region !== undefined ? { region } : {}),
        ...(isLocal ? { credentials: { ...THROWAWAY_CREDENTIALS } } : {}),
        timeoutMs: o.timeout * 1000,
        client: o.client,
      }, key);
      return { line, outcome, endpoint };
    }),
  );
  const failures: string[] = [];
  // An endpoint's answer may quote the request (its session token): the known secrets are taken out.
  const redact = redactor(process.env, plan.lines.map((l) => l.options.extra));
  for (const { line, outcome, endpoint } of outcomes) {
    const label = lineLabel(line);
    if (!outcome.ok) {
      failures.push(redact(`${label}: preflight: ${outcome.cause}`));
      continue;
    }
    if (outcome.note !== undefined) say(redact(`pylogen: ${label}: preflight: ${outcome.note}\n`));
    if (plan.verbosity > 0) {
      if (outcome.credentials === 'throwaway') {
        say(`${label}: no AWS credentials in the SDK's chain: requests to the loopback endpoint ${maskUrl(endpoint ?? '')} are signed with throwaway credentials\n`);
      }
      say(`${label}: preflight kms:${outcome.operation} ok\n`);
    }
  }
  if (failures.length > 0) throw new UsageError(failures.join('; '));
}
