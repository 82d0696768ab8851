/**
 * The comparison as text for stderr: who is compared with whom and by which method, what differs
 * besides the results, then one line per figure of every row: the base's value, and for each other
 * run its value, the difference (absolute and relative) and the verdict. A row some run lacks is
 * shown, its verdict saying where it is missing.
 */
import { table } from '../stats/summary.js';
import { figureUnit } from './compareRuns.js';
import type { Comparison, Delta, FigureRow } from './compareRuns.js';
import type { DeltaVerdict } from './deltaThreshold.js';
import type { Difference } from './differences.js';

const num = (x: number, unit: string) =>
  unit === '/s' ? x.toFixed(1) : unit === '%' ? x.toFixed(2) : Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 10 ? x.toFixed(2) : x.toFixed(3);
const signed = (x: number, unit: string) => `${x > 0 ? '+' : ''}${num(x, unit)}`;
const pct = (rel: number | null) => (rel === null ? '-' : `${rel > 0 ? '+' : ''}${(rel * 100).toFixed(1)}%`);

function cells(f: FigureRow, unit: string, i: number, present: boolean[]): string[] {
  const v = f.values[i + 1] ?? null;
  const d: Delta | null = f.deltas[i] ?? null;
  const missing = !present[0] ? 'absent in base' : !present[i + 1] ? 'only in base' : undefined;
  return [v === null ? '-' : num(v, unit), d === null ? '-' : signed(d.abs, unit), d === null ? '-' : pct(d.rel), missing ?? (d === null ? '-' : d.verdict)];
}

/** The differences besides the results: those that differ, then those the same in one line. */
export function formatDifferences(diffs: readonly Difference[], names: readonly string[]): string {
  const lines: string[] = [];
  const differ = diffs.filter((d) => !d.same);
  if (differ.length === 0) lines.push('differs besides the results: nothing recorded');
  else {
    lines.push('differs besides the results:');
    for (const d of differ) lines.push(`  ${d.what}: ${d.values.map((v, i) => `${names[i]} ${v}`).join(' | ')}`);
  }
  const known = (d: Difference) => d.values.find((v) => v !== '-');
  const same = diffs.filter((d) => d.same && !d.what.startsWith('line ') && known(d) !== undefined);
  if (same.length > 0) lines.push(`the same: ${same.map((d) => `${d.what} ${known(d)}`).join('; ')}`);
  const unknown = diffs.filter((d) => d.values.includes('-') && !d.what.startsWith('line '));
  const lacking = new Map<string, string[]>();
  for (const d of unknown) {
    const who = d.values.flatMap((v, i) => (v === '-' ? [names[i]] : [])).join(', ');
    lacking.set(who, [...(lacking.get(who) ?? []), d.what]);
  }
  for (const [who, what] of lacking) lines.push(`not recorded in ${who} (an older pylogen, or a merge of shards): ${what.join(', ')}`);
  return lines.join('\n') + '\n';
}

/** The table of the comparison and its legend. */
export function formatComparison(c: Comparison): string {
  const others = c.runs.slice(1);
  const lines: string[] = [];
  lines.push(`pylogen compare: base ${c.runs[0]!.source} against ${others.map((r, i) => `#${i + 1} ${r.source}`).join(', ')}`);
  const m = c.method;
  lines.push(
    `verdicts: beyond the noise when the ${Math.round(m.confidence * 100)}% interval of the difference (bootstrap over the runs' --summary intervals, ${m.resamples} resamples) excludes 0 ` +
      `and the change is at least ${Math.round(m.noise * 1000) / 10}% (errors: ${m.errorNoisePoints} point)`,
  );
  if (c.capacity !== undefined) {
    const k = c.capacity;
    const rows = [['capacity', 'base', ...others.flatMap((_, i) => [`#${i + 1}`, 'diff', 'diff %', 'verdict'])]];
    rows.push([
      k.mode === 'rate' ? 'highest rate that held /s' : 'highest throughput that held /s',
      k.values[0] === null ? '-' : num(k.values[0]!, '/s'),
      ...others.flatMap((_, i) =>
        cells(
          { values: k.values, deltas: k.deltas },
          '/s',
          i,
          k.values.map(() => true),
        ),
      ),
    ]);
    lines.push(table(rows, 1));
    return lines.join('\n') + '\n';
  }
  const head = ['id', 'cut', 'nature', 'request', 'length', 'figure', 'base', ...others.flatMap((_, i) => [`#${i + 1}`, 'diff', 'diff %', 'verdict'])];
  const rows = [head];
  for (const r of c.rows) {
    for (const [f, fr] of Object.entries(r.figures)) {
      const unit = figureUnit(f as keyof typeof r.figures);
      const base = fr.values[0] ?? null;
      rows.push([
        r.id,
        r.cut,
        r.nature,
        r.request,
        r.perLength ? `  ${r.lengths}` : r.lengths,
        `${f} ${unit}`,
        base === null ? '-' : num(base, unit),
        ...others.flatMap((_, i) => cells(fr, unit, i, r.present)),
      ]);
    }
  }
  lines.push(rows.length > 1 ? table(rows, 6) : 'no request row in any run');
  for (const r of c.rows.filter((x) => x.itemsThroughput !== undefined && !x.perLength)) {
    const each = r.itemsThroughput!.map((v, i) => `${i === 0 ? 'base' : `#${i}`} ${v === null ? '-' : num(v, '/s')}`);
    lines.push(`ok items/s of ${r.id} ${r.request} (a batch: its rate above counts requests): ${each.join(', ')}`);
  }
  const missing = c.rows.filter((r) => r.present.some((p) => !p));
  for (const r of missing) {
    const where = r.present.map((p, i) => (p ? (i === 0 ? 'base' : `#${i}`) : undefined)).filter((x) => x !== undefined);
    lines.push(`row only in ${where.join(', ')}: ${r.id} ${r.cut} ${r.nature} ${r.request} (length ${r.lengths})`);
  }
  const byCut = missing.filter((r) => missing.some((o) => o !== r && o.cut !== r.cut && o.id === r.id && o.request === r.request && o.lengths === r.lengths));
  if (byCut.length > 0) lines.push('rows that differ by their CUT only: --across-cuts matches them (the same operation by two CUTs)');
  return lines.join('\n') + '\n';
}

/** The regression thresholds' verdicts: those that failed, those crossed within noise, a count of the rest. */
export function formatDeltaVerdicts(vs: readonly DeltaVerdict[]): string {
  const failed = vs.filter((v) => !v.ok);
  const lines = [failed.length === 0 ? `regression thresholds: all ${vs.length} hold` : `regression thresholds: ${failed.length} of ${vs.length} FAILED`];
  for (const v of vs) {
    if (v.ok && v.note === undefined) continue;
    const measured =
      v.measured === null ? '-' : `${v.measured > 0 ? '+' : ''}${v.measured}${v.unit === 'relative' ? '%' : v.unit === 'points' ? ' points' : ` ${v.unit}`}`;
    lines.push(`  ${v.ok ? 'pass' : 'FAIL'}  ${v.threshold}  ${v.run}  ${v.row}: ${measured}${v.note !== undefined ? ` (${v.note})` : ''}`);
  }
  return lines.join('\n') + '\n';
}
