/**
 * Regression thresholds of `pylogen compare`: `[SCOPE:]FIGURE OP CHANGE`, a bound on the change of
 * a figure from the base run (Entrust perfcheck's regression threshold, k6's threshold syntax):
 *
 *   p99 < +10%               the p99 latency grows by less than 10% (relative to the base)
 *   rate > -5%               the ok rate falls by less than 5%
 *   ENCRYPT:errors < +0.5%   the error share of ENCRYPT grows by less than 0.5 percentage point
 *   p50 < +2ms               an absolute change (ms for latencies, /s for the rate)
 *   capacity > -10%          a capacity search's highest sustainable rate
 *
 * SCOPE is a request name, a line id or a CUT: the threshold applies to every row it names (no scope:
 * every row). A threshold fails only where the change is also beyond the noise (the verdict is not
 * "within noise"), unless --raw.
 */
import { FIGURES, LATENCY_FIGURES, type Figure } from './bootstrap.js';
import type { ComparedRow, Comparison, Delta } from './compareRuns.js';

export type DeltaFigure = Figure | 'capacity';
export type DeltaOp = '<' | '<=' | '>' | '>=';

export interface DeltaThreshold {
  text: string;
  scope?: string;
  figure: DeltaFigure;
  op: DeltaOp;
  /** the bound: a relative change (0.1 = +10%), percentage points (errors), ms or /s */
  value: number;
  unit: 'relative' | 'points' | 'ms' | '/s';
}

const SHAPE = /^(?:([^:<>=]+):)?\s*([\w.]+)\s*(<=|>=|<|>)\s*(.+)$/;
const CHANGE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(%|ms|s|us|\/s)?$/;
const EXAMPLES = "like 'p99 < +10%', 'rate > -5%', 'ENCRYPT:errors < +0.5%', 'p50 < +2ms'";
const MS: Record<string, number> = { ms: 1, s: 1000, us: 0.001 };

export function parseDeltaThreshold(raw: string): { threshold: DeltaThreshold } | { problem: string } {
  const text = raw.trim();
  const bad = (why: string) => ({ problem: `--threshold "${raw}": ${why}` });
  const m = SHAPE.exec(text);
  if (m === null) return bad(`expected [REQUEST:]FIGURE OP CHANGE (${EXAMPLES})`);
  const scope = m[1]?.trim();
  const figure = m[2] as DeltaFigure;
  if (![...FIGURES, 'capacity'].includes(figure)) return bad(`the figure must be one of ${[...FIGURES, 'capacity'].join(', ')}, not "${figure}"`);
  const op = m[3] as DeltaOp;
  const c = CHANGE.exec(m[4]!.trim());
  if (c === null)
    return bad(`the change "${m[4]!.trim()}" must be a signed number with a unit: % (relative to the base), ms for a latency, /s for the rate (${EXAMPLES})`);
  const n = Number(c[1]);
  const u = c[2];
  const latency = (LATENCY_FIGURES as readonly string[]).includes(figure);
  let unit: DeltaThreshold['unit'];
  let value = n;
  if (u === '%') {
    unit = figure === 'errors' ? 'points' : 'relative';
    if (unit === 'relative') value = n / 100;
  } else if (u !== undefined && u in MS && latency) {
    unit = 'ms';
    value = n * MS[u]!;
  } else if (u === '/s' && (figure === 'rate' || figure === 'capacity')) {
    unit = '/s';
  } else if (u === undefined) {
    return bad(`give the change a unit: % (relative to the base)${latency ? ' or ms' : figure === 'errors' ? ' (percentage points)' : ' or /s'}`);
  } else {
    return bad(`${figure} takes ${latency ? '% or ms, s, us' : figure === 'errors' ? '% (percentage points of the requests)' : '% or /s'}, not "${u}"`);
  }
  return { threshold: { text, ...(scope !== undefined && scope !== '' ? { scope } : {}), figure, op, value, unit } };
}

export interface DeltaVerdict {
  threshold: string;
  /** the run compared with the base */
  run: string;
  /** the row ("id cut request"), or "capacity" */
  row: string;
  /** the change measured, in the threshold's unit (in % for a relative one) */
  measured: number | null;
  unit: DeltaThreshold['unit'];
  /** held, or did not hold but within noise (see `note`) */
  ok: boolean;
  note?: string;
}

const holds = (x: number, op: DeltaOp, v: number) => (op === '<' ? x < v : op === '<=' ? x <= v : op === '>' ? x > v : x >= v);
const inScope = (r: ComparedRow, scope: string | undefined) => scope === undefined || r.request === scope || r.id === scope || r.cut === scope;

/** The rows a threshold names that no run has: a typo, reported as bad input. */
export function unmatchedScopes(ts: readonly DeltaThreshold[], c: Comparison): string[] {
  return ts
    .filter((t) => t.scope !== undefined && !c.rows.some((r) => inScope(r, t.scope)))
    .map((t) => `--threshold "${t.text}": no row of the runs is named ${t.scope} (a request, a line id or a CUT)`);
}

function judge(t: DeltaThreshold, d: Delta | null, run: string, row: string, raw: boolean): DeltaVerdict {
  if (d === null)
    return { threshold: t.text, run, row, unit: t.unit, measured: null, ok: true, note: 'not judged: the row or the figure is missing from a run' };
  const x = t.unit === 'relative' ? d.rel : d.abs;
  if (x === null) return { threshold: t.text, run, row, unit: t.unit, measured: null, ok: true, note: 'not judged: the base is 0, no relative change' };
  const measured = t.unit === 'relative' ? Math.round(x * 10_000) / 100 : x;
  if (holds(x, t.op, t.value)) return { threshold: t.text, run, row, unit: t.unit, measured, ok: true };
  if (!raw && (d.verdict === 'within noise' || d.verdict === 'n/a'))
    return {
      threshold: t.text,
      run,
      row,
      unit: t.unit,
      measured,
      ok: true,
      note: `crossed, but ${d.verdict === 'n/a' ? 'the noise could not be measured' : 'within noise'} (--raw to judge it as is)`,
    };
  return { threshold: t.text, run, row, unit: t.unit, measured, ok: false };
}

/** Every threshold over every run after the base and every row it names (whole rows, not per-length ones). */
export function judgeDeltas(ts: readonly DeltaThreshold[], c: Comparison, raw: boolean): DeltaVerdict[] {
  const out: DeltaVerdict[] = [];
  const others = c.runs.slice(1);
  for (const t of ts) {
    others.forEach((run, i) => {
      if (t.figure === 'capacity') {
        out.push(
          c.capacity === undefined
            ? { threshold: t.text, run: run.source, row: 'capacity', unit: t.unit, measured: null, ok: true, note: 'not judged: not capacity searches' }
            : judge(t, c.capacity.deltas[i] ?? null, run.source, 'capacity', raw),
        );
        return;
      }
      const figure = t.figure;
      for (const r of c.rows) {
        if (r.perLength || !inScope(r, t.scope)) continue;
        out.push(judge(t, r.figures[figure].deltas[i] ?? null, run.source, `${r.id} ${r.cut} ${r.request}`, raw));
      }
    });
  }
  return out;
}
