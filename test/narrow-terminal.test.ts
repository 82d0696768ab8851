/**
 * The summary table in a terminal narrower than it: the least important columns are left out (a line
 * says which, and that --summary-json and --report have them all), never a table wrapped into a
 * mess; the full table in a wide terminal and when stderr is not a terminal (a file, a pipe), whatever
 * COLUMNS says. A real pseudo-terminal: util-linux `script`, its size set by `stty cols`.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, pylogen, tempDir } from './helpers.js';

const RUN = ['cuts.Dummy', '--loops', '2', '--extra', '{"sleep":0,"error":2}', '--lengths', '16,32', '--outformat', 'none', '--quiet'];
/** a 2-loop run takes 1-2 s; 8 engineers' suites on 2 cores have made one take 30 s */
const SLOW = 120_000;
const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;

/** The run's terminal output in a pseudo-terminal `cols` wide, lines without their \r. */
function inTerminal(cols: number): Promise<string[]> {
  const cmd = `stty cols ${cols} rows 50; ${quote(process.execPath)} ${quote(BIN)} ${RUN.map(quote).join(' ')}`;
  return new Promise((resolve, reject) => {
    const p = spawn('script', ['-qfec', cmd, '/dev/null'], {
      cwd: tempDir(),
      env: { ...process.env, COLUMNS: String(cols) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out.replace(/\r/g, '').split('\n')) : reject(new Error(`exit ${code}: ${out}`))));
  });
}

const tableOf = (lines: string[]) => {
  const head = lines.findIndex((l) => l.startsWith('id '));
  return lines.slice(head, head + 4);
};

describe.concurrent('the summary table and the terminal width', () => {
  it(
    '80 columns: fewer columns, every table line within 80, and a line saying which were left out',
    async () => {
      const lines = await inTerminal(80);
      const table = tableOf(lines);
      expect(table[0]).toMatch(/^id\s+request\s+length\s+ok\s+tput\/s\s+p50\s+p99\s+max ms\s+errors/);
      for (const l of table) expect(l.length).toBeLessThanOrEqual(80);
      const note = lines.slice(
        lines.indexOf(table[3]!) + 1,
        lines.findIndex((l) => l.startsWith('requests:')),
      );
      expect(note.join(' ')).toMatch(
        /^\(p99\.9, min, mean, nature, err p50, p90, cut left out to fit 80 columns; --summary-json and --report have every column\)$/,
      );
      for (const l of note) expect(l.length).toBeLessThanOrEqual(80);
    },
    SLOW,
  );

  it(
    '200 columns: the full table, nothing left out',
    async () => {
      const lines = await inTerminal(200);
      expect(tableOf(lines)[0]).toMatch(
        /^id\s+cut\s+nature\s+request\s+length\s+ok\s+tput\/s\s+min\s+mean\s+p50\s+p90\s+p99\s+p99\.9\s+max ms\s+errors\s+err\/s\s+err p50\s+err p99$/,
      );
      expect(lines.join('\n')).not.toMatch(/left out/);
    },
    SLOW,
  );

  it(
    'stderr not a terminal: the full table, whatever COLUMNS says',
    async () => {
      const r = await pylogen(RUN, { env: { COLUMNS: '80' }, timeoutMs: 100_000 });
      expect(r.code).toBe(0);
      const head = r.stderr.split('\n').find((l) => l.startsWith('id '))!;
      expect(head.length).toBeGreaterThan(80);
      expect(head).toMatch(/p99\.9/);
      expect(r.stderr).not.toMatch(/left out/);
    },
    SLOW,
  );
});
