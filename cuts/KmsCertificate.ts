/**
 * Certificate issuance, transaction ISSUE-CERTIFICATE: node-forge builds the TBS of a self-signed
 * X.509 v3 CA certificate (a new serial number each time) around the KMS key's public key from
 * GetPublicKey (setup()), KMS signs the TBS's digest (request SIGN-CERTIFICATE, MessageType DIGEST
 * with the algorithm's hash: SHA-256/384/512), then the certificate is assembled and checked with
 * node:crypto's X509Certificate.verify(publicKey) (request VERIFY-CERTIFICATE; CertificateInvalid
 * if it does not verify). --extra:
 *   file     the key file (default KmsDefault.json)
 *   key      a SIGN_VERIFY key, RSA (PKCS #1 v1.5 or PSS) or ECC (default ecc256)
 *   subject  the subject (and issuer), e.g. {"CN":"My CA","O":"Example","C":"FR"}
 *            (default {"CN":"pylogen KmsCertificate","O":"pylogen"})
 *   days     validity in days (default 365)
 * The length is not used by the operation (it only labels the events).
 */
import { GetPublicKeyCommand, SignCommand, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { blob, CertificateInvalid, exec, type Operation, type Request } from 'pylogen/cut';
import {
  CertificateBuilder,
  KmsCut,
  publicKeyFromSpki,
  signingAlgorithmOf,
  signingHash,
  subjectProblems,
  type KmsCutSpec,
  type KmsExtra,
  type Subject,
  type Tbs,
} from 'pylogen/kms';

interface Extra extends KmsExtra {
  subject?: Subject;
  days?: number;
}

const DEFAULT_SUBJECT: Subject = { CN: 'pylogen KmsCertificate', O: 'pylogen' };

export class KmsCertificate extends KmsCut<Extra> {
  static override readonly kms: KmsCutSpec = {
    defaultKey: 'ecc256',
    usage: 'SIGN_VERIFY',
    extras: {
      subject: 'the subject (and issuer), e.g. {"CN":"My CA","O":"Example","C":"FR"} (default {"CN":"pylogen KmsCertificate","O":"pylogen"})',
      days: 'validity in days, 1 to 36500 (default 365)',
    },
    check: (plan) => {
      const extra = plan.extra as Extra;
      const problems = extra.subject === undefined ? [] : subjectProblems(extra.subject);
      const days = extra.days as unknown;
      if (days !== undefined && !(typeof days === 'number' && Number.isInteger(days) && days >= 1 && days <= 36500)) {
        problems.push(`--extra: "days" must be a whole number of days from 1 to 36500, but is ${JSON.stringify(days)}`);
      }
      return problems;
    },
  };

  override transactionName = 'ISSUE-CERTIFICATE';
  private algorithm!: SigningAlgorithmSpec;
  private hash!: 'sha256' | 'sha384' | 'sha512';
  private publicKey!: KeyObject;
  private builder!: CertificateBuilder;

  override async setup(): Promise<void> {
    await super.setup();
    const alg = signingAlgorithmOf(this.key);
    this.algorithm = alg;
    this.hash = signingHash(alg);
    const out = await this.prepare('GetPublicKey', () => this.client.send(new GetPublicKeyCommand({ KeyId: this.keyId })));
    const spki = blob(out.PublicKey, 'PublicKey');
    this.publicKey = publicKeyFromSpki(spki);
    this.builder = new CertificateBuilder(spki, alg, this.extra.subject ?? DEFAULT_SUBJECT, this.extra.days ?? 365);
  }

  @exec
  async signTbs(req: Request, tbs: Tbs): Promise<Buffer> {
    const digest = createHash(this.hash).update(tbs.der).digest();
    const out = await this.client.send(new SignCommand({ KeyId: this.keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: this.algorithm }));
    return blob(out.Signature, 'Signature');
  }

  @exec
  verifyCertificate(req: Request, tbs: Tbs, signature: Buffer): void {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(this.builder.assemble(tbs, signature));
    } catch (err) {
      throw new CertificateInvalid(`the assembled certificate does not parse: ${(err as Error).message}`);
    }
    if (!cert.verify(this.publicKey))
      throw new CertificateInvalid(`the ${this.algorithm} signature of the certificate does not verify with the key's public key`);
  }

  async func(op: Operation): Promise<void> {
    const tbs = this.builder.tbs();
    const signature = await this.signTbs(op.req('SIGN-CERTIFICATE'), tbs);
    this.verifyCertificate(op.req('VERIFY-CERTIFICATE'), tbs, signature);
  }
}
