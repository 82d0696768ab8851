/**
 * yargs routes every command of src/cli/commands.ts: --help of each lists each of its options with
 * its default, --version works after any command, and bare usage goes to stderr with exit 2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/commands.js';
import { defaultShown } from '../src/config/options.js';
import { ROOT, pylogen } from './helpers.js';

const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

describe.concurrent('every command through yargs', () => {
  it.each(COMMANDS.map((c) => [c.path.join(' ') || '<cut>', c] as const))('pylogen %s --help lists its options and defaults; --version', async (_name, c) => {
    const h = await pylogen([...c.path, '--help']);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stderr).toBe('');
    // yargs wraps long lines: compare without the wrapping
    const text = h.stdout.replace(/\s+/g, ' ');
    for (const o of c.options) {
      expect(text).toContain(`--${o.name}`);
      const d = defaultShown(o);
      if (d !== undefined) expect(text).toMatch(new RegExp(`--${o.name} [^\\[]*\\[default: ${d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]`));
    }
    const v = await pylogen([...c.path, '--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(version);
  });

  it('capacity --help lists only what a search accepts; a run option it refuses says why', async () => {
    const h = await pylogen(['capacity', '--help']);
    expect(h.code).toBe(0);
    for (const refused of ['--duration', '--loops', '--schedule', '--shard', '--start-at', '--abort-on-fail', '--file '])
      expect(h.stdout).not.toContain(refused);
    for (const taken of ['--step-seconds', '--threshold', '--process', '--extra']) expect(h.stdout).toContain(taken);
    const r = await pylogen(['capacity', 'cuts.Dummy', '--dur', '5', '--start', '1', '--step', '1', '--threshold', 'p99<5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pylogen: --duration cannot be used with capacity: the steps \(--step-seconds\) make the run's length and load\n$/);
  });

  it('bare pylogen: its usage on stderr, nothing on stdout, exit 2', async () => {
    const r = await pylogen([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/pylogen <cut> \[options\]/);
    expect(r.stderr).toMatch(/pylogen kms serve/);
  });

  it('bare pylogen kms: the kms commands on stderr, exit 2', async () => {
    const r = await pylogen(['kms']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/pylogen kms serve/);
    expect(r.stderr).toMatch(/pylogen kms setup/);
  });

  it('-h is --help; pylogen help too', async () => {
    const a = await pylogen(['kms', 'setup', '-h']);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/--endpoint/);
    const b = await pylogen(['help']);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/pylogen scenario --file FILE/);
  });
});
