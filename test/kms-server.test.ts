import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateMacCommand,
  GenerateRandomCommand,
  GetPublicKeyCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ReEncryptCommand,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
  type KMSClient,
  type KeySpec,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { constants, createHash, createPublicKey, publicEncrypt, randomBytes, verify, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient } from '../src/kms/client/client.js';
import { loadKeyFile } from '../src/kms/model/keyfile.js';
import { startKmsServer, type KmsServerHandle } from '../src/kms/server/server.js';
import { CREDENTIALS, expectAwsError, expectKmsError, raw, ROOT } from './kms-helpers.js';

// Every operation through the real @aws-sdk/client-kms over real HTTP, the cryptography checked
// independently with node:crypto.

let server: KmsServerHandle;
let kms: KMSClient;
const sym1 = 'alias/pylogen-symmetric1';
const sym2 = 'alias/pylogen-symmetric2';

beforeAll(async () => {
  const { entries } = loadKeyFile('KmsDefault.json', ROOT, ROOT);
  server = await startKmsServer({ keys: [...entries.values()] });
  kms = createKmsClient({ endpoint: server.url, region: 'us-east-1', credentials: CREDENTIALS });
});

afterAll(async () => {
  kms?.destroy();
  await server?.close();
});

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

async function publicKeyOf(keyId: string): Promise<KeyObject> {
  const out = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  return createPublicKey({ key: Buffer.from(out.PublicKey as Uint8Array), format: 'der', type: 'spki' });
}

