/**
 * The preflight of a run: before anything is written or forked, each protocol of the registry
 * (installed in src/protocols/seam.ts) checks its lines with one real call and the settings their runners
 * will get (a KMS line: DescribeKey or the like; a PKCS#11 line: one login). A failure is a
 * UsageError: one line naming the line, the cause and the fix, exit 2, nothing started.
 * `--no-preflight` skips it. A line belongs to the protocol whose owns() takes its CUT class.
 */
import { redactor } from '../core/redact.js';
import { UsageError } from '../core/errors.js';
import { loadCut } from '../cut/load.js';
import type { CutLine, RunPlan } from '../core/plan.js';
import type { PreflightLine, Protocol } from '../protocols/Protocol.js';
import { protocolOf } from '../protocols/seam.js';
import type { RunTargets } from './targets.js';

function lineLabel(line: CutLine): string {
  return line.line > 0 ? `line ${line.line} (${line.cut}, id ${line.options.id})` : line.cut;
}

/**
 * Runs the preflight of every line whose protocol has one, all protocols at once; throws a
 * UsageError listing every line that failed, in one line. `say` gets the -v lines and the notes.
 */
export async function preflightPlan(plan: RunPlan, targets: Pick<RunTargets, 'forLine'>, say: (s: string) => void): Promise<void> {
  const byProtocol = new Map<Protocol, PreflightLine[]>();
  for (const line of plan.lines) {
    const cls: unknown = await loadCut(line.cut, line.modulePath);
    const protocol = protocolOf(cls);
    if (protocol?.preflight === undefined) continue;
    const given = targets.forLine(line);
    const entry: PreflightLine = {
      line,
      cls,
      endpoint: given?.endpoint ?? line.options.endpoint,
      env: given?.env ?? {},
      ...(given?.region !== undefined ? { region: given.region } : {}),
      ...(given !== undefined ? { target: given.target } : {}),
    };
    byProtocol.set(protocol, [...(byProtocol.get(protocol) ?? []), entry]);
  }
  const results = await Promise.all(
    [...byProtocol].map(async ([protocol, lines]) => {
      const outcomes = await protocol.preflight!(lines, { verbosity: plan.verbosity, say });
      return lines.map((l, i) => ({
        line: l.line,
        outcome: outcomes[i] ?? { ok: false as const, cause: `the ${protocol.name} preflight said nothing of this line` },
      }));
    }),
  );
  const failures: string[] = [];
  // An endpoint's answer may quote the request (its session token): the known secrets are taken out.
  const redact = redactor(
    process.env,
    plan.lines.map((l) => l.options.extra),
  );
  for (const { line, outcome } of results.flat().sort((a, b) => plan.lines.indexOf(a.line) - plan.lines.indexOf(b.line))) {
    const label = lineLabel(line);
    if (!outcome.ok) {
      failures.push(redact(`${label}: preflight: ${outcome.cause}`));
      continue;
    }
    if (outcome.note !== undefined) say(redact(`pylogen: ${label}: preflight: ${outcome.note}\n`));
    if (plan.verbosity > 0 && outcome.detail !== undefined) for (const d of outcome.detail.split('\n')) say(redact(`${label}: ${d}\n`));
  }
  if (failures.length > 0) throw new UsageError(failures.join('; '));
}
