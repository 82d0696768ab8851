import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.js';
import { keyRef, loadKeyFile, parseKeyFile, resolveKey } from '../src/kms/model/keyfile.js';
import { ROOT } from './kms-helpers.js';

/** The one-line UsageError message of parsing `doc`. */
function problem(doc: unknown, label = 'KmsTest.json'): string {
  try {
    parseKeyFile(typeof doc === 'string' ? doc : JSON.stringify(doc), label);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a UsageError');
}

describe('key file', () => {
  it('parses the shipped KmsDefault.json', () => {
    const { path, entries } = loadKeyFile('KmsDefault.json', ROOT, ROOT);
    expect(path).toBe(join(ROOT, 'profiles', 'KmsDefault.json'));
    expect([...entries.keys()]).toEqual(['symmetric1', 'symmetric2', 'signature384', 'rsa2048', 'rsaencrypt', 'ecc256', 'hmac256']);
    expect(entries.get('signature384')).toMatchObject({
      name: 'signature384',
      alias: 'alias/pylogen-signature384',
      keySpec: 'ECC_NIST_P384',
      keyUsage: 'SIGN_VERIFY',
      signingAlgorithm: 'ECDSA_SHA_384',
      sha: 'sha384',
    });
    expect(entries.get('rsaencrypt')).toMatchObject({ keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT', encryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    expect(entries.get('hmac256')).toMatchObject({ keySpec: 'HMAC_256', macAlgorithm: 'HMAC_SHA_256' });
    for (const [name, e] of entries) expect(e.alias).toBe(`alias/pylogen-${name}`);
  });

  it('defaults an unambiguous keyUsage and prefers keyId over alias', () => {
    const entries = parseKeyFile(
      JSON.stringify({
        a: { alias: 'alias/a', keySpec: 'ECC_NIST_P256' },
        b: { keyId: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', alias: 'alias/b', keySpec: 'HMAC_384' },
      }),
      'x.json',
    );
    expect(entries.get('a')).toMatchObject({ keyUsage: 'SIGN_VERIFY' });
    expect(entries.get('b')).toMatchObject({ keyUsage: 'GENERATE_VERIFY_MAC' });
    expect(keyRef(entries.get('a')!)).toBe('alias/a');
    expect(keyRef(entries.get('b')!)).toMatch(/^arn:aws:kms:eu-west-1:/);
  });

  it('names the file, the key and the field in one line', () => {
    expect(problem({ rsa2048: { alias: 'alias/r', keySpec: 'RSA_1024', keyUsage: 'SIGN_VERIFY' } }, 'KmsDefault.json')).toBe(
      'KmsDefault.json: key "rsa2048": keySpec must be one of SYMMETRIC_DEFAULT, RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, HMAC_224, HMAC_256, HMAC_384, HMAC_512, but is "RSA_1024"',
    );
    expect(problem({ k: { alias: 'alias/k', keySpec: 'HMAC_256', keyUsage: 'ENCRYPT_DECRYPT' } })).toBe(
      'KmsTest.json: key "k": keyUsage must be GENERATE_VERIFY_MAC for keySpec HMAC_256, but is "ENCRYPT_DECRYPT"',
    );
    expect(problem({ k: { alias: 'alias/k', keySpec: 'RSA_2048' } })).toBe(
      'KmsTest.json: key "k": keyUsage is required for RSA_2048 (one of ENCRYPT_DECRYPT, SIGN_VERIFY)',
    );
    expect(problem({ k: { alias: 'alias/k', keySpec: 'ECC_NIST_P256', signingAlgorithm: 'ECDSA_SHA_384' } })).toBe(
      'KmsTest.json: key "k": signingAlgorithm must be ECDSA_SHA_256 for a ECC_NIST_P256 SIGN_VERIFY key, but is "ECDSA_SHA_384"',
    );
    expect(problem({ k: { alias: 'alias/k', keySpec: 'SYMMETRIC_DEFAULT', signingAlgorithm: 'ECDSA_SHA_256' } })).toBe(
      'KmsTest.json: key "k": signingAlgorithm does not apply to a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key',
    );
    expect(problem({ k: { alias: 'alias/k', keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT', encryptionAlgorithm: 'SYMMETRIC_DEFAULT' } })).toContain(
      'encryptionAlgorithm must be RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256',
    );
    expect(problem({ k: { alias: 'alias/k', keySpec: 'ECC_NIST_P384', signingAlgorithm: 'ECDSA_SHA_384', sha: 'sha256' } })).toBe(
      'KmsTest.json: key "k": sha must be sha384 for signingAlgorithm ECDSA_SHA_384, but is "sha256"',
    );
    expect(problem({ k: { alias: 'alias/k', keySpec: 'ECC_NIST_P384', sha: 'md5' } })).toContain(
      'sha must be one of sha1, sha224, sha256, sha384, sha512, but is "md5"',
    );
    expect(problem({ k: { keySpec: 'SYMMETRIC_DEFAULT' } })).toBe('KmsTest.json: key "k": needs an alias or a keyId');
    expect(problem({ k: { alias: 'pylogen-k', keySpec: 'SYMMETRIC_DEFAULT' } })).toContain('alias must look like "alias/name"');
    expect(problem({ k: { alias: 'alias/aws/k', keySpec: 'SYMMETRIC_DEFAULT' } })).toContain('reserved for AWS managed keys');
    expect(problem({ k: { keyId: 'not-a-key', keySpec: 'SYMMETRIC_DEFAULT' } })).toContain(
      'keyId must be a key id (UUID or mrk-...) or a key ARN, but is "not-a-key"',
    );
    expect(problem({ k: { alias: 'alias/k', keySpec: 'SYMMETRIC_DEFAULT', signingAlgo: 'x' } })).toContain('key "k": unknown field "signingAlgo"');
    expect(problem({ k: { alias: 'alias/k' } })).toContain('key "k": keySpec is required');
    expect(problem({ k: 'SYMMETRIC_DEFAULT' })).toBe('KmsTest.json: key "k": must be an object, but is "SYMMETRIC_DEFAULT"');
    expect(problem({ k: { alias: 42, keySpec: 'SYMMETRIC_DEFAULT' } })).toContain('key "k": alias must be a string, but is 42');
  });

  it('reports every problem of the file at once, and file-level problems', () => {
    const message = problem({
      a: { alias: 'alias/same', keySpec: 'SYMMETRIC_DEFAULT' },
      b: { alias: 'alias/same', keySpec: 'SYMMETRIC_DEFAULT' },
      c: { alias: 'alias/c', keySpec: 'NOPE' },
    });
    expect(message).toBe(
      'KmsTest.json: key "b": alias "alias/same" is already used by key "a"; key "c": keySpec must be one of SYMMETRIC_DEFAULT, RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, HMAC_224, HMAC_256, HMAC_384, HMAC_512, but is "NOPE"',
    );
    expect(problem('{ "a": ')).toMatch(/^KmsTest\.json: not valid JSON: /);
    expect(problem('[]')).toBe('KmsTest.json: must be a JSON object of named key entries, but is an array');
    expect(problem('{}')).toBe('KmsTest.json: defines no keys');
  });

  it('is looked up as given, then in <cwd>/profiles, then in the package profiles', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pylogen-keyfile-'));
    const pkg = mkdtempSync(join(tmpdir(), 'pylogen-pkg-'));
    mkdirSync(join(cwd, 'profiles'));
    mkdirSync(join(pkg, 'profiles'));
    const doc = (alias: string): string => JSON.stringify({ k: { alias, keySpec: 'SYMMETRIC_DEFAULT' } });
    writeFileSync(join(pkg, 'profiles', 'Keys.json'), doc('alias/pkg'));
    expect(loadKeyFile('Keys.json', cwd, pkg).entries.get('k')!.alias).toBe('alias/pkg');
    writeFileSync(join(cwd, 'profiles', 'Keys.json'), doc('alias/cwd-profiles'));
    expect(loadKeyFile('Keys.json', cwd, pkg).entries.get('k')!.alias).toBe('alias/cwd-profiles');
    writeFileSync(join(cwd, 'Keys.json'), doc('alias/cwd'));
    expect(loadKeyFile('Keys.json', cwd, pkg).entries.get('k')!.alias).toBe('alias/cwd');
    // ".json" may be left out, and an absolute path is taken as is.
    expect(loadKeyFile('Keys', cwd, pkg).path).toBe(join(cwd, 'Keys.json'));
    expect(loadKeyFile(join(pkg, 'profiles', 'Keys.json'), cwd, pkg).entries.get('k')!.alias).toBe('alias/pkg');

    expect(() => loadKeyFile('Missing.json', cwd, pkg)).toThrow(UsageError);
    expect(() => loadKeyFile('Missing.json', cwd, pkg)).toThrow(
      `key file "Missing.json" not found (looked in: ${join(cwd, 'Missing.json')}, ${join(cwd, 'profiles', 'Missing.json')}, ${join(pkg, 'profiles', 'Missing.json')})`,
    );
    writeFileSync(join(cwd, 'Bad.json'), '{"k": {"alias": "alias/k", "keySpec": "RSA_1024", "keyUsage": "SIGN_VERIFY"}}');
    expect(() => loadKeyFile('Bad.json', cwd, pkg)).toThrow(/^Bad\.json: key "k": keySpec must be one of/);
  });

  it('resolves a key by name, or lists the known names', () => {
    const { entries } = loadKeyFile('KmsDefault.json', ROOT, ROOT);
    expect(resolveKey(entries, 'ecc256', 'KmsDefault.json').keySpec).toBe('ECC_NIST_P256');
    expect(() => resolveKey(entries, 'nope', 'KmsDefault.json')).toThrow(
      'KmsDefault.json: no key named "nope" (known keys: symmetric1, symmetric2, signature384, rsa2048, rsaencrypt, ecc256, hmac256)',
    );
  });
});
