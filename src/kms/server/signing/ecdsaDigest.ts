import { createECDH, randomBytes, type ECDH } from 'node:crypto';

/**
 * ECDSA over a precomputed digest (KMS MessageType DIGEST). node:crypto only signs messages it hashes
 * itself, so the scalar arithmetic is done here with BigInt and the one expensive step, a base-point
 * multiplication, is borrowed from OpenSSL through ECDH.setPrivateKey (which computes k·G natively).
 * Verification uses the server's private key d: u1·G + u2·Q = (u1 + u2·d)·G, again one native
 * base-point multiplication, instead of a slow double multiplication in JavaScript.
 */
export type CurveName = 'prime256v1' | 'secp384r1' | 'secp521r1' | 'secp256k1';

interface Curve {
  readonly n: bigint;
  readonly nBits: number;
  /** Bytes of a scalar and of a field element (the x coordinate of a public point). */
  readonly bytes: number;
  /** Nonces made per batch: many where the base multiplication is cheap, one where it dominates. */
  readonly batch: number;
  ecdh?: ECDH;
  /** Fresh nonces, each used once: k⁻¹ mod n and r = x(k·G) mod n. */
  nonces?: Array<{ kInv: bigint; r: bigint }>;
}

// Group orders, from `openssl ecparam -name <curve> -param_enc explicit -text`.
const CURVES: Record<CurveName, Curve> = {
  prime256v1: { n: BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'), nBits: 256, bytes: 32, batch: 32 },
  secp384r1: {
    n: BigInt('0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973'),
    nBits: 384,
    bytes: 48,
    batch: 1,
  },
  secp521r1: {
    n: BigInt('0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409'),
    nBits: 521,
    bytes: 66,
    batch: 1,
  },
  secp256k1: { n: BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'), nBits: 256, bytes: 32, batch: 32 },
};

export function toBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`);
}

function toBytes(x: bigint, length: number): Buffer {
  return Buffer.from(x.toString(16).padStart(length * 2, '0'), 'hex');
}

function mod(a: bigint, n: bigint): bigint {
  const r = a % n;
  return r < 0n ? r + n : r;
}

/** Inverse modulo a prime n by the extended Euclidean algorithm (much faster than a^(n-2) in BigInt). */
function invert(a: bigint, n: bigint): bigint {
  let [r0, r1] = [mod(a, n), n];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, n);
}

/** x(k·G) mod n, computed by OpenSSL. */
function baseMulX(curve: CurveName, k: bigint): bigint {
  const c = CURVES[curve];
  c.ecdh ??= createECDH(curve);
  c.ecdh.setPrivateKey(toBytes(k, c.bytes));
  const point = c.ecdh.getPublicKey(); // 0x04 || X || Y
  return toBigInt(point.subarray(1, 1 + c.bytes));
}

/** The digest as an integer: its leftmost nBits bits (FIPS 186-4, 6.4). */
function digestInt(c: Curve, digest: Uint8Array): bigint {
  const e = toBigInt(digest);
  const extra = digest.length * 8 - c.nBits;
  return extra > 0 ? e >> BigInt(extra) : e;
}

/**
 * Makes a batch of independent random nonces. The modular inverses, which cost P-256 signing more
 * than its base multiplication, are shared by Montgomery's batch inversion: one inversion and three
 * multiplications per nonce.
 */
function makeNonces(curve: CurveName): Array<{ kInv: bigint; r: bigint }> {
  const c = CURVES[curve];
  const stride = c.bytes + 8;
  const random = randomBytes(stride * c.batch);
  const ks: bigint[] = [];
  const rs: bigint[] = [];
  for (let i = 0; i < c.batch; i++) {
    // 64 extra random bits make the reduction bias negligible (FIPS 186-4, B.5.1).
    const k = (toBigInt(random.subarray(i * stride, (i + 1) * stride)) % (c.n - 1n)) + 1n;
    const r = mod(baseMulX(curve, k), c.n);
    if (r === 0n) continue;
    ks.push(k);
    rs.push(r);
  }
  const prefix: bigint[] = [];
  let acc = 1n;
  for (const k of ks) prefix.push((acc = (acc * k) % c.n));
  let inv = invert(acc, c.n);
  const out: Array<{ kInv: bigint; r: bigint }> = new Array(ks.length);
  for (let i = ks.length - 1; i >= 0; i--) {
    out[i] = { kInv: i === 0 ? inv : (inv * (prefix[i - 1] as bigint)) % c.n, r: rs[i] as bigint };
    inv = (inv * (ks[i] as bigint)) % c.n;
  }
  return out;
}

/** A DER ECDSA-Sig-Value (SEQUENCE of two INTEGERs), the encoding AWS KMS returns. */
export function signEcdsaDigest(curve: CurveName, d: bigint, digest: Uint8Array): Buffer {
  const c = CURVES[curve];
  const e = digestInt(c, digest);
  for (;;) {
    const nonce = c.nonces?.pop();
    if (nonce === undefined) {
      c.nonces = makeNonces(curve);
      continue;
    }
    const s = mod(nonce.kInv * (e + nonce.r * d), c.n);
    if (s === 0n) continue;
    return encodeDerSignature(nonce.r, s);
  }
}

export function verifyEcdsaDigest(curve: CurveName, d: bigint, digest: Uint8Array, signature: Uint8Array): boolean {
  const c = CURVES[curve];
  const rs = decodeDerSignature(signature);
  if (rs === undefined) return false;
  const [r, s] = rs;
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const w = invert(s, c.n);
  const u = mod(w * (digestInt(c, digest) + r * d), c.n);
  if (u === 0n) return false;
  return mod(baseMulX(curve, u), c.n) === r;
}

function derInteger(x: bigint): Buffer {
  let hex = x.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  const body = Buffer.from(hex, 'hex');
  return Buffer.concat([Buffer.from([0x02, body.length]), body]);
}

export function encodeDerSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  // P-521 signatures exceed 127 bytes: long-form length.
  const header = body.length < 0x80 ? Buffer.from([0x30, body.length]) : Buffer.from([0x30, 0x81, body.length]);
  return Buffer.concat([header, body]);
}

/** Strict DER: anything else is an invalid signature, as OpenSSL treats it. */
export function decodeDerSignature(sig: Uint8Array): [bigint, bigint] | undefined {
  let i = 0;
  const byte = (): number => (i < sig.length ? (sig[i++] as number) : -1);
  if (byte() !== 0x30) return undefined;
  let len = byte();
  if (len === 0x81) {
    len = byte();
    if (len < 0x80) return undefined;
  } else if (len < 0 || len >= 0x80) {
    return undefined;
  }
  if (i + len !== sig.length) return undefined;
  const ints: bigint[] = [];
  for (let k = 0; k < 2; k++) {
    if (byte() !== 0x02) return undefined;
    const l = byte();
    if (l <= 0 || l >= 0x80 || i + l > sig.length) return undefined;
    const body = sig.subarray(i, i + l);
    // Minimal encoding: no needless leading zero, no negative number.
    if ((body[0] as number) & 0x80) return undefined;
    if (l > 1 && body[0] === 0 && !((body[1] as number) & 0x80)) return undefined;
    ints.push(toBigInt(body));
    i += l;
  }
  if (i !== sig.length) return undefined;
  return [ints[0] as bigint, ints[1] as bigint];
}
