/**
 * A protocol written only in test fixtures (test/fixtures/loop/protocol.mjs, its CUT
 * test/fixtures/loop/cuts/LoopEcho.ts), registered through the same list as the shipped three
 * (PYLOGEN_PROTOCOLS, read by src/registry.ts), runs end to end through the real CLI and real
 * runner processes: its --endpoint scheme and throwaway target, its --client, its preflight, its
 * errors counted by its own type, its command and its CUT's --help key table. Nothing outside its
 * folder names it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pylogen, readJson, ROOT, tempDir } from './helpers.js';

const DIR = join(ROOT, 'test', 'fixtures', 'loop');
const ENV = { PYLOGEN_PROTOCOLS: 'protocol.mjs' };
/** Forking a runner on a loaded 2-core machine takes seconds: a generous bound. */
const SLOW = 120_000;

describe.concurrent('a protocol of the test fixtures, through the registry', () => {
  it(
    '--help shows its target, scheme and client; its command runs; its CUT shows its key table',
    async () => {
      const help = await pylogen(['--help'], { cwd: DIR, env: ENV, timeoutMs: SLOW });
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toContain('pylogen loop setup [options]');
      expect(help.stdout).toMatch(/"loop-local": a\s+throwaway loopback echo server/);
      expect(help.stdout).toMatch(/http, https, kmip, loop/);
      const setup = await pylogen(['loop', 'setup', '--keys', 'mine.json'], { cwd: DIR, env: ENV, timeoutMs: SLOW });
      expect(setup.code, setup.stderr).toBe(0);
      expect(setup.stdout).toBe('pylogen loop setup: mine.json: 0 existing, 0 created\n');
      const cut = await pylogen(['LoopEcho', '--help'], { cwd: DIR, env: ENV, timeoutMs: SLOW });
      expect(cut.code, cut.stderr).toBe(0);
      expect(cut.stdout).toContain('failEvery');
      expect(cut.stdout).toContain('every Nth operation is answered 503');
      // without the registration, none of it exists
      const bare = await pylogen(['loop', 'setup'], { cwd: DIR, timeoutMs: SLOW });
      expect(bare.code).toBe(2);
    },
    SLOW,
  );

  it(
    'runs on its throwaway target: its -v line, its preflight, errors counted by its own type',
    async () => {
      const json = join(tempDir(), 's.json');
      const r = await pylogen(
        [
          'LoopEcho',
          '--endpoint',
          'loop-local',
          '--client',
          'echo',
          '--loops',
          '4',
          '--extra',
          '{"failEvery":2}',
          '-v',
          '--outformat',
          'none',
          '--summary-json',
          json,
        ],
        {
          cwd: DIR,
          env: ENV,
          timeoutMs: SLOW,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^loopback echo server on loop:\/\/127\.0\.0\.1:\d+$/m);
      expect(r.stderr).toMatch(/LoopEcho: preflight loop: GET \/health of loop:\/\/127\.0\.0\.1:\d+ ok/);
      const s = readJson(json) as { errorsByType: Record<string, number>; requests: { count: number; errors: number } };
      expect(s.errorsByType).toEqual({ 'LOOP 503': 2 });
      expect(s.requests).toMatchObject({ count: 4, errors: 2 });
    },
    SLOW,
  );

  it(
    'its preflight refuses a line: exit 2, one line, nothing forked; a client of another protocol is refused',
    async () => {
      const r = await pylogen(['LoopEcho', '--endpoint', 'loop-local', '--process', '2', '--extra', '{"preflightFails":true}', '-vv', '--outformat', 'none'], {
        cwd: DIR,
        env: ENV,
        timeoutMs: SLOW,
      });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^pylogen: LoopEcho: preflight: GET \/health of loop:\/\/127\.0\.0\.1:\d+: refused \(extra "preflightFails"\)$/m);
      expect(r.stderr).not.toMatch(/runner run\.\d/);
      const c = await pylogen(['LoopEcho', '--endpoint', 'loop-local', '--client', 'sdk'], { cwd: DIR, env: ENV, timeoutMs: SLOW });
      expect(c.code, c.stderr).toBe(2);
      expect(c.stderr).toContain('--client must be one of echo for a loop CUT, but is "sdk"');
    },
    SLOW,
  );
});
