/**
 * Self-signed X.509 v3 certificates whose signature comes from a KMS key (RFC 5280): node-forge
 * builds the TBSCertificate around the key's SubjectPublicKeyInfo as GetPublicKey returns it (RSA or
 * ECC alike: the DER is carried as is, so forge's RSA-only key handling is never involved), KMS signs
 * the TBS's digest, and the certificate is assembled from the TBS, the algorithm and the signature.
 * Everything that does not change between two certificates (names, key, extensions, algorithm) is
 * built once; each certificate only gets a new serial number and validity.
 */
import forge from 'node-forge';
import { randomBytes } from 'node:crypto';
import { signingHash, type SigningAlgorithm } from '../model/specs.js';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;

const oid = (dotted: string): Asn1 => asn1.create(U, T.OID, false, asn1.oidToDer(dotted).getBytes());
const nul = (): Asn1 => asn1.create(U, T.NULL, false, '');
const seq = (items: Asn1[]): Asn1 => asn1.create(U, T.SEQUENCE, true, items);
const ctx = (tag: number, item: Asn1): Asn1 => asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, [item]);
const bytes = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

const HASH_OID = { sha256: '2.16.840.1.101.3.4.2.1', sha384: '2.16.840.1.101.3.4.2.2', sha512: '2.16.840.1.101.3.4.2.3' } as const;
const SALT = { sha256: 32, sha384: 48, sha512: 64 } as const;

/**
 * The AlgorithmIdentifier of a KMS signing algorithm in a certificate: ecdsa-with-SHAx (RFC 5758,
 * no parameters), shaxWithRSAEncryption (RFC 4055, NULL parameters), or RSASSA-PSS with its
 * parameters spelled out (RFC 4055 section 3.1: the hash, MGF1 with the same hash, the salt length
 * that AWS KMS uses, the digest's).
 */
export function algorithmIdentifier(alg: SigningAlgorithm): Asn1 {
  const hash = signingHash(alg);
  const n = { sha256: 2, sha384: 3, sha512: 4 }[hash];
  if (alg.startsWith('ECDSA')) return seq([oid(`1.2.840.10045.4.3.${n}`)]);
  if (alg.startsWith('RSASSA_PKCS1')) return seq([oid(`1.2.840.113549.1.1.${n + 9}`), nul()]);
  const hashId = (): Asn1 => seq([oid(HASH_OID[hash]), nul()]);
  return seq([
    oid('1.2.840.113549.1.1.10'),
    seq([
      ctx(0, hashId()),
      ctx(1, seq([oid('1.2.840.113549.1.1.8'), hashId()])),
      ctx(2, asn1.create(U, T.INTEGER, false, asn1.integerToDer(SALT[hash]).getBytes())),
    ]),
  ]);
}

/** The attributes a subject may have in --extra, by their usual short names. */
export const SUBJECT_FIELDS = ['CN', 'O', 'OU', 'C', 'ST', 'L'] as const;
export type Subject = Partial<Record<(typeof SUBJECT_FIELDS)[number], string>>;

/** Problems of a --extra subject (an object of short names to non-empty strings), one line each. */
export function subjectProblems(subject: unknown): string[] {
  if (typeof subject !== 'object' || subject === null || Array.isArray(subject)) {
    return [`--extra: "subject" must be an object like {"CN":"name","O":"org"}, but is ${JSON.stringify(subject)}`];
  }
  const problems: string[] = [];
  const entries = Object.entries(subject);
  if (entries.length === 0) problems.push('--extra: "subject" must name at least one attribute (CN, O, OU, C, ST, L)');
  for (const [k, v] of entries) {
    if (!(SUBJECT_FIELDS as readonly string[]).includes(k)) problems.push(`--extra: "subject" attribute "${k}" is not one of ${SUBJECT_FIELDS.join(', ')}`);
    else if (typeof v !== 'string' || v === '' || v.length > 64)
      problems.push(`--extra: "subject" ${k} must be a string of 1 to 64 characters, but is ${JSON.stringify(v)}`);
    else if (k === 'C' && !/^[A-Z]{2}$/.test(v)) problems.push(`--extra: "subject" C must be a two-letter country code like "FR", but is ${JSON.stringify(v)}`);
  }
  return problems;
}

/** A certificate's TBS part: its ASN.1 (to assemble the certificate) and its DER (to sign). */
export interface Tbs {
  asn1: Asn1;
  der: Buffer;
}

export class CertificateBuilder {
  private readonly version = ctx(0, asn1.create(U, T.INTEGER, false, asn1.integerToDer(2).getBytes()));
  private readonly algorithm: Asn1;
  private readonly name: Asn1;
  private readonly spki: Asn1;
  private readonly extensions: Asn1;
  private readonly validityMs: number;

  /**
   * @param spki the key's DER SubjectPublicKeyInfo (GetPublicKey's PublicKey)
   * @param subject the subject, also the issuer: the certificate is self-signed
   */
  constructor(spki: Uint8Array, alg: SigningAlgorithm, subject: Subject, days: number) {
    this.algorithm = algorithmIdentifier(alg);
    this.spki = asn1.fromDer(bytes(spki));
    const template = forge.pki.createCertificate();
    template.setSubject(
      Object.entries(subject).map(([shortName, value]) =>
        shortName === 'C' ? { shortName, value, valueTagClass: T.PRINTABLESTRING as unknown as forge.asn1.Class } : { shortName, value },
      ),
    );
    // A CA certificate, as a KMS key that signs certificates usually is one.
    template.setExtensions([
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ]);
    this.name = forge.pki.distinguishedNameToAsn1(template.subject);
    // The extensions' DER through node-forge's typed API: the template's own TBSCertificate (with a
    // stand-in public key; only its last field is kept), whose last field is [3] extensions (RFC 5280 4.1).
    template.publicKey = forge.pki.setRsaPublicKey(new forge.jsbn.BigInteger('3'), new forge.jsbn.BigInteger('3'));
    template.siginfo.algorithmOid = template.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
    const tbs = (forge.pki.certificateToAsn1(template).value as Asn1[])[0]!;
    this.extensions = (tbs.value as Asn1[]).at(-1)!;
    this.validityMs = days * 86_400_000;
  }

  /** A new TBSCertificate: a random positive 128-bit serial, valid from `now` for the given days. */
  tbs(now = Date.now()): Tbs {
    const serial = randomBytes(16);
    // Positive and minimally encoded (RFC 5280 4.1.2.2): the first byte in 0x40..0x7f.
    serial[0] = ((serial[0] as number) & 0x7f) | 0x40;
    const notBefore = Math.floor(now / 1000) * 1000;
    const tbs = seq([
      this.version,
      asn1.create(U, T.INTEGER, false, serial.toString('latin1')),
      this.algorithm,
      this.name,
      seq([time(new Date(notBefore)), time(new Date(notBefore + this.validityMs))]),
      this.name,
      this.spki,
      this.extensions,
    ]);
    return { asn1: tbs, der: Buffer.from(asn1.toDer(tbs).getBytes(), 'latin1') };
  }

  /** The DER certificate: the TBS, the algorithm again, and the signature as a BIT STRING. */
  assemble(tbs: Tbs, signature: Uint8Array): Buffer {
    const cert = seq([tbs.asn1, this.algorithm, asn1.create(U, T.BITSTRING, false, `\0${bytes(signature)}`)]);
    return Buffer.from(asn1.toDer(cert).getBytes(), 'latin1');
  }
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
function time(d: Date): Asn1 {
  return d.getUTCFullYear() < 2050
    ? asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(d))
    : asn1.create(U, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d));
}
