/**
 * What a summary keeps of the plan that made it (`plan` in the summary JSON): the command line and
 * each CUT line's options, so that a report rendered later from the summary alone (`pylogen
 * report`) shows what was run. Values of --extra whose key names a secret (a PIN, a password, a
 * token) are masked: a summary is a file people share.
 */
import type { RunPlan } from '../core/plan.js';
import { maskUrl, secretKey } from '../core/redact.js';
import type { PlanSummary } from '../summary/schema.js';

export type { PlanLine, PlanSummary } from '../summary/schema.js';

/** A copy of --extra with the values of secret-looking keys masked, at any depth. */
export function maskExtra(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(maskExtra);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, secretKey(k) ? '***' : maskExtra(x)]));
}

function maskJson(text: string): string {
  try {
    return JSON.stringify(maskExtra(JSON.parse(text)));
  } catch {
    return text;
  }
}

/** The command line with the value of every --extra (`--extra V` or `--extra=V`) masked the same way. */
function maskCommand(words: readonly string[]): string[] {
  return words.map((w, i) => maskUrl(words[i - 1] === '--extra' ? maskJson(w) : w.startsWith('--extra=') ? `--extra=${maskJson(w.slice(8))}` : w));
}

export function planSummary(plan: RunPlan): PlanSummary {
  return {
    ...(plan.command !== undefined ? { command: maskCommand(plan.command) } : {}),
    lines: plan.lines.map((l) => ({
      id: l.options.id,
      cut: l.cut,
      line: l.line,
      options: {
        ...l.options,
        endpoint: maskUrl(l.options.endpoint),
        extra: maskExtra(l.options.extra) as Record<string, unknown>,
        thresholds: l.options.thresholds.map((t) => t.text),
      },
    })),
    thresholds: plan.thresholds.map((t) => (t.id !== undefined ? `${t.id}: ${t.text}` : t.text)),
  };
}
