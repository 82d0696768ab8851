/**
 * `pylogen scenario --file FILE`, spawned for real: every line shares t0 and one stats queue, one
 * CSV carries every line's events under its id, and a bad line stops everything before anything
 * starts, reported as FILE:LINE.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvRows, pylogen, readJson, tempDir, type CsvRow } from './helpers.js';

const THREE_LINES = `# issue 3: three Dummy lines started together
cuts.Dummy --id A --proc 2 --loops 3 --extra '{"sleep": 0}'

  # an indented comment, then a transaction line (2 loops x 2 lengths x 3 requests)
cuts.Dummy --id B --loops 2 --lengths 8,16 --extra '{"transaction": true, "sleep": 0}'
cuts.Dummy --id C --loops 4 --extra '{"error": 2, "sleep": 0}'   # every 2nd operation fails
`;

function scenario(text: string, name = 'Scenario.txt'): { dir: string; file: string } {
  const dir = tempDir();
  const file = join(dir, name);
  writeFileSync(file, text);
  return { dir, file };
}

const reqOf = (rows: CsvRow[], id: string) => rows.filter((r) => r.id === id && r.nature === 'req').length;

describe('scenario files', () => {
  it('three lines: A 6, B 12, C 4 requests, 4 transactions, 2 errors, one CSV with ids A, B, C, one t0', async () => {
    const { dir, file } = scenario(THREE_LINES);
    const json = join(dir, 's.json');
    const r = await pylogen(['scenario', '--file', file, '--summary-json', json], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRows(r.stdout);
    expect(new Set(rows.map((x) => x.id))).toEqual(new Set(['A', 'B', 'C']));
    expect(reqOf(rows, 'A')).toBe(6);
    expect(reqOf(rows, 'B')).toBe(12);
    expect(reqOf(rows, 'C')).toBe(4);
    expect(rows.filter((x) => x.nature === 'tra')).toHaveLength(4);
    expect(rows.filter((x) => x.rc !== '0')).toHaveLength(2);
    expect(rows.filter((x) => x.rc !== '0').every((x) => x.id === 'C')).toBe(true);
    // One stats queue: global_count numbers the 22 requests of all lines, each once.
    const globals = rows
      .filter((x) => x.nature === 'req')
      .map((x) => Number(x.global_count))
      .sort((a, b) => a - b);
    expect(globals).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    const s = readJson(json);
    expect(s.requests).toMatchObject({ count: 22, errors: 2 });
    expect(s.transactions.count).toBe(4);
    expect(s.runners).toEqual({ planned: 4, started: 4, ended: 4, failed: 0 });
    expect(s.events.lost).toBe(0);
    const count = (id: string) => s.byRequest.filter((b: { id: string }) => b.id === id).reduce((n: number, b: { count: number }) => n + b.count, 0);
    expect([count('A'), count('B'), count('C')]).toEqual([6, 12, 4]);
    // Every line starts at the same t0 (no postpone, no rampup).
    const starts = s.byRunner.map((b: { startedAt: string }) => Date.parse(b.startedAt)); // ISO (issue 15)
    expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(50);
  });

  it('a bad line 2 gives FILE:2: message, exit 2, and nothing starts', async () => {
    const { dir, file } = scenario(`cuts.Dummy --id A --loops 1\ncuts.Dummy --id B --loops zero\ncuts.Dummy --id C --loops 1\n`);
    const r = await pylogen(['scenario', '--file', file], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`pylogen: ${file}:2: --loops must be a whole number, but is "zero"`);
    expect(r.stdout).toBe('');
  });

  it('ids default to L<line>; the scenario command takes --out, --outformat and --summary-json', async () => {
    const { dir, file } = scenario(`# line 1 is a comment\ncuts.Dummy --loops 2 --extra '{"sleep":0}'\n\ncuts.Dummy --loops 3 --extra '{"sleep":0}'\n`);
    const out = join(dir, 'events.jsonl');
    const json = join(dir, 's.json');
    const r = await pylogen(['scenario', '--file', file, '--outformat', 'jsonl', '--out', out, '--summary-json', json], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const ids = readJson(json).byRequest.map((b: { id: string; count: number }) => [b.id, b.count]);
    expect(ids.sort()).toEqual([
      ['L2', 2],
      ['L4', 3],
    ]);
  });

  it('quoting as in a shell, no shell: spaces and # inside quotes are kept, nothing is expanded', async () => {
    const { dir, file } = scenario(`cuts.Dummy --id "my id # $HOME" --loops 1 --extra '{"sleep": 0}'\n`);
    const json = join(dir, 's.json');
    const r = await pylogen(['scenario', '--file', file, '--summary-json', json], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(csvRows(r.stdout).map((x) => x.id)).toEqual(['my id # $HOME']);
  });

  it('a nested scenario line, an empty file, an unknown CUT, a missing file, a line option on the command: errors, exit 2', async () => {
    const nested = scenario(`cuts.Dummy --loops 1\nscenario --file other.txt\n`);
    const empty = scenario(`# nothing here\n\n   # still nothing\n`);
    const unknown = scenario(`cuts.Dummy --loops 1\n\ncuts.NoSuchCut --loops 1\n`);
    const quote = scenario(`cuts.Dummy --extra '{"sleep": 0}\n`);
    const [a, b, c, d, e, f] = await Promise.all([
      pylogen(['scenario', '--file', nested.file], { cwd: nested.dir }),
      pylogen(['scenario', '--file', empty.file], { cwd: empty.dir }),
      pylogen(['scenario', '--file', unknown.file], { cwd: unknown.dir }),
      pylogen(['scenario', '--file', quote.file], { cwd: quote.dir }),
      pylogen(['scenario', '--file', 'nope.txt'], { cwd: empty.dir }),
      pylogen(['scenario', '--file', empty.file, '--loops', '2'], { cwd: empty.dir }),
    ]);
    for (const r of [a, b, c, d, e, f]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(a.stderr).toContain(`${nested.file}:2: a scenario line cannot run another scenario`);
    expect(b.stderr).toContain(`${empty.file}: no CUT line`);
    expect(c.stderr).toContain(`${unknown.file}:3: CUT "cuts.NoSuchCut"`);
    expect(d.stderr).toMatch(new RegExp(`${quote.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1: `));
    expect(e.stderr).toMatch(/nope\.txt/);
    expect(f.stderr).toMatch(/--loops/);
  });

  it('the shipped scenarios/Scenario.txt runs: closed, transaction, error, concurrency and open-model lines together', async () => {
    const dir = tempDir();
    const json = join(dir, 's.json');
    const r = await pylogen(['scenario', '--file', 'scenarios/Scenario.txt', '--outformat', 'none', '--summary-json', json]);
    expect(r.code, r.stderr).toBe(0);
    const s = readJson(json);
    const by = (id: string, request = 'R0-EXEC') => s.byRequest.find((b: { id: string; request: string }) => b.id === id && b.request === request);
    expect(by('seq').count).toBe(80);
    expect(by('tx', 'R2-EXEC').count).toBe(10);
    expect(s.byTransaction.find((b: { id: string }) => b.id === 'tx').count).toBe(10);
    expect(by('err').errors).toBeGreaterThan(0);
    expect(by('err').errors * 5).toBeLessThanOrEqual(by('err').count + 8);
    expect(s.arrivals.planned).toBe(150);
    expect(s.arrivals.started + s.arrivals.dropped).toBe(150);
    expect(by('open').count).toBe(s.arrivals.started);
    expect(s.events.lost).toBe(0);
  });
});
