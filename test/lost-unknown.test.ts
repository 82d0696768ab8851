/**
 * docs/when-things-go-wrong.md "A runner that ends without its figures": a CUT that calls process.exit() ends its runner without its done message: what it
 * sent last is unknown, so is what was lost. The summary says so instead of claiming `lost 0`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureDir, pylogen, readJson } from './helpers.js';

describe('a runner that ends without its final figures', () => {
  it('process.exit() in the CUT: "lost unknown", events.incomplete names the runner, a warning, exit 1', async () => {
    const dir = fixtureDir('Crash');
    const json = join(dir, 's.json');
    const r = await pylogen(['Crash', '--loops', '100', '--extra', '{"how":"exit","after":50}', '--outformat', 'none', '--summary-json', json], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/events: sent \d+\+, received \d+, lost unknown \(runner run\.0 ended without its final figures\)/);
    expect(r.stderr).not.toMatch(/lost 0/);
    const s = readJson(json);
    expect(s.events.incomplete).toEqual(['run.0']);
    expect(s.warnings.join('\n')).toMatch(/runner run\.0 ended without its final figures: .*events lost: unknown/);
  }, 90_000); // a spawned run on a shared, loaded machine
});
