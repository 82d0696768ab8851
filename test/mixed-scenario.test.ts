/**
 * scenarios/Mixed.txt: a Kms*, a Pkcs11* and a Kmip* line in one scenario run as one test (one t0,
 * one stats queue, one summary, one verdict), each against its throwaway endpoint (--endpoint local,
 * softhsm, pykmip), which are all gone when the run ends.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, pylogen, readJson, tempDir } from './helpers.js';

// PyKMIP starts in ~0.5 s and stops in 2-8 s on an idle machine, SoftHSM's token and keys take a few
// seconds: several times that on a machine loaded by other suites.
const RUN_MS = 150_000;

describe('a scenario mixing KMS, PKCS#11 and KMIP lines', () => {
  it(
    'runs scenarios/Mixed.txt as one test: one summary, one verdict, 0 errors, every throwaway endpoint removed',
    async () => {
      const dir = tempDir();
      const json = join(dir, 's.json');
      const r = await pylogen(['scenario', '--file', 'Mixed.txt', '--outformat', 'none', '--summary-json', json, '--threshold', 'errors<1%', '-v'], {
        timeoutMs: RUN_MS,
      });
      expect(r.code, r.stderr).toBe(0);
      // One t0 for the three lines, one summary.
      expect(r.stderr).toContain(': 3 runners ready');
      expect(r.stderr.match(/^pylogen summary:/gm)).toHaveLength(1);
      const s = readJson(json);
      expect(s.runners).toMatchObject({ planned: 3, ended: 3, failed: 0 });
      expect(s.requests.errors).toBe(0);
      expect(s.errorsByType).toEqual({});
      const counts = Object.fromEntries(s.byRequest.map((b: { id: string; request: string; count: number }) => [`${b.id} ${b.request}`, b.count]));
      expect(counts).toEqual({ 'kms ENCRYPT': 50, 'pkcs11 SIGN': 50, 'kmip ENCRYPT': 20, 'kmip DECRYPT': 20 });
      expect(s.thresholds).toEqual([{ threshold: 'errors<1%', value: 0, ok: true }]);
      // The throwaway endpoints: the embedded KMS server and PyKMIP stopped, the SoftHSM2 folder removed.
      const kmsPid = Number(/embedded KMS server on http:\/\/127\.0\.0\.1:\d+ \(.*pid (\d+)\)/.exec(r.stderr)?.[1]);
      const kmipPid = Number(/throwaway PyKMIP server on kmip:\/\/127\.0\.0\.1:\d+ \(.*pid (\d+)\)/.exec(r.stderr)?.[1]);
      const softhsmDir = /throwaway SoftHSM2 token "pylogen" in (\S+)/.exec(r.stderr)?.[1];
      expect(kmsPid).toBeGreaterThan(0);
      expect(kmipPid).toBeGreaterThan(0);
      expect(softhsmDir).toBeDefined();
      expect(alive(kmsPid)).toBe(false);
      expect(alive(kmipPid)).toBe(false);
      expect(existsSync(softhsmDir!)).toBe(false);
    },
    RUN_MS,
  );
});
