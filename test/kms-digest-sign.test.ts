import { constants, createHash, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeDerSignature, encodeDerSignature, signEcdsaDigest, toBigInt, verifyEcdsaDigest, type CurveName } from '../src/kms/server/signing/ecdsaDigest.js';
import { signPkcs1Digest, signPssDigest, verifyPkcs1Digest, verifyPssDigest } from '../src/kms/server/signing/rsaDigest.js';

// The digest-level signatures (KMS MessageType DIGEST) against node:crypto's own message-level ones.

describe('ECDSA over a digest', () => {
  it.each([
    ['prime256v1', 'sha256'],
    ['secp256k1', 'sha256'],
    ['secp384r1', 'sha384'],
    ['secp521r1', 'sha512'],
  ] as const)('%s: signatures verify with node:crypto, and node:crypto signatures verify here', (curve: CurveName, hash) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
    const d = toBigInt(Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url'));
    // Enough signatures to cross nonce batches (32 for the 256-bit curves).
    const rounds = curve.endsWith('256v1') || curve === 'secp256k1' ? 70 : 6;
    for (let i = 0; i < rounds; i++) {
      const message = randomBytes(1 + i);
      const digest = createHash(hash).update(message).digest();
      const sig = signEcdsaDigest(curve, d, digest);
      expect(verify(hash, message, publicKey, sig)).toBe(true);
      expect(verifyEcdsaDigest(curve, d, digest, sig)).toBe(true);
      expect(verifyEcdsaDigest(curve, d, createHash(hash).update(message).update('x').digest(), sig)).toBe(false);
      const native = sign(hash, message, privateKey);
      expect(verifyEcdsaDigest(curve, d, digest, native)).toBe(true);
    }
  });

  it('parses strict DER only', () => {
    const sig = encodeDerSignature(0x80n, 5n);
    expect(sig.toString('hex')).toBe('3007020200800201' + '05');
    expect(decodeDerSignature(sig)).toEqual([0x80n, 5n]);
    for (const bad of ['3007020200800201', '30070202008002010500', '3008020300008002010' + '5', '300602018002010' + '5', '310702020080020105']) {
      expect(decodeDerSignature(Buffer.from(bad, 'hex')), bad).toBeUndefined();
    }
    const long = encodeDerSignature(1n << 520n, (1n << 520n) + 1n);
    expect(long[1]).toBe(0x81);
    expect(decodeDerSignature(long)).toEqual([1n << 520n, (1n << 520n) + 1n]);
  });
});

describe('RSA over a digest', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it.each(['sha256', 'sha384', 'sha512'] as const)('%s: PKCS#1 v1.5 and PSS match node:crypto both ways', (hash) => {
    const message = randomBytes(100);
    const digest = createHash(hash).update(message).digest();
    const hLen = digest.length;
    const pkcs1 = signPkcs1Digest(privateKey, hash, digest);
    expect(pkcs1).toEqual(sign(hash, message, privateKey)); // deterministic: byte for byte
    expect(verifyPkcs1Digest(publicKey, 256, hash, digest, pkcs1)).toBe(true);
    expect(verifyPkcs1Digest(publicKey, 256, hash, randomBytes(hLen), pkcs1)).toBe(false);

    const pssKey = { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: hLen };
    const pss = signPssDigest(privateKey, 2048, hash, digest, randomBytes(hLen));
    expect(verify(hash, message, pssKey, pss)).toBe(true);
    expect(verifyPssDigest(publicKey, 2048, hash, digest, pss)).toBe(true);
    const native = sign(hash, message, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: hLen });
    expect(verifyPssDigest(publicKey, 2048, hash, digest, native)).toBe(true);
    const tampered = Buffer.from(pss);
    tampered[10] = tampered[10]! ^ 1;
    expect(verifyPssDigest(publicKey, 2048, hash, digest, tampered)).toBe(false);
    expect(verifyPssDigest(publicKey, 2048, hash, digest, pss.subarray(1))).toBe(false);
    // A signature with another salt length is refused, as AWS uses the digest length.
    const salt0 = sign(hash, message, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 0 });
    expect(verifyPssDigest(publicKey, 2048, hash, digest, salt0)).toBe(false);
  });
});
