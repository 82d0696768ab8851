import { constants, createHash, privateEncrypt, publicDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * RSA signatures over a precomputed digest (KMS MessageType DIGEST), which node:crypto's sign() cannot
 * take: the encodings of RFC 8017 are built here and the RSA operation itself is OpenSSL's raw
 * private/public operation. PSS uses MGF1 with the same hash and a salt as long as the digest, as
 * AWS KMS does.
 */
type Hash = 'sha256' | 'sha384' | 'sha512';

const HLEN: Record<Hash, number> = { sha256: 32, sha384: 48, sha512: 64 };

// DER DigestInfo prefixes (RFC 8017, 9.2 note 1).
const DIGEST_INFO: Record<Hash, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

export function signPkcs1Digest(privateKey: KeyObject, hash: Hash, digest: Buffer): Buffer {
  // privateEncrypt with PKCS#1 padding applies EMSA-PKCS1-v1_5 type-1 padding to the DigestInfo.
  return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO[hash], digest]));
}

export function verifyPkcs1Digest(publicKey: KeyObject, modulusBytes: number, hash: Hash, digest: Buffer, sig: Buffer): boolean {
  if (sig.length !== modulusBytes) return false;
  try {
    const info = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, sig);
    const expected = Buffer.concat([DIGEST_INFO[hash], digest]);
    return info.length === expected.length && timingSafeEqual(info, expected);
  } catch {
    return false;
  }
}

function mgf1(hash: Hash, seed: Buffer, length: number): Buffer {
  const out = Buffer.allocUnsafe(Math.ceil(length / HLEN[hash]) * HLEN[hash]);
  const counter = Buffer.alloc(4);
  for (let i = 0, off = 0; off < length; i++, off += HLEN[hash]) {
    counter.writeUInt32BE(i);
    createHash(hash).update(seed).update(counter).digest().copy(out, off);
  }
  return out.subarray(0, length);
}

function pssHash(hash: Hash, mHash: Buffer, salt: Buffer): Buffer {
  return createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
}

/** EMSA-PSS-ENCODE (RFC 8017, 9.1.1), then the raw RSA private operation. */
export function signPssDigest(privateKey: KeyObject, modulusBits: number, hash: Hash, digest: Buffer, salt: Buffer): Buffer {
  const hLen = HLEN[hash];
  const emBits = modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const h = pssHash(hash, digest, salt);
  const db = Buffer.alloc(emLen - hLen - 1);
  db[emLen - salt.length - hLen - 2] = 0x01;
  salt.copy(db, db.length - salt.length);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (mask[i] as number);
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits));
  const k = Math.ceil(modulusBits / 8);
  const em = Buffer.concat([Buffer.alloc(k - emLen), db, h, Buffer.from([0xbc])]);
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, em);
}

/** The raw RSA public operation, then EMSA-PSS-VERIFY (RFC 8017, 9.1.2) with sLen = hLen. */
export function verifyPssDigest(publicKey: KeyObject, modulusBits: number, hash: Hash, digest: Buffer, sig: Buffer): boolean {
  const hLen = HLEN[hash];
  const sLen = hLen;
  const k = Math.ceil(modulusBits / 8);
  if (sig.length !== k) return false;
  let m: Buffer;
  try {
    m = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, sig);
  } catch {
    return false;
  }
  const emBits = modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (m.length !== k || (k > emLen && m[0] !== 0)) return false;
  const em = m.subarray(k - emLen);
  if (emLen < hLen + sLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = 0xff >> (8 * emLen - emBits);
  if (((maskedDb[0] as number) & ~topMask) !== 0) return false;
  const mask = mgf1(hash, h, maskedDb.length);
  const db = Buffer.allocUnsafe(maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i] = (maskedDb[i] as number) ^ (mask[i] as number);
  db[0] = (db[0] as number) & topMask;
  const psLen = emLen - hLen - sLen - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(db.length - sLen);
  return timingSafeEqual(pssHash(hash, digest, salt), h);
}
