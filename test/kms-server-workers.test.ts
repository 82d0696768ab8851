/**
 * `kms serve --workers N` (src/kms/server/workers.ts): N processes on one port with the same keys. A
 * ciphertext made by one worker decrypts on another; signatures verify across workers; every worker
 * serves; the counts are summed; the CLI says how many workers serve.
 */
import { DecryptCommand, EncryptCommand, GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import { createPublicKey, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createKmsSender } from '../src/kms/client/client.js';
import { loadKeyFile } from '../src/kms/model/keyfile.js';
import { startKmsServers, type KmsServerGroup } from '../src/kms/server/workers.js';
import { pylogen, ROOT } from './helpers.js';
import { rejection } from './kms-helpers.js';

const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'pylogen-workers-secret' };
const groups: KmsServerGroup[] = [];
afterEach(async () => {
  await Promise.all(groups.splice(0).map((g) => g.close()));
});

describe('kms serve --workers', () => {
  it('two workers on one port serve the same keys: ciphertexts and signatures cross workers', async () => {
    const { entries } = loadKeyFile('KmsDefault.json', ROOT, ROOT);
    const g = await startKmsServers({ keys: [...entries.values()], credentials: CREDS }, 2);
    groups.push(g);
    expect(g.workers).toBe(2);
    // One client (so one connection) per step: the cluster hands successive connections to
    // successive workers, so with both workers serving, some step decrypts on the other worker
    // what the previous step encrypted on one.
    let previous: Uint8Array | undefined;
    let spki: Buffer | undefined;
    for (let i = 0; i < 12; i++) {
      const c = createKmsSender(i % 2 === 0 ? 'fast' : 'sdk', { endpoint: g.url, region: 'us-east-1', credentials: CREDS, maxSockets: 1 });
      try {
        const plaintext = Buffer.from(`step ${i}`);
        const out = await c.send(new EncryptCommand({ KeyId: 'alias/pylogen-symmetric1', Plaintext: plaintext }));
        if (previous !== undefined) {
          const back = await c.send(new DecryptCommand({ CiphertextBlob: previous }));
          expect(Buffer.from(back.Plaintext!).toString()).toBe(`step ${i - 1}`);
        }
        previous = out.CiphertextBlob;
        const pub = Buffer.from((await c.send(new GetPublicKeyCommand({ KeyId: 'alias/pylogen-ecc256' }))).PublicKey!);
        if (spki !== undefined) expect(pub).toEqual(spki);
        spki = pub;
        const sig = await c.send(new SignCommand({ KeyId: 'alias/pylogen-ecc256', Message: plaintext, SigningAlgorithm: 'ECDSA_SHA_256' }));
        expect(verify('sha256', plaintext, createPublicKey({ key: spki, format: 'der', type: 'spki' }), Buffer.from(sig.Signature!))).toBe(true);
      } finally {
        c.destroy();
      }
    }
    // Both verify signatures with the same credentials.
    const wrong = createKmsSender('fast', { endpoint: g.url, region: 'us-east-1', credentials: { ...CREDS, secretAccessKey: 'nope' } });
    expect((await rejection(wrong.send(new EncryptCommand({ KeyId: 'alias/pylogen-symmetric1', Plaintext: Buffer.from('x') })))).name).toBe(
      'InvalidSignatureException',
    );
    wrong.destroy();
    const stats = await g.close();
    expect(stats.perWorker).toHaveLength(2);
    for (const n of stats.perWorker) expect(n).toBeGreaterThan(0);
    expect(stats.requests).toBe(stats.perWorker[0]! + stats.perWorker[1]!);
    expect(stats.requests).toBe(12 * 3 + 11 + 1);
  });

  it('the CLI: --workers 2 says so, serves, and sums the counts at the end', async () => {
    let url = '';
    const r = await pylogen(['kms', 'serve', '--workers', '2', '--keys', 'KmsDefault.json'], {
      onSpawn: (p) => {
        let out = '';
        p.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (!out.includes('\n') || url !== '') return;
          url = out.trim();
          void (async () => {
            const c = createKmsSender('fast', { endpoint: url, region: 'us-east-1', credentials: CREDS });
            for (let i = 0; i < 5; i++) await c.send(new EncryptCommand({ KeyId: 'alias/pylogen-symmetric1', Plaintext: Buffer.from('x') }));
            c.destroy();
            p.kill('SIGINT');
          })();
        });
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(7 keys from .*, 2 worker processes\)/);
    expect(r.stderr).toMatch(/stopped after [\d.]+ s: 5 requests/);
  });
});
