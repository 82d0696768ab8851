/** Issue 19 §3, through the real CLI: silent merges refused, k6's `run` verb accepted. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pylogen, tempDir } from './helpers.js';

describe('small lies', () => {
  it('two scenario lines with the same --id are refused, both lines named, nothing started', async () => {
    const dir = tempDir();
    const file = join(dir, 'dup.txt');
    writeFileSync(file, 'cuts.Dummy --id a --loops 1\n# a comment\ncuts.Dummy --id a --loops 1\n');
    const r = await pylogen(['scenario', '--file', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`pylogen: ${file}:3: --id a is also line 1's: give each line its own --id (their figures would be merged into one row)\n`);
    expect(r.stdout).toBe('');
  });

  it("`pylogen run cuts.Dummy` (k6's habit) runs cuts.Dummy", async () => {
    const r = await pylogen(['run', 'cuts.Dummy', '--loops', '2', '--extra', '{"sleep":0}', '--outformat', 'none'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/run\s+Dummy\s+req\s+R0-EXEC\s+2 /);
  }, 90_000);
});
