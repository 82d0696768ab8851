/**
 * Vault batches as first-class figures through the real command line: a `--extra '{"batch":N}'` row
 * carries itemsPerRequest, items (of the ok requests) and itemsThroughput (ok items per second) beside
 * its requests' throughput; the table and the HTML report say which is which; `pylogen merge` of two
 * shards keeps them (items added, items/s from the merged counts), `pylogen compare` shows each run's;
 * a row without a batch has none.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pylogen, readJson, tempDir } from './helpers.js';

// Each run forks a runner and a throwaway Vault server on 2 cores shared with other suites: tens of
// seconds when the machine is loaded.
const RUN_MS = 240_000;

interface Row {
  request: string;
  throughput: number;
  ok: { count: number };
  items?: number;
  itemsThroughput?: number;
  itemsPerRequest?: number;
}

describe('vault: items of batch requests in the summary, the table, the report and a merge', () => {
  it(
    'gives items and ok items/s per batch row, and keeps them through merge',
    async () => {
      const dir = tempDir('pylogen-vault-batch-');
      const f = (n: string) => join(dir, n);
      const base = ['cuts.VaultTransitEncrypt', '--endpoint', 'vault-local', '--loops', '10', '--outformat', 'none'];
      const batch = [...base, '--proc', '2', '--extra', '{"batch":16}'];
      const [s0, s1, plain] = await Promise.all([
        pylogen([...batch, '--shard', '0/2', '--summary-json', f('s0.json'), '--report', f('s0.html')], { timeoutMs: RUN_MS }),
        pylogen([...batch, '--shard', '1/2', '--summary-json', f('s1.json')], { timeoutMs: RUN_MS }),
        pylogen([...base, '--summary-json', f('plain.json')], { timeoutMs: RUN_MS }),
      ]);
      for (const r of [s0, s1, plain]) expect(r.code, r.stderr).toBe(0);

      const row = readJson(f('s0.json')).byRequest[0] as Row;
      const other = readJson(f('s1.json')).byRequest[0] as Row;
      expect(row.request).toBe('ENCRYPT-BATCH16');
      expect(row.ok.count).toBeGreaterThanOrEqual(10);
      expect(row).toMatchObject({ itemsPerRequest: 16, items: row.ok.count * 16 });
      // both are rounded to 2 decimals from the same seconds: 16 x the request rate within rounding
      expect(Math.abs(row.itemsThroughput! - row.throughput * 16)).toBeLessThan(0.2);
      expect(s0.stderr).toMatch(/tput\/s\s+items\/s/);
      expect(s0.stderr).toMatch(/batches: tput\/s counts ok requests, items\/s the ok items they carried: run ENCRYPT-BATCH16 \d+ ok items/);
      const html = readFileSync(f('s0.html'), 'utf8');
      expect(html).toContain('items/s');
      expect(html).toContain(`${row.ok.count * 16} ok items`);

      const plainRow = readJson(f('plain.json')).byRequest[0] as Row;
      expect(plainRow.request).toBe('ENCRYPT');
      expect(plainRow).not.toHaveProperty('items');
      expect(plain.stderr).not.toContain('items/s');

      const m = await pylogen(['merge', f('s0.json'), f('s1.json'), '--summary-json', f('merged.json')], { timeoutMs: 60_000 });
      expect(m.code, m.stderr).toBe(0);
      const merged = readJson(f('merged.json')).byRequest[0] as Row;
      expect(merged).toMatchObject({ request: 'ENCRYPT-BATCH16', itemsPerRequest: 16, items: row.items! + other.items! });
      expect(merged.ok.count).toBe(row.ok.count + other.ok.count);
      expect(Math.abs(merged.itemsThroughput! - merged.throughput * 16)).toBeLessThan(0.2);
      expect(m.stderr).toContain(`${merged.items} ok items`);

      const c = await pylogen(['compare', f('s0.json'), f('s1.json'), '--summary-json', f('compare.json')], { timeoutMs: 60_000 });
      expect([0, 1], c.stderr).toContain(c.code);
      expect(c.stdout + c.stderr).toMatch(/ok items\/s of run ENCRYPT-BATCH16 \(a batch: its rate above counts requests\): base [\d.]+, #1 [\d.]+/);
      expect(readJson(f('compare.json')).rows[0].itemsThroughput).toEqual([row.itemsThroughput, other.itemsThroughput]);
    },
    RUN_MS * 2,
  );
});
