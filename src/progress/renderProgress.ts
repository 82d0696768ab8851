/**
 * The live progress block as text lines, fitted to the terminal's width (a wrapped line would
 * break the redraw in place). Plain text and one escape-free layout: the terminal driver moves the
 * cursor.
 *
 *   pylogen ▕█████████▍          ▏ 47%  4.7 s / 10.0 s  ETA 5.3 s
 *   all   requests 912   194.3/s  p99 12.41 ms  errors 3  runners 2/2  queue 4  lag 3 ms
 *   run   Dummy   912   194.3/s  p99 12.41 ms  errors 3  runners 2/2  4.7/10.0 s
 */
import type { LineProgress, ProgressFrame } from './ProgressTracker.js';

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `width` cells filled to `fraction`, with eighth-cell precision. */
export function bar(fraction: number, width: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const cells = f * width;
  const full = Math.floor(cells);
  const part = EIGHTHS[Math.floor((cells - full) * 8)]!;
  const s = '█'.repeat(full) + (full < width ? part : '');
  return s + ' '.repeat(width - [...s].length);
}

export function seconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const ms = (x: number | null) => (x === null ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** Requests, then the ok rate (throughput) and, when any failed, the errors and their rate. */
function figures(l: Pick<LineProgress, 'count' | 'tps' | 'errorTps' | 'p99' | 'errors' | 'active' | 'runners'>, w: { count: number }): string {
  const errors = l.errors > 0 ? `errors ${l.errors} (${l.errorTps.toFixed(1)}/s)` : 'errors 0';
  return `${String(l.count).padStart(w.count)}  ok ${l.tps.toFixed(1).padStart(8)}/s  p99 ${ms(l.p99).padStart(6)} ms  ${errors}  runners ${l.active}/${l.runners}`;
}

/** The lines of the block; each at most `width` columns. */
export function renderProgress(f: ProgressFrame, width: number, title = 'pylogen'): string[] {
  const head = f.final
    ? `done  ${seconds(f.elapsedS)}${f.unit === 'loops' ? `  loops ${f.loops.done}/${f.loops.planned}` : ''}` +
      "  (ok/s over each line's active time, as the summary; p99 of the whole run)"
    : f.unit === 'time'
      ? `${Math.floor(f.fraction * 100)}%  ${seconds(f.elapsedS)} / ${seconds(f.plannedS)}  ETA ${seconds(f.etaS ?? 0)}`
      : `${Math.floor(f.fraction * 100)}%  loops ${f.loops.done}/${f.loops.planned}  ${seconds(f.elapsedS)}  ETA ${f.etaS === null ? '-' : seconds(f.etaS)}`;
  const barWidth = Math.max(10, Math.min(40, width - title.length - head.length - 5));
  const lines = [`${title} ▕${bar(f.fraction, barWidth)}▏ ${head}`];
  const idW = Math.max(3, ...f.lines.map((l) => l.id.length));
  const cutW = Math.max(...f.lines.map((l) => l.cut.length), 'requests'.length);
  const w = { count: Math.max(...f.lines.map((l) => String(l.count).length), String(f.total.count).length) };
  lines.push(`${'all'.padEnd(idW)}  ${'requests'.padEnd(cutW)}  ${figures(f.total, w)}  queue ${f.total.queue}  lag ${Math.round(f.total.lagMs)} ms`);
  for (const l of f.lines) {
    const where =
      l.plannedS !== undefined ? `${Math.min(f.elapsedS, l.plannedS).toFixed(1)}/${l.plannedS.toFixed(1)} s` : `loops ${l.loops!.done}/${l.loops!.planned}`;
    lines.push(`${l.id.padEnd(idW)}  ${l.cut.padEnd(cutW)}  ${figures(l, w)}  ${where}`);
  }
  return lines.map((s) => fit(s, width));
}

/** Cuts a line to `width` columns (one column per code point: the block uses no wide characters). */
function fit(s: string, width: number): string {
  const cps = [...s];
  return cps.length <= width ? s : cps.slice(0, Math.max(1, width - 1)).join('') + '…';
}
