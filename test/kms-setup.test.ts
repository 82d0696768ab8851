import { DescribeKeyCommand, ListAliasesCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.js';
import { createKmsClient } from '../src/kms/client/client.js';
import { loadKeyFile, type KeyEntry } from '../src/kms/model/keyfile.js';
import { startKmsServer, type KmsServerHandle } from '../src/kms/server/server.js';
import { setupKeys } from '../src/kms/admin/setup.js';
import { CREDENTIALS, ROOT } from './kms-helpers.js';

let server: KmsServerHandle;
beforeAll(async () => {
  server = await startKmsServer({});
});
afterAll(async () => {
  await server?.close();
});

describe('kms setup', () => {
  it('creates the missing keys with their aliases, then finds them existing', async () => {
    // No region anywhere in the test's environment is needed: an explicit endpoint falls back to us-east-1.
    const kms = createKmsClient({ endpoint: server.url, credentials: CREDENTIALS });
    const entries = [...loadKeyFile('KmsDefault.json', ROOT, ROOT).entries.values()];
    const lines: string[] = [];
    const first = await setupKeys(kms, entries, (l) => lines.push(l));
    expect(first).toEqual({ existing: [], created: entries.map((e) => e.name) });
    expect(lines).toHaveLength(entries.length);
    expect(lines[0]).toMatch(/^key "symmetric1": created [0-9a-f-]{36} \(SYMMETRIC_DEFAULT ENCRYPT_DECRYPT\) with alias alias\/pylogen-symmetric1$/);
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/pylogen-signature384' }))).KeyMetadata!;
    expect(meta).toMatchObject({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' });
    expect((await kms.send(new ListAliasesCommand({}))).Aliases).toHaveLength(entries.length);

    const second = await setupKeys(kms, entries, (l) => lines.push(l));
    expect(second).toEqual({ existing: entries.map((e) => e.name), created: [] });
    expect(lines.at(-1)).toMatch(/^key "hmac256": alias\/pylogen-hmac256 exists \([0-9a-f-]{36}, HMAC_256 GENERATE_VERIFY_MAC\)$/);

    // A fixed keyId is only checked; a key of the wrong kind is reported, not silently used.
    const fixed: KeyEntry = { name: 'fixed', keyId: '00000000-0000-4000-8000-000000000000', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' };
    const wrong: KeyEntry = { name: 'wrong', alias: 'alias/pylogen-ecc256', keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' };
    const err = await setupKeys(kms, [fixed, wrong], () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      'kms setup: key "fixed": 00000000-0000-4000-8000-000000000000 does not exist on the target (a fixed keyId is only checked, never created); ' +
        'key "wrong": alias/pylogen-ecc256 is a ECC_NIST_P256 SIGN_VERIFY key, but the key file says RSA_2048 SIGN_VERIFY',
    );
    kms.destroy();
  });

  it('creates keys with fixed ids at server start, so fixed-keyId entries work locally', async () => {
    const id = '1234abcd-12ab-34cd-56ef-1234567890ab';
    const local = await startKmsServer({
      keys: [{ name: 'f', keyId: `arn:aws:kms:us-east-1:111122223333:key/${id}`, keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' }],
    });
    const kms = createKmsClient({ endpoint: local.url, credentials: CREDENTIALS });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeySpec).toBe('HMAC_256');
    expect(await setupKeys(kms, [{ name: 'f', keyId: id, keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' }], () => undefined)).toEqual({
      existing: ['f'],
      created: [],
    });
    kms.destroy();
    await local.close();
    await expect(
      startKmsServer({
        keys: [
          { name: 'a', alias: 'alias/x', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' },
          { name: 'b', alias: 'alias/x', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' },
        ],
      }),
    ).rejects.toThrow('kms server: key "b": An alias with the name arn:aws:kms:us-east-1:111122223333:alias/x already exists');
  });
});