describe('keys and aliases', () => {
  it('creates keys of every supported spec, with the metadata AWS returns', async () => {
    const cases: Array<[KeySpec, 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC', Record<string, unknown>]> = [
      ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }],
      ['RSA_3072', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
      ['RSA_4096', 'SIGN_VERIFY', { SigningAlgorithms: expect.arrayContaining(['RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256']) }],
      ['ECC_NIST_P521', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_512'] }],
      ['ECC_SECG_P256K1', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
      ['HMAC_224', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_224'] }],
      ['HMAC_512', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_512'] }],
    ];
    const made = await Promise.all(cases.map(([KeySpec, KeyUsage]) => kms.send(new CreateKeyCommand({ KeySpec, KeyUsage, Description: `test ${KeySpec}` }))));
    made.forEach((out, i) => {
      const [spec, usage, algs] = cases[i]!;
      const m = out.KeyMetadata!;
      expect(m).toMatchObject({
        KeySpec: spec,
        CustomerMasterKeySpec: spec,
        KeyUsage: usage,
        KeyState: 'Enabled',
        Enabled: true,
        Origin: 'AWS_KMS',
        KeyManager: 'CUSTOMER',
        Description: `test ${spec}`,
        ...algs,
      });
      expect(m.KeyId).toMatch(/^[0-9a-f-]{36}$/);
      expect(m.Arn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${m.KeyId}`);
      expect(m.CreationDate).toBeInstanceOf(Date);
      expect(Math.abs(m.CreationDate!.getTime() - Date.now())).toBeLessThan(60_000);
    });
    // The default is a symmetric encryption key, as in AWS.
    const plain = await kms.send(new CreateKeyCommand({}));
    expect(plain.KeyMetadata).toMatchObject({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' });
  });

  it('refuses the combinations and values AWS refuses', async () => {
    await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'ENCRYPT_DECRYPT' })), 'ValidationException');
    await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'SIGN_VERIFY' })), 'ValidationException');
    await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' })), 'ValidationException');
    await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048' })), 'ValidationException');
    await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_1024' as KeySpec, KeyUsage: 'SIGN_VERIFY' })), 'ValidationException');
    await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' })), 'UnsupportedOperationException');
    await expectKmsError(kms.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' })), 'ValidationException');
    await expectKmsError(kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' })), 'UnsupportedOperationException');
  });

  it('resolves a key by id, key ARN, alias name and alias ARN', async () => {
    const byAlias = (await kms.send(new DescribeKeyCommand({ KeyId: sym1 }))).KeyMetadata!;
    expect(byAlias.Description).toContain('symmetric');
    for (const ref of [byAlias.KeyId!, byAlias.Arn!, `arn:aws:kms:us-east-1:111122223333:${sym1}`]) {
      expect((await kms.send(new DescribeKeyCommand({ KeyId: ref }))).KeyMetadata!.KeyId).toBe(byAlias.KeyId);
    }
    const missing = await expectKmsError(kms.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })), 'NotFoundException');
    expect(missing.message).toBe('Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found.');
    await expectKmsError(kms.send(new DescribeKeyCommand({ KeyId: '11111111-2222-3333-4444-555555555555' })), 'NotFoundException');
    expect(missing.$metadata?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('creates and lists aliases, and pages through keys', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/test-a', TargetKeyId: key.KeyId }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/test-b', TargetKeyId: key.Arn }));
    await expectKmsError(kms.send(new CreateAliasCommand({ AliasName: 'alias/test-a', TargetKeyId: key.KeyId })), 'AlreadyExistsException');
    await expectKmsError(kms.send(new CreateAliasCommand({ AliasName: 'test-c', TargetKeyId: key.KeyId })), 'InvalidAliasNameException');
    await expectKmsError(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/x', TargetKeyId: key.KeyId })), 'InvalidAliasNameException');
    await expectKmsError(kms.send(new CreateAliasCommand({ AliasName: 'alias/test-c', TargetKeyId: 'alias/test-a' })), 'ValidationException');
    const mine = await kms.send(new ListAliasesCommand({ KeyId: key.KeyId }));
    expect(mine.Aliases!.map((a) => a.AliasName)).toEqual(['alias/test-a', 'alias/test-b']);
    expect(mine.Aliases![0]).toMatchObject({ TargetKeyId: key.KeyId, AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/test-a' });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/test-b' }))).KeyMetadata!.KeyId).toBe(key.KeyId);
    const all = await kms.send(new ListAliasesCommand({}));
    expect(all.Aliases!.map((a) => a.AliasName)).toContain('alias/pylogen-signature384');

    const seen: string[] = [];
    let marker: string | undefined;
    for (let pages = 0; ; pages++) {
      const page = await kms.send(new ListKeysCommand({ Limit: 3, Marker: marker }));
      seen.push(...page.Keys!.map((k) => k.KeyId!));
      expect(page.Keys!.length).toBeLessThanOrEqual(3);
      if (!page.Truncated) break;
      marker = page.NextMarker;
      expect(pages).toBeLessThan(100);
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(key.KeyId);
    await expectKmsError(kms.send(new ListKeysCommand({ Marker: 'garbage' })), 'InvalidMarkerException');
  });
});

describe('symmetric encryption', () => {
  const context = { tenant: 'a', purpose: 'test' };

  it('encrypts and decrypts, with and without KeyId, binding the encryption context', async () => {
    const plaintext = randomBytes(777);
    const enc = await kms.send(new EncryptCommand({ KeyId: sym1, Plaintext: plaintext, EncryptionContext: context }));
    const key1 = (await kms.send(new DescribeKeyCommand({ KeyId: sym1 }))).KeyMetadata!;
    expect(enc).toMatchObject({ KeyId: key1.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(Buffer.from(enc.CiphertextBlob!).includes(plaintext.subarray(0, 16))).toBe(false);

    // The context's order does not matter, its content does.
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: 'test', tenant: 'a' } }));
    expect(Buffer.from(dec.Plaintext!)).toEqual(plaintext);
    expect(dec).toMatchObject({ KeyId: key1.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const withKey = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: key1.KeyId, EncryptionContext: context }));
    expect(Buffer.from(withKey.Plaintext!)).toEqual(plaintext);

    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), 'InvalidCiphertextException');
    await expectKmsError(
      kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { ...context, tenant: 'b' } })),
      'InvalidCiphertextException',
    );
    await expectKmsError(
      kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context, KeyId: sym2 })),
      'IncorrectKeyException',
    );
    await expectKmsError(
      kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context, KeyId: 'alias/pylogen-ecc256' })),
      'InvalidKeyUsageException',
    );
  });

  it('catches every tampered byte class and a ciphertext moved to another key', async () => {
    const enc = await kms.send(new EncryptCommand({ KeyId: sym1, Plaintext: bytes('attack at dawn') }));
    const blob = Buffer.from(enc.CiphertextBlob!);
    const key2 = (await kms.send(new DescribeKeyCommand({ KeyId: sym2 }))).KeyMetadata!;
    const moved = Buffer.from(blob);
    Buffer.from(key2.KeyId!.replace(/-/g, ''), 'hex').copy(moved, 1); // now names symmetric2
    for (const i of [0, 1, 20, 35, blob.length - 1]) {
      const bad = Buffer.from(blob);
      bad[i] = bad[i]! ^ 0x01;
      await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: bad })), 'InvalidCiphertextException');
    }
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: moved })), 'InvalidCiphertextException');
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: randomBytes(100) })), 'InvalidCiphertextException');
  });

  it('enforces the 4096-byte plaintext limit and key usage', async () => {
    await kms.send(new EncryptCommand({ KeyId: sym1, Plaintext: randomBytes(4096) }));
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: sym1, Plaintext: randomBytes(4097) })), 'ValidationException');
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: 'alias/pylogen-hmac256', Plaintext: bytes('x') })), 'InvalidKeyUsageException');
    await expectKmsError(
      kms.send(new EncryptCommand({ KeyId: sym1, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })),
      'InvalidKeyUsageException',
    );
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: 'alias/missing', Plaintext: bytes('x') })), 'NotFoundException');
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: sym1, Plaintext: bytes('x'), DryRun: true })), 'DryRunOperationException', 412);
  });

  it('re-encrypts under another key and context', async () => {
    const plaintext = randomBytes(100);
    const enc = await kms.send(new EncryptCommand({ KeyId: sym1, Plaintext: plaintext, EncryptionContext: context }));
    const re = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: enc.CiphertextBlob,
        SourceEncryptionContext: context,
        DestinationKeyId: sym2,
        DestinationEncryptionContext: { other: 'ctx' },
      }),
    );
    const [k1, k2] = await Promise.all([sym1, sym2].map(async (a) => (await kms.send(new DescribeKeyCommand({ KeyId: a }))).KeyMetadata!));
    expect(re).toMatchObject({
      SourceKeyId: k1!.Arn,
      KeyId: k2!.Arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { other: 'ctx' } }));
    expect(dec.KeyId).toBe(k2!.Arn);
    expect(Buffer.from(dec.Plaintext!)).toEqual(plaintext);
    await expectKmsError(kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: sym2 })), 'InvalidCiphertextException');
    await expectKmsError(
      kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: context, DestinationKeyId: 'alias/pylogen-rsa2048' })),
      'InvalidKeyUsageException',
    );
  });

  it('generates data keys that Decrypt returns, and random bytes', async () => {
    const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: sym1, KeySpec: 'AES_256', EncryptionContext: context }));
    expect(dk.Plaintext!.length).toBe(32);
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: context }));
    expect(Buffer.from(back.Plaintext!)).toEqual(Buffer.from(dk.Plaintext!));
    expect((await kms.send(new GenerateDataKeyCommand({ KeyId: sym1, KeySpec: 'AES_128' }))).Plaintext!.length).toBe(16);
    expect((await kms.send(new GenerateDataKeyCommand({ KeyId: sym1, NumberOfBytes: 64 }))).Plaintext!.length).toBe(64);
    const np = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: sym2, KeySpec: 'AES_256' }));
    expect(np).not.toHaveProperty('Plaintext');
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: np.CiphertextBlob }))).Plaintext!.length).toBe(32);
    await expectKmsError(kms.send(new GenerateDataKeyCommand({ KeyId: sym1 })), 'ValidationException');
    await expectKmsError(kms.send(new GenerateDataKeyCommand({ KeyId: sym1, KeySpec: 'AES_256', NumberOfBytes: 32 })), 'ValidationException');
    await expectKmsError(kms.send(new GenerateDataKeyCommand({ KeyId: sym1, NumberOfBytes: 1025 })), 'ValidationException');
    await expectKmsError(kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/pylogen-rsaencrypt', KeySpec: 'AES_256' })), 'InvalidKeyUsageException');

    const r1 = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 1024 }));
    const r2 = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 1 }));
    expect([r1.Plaintext!.length, r2.Plaintext!.length]).toEqual([1024, 1]);
    await expectKmsError(kms.send(new GenerateRandomCommand({ NumberOfBytes: 0 })), 'ValidationException');
    await expectKmsError(kms.send(new GenerateRandomCommand({})), 'ValidationException');
  });
});

describe('RSA OAEP encryption', () => {
  const rsa = 'alias/pylogen-rsaencrypt';

  it('decrypts what node:crypto encrypts with the public key, and round-trips', async () => {
    const pub = await publicKeyOf(rsa);
    expect(pub.asymmetricKeyDetails?.modulusLength).toBe(2048);
    for (const [alg, hash, limit] of [
      ['RSAES_OAEP_SHA_256', 'sha256', 190],
      ['RSAES_OAEP_SHA_1', 'sha1', 214],
    ] as const) {
      const plaintext = randomBytes(limit);
      const local = publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, plaintext);
      const dec = await kms.send(new DecryptCommand({ CiphertextBlob: local, KeyId: rsa, EncryptionAlgorithm: alg }));
      expect(Buffer.from(dec.Plaintext!)).toEqual(plaintext);
      expect(dec.EncryptionAlgorithm).toBe(alg);
      const enc = await kms.send(new EncryptCommand({ KeyId: rsa, Plaintext: plaintext, EncryptionAlgorithm: alg }));
      expect(enc.CiphertextBlob!.length).toBe(256);
      const round = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: rsa, EncryptionAlgorithm: alg }));
      expect(Buffer.from(round.Plaintext!)).toEqual(plaintext);
      await expectKmsError(kms.send(new EncryptCommand({ KeyId: rsa, Plaintext: randomBytes(limit + 1), EncryptionAlgorithm: alg })), 'ValidationException');
      // The wrong OAEP hash does not decrypt.
      const other = alg === 'RSAES_OAEP_SHA_1' ? 'RSAES_OAEP_SHA_256' : 'RSAES_OAEP_SHA_1';
      await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: local, KeyId: rsa, EncryptionAlgorithm: other })), 'InvalidCiphertextException');
    }
  });

  it('needs the KeyId and an OAEP algorithm to decrypt, and refuses a context', async () => {
    const enc = await kms.send(new EncryptCommand({ KeyId: rsa, Plaintext: bytes('hi'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), 'InvalidCiphertextException');
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: rsa })), 'InvalidKeyUsageException');
    await expectKmsError(kms.send(new EncryptCommand({ KeyId: rsa, Plaintext: bytes('hi') })), 'InvalidKeyUsageException');
    await expectKmsError(
      kms.send(new EncryptCommand({ KeyId: rsa, Plaintext: bytes('hi'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext: { a: 'b' } })),
      'ValidationException',
    );
  });
});

describe('signatures', () => {
  const cases: Array<[string, SigningAlgorithmSpec]> = [
    ['alias/pylogen-ecc256', 'ECDSA_SHA_256'],
    ['alias/pylogen-signature384', 'ECDSA_SHA_384'],
    ['alias/pylogen-rsa2048', 'RSASSA_PSS_SHA_256'],
    ['alias/pylogen-rsa2048', 'RSASSA_PSS_SHA_512'],
    ['alias/pylogen-rsa2048', 'RSASSA_PKCS1_V1_5_SHA_256'],
    ['alias/pylogen-rsa2048', 'RSASSA_PKCS1_V1_5_SHA_384'],
  ];
  const hashOf = (alg: string): string => `sha${alg.slice(-3)}`;

  function localVerify(pub: KeyObject, alg: string, message: Uint8Array, signature: Uint8Array): boolean {
    const hash = hashOf(alg);
    const key = alg.startsWith('RSASSA_PSS') ? { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: createHash(hash).digest().length } : pub;
    return verify(hash, message, key, signature);
  }

  it.each(cases)('%s %s: RAW and DIGEST signatures verify locally and through Verify; tampering is caught', async (keyId, alg) => {
    const pub = await publicKeyOf(keyId);
    const message = randomBytes(300);
    const digest = createHash(hashOf(alg)).update(message).digest();
    for (const [MessageType, Message] of [
      ['RAW', message],
      ['DIGEST', digest],
    ] as const) {
      const out = await kms.send(new SignCommand({ KeyId: keyId, Message, MessageType, SigningAlgorithm: alg }));
      expect(out.SigningAlgorithm).toBe(alg);
      expect(out.KeyId).toMatch(/^arn:aws:kms:/);
      const sig = Buffer.from(out.Signature!);
      // Independent check: node:crypto hashes the message itself, whichever MessageType KMS was given.
      expect(localVerify(pub, alg, message, sig)).toBe(true);
      expect(localVerify(pub, alg, Buffer.concat([message, Buffer.from([0])]), sig)).toBe(false);
      // Verify accepts it as RAW and as DIGEST alike.
      for (const [type, msg] of [
        ['RAW', message],
        ['DIGEST', digest],
      ] as const) {
        const v = await kms.send(new VerifyCommand({ KeyId: keyId, Message: msg, MessageType: type, Signature: sig, SigningAlgorithm: alg }));
        expect(v).toMatchObject({ SignatureValid: true, SigningAlgorithm: alg });
      }
      const badSig = Buffer.from(sig);
      badSig[badSig.length - 5] = badSig[badSig.length - 5]! ^ 0x10;
      await expectKmsError(
        kms.send(new VerifyCommand({ KeyId: keyId, Message, MessageType, Signature: badSig, SigningAlgorithm: alg })),
        'KMSInvalidSignatureException',
      );
      const badMsg = Buffer.from(Message);
      badMsg[0] = badMsg[0]! ^ 0x01;
      await expectKmsError(
        kms.send(new VerifyCommand({ KeyId: keyId, Message: badMsg, MessageType, Signature: sig, SigningAlgorithm: alg })),
        'KMSInvalidSignatureException',
      );
    }
    await expectKmsError(
      kms.send(new SignCommand({ KeyId: keyId, Message: digest.subarray(1), MessageType: 'DIGEST', SigningAlgorithm: alg })),
      'ValidationException',
    );
  });

  it('signs with P-521 and secp256k1 keys too', async () => {
    for (const [KeySpec, alg] of [
      ['ECC_NIST_P521', 'ECDSA_SHA_512'],
      ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
    ] as const) {
      const key = (await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
      const pub = await publicKeyOf(key.KeyId!);
      for (let i = 0; i < 5; i++) {
        const message = randomBytes(50);
        const digest = createHash(hashOf(alg)).update(message).digest();
        const out = await kms.send(new SignCommand({ KeyId: key.KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: alg }));
        expect(verify(hashOf(alg), message, pub, out.Signature!)).toBe(true);
      }
    }
  });

  it('refuses algorithms and keys that do not match', async () => {
    const m = bytes('hello');
    await expectKmsError(
      kms.send(new SignCommand({ KeyId: 'alias/pylogen-ecc256', Message: m, SigningAlgorithm: 'ECDSA_SHA_384' })),
      'InvalidKeyUsageException',
    );
    await expectKmsError(
      kms.send(new SignCommand({ KeyId: 'alias/pylogen-rsa2048', Message: m, SigningAlgorithm: 'ECDSA_SHA_256' })),
      'InvalidKeyUsageException',
    );
    await expectKmsError(kms.send(new SignCommand({ KeyId: sym1, Message: m, SigningAlgorithm: 'ECDSA_SHA_256' })), 'InvalidKeyUsageException');
    await expectKmsError(
      kms.send(new SignCommand({ KeyId: 'alias/pylogen-rsaencrypt', Message: m, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })),
      'InvalidKeyUsageException',
    );
    await expectKmsError(
      kms.send(new SignCommand({ KeyId: 'alias/pylogen-ecc256', Message: randomBytes(4097), SigningAlgorithm: 'ECDSA_SHA_256' })),
      'ValidationException',
    );
    await expectKmsError(
      kms.send(new VerifyCommand({ KeyId: 'alias/pylogen-ecc256', Message: m, Signature: randomBytes(70), SigningAlgorithm: 'ECDSA_SHA_256' })),
      'KMSInvalidSignatureException',
    );
  });

  it('answers GetPublicKey as AWS does', async () => {
    const out = await kms.send(new GetPublicKeyCommand({ KeyId: 'alias/pylogen-signature384' }));
    expect(out).toMatchObject({
      KeySpec: 'ECC_NIST_P384',
      CustomerMasterKeySpec: 'ECC_NIST_P384',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ECDSA_SHA_384'],
    });
    expect(out).not.toHaveProperty('EncryptionAlgorithms');
    expect(createPublicKey({ key: Buffer.from(out.PublicKey!), format: 'der', type: 'spki' }).asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    const enc = await kms.send(new GetPublicKeyCommand({ KeyId: 'alias/pylogen-rsaencrypt' }));
    expect(enc).toMatchObject({ KeyUsage: 'ENCRYPT_DECRYPT', EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] });
    await expectKmsError(kms.send(new GetPublicKeyCommand({ KeyId: sym1 })), 'UnsupportedOperationException');
  });
});

describe('HMAC', () => {
  it('generates MACs that only VerifyMac accepts', async () => {
    const key = 'alias/pylogen-hmac256';
    const message = randomBytes(1000);
    const out = await kms.send(new GenerateMacCommand({ KeyId: key, Message: message, MacAlgorithm: 'HMAC_SHA_256' }));
    expect(out).toMatchObject({ MacAlgorithm: 'HMAC_SHA_256' });
    expect(out.Mac!.length).toBe(32);
    // Deterministic, keyed: the same message gives the same MAC, another key another one.
    const again = await kms.send(new GenerateMacCommand({ KeyId: key, Message: message, MacAlgorithm: 'HMAC_SHA_256' }));
    expect(Buffer.from(again.Mac!)).toEqual(Buffer.from(out.Mac!));
    const other = (await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;
    const otherMac = await kms.send(new GenerateMacCommand({ KeyId: other.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }));
    expect(Buffer.from(otherMac.Mac!)).not.toEqual(Buffer.from(out.Mac!));

    const ok = await kms.send(new VerifyMacCommand({ KeyId: key, Message: message, Mac: out.Mac, MacAlgorithm: 'HMAC_SHA_256' }));
    expect(ok).toMatchObject({ MacValid: true, MacAlgorithm: 'HMAC_SHA_256' });
    const bad = Buffer.from(out.Mac!);
    bad[3] = bad[3]! ^ 1;
    await expectKmsError(kms.send(new VerifyMacCommand({ KeyId: key, Message: message, Mac: bad, MacAlgorithm: 'HMAC_SHA_256' })), 'KMSInvalidMacException');
    await expectKmsError(
      kms.send(new VerifyMacCommand({ KeyId: key, Message: message.subarray(1), Mac: out.Mac, MacAlgorithm: 'HMAC_SHA_256' })),
      'KMSInvalidMacException',
    );
    await expectKmsError(
      kms.send(new VerifyMacCommand({ KeyId: other.KeyId, Message: message, Mac: out.Mac, MacAlgorithm: 'HMAC_SHA_256' })),
      'KMSInvalidMacException',
    );
    await expectKmsError(kms.send(new GenerateMacCommand({ KeyId: key, Message: message, MacAlgorithm: 'HMAC_SHA_512' })), 'InvalidKeyUsageException');
    await expectKmsError(kms.send(new GenerateMacCommand({ KeyId: sym1, Message: message, MacAlgorithm: 'HMAC_SHA_256' })), 'InvalidKeyUsageException');
  });
});

describe('protocol', () => {
  it('answers with AWS headers and shapes, and never echoes credentials', async () => {
    const headers = {
      'content-type': 'application/x-amz-json-1.1',
      authorization: `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/20250101/us-east-1/kms/aws4_request, Signature=${CREDENTIALS.secretAccessKey}`,
    };
    const ok = await raw(server.url, { headers: { ...headers, 'x-amz-target': 'TrentService.GenerateRandom' }, body: '{"NumberOfBytes":8}' });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(ok.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Buffer.from((JSON.parse(ok.body) as { Plaintext: string }).Plaintext, 'base64').length).toBe(8);
    for (const [target, body, type] of [
      ['TrentService.Nope', '{}', 'UnknownOperationException'],
      ['TrentService.DescribeKey', '{"KeyId":', 'SerializationException'],
      ['TrentService.DescribeKey', '[]', 'SerializationException'],
      ['TrentService.DescribeKey', '{"KeyId":42}', 'SerializationException'],
      ['TrentService.Encrypt', '{"KeyId":"alias/pylogen-symmetric1","Plaintext":"not base64!"}', 'SerializationException'],
      ['TrentService.DescribeKey', '{}', 'ValidationException'],
    ] as const) {
      const res = await raw(server.url, { headers: { ...headers, 'x-amz-target': target }, body });
      expect(res.status).toBe(400);
      expect(expectAwsError(res)).toBe(type);
      expect(res.body + JSON.stringify(res.headers)).not.toContain(CREDENTIALS.accessKeyId);
      expect(res.body + JSON.stringify(res.headers)).not.toContain(CREDENTIALS.secretAccessKey);
    }
    await expectKmsError(kms.send(new DisableKeyCommand({ KeyId: sym1 })), 'UnsupportedOperationException');
  });
});
