/**
 * Cloud KMS AsymmetricSign, request SIGN: the payload's digest (SHA-256, or SHA-384 for P-384)
 * signed by an ASYMMETRIC_SIGN key version (EC_SIGN_P256_SHA256, EC_SIGN_P384_SHA384,
 * RSA_SIGN_PSS_2048_SHA256, RSA_SIGN_PKCS1_2048_SHA256), digest_crc32c sent, verified_digest_crc32c
 * and signature_crc32c checked (Crc32cMismatch). --extra: file, key (default ec-p256).
 */
import { exec, type Operation, type Request } from 'pylogen/cut';
import { ALGORITHM_INFO, GcpCut, DigestCache, type GcpCutSpec } from 'pylogen/gcp';

export class CloudKmsAsymmetricSign extends GcpCut {
  static override readonly gcp: GcpCutSpec = { defaultKey: 'ec-p256', purpose: 'ASYMMETRIC_SIGN' };

  protected digests!: DigestCache;

  override async setup(): Promise<void> {
    await super.setup();
    this.digests = new DigestCache(ALGORITHM_INFO[this.key.algorithm].digest!);
  }

  @exec
  sign(req: Request, digest: Buffer): Promise<Uint8Array> {
    return this.signChecked(this.digests.hash, digest);
  }

  async func(op: Operation): Promise<void> {
    await this.sign(op.req('SIGN'), this.digests.of(op.payload));
  }
}
