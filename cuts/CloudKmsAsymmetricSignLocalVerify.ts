/**
 * A correctness probe, transaction SIGN-LOCAL-VERIFY: AsymmetricSign of the payload's digest (request
 * SIGN, as CloudKmsAsymmetricSign), then the signature verified locally with node:crypto and the
 * public key that GetPublicKey gave in setup() (request LOCAL-VERIFY): a signature that does not
 * verify is a SignatureInvalid error. --extra: file, key (an ASYMMETRIC_SIGN key, default ec-p256).
 */
import { constants, verify, type KeyObject } from 'node:crypto';
import { exec, SignatureInvalid, type Operation, type Request } from 'pylogen/cut';
import { ALGORITHM_INFO, GcpCut, DigestCache, type GcpCutSpec } from 'pylogen/gcp';

export class CloudKmsAsymmetricSignLocalVerify extends GcpCut {
  static override readonly gcp: GcpCutSpec = { defaultKey: 'ec-p256', purpose: 'ASYMMETRIC_SIGN' };

  override transactionName = 'SIGN-LOCAL-VERIFY';
  private digests!: DigestCache;
  private verifyKey!: KeyObject | { key: KeyObject; padding: number; saltLength: number };

  override async setup(): Promise<void> {
    await super.setup();
    const info = ALGORITHM_INFO[this.key.algorithm];
    this.digests = new DigestCache(info.digest!);
    const key = await this.publicKey();
    // Cloud KMS's PSS salt is as long as the digest.
    this.verifyKey = info.padding === 'pss' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : key;
  }

  @exec
  sign(req: Request, digest: Buffer): Promise<Uint8Array> {
    return this.signChecked(this.digests.hash, digest);
  }

  @exec
  localVerify(req: Request, payload: Buffer, signature: Uint8Array): void {
    if (!verify(this.digests.hash, payload, this.verifyKey, signature)) {
      throw new SignatureInvalid(`the ${this.key.algorithm} signature of ${payload.length} bytes does not verify with the key's public key`);
    }
  }

  async func(op: Operation): Promise<void> {
    const signature = await this.sign(op.req('SIGN'), this.digests.of(op.payload));
    this.localVerify(op.req('LOCAL-VERIFY'), op.payload, signature);
  }
}
