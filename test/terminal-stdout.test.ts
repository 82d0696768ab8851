/**
 * stdout a terminal and no --out: no event stream floods it, and stderr says once how to get one;
 * piped, the stream is written as always. Run in tmux, as a person sees it (tmux capture-pane).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from './helpers.js';

// a tmux server of our own (its own socket), killed at the end
const SOCKET = `pylogen-test-${process.pid}`;
const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs a shell command in a fresh 160x40 tmux window; the pane's text once the command printed DONE. */
async function inTmux(name: string, command: string): Promise<string> {
  // `; echo DONE=$?; sleep 600`: the pane stays open to be read; the session is killed afterwards
  tmux('new-session', '-d', '-s', name, '-x', '160', '-y', '40', `${command}; echo DONE=$?; sleep 600`);
  // generous: the runs take a second or two, on a machine loaded by other tests they may take ten
  const deadline = Date.now() + 60_000;
  for (;;) {
    const pane = tmux('capture-pane', '-p', '-J', '-S', '-2000', '-t', name);
    if (/DONE=\d+/.test(pane)) {
      tmux('kill-session', '-t', name);
      return pane;
    }
    if (Date.now() > deadline) throw new Error(`no DONE in the pane of ${command}:\n${pane}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // already gone: every session was killed
  }
});

describe('the event stream and a terminal', () => {
  it('writes no event stream to a terminal and says once how to get it', async () => {
    const pane = await inTmux('tty', `node ${q(BIN)} cuts.Dummy --loops 20 --extra '{"sleep":0}'`);
    expect(pane).toMatch(/DONE=0/);
    expect(pane.match(/events: not written to the terminal/g)).toHaveLength(1);
    expect(pane).toMatch(/give --out FILE, or redirect stdout/);
    expect(pane).not.toMatch(/time,epoch,nature/);
    expect(pane).not.toMatch(/R0-EXEC,,16,0/);
    expect(pane).toMatch(/pylogen summary: 1 runner/);
  });

  it('piped, the stream is written as always', async () => {
    const pane = await inTmux('piped', `node ${q(BIN)} cuts.Dummy --loops 2 --extra '{"sleep":0}' 2>/dev/null | head -3`);
    expect(pane).toMatch(/time,epoch,nature/);
    expect(pane).toMatch(/R0-EXEC/);
    expect(pane).not.toMatch(/events: not written/);
  });
});
