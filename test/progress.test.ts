/**
 * Live progress as a person sees it: the real CLI in a real terminal (tmux, a private server per
 * test), its screen read with capture-pane while it runs and after. Piped, the
 * periodic status lines are unchanged.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, pylogen, readJson, tempDir } from './helpers.js';

const servers: string[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    try {
      execFileSync('tmux', ['-L', s, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
});

/** Starts `args` of pylogen in a new 160×40 tmux session; returns a reader of its whole screen. */
function inTmux(args: string[], cwd: string): { screen: () => string } {
  const server = `pylogen-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  servers.push(server);
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // The shell stays after pylogen exits (so the screen can be read), and says how it ended.
  execFileSync('tmux', ['-L', server, 'new-session', '-d', '-x', '160', '-y', '40', '-c', cwd, `${quoted}; echo "EXITED $?"; sleep 120`]);
  return {
    // The visible screen: these runs print far fewer than 40 lines, so nothing scrolls off it. (Not
    // the history: tmux's scroll-on-clear keeps a copy of a block erased from the screen's top row.)
    screen: () => execFileSync('tmux', ['-L', server, 'capture-pane', '-p'], { encoding: 'utf8' }),
  };
}

/** Reads the screen until `done` holds (a state, not a sleep); every screen read is passed to `each`. */
async function until(t: { screen: () => string }, what: string, ms: number, done: (s: string) => boolean, each?: (s: string) => void): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = t.screen();
    each?.(s);
    if (done(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const headers = (s: string) => s.split('\n').filter((l) => l.startsWith('pylogen ▕')).length;

describe('live progress on a terminal', () => {
  it('one block redrawn in place: bar, elapsed / planned, ETA, totals and a line per scenario line; then the summary', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'two.txt'),
      `cuts.Dummy --id fast --proc 2 --duration 4 --extra '{"sleep":0.01,"error":7}'\ncuts.Dummy --id slow --duration 3 --extra '{"sleep":0.05}'\n`,
    );
    const t = inTmux(['scenario', '--file', 'two.txt', '--outformat', 'none'], dir);
    const screens: string[] = [];
    // Running: the block shows a percentage of 4 s, and the two lines with their runners.
    const running = await until(
      t,
      'the block while running',
      40_000,
      (s) => /\d+%\s+\d\.\d s \/ 4\.0 s\s+ETA/.test(s) && /^fast\s+Dummy .*runners 2\/2/m.test(s),
      (s) => screens.push(s),
    );
    expect(headers(running)).toBe(1);
    // the block took the place of the line shown while the runners started
    expect(running).not.toContain('pylogen: starting');
    expect(running).toMatch(/^all\s+requests\s+\d+\s+ok\s+[\d.]+\/s\s+p99\s+[\d.]+ ms\s+errors \d+( \([\d.]+\/s\))?\s+runners 3\/3\s+queue \d+\s+lag \d+ ms/m);
    expect(running).toMatch(/^slow\s+Dummy\s+\d+\s+ok\s+[\d.]+\/s .*runners 1\/1\s+\d\.\d\/3\.0 s/m);
    // Ended: the summary below the block's last state, and never more than one block on screen.
    const ended = await until(
      t,
      'the summary',
      40_000,
      (s) => s.includes('EXITED 0'),
      (s) => screens.push(s),
    );
    for (const s of screens) expect(headers(s), s).toBeLessThanOrEqual(1);
    expect(headers(ended)).toBe(1);
    expect(ended).toMatch(/pylogen ▕█{10,}▏ done\s+\d\.\d s/);
    // the last state: the whole run's p99 of the slow line's 50 ms sleeps
    const slowP99 = Number(/^slow\s+Dummy\s+\d+\s+ok\s+[\d.]+\/s\s+p99\s+([\d.]+) ms/m.exec(ended)?.[1]);
    expect(slowP99).toBeGreaterThanOrEqual(50);
    expect(ended).toMatch(/^pylogen summary: 3 runners \(3 ended, 0 failed\)/m);
    // the block sits above the summary, not scrolled away by status lines
    expect(ended.indexOf('pylogen ▕')).toBeLessThan(ended.indexOf('pylogen summary:'));
    expect(ended).not.toMatch(/^\[\s+[\d.]+s\] requests/m);
  }, 90_000);

  it('a run of loops shows loops done / planned; lines a CUT logs go above the block', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'cuts'));
    copyFileSync(join(ROOT, 'test/fixtures/Echo.ts'), join(dir, 'cuts/Echo.ts'));
    const t = inTmux(['Echo', '--proc', '2', '--loops', '400', '--pauseloop', '0.005', '--extra', '{"tag":"x"}', '--outformat', 'none'], dir);
    const screens: string[] = [];
    const running = await until(
      t,
      'loops progress',
      40_000,
      (s) => /loops \d+\/800/.test(s) && !s.includes('loops 0/800'),
      (s) => screens.push(s),
    );
    expect(headers(running)).toBe(1);
    const ended = await until(
      t,
      'the end',
      40_000,
      (s) => s.includes('EXITED 0'),
      (s) => screens.push(s),
    );
    for (const s of screens) expect(headers(s), s).toBeLessThanOrEqual(1);
    // both runners' setup lines, each once, above the block
    const logs = ended.split('\n').filter((l) => l.includes('setup with tag x'));
    expect(logs).toHaveLength(2);
    expect(ended.indexOf('setup with tag x')).toBeLessThan(ended.indexOf('pylogen ▕'));
    expect(ended).toMatch(/done .*loops 800\/800/);
    expect(ended).toMatch(/^run\s+Echo\s+800 .*loops 800\/800/m);
  }, 90_000);
});

describe('the last live block and the summary agree', () => {
  it("per scenario line, postponed or not: the same ok/s over the line's active time as the summary's row", async () => {
    const dir = tempDir();
    // "late" runs 1 s of a 3.5 s run: over the run's time its rate would look 3.5 times lower
    writeFileSync(
      join(dir, 'two.txt'),
      `cuts.Dummy --id early --duration 3 --extra '{"sleep":0.01}'\ncuts.Dummy --id late --postpone 2.5 --duration 1 --extra '{"sleep":0.01}'\n`,
    );
    const t = inTmux(['scenario', '--file', 'two.txt', '--outformat', 'none', '--summary-json', 's.json'], dir);
    const ended = await until(t, 'the summary', 60_000, (s) => s.includes('EXITED 0'));
    const s = readJson(join(dir, 's.json'));
    for (const id of ['early', 'late']) {
      const live = Number(new RegExp(`^${id}\\s+Dummy\\s+\\d+\\s+ok\\s+([\\d.]+)/s`, 'm').exec(ended)?.[1]);
      const row = s.byRequest.find((b: { id: string }) => b.id === id);
      // both are the row's ok count over the same seconds; the block shows one decimal, the JSON two
      expect(Math.abs(live - row.throughput), `${id}: live ${live}/s vs summary ${row.throughput}/s\n${ended}`).toBeLessThanOrEqual(0.1);
    }
    expect(ended).toContain("ok/s over each line's active time");
  }, 90_000);
});

describe('--quiet', () => {
  it('on a terminal: no block, only the final summary', async () => {
    const t = inTmux(['cuts.Dummy', '--proc', '2', '--duration', '2', '--summary', '0.5', '--extra', '{"sleep":0.01}', '--outformat', 'none', '--quiet'], ROOT);
    const ended = await until(t, 'the end', 40_000, (s) => s.includes('EXITED 0'));
    expect(ended.trimStart().startsWith('pylogen summary: 2 runners')).toBe(true);
    expect(headers(ended)).toBe(0);
  }, 60_000);

  it('piped: the summary only, no status line', async () => {
    const r = await pylogen(
      ['cuts.Dummy', '--proc', '2', '--duration', '1.5', '--summary', '0.5', '--extra', '{"sleep":0.01}', '--outformat', 'none', '--quiet'],
      { timeoutMs: 60_000 },
    );
    expect(r.code).toBe(0);
    expect(r.stderr.startsWith('pylogen summary: 2 runners (2 ended, 0 failed)')).toBe(true);
    expect(r.stderr).not.toMatch(/^\[\s+[\d.]+s\] requests/m);
  }, 90_000);
});

describe('progress when stderr is not a terminal', () => {
  it('the periodic status lines, as before, and no escape sequence', async () => {
    const r = await pylogen(['cuts.Dummy', '--proc', '2', '--duration', '2', '--summary', '0.5', '--extra', '{"sleep":0.01}', '--outformat', 'none'], {
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(0);
    const status = r.stderr
      .split('\n')
      .filter((l) => /^\[\s+\d+\.\ds\] requests \d+ ok [\d.]+\/s local Σ [\d.]+\/s runners \d\/2 errors 0 \(0\.0\/s\) queue \d+ lag \d+ ms$/.test(l));
    expect(status.length).toBeGreaterThanOrEqual(3);
    expect(r.stderr).not.toContain('\x1b');
    expect(r.stderr).not.toContain('▕');
  }, 90_000);
});
