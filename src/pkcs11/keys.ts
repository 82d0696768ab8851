/**
 * The keys of a PKCS#11 key file on a token: found by CKA_LABEL and object class, checked against
 * the entry (key type, size or curve, what it may do), created by `pkcs11 setup` (persistent token
 * objects, sensitive and not extractable), and the public half of a signing key read back as a
 * node:crypto KeyObject, so that signatures are verified off the token.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Attribute, Handle, P11Module } from './api.js';
import type { Curve, Pkcs11KeyEntry } from './keyfile.js';
import type { Pkcs11Token } from './Token.js';

/** DER of the named curves' OIDs (CKA_EC_PARAMS). */
export const CURVE_OID: Record<Curve, string> = {
  'P-256': '06082a8648ce3d030107',
  'P-384': '06052b81040022',
  'P-521': '06052b81040023',
};
const JWK_CURVE: Record<Curve, string> = { 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521' };

/** The handles of a key: the secret key, or the private and public halves of a key pair. */
export interface KeyHandles {
  /** the key that operates: secret key, or private key */
  key: Handle;
  /** the public key object of a key pair, when the token has one */
  publicKey?: Handle;
}

/** A key that is not what the key file says, or not on the token. */
export class Pkcs11KeyError extends Error {
  override name = 'Pkcs11KeyError';
}

function find(token: Pkcs11Token, session: Handle, cls: number, label: string): Handle[] {
  const p11 = token.p11;
  p11.C_FindObjectsInit(session, [
    { type: token.ck.CKA_CLASS!, value: cls },
    { type: token.ck.CKA_LABEL!, value: label },
  ]);
  try {
    return p11.C_FindObjects(session, 4);
  } finally {
    p11.C_FindObjectsFinal(session);
  }
}

const isPair = (e: Pkcs11KeyEntry): boolean => e.type === 'EC' || e.type === 'RSA';

/** The CKK_ key types an entry accepts (an HMAC key may be a generic secret or a typed HMAC key). */
function keyTypes(ck: P11Module, e: Pkcs11KeyEntry): number[] {
  switch (e.type) {
    case 'AES':
      return [ck.CKK_AES!];
    case 'EC':
      return [ck.CKK_EC!];
    case 'RSA':
      return [ck.CKK_RSA!];
    case 'HMAC':
      return [ck.CKK_GENERIC_SECRET!, ck.CKK_SHA256_HMAC!, ck.CKK_SHA384_HMAC!, ck.CKK_SHA512_HMAC!, ck.CKK_SHA224_HMAC!].filter((t) => t !== undefined);
  }
}

/** The CKA_ attribute that allows the entry's use, on the key that operates. */
function usageAttribute(ck: P11Module, e: Pkcs11KeyEntry): { type: number; name: string } {
  if (e.usage === 'encrypt') return { type: ck.CKA_ENCRYPT!, name: 'CKA_ENCRYPT' };
  if (e.usage === 'wrap') return { type: ck.CKA_WRAP!, name: 'CKA_WRAP' };
  return { type: ck.CKA_SIGN!, name: 'CKA_SIGN' };
}

const ulong = (b: Buffer): number => (b.length >= 8 ? Number(b.readBigUInt64LE(0)) : b.length === 4 ? b.readUInt32LE(0) : b.length > 0 ? b[0]! : 0);

/**
 * Finds the entry's key on the token; undefined when there is none, a Pkcs11KeyError when there is
 * one of another kind (or several with its label).
 */
export function findKey(token: Pkcs11Token, session: Handle, e: Pkcs11KeyEntry): KeyHandles | undefined {
  const ck = token.ck;
  const cls = isPair(e) ? ck.CKO_PRIVATE_KEY! : ck.CKO_SECRET_KEY!;
  const found = find(token, session, cls, e.label);
  if (found.length === 0) {
    // Another class under the same label (an AES key where an EC key pair was expected): say so.
    const other = isPair(e) ? find(token, session, ck.CKO_SECRET_KEY!, e.label) : find(token, session, ck.CKO_PRIVATE_KEY!, e.label);
    if (other.length > 0)
      throw new Pkcs11KeyError(`label "${e.label}" is a ${isPair(e) ? 'secret key' : 'private key'} on the token, but key "${e.name}" is ${e.type}`);
    return undefined;
  }
  if (found.length > 1) throw new Pkcs11KeyError(`label "${e.label}" names ${found.length} keys on the token: key "${e.name}" needs exactly one`);
  const key = found[0]!;
  const use = usageAttribute(ck, e);
  const attrs: Attribute[] = [{ type: ck.CKA_KEY_TYPE! }, { type: use.type }];
  if (e.type === 'AES' || e.type === 'HMAC') attrs.push({ type: ck.CKA_VALUE_LEN! });
  const got = token.p11.C_GetAttributeValue(session, key, attrs);
  const keyType = ulong(got[0]!.value);
  if (!keyTypes(ck, e).includes(keyType))
    throw new Pkcs11KeyError(
      `label "${e.label}" is not ${article(e.type)} ${e.type} key on the token (CKA_KEY_TYPE ${keyType}), but key "${e.name}" says ${e.type}`,
    );
  if (got[1]!.value[0] !== 1) throw new Pkcs11KeyError(`label "${e.label}" has ${use.name} false on the token: key "${e.name}" cannot ${e.usage} with it`);
  if ((e.type === 'AES' || e.type === 'HMAC') && e.size !== undefined) {
    const bytes = ulong(got[2]!.value);
    if (bytes * 8 !== e.size) throw new Pkcs11KeyError(`label "${e.label}" is a ${bytes * 8}-bit key on the token, but key "${e.name}" says ${e.size}`);
  }
  const out: KeyHandles = { key };
  if (isPair(e)) {
    const pub = find(token, session, ck.CKO_PUBLIC_KEY!, e.label);
    if (pub.length === 1) out.publicKey = pub[0]!;
    const size = describePublic(token, session, out, e);
    if (size !== undefined) throw new Pkcs11KeyError(size);
  }
  return out;
}

/** AES, EC, RSA, HMAC: each read with a vowel sound first. */
const article = (w: string): string => (/^(?:[AEIOU]|HMAC|RSA)/i.test(w) ? 'an' : 'a');

/** For a key pair: a problem when the public key's curve or modulus size is not the entry's. */
function describePublic(token: Pkcs11Token, session: Handle, h: KeyHandles, e: Pkcs11KeyEntry): string | undefined {
  const ck = token.ck;
  const obj = h.publicKey ?? h.key;
  if (e.type === 'EC') {
    const [params] = token.p11.C_GetAttributeValue(session, obj, [{ type: ck.CKA_EC_PARAMS! }]);
    const oid = params!.value.toString('hex');
    if (oid !== CURVE_OID[e.curve!]) return `label "${e.label}" is on another curve than ${e.curve} on the token (CKA_EC_PARAMS ${oid})`;
  } else if (e.type === 'RSA') {
    const [mod] = token.p11.C_GetAttributeValue(session, obj, [{ type: ck.CKA_MODULUS! }]);
    const bits = mod!.value.length * 8;
    if (bits !== e.size) return `label "${e.label}" is an RSA-${bits} key on the token, but key "${e.name}" says ${e.size}`;
  }
  return undefined;
}

/** The public key of a key pair, read from the token's public key object, as node:crypto's. */
export function publicKeyOf(token: Pkcs11Token, session: Handle, h: KeyHandles, e: Pkcs11KeyEntry): KeyObject {
  const ck = token.ck;
  if (h.publicKey === undefined) throw new Pkcs11KeyError(`key "${e.name}": the token has no public key labelled "${e.label}" to verify its signatures with`);
  if (e.type === 'EC') {
    const [point] = token.p11.C_GetAttributeValue(session, h.publicKey, [{ type: ck.CKA_EC_POINT! }]);
    const q = unwrapOctetString(point!.value);
    const n = (q.length - 1) / 2;
    if (q[0] !== 4 || !Number.isInteger(n)) throw new Pkcs11KeyError(`key "${e.name}": CKA_EC_POINT is not an uncompressed point`);
    return createPublicKey({
      key: { kty: 'EC', crv: JWK_CURVE[e.curve!], x: q.subarray(1, 1 + n).toString('base64url'), y: q.subarray(1 + n).toString('base64url') },
      format: 'jwk',
    });
  }
  const [mod, exp] = token.p11.C_GetAttributeValue(session, h.publicKey, [{ type: ck.CKA_MODULUS! }, { type: ck.CKA_PUBLIC_EXPONENT! }]);
  return createPublicKey({ key: { kty: 'RSA', n: mod!.value.toString('base64url'), e: exp!.value.toString('base64url') }, format: 'jwk' });
}

/** CKA_EC_POINT is a DER OCTET STRING holding the point (PKCS#11 2.40); some modules give it bare. */
function unwrapOctetString(v: Buffer): Buffer {
  if (v[0] !== 0x04 || v.length < 2) return v;
  let len = v[1]!;
  let off = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | v[2 + i]!;
    off = 2 + n;
  }
  return off + len === v.length ? v.subarray(off) : v;
}

