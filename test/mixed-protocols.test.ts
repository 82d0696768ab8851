/**
 * Every protocol in one run: a scenario whose lines speak the AWS KMS API, PKCS#11, Vault Transit,
 * Google Cloud KMS (gRPC and REST) and Azure Key Vault, each against its throwaway target, gives one
 * summary (a row per line, every request ok) and one verdict over all of them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pylogen, readJson, tempDir } from './helpers.js';

/** Six throwaway targets start (RSA keys are generated), on a machine that may be loaded. */
const SLOW = 240_000;

describe('one run across every protocol', () => {
  it(
    'KMS, PKCS#11, Vault, Cloud KMS (grpc and rest) and Azure lines: one summary, one verdict',
    async () => {
      const dir = tempDir();
      const file = join(dir, 'all.txt');
      const lines: [string, string][] = [
        ['kms', 'cuts.KmsEncryptSymmetric --endpoint local'],
        ['p11', 'cuts.Pkcs11Sign --endpoint softhsm'],
        ['vault', 'cuts.VaultTransitEncrypt --endpoint vault-local'],
        ['gcp-grpc', 'cuts.CloudKmsEncrypt --endpoint gcp-local --client grpc'],
        ['gcp-rest', 'cuts.CloudKmsEncrypt --endpoint gcp-local --client rest'],
        ['azure', 'cuts.AzureKeyVaultSign --endpoint azure-local'],
      ];
      writeFileSync(file, lines.map(([id, l]) => `${l} --id ${id} --loops 4 --lengths 32`).join('\n') + '\n');
      const summary = join(dir, 'all.json');
      const r = await pylogen(['scenario', '--file', file, '--outformat', 'none', '--summary-json', summary, '--threshold', 'errors<1%'], {
        cwd: dir,
        timeoutMs: SLOW,
      });
      expect(r.code, r.stderr).toBe(0);
      const s = readJson(summary);
      for (const [id] of lines) {
        const rows = (s.byRequest as { id: string; count: number; errors: number }[]).filter((row) => row.id === id);
        expect(rows.length, id).toBeGreaterThan(0);
        expect(
          rows.reduce((n, row) => n + row.count, 0),
          id,
        ).toBeGreaterThanOrEqual(4);
        expect(
          rows.reduce((n, row) => n + row.errors, 0),
          id,
        ).toBe(0);
      }
      expect(s.runners).toMatchObject({ planned: lines.length, ended: lines.length, failed: 0 });
      expect(s.thresholds).toEqual([expect.objectContaining({ threshold: 'errors<1%', ok: true })]);
    },
    SLOW,
  );
});
