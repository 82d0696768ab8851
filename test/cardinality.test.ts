/**
 * Issue 20 point 2: a target that answers every request with a new error type, and a CUT that names
 * every request anew, must not grow the summary without bound: a runner keeps at most
 * MAX_ERROR_TYPES types and MAX_NAMES names, counts the rest under "(other)", and the summary warns.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_ERROR_TYPES, MAX_NAMES, OTHER } from '../src/core/bounds.js';
import { fixtureDir, pylogen, readJson } from './helpers.js';

describe('bounded cardinality', () => {
  it('3,000 requests, each a new name failing with a new type: at most 100 types and 1,000 names, the rest "(other)", counts exact, a warning', async () => {
    const dir = fixtureDir('Hydra');
    const json = join(dir, 's.json');
    const r = await pylogen(['Hydra', '--loops', '3000', '--outformat', 'none', '--summary-json', json], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const s = readJson(json);
    const types = Object.keys(s.errorsByType);
    expect(types.length).toBe(MAX_ERROR_TYPES + 1);
    expect(s.errorsByType[OTHER]).toBe(3000 - MAX_ERROR_TYPES);
    expect(Object.values(s.errorsByType as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(3000);
    const names = new Set((s.byRequest as { request: string }[]).map((x) => x.request));
    expect(names.size).toBe(MAX_NAMES + 1);
    expect(names.has(OTHER)).toBe(true);
    const w = (s.warnings as string[]).join('\n');
    expect(w).toMatch(/more than 100 distinct types in a runner: 2900 errors of the later types are counted under "\(other\)"/);
    expect(w).toMatch(/more than 1000 distinct request or transaction names/);
    // The stderr summary stays small (the old "errors by type" line listed all 3,000).
    expect(r.stderr.length).toBeLessThan(400_000);
    expect(statSync(json).size).toBeLessThan(20_000_000);
  }, 90_000); // 3,000 failing requests take ~30 s on this shared, loaded machine
});
