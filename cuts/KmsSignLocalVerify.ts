/**
 * A correctness probe, transaction SIGN-LOCAL-VERIFY: Sign through KMS (request SIGN, the payload's
 * digest with the key's `sha` as KmsSignature, or RAW), then verification of the signature locally
 * with node:crypto and the public key that GetPublicKey gave in setup() (request LOCAL-VERIFY): a
 * signature that does not verify is a SignatureInvalid error. --extra: file, key (a SIGN_VERIFY key,
 * default rsa2048: RSASSA_PSS_SHA_256), messageType ("DIGEST", the default, or "RAW": 1 to 4096 bytes).
 */
import { GetPublicKeyCommand, SignCommand, type MessageType, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { blob, exec, SignatureInvalid, type Operation, type Request } from 'pylogen/cut';
import {
  SIGNING_CUT,
  KmsCut,
  messageTypeOf,
  publicKeyFromSpki,
  signatureVerifier,
  signingAlgorithmOf,
  signingDigestOf,
  type KmsCutSpec,
  type KmsExtra,
  DigestCache,
} from 'pylogen/kms';

interface Extra extends KmsExtra {
  messageType?: MessageType;
}

export class KmsSignLocalVerify extends KmsCut<Extra> {
  static override readonly kms: KmsCutSpec = { ...SIGNING_CUT, defaultKey: 'rsa2048' };

  override transactionName = 'SIGN-LOCAL-VERIFY';
  private algorithm!: SigningAlgorithmSpec;
  private messageType!: MessageType;
  private digests: DigestCache | undefined;
  private verifies!: (message: Uint8Array, signature: Uint8Array) => boolean;

  override async setup(): Promise<void> {
    await super.setup();
    const alg = signingAlgorithmOf(this.key);
    this.algorithm = alg;
    this.messageType = messageTypeOf(this.extra);
    this.digests = this.messageType === 'DIGEST' ? new DigestCache(signingDigestOf(this.key)) : undefined;
    const out = await this.prepare('GetPublicKey', () => this.client.send(new GetPublicKeyCommand({ KeyId: this.keyId })));
    this.verifies = signatureVerifier(publicKeyFromSpki(blob(out.PublicKey, 'PublicKey')), alg);
  }

  @exec
  async sign(req: Request, message: Buffer): Promise<Buffer> {
    const out = await this.client.send(
      new SignCommand({ KeyId: this.keyId, Message: message, MessageType: this.messageType, SigningAlgorithm: this.algorithm }),
    );
    return blob(out.Signature, 'Signature');
  }

  @exec
  localVerify(req: Request, payload: Buffer, signature: Buffer): void {
    if (!this.verifies(payload, signature)) {
      throw new SignatureInvalid(`the ${this.algorithm} signature of ${payload.length} bytes does not verify with the key's public key`);
    }
  }

  async func(op: Operation): Promise<void> {
    const signature = await this.sign(op.req('SIGN'), this.digests === undefined ? op.payload : this.digests.of(op.payload));
    this.localVerify(op.req('LOCAL-VERIFY'), op.payload, signature);
  }
}