/** Creates the entry's key on the token: a persistent, private, sensitive, non-extractable object. */
export function generateKey(token: Pkcs11Token, session: Handle, e: Pkcs11KeyEntry): KeyHandles {
  const ck = token.ck;
  const p11 = token.p11;
  const common: Attribute[] = [
    { type: ck.CKA_TOKEN!, value: true },
    { type: ck.CKA_LABEL!, value: e.label },
  ];
  const secret: Attribute[] = [
    ...common,
    { type: ck.CKA_PRIVATE!, value: true },
    { type: ck.CKA_SENSITIVE!, value: true },
    { type: ck.CKA_EXTRACTABLE!, value: false },
  ];
  if (e.type === 'AES' || e.type === 'HMAC') {
    const use: Attribute[] =
      e.usage === 'encrypt'
        ? [
            { type: ck.CKA_ENCRYPT!, value: true },
            { type: ck.CKA_DECRYPT!, value: true },
          ]
        : e.usage === 'wrap'
          ? [
              { type: ck.CKA_WRAP!, value: true },
              { type: ck.CKA_UNWRAP!, value: true },
            ]
          : [
              { type: ck.CKA_SIGN!, value: true },
              { type: ck.CKA_VERIFY!, value: true },
            ];
    const key = p11.C_GenerateKey(session, { mechanism: e.type === 'AES' ? ck.CKM_AES_KEY_GEN! : ck.CKM_GENERIC_SECRET_KEY_GEN! }, [
      { type: ck.CKA_CLASS!, value: ck.CKO_SECRET_KEY! },
      { type: ck.CKA_KEY_TYPE!, value: e.type === 'AES' ? ck.CKK_AES! : ck.CKK_GENERIC_SECRET! },
      { type: ck.CKA_VALUE_LEN!, value: e.size! / 8 },
      ...secret,
      ...use,
    ]);
    return { key };
  }
  const pub: Attribute[] = [...common, { type: ck.CKA_VERIFY!, value: true }];
  const priv: Attribute[] = [...secret, { type: ck.CKA_SIGN!, value: true }];
  if (e.type === 'EC') {
    const pair = p11.C_GenerateKeyPair(
      session,
      { mechanism: ck.CKM_EC_KEY_PAIR_GEN! },
      [...pub, { type: ck.CKA_EC_PARAMS!, value: Buffer.from(CURVE_OID[e.curve!], 'hex') }],
      priv,
    );
    return { key: pair.privateKey, publicKey: pair.publicKey };
  }
  const pair = p11.C_GenerateKeyPair(
    session,
    { mechanism: ck.CKM_RSA_PKCS_KEY_PAIR_GEN! },
    [...pub, { type: ck.CKA_MODULUS_BITS!, value: e.size! }, { type: ck.CKA_PUBLIC_EXPONENT!, value: Buffer.from([1, 0, 1]) }],
    priv,
  );
  return { key: pair.privateKey, publicKey: pair.publicKey };
}
