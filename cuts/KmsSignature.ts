/**
 * PYLOGEN's KmsSignature: one Sign per operation, request SIGN. As PYLOGEN does, the digest of the
 * payload is computed locally with the key's `sha` (node:crypto) and sent with MessageType DIGEST;
 * each payload's digest is computed once, a runner's payload of a length being one fixed buffer.
 * --extra:
 *   file         the key file (default KmsDefault.json)
 *   key          a SIGN_VERIFY key (default signature384: ECC_NIST_P384, ECDSA_SHA_384)
 *   messageType  "DIGEST" (default) or "RAW": the payload itself, hashed by KMS (1 to 4096 bytes)
 */
import { SignCommand, type MessageType, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { blob, exec, type Operation, type Request } from 'pylogen/cut';
import { SIGNING_CUT, KmsCut, messageTypeOf, signingAlgorithmOf, signingDigestOf, type KmsCutSpec, type KmsExtra, DigestCache } from 'pylogen/kms';

interface Extra extends KmsExtra {
  messageType?: MessageType;
}

export class KmsSignature extends KmsCut<Extra> {
  static override readonly kms: KmsCutSpec = SIGNING_CUT;

  private algorithm!: SigningAlgorithmSpec;
  private messageType!: MessageType;
  private digests: DigestCache | undefined;

  override async setup(): Promise<void> {
    await super.setup();
    this.algorithm = signingAlgorithmOf(this.key);
    this.messageType = messageTypeOf(this.extra);
    this.digests = this.messageType === 'DIGEST' ? new DigestCache(signingDigestOf(this.key)) : undefined;
  }

  @exec
  async sign(req: Request, message: Buffer): Promise<void> {
    const out = await this.client.send(
      new SignCommand({ KeyId: this.keyId, Message: message, MessageType: this.messageType, SigningAlgorithm: this.algorithm }),
    );
    blob(out.Signature, 'Signature');
  }

  func(op: Operation): Promise<void> {
    return this.sign(op.req('SIGN'), this.digests === undefined ? op.payload : this.digests.of(op.payload));
  }
}
