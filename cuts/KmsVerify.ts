/**
 * Verify, request VERIFY: setup() signs a random message of every --lengths value once through KMS
 * (its digest with the key's `sha`, MessageType DIGEST, or the message itself with "RAW"); each
 * operation asks KMS to verify the signature of its length, which must be valid (SignatureInvalid
 * otherwise). --extra: file, key (a SIGN_VERIFY key, default signature384), messageType ("DIGEST",
 * the default, or "RAW": 1 to 4096 bytes).
 */
import { SignCommand, VerifyCommand, type MessageType, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { createHash, randomBytes } from 'node:crypto';
import { blob, exec, PerLength, SignatureInvalid, type Operation, type Request } from 'pylogen/cut';
import { SIGNING_CUT, KmsCut, messageTypeOf, signingAlgorithmOf, signingDigestOf, type KmsCutSpec, type KmsExtra } from 'pylogen/kms';

interface Extra extends KmsExtra {
  messageType?: MessageType;
}

interface Signed {
  /** what Sign was given: the digest, or the RAW message */
  message: Buffer;
  signature: Buffer;
}

export class KmsVerify extends KmsCut<Extra> {
  static override readonly kms: KmsCutSpec = SIGNING_CUT;

  private algorithm!: SigningAlgorithmSpec;
  private messageType!: MessageType;
  private signed!: PerLength<Signed>;

  override async setup(): Promise<void> {
    await super.setup();
    this.algorithm = signingAlgorithmOf(this.key);
    this.messageType = messageTypeOf(this.extra);
    const sha = signingDigestOf(this.key);
    this.signed = await new PerLength((length) =>
      this.prepare(`Sign of ${length} bytes`, async () => {
        const raw = randomBytes(length);
        const message = this.messageType === 'DIGEST' ? createHash(sha).update(raw).digest() : raw;
        const out = await this.client.send(
          new SignCommand({ KeyId: this.keyId, Message: message, MessageType: this.messageType, SigningAlgorithm: this.algorithm }),
        );
        return { message, signature: blob(out.Signature, 'Signature') };
      }),
    ).fill(this.runner.lengths);
  }

  @exec
  async verify(req: Request, signed: Signed): Promise<void> {
    const out = await this.client.send(
      new VerifyCommand({
        KeyId: this.keyId,
        Message: signed.message,
        MessageType: this.messageType,
        Signature: signed.signature,
        SigningAlgorithm: this.algorithm,
      }),
    );
    if (out.SignatureValid !== true) throw new SignatureInvalid(`Verify answered SignatureValid ${String(out.SignatureValid)} for a signature KMS made`);
  }

  func(op: Operation): Promise<void> {
    const s = this.signed.get(op.step);
    return s instanceof Promise ? s.then((v) => this.verify(op.req('VERIFY'), v)) : this.verify(op.req('VERIFY'), s);
  }
}
