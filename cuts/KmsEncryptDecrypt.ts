/**
 * A round trip, transaction ENCRYPT-DECRYPT: Encrypt of the payload (request ENCRYPT), then Decrypt
 * of what it returned (request DECRYPT), which must give the payload back (RoundTripMismatch
 * otherwise). --extra: file, key (an ENCRYPT_DECRYPT key, default symmetric1), context (an
 * encryption context, symmetric keys only). Lengths: as KmsEncryptSymmetric.
 */
import { DecryptCommand, EncryptCommand, type EncryptionAlgorithmSpec } from '@aws-sdk/client-kms';
import { blob, exec, RoundTripMismatch, type Operation, type Request } from 'pylogen/cut';
import { ENCRYPTING_CUT, encryptionAlgorithmOf, isSymmetric, KmsCut, type KmsCutSpec, type KmsExtra } from 'pylogen/kms';

interface Extra extends KmsExtra {
  context?: Record<string, string>;
}

export class KmsEncryptDecrypt extends KmsCut<Extra> {
  static override readonly kms: KmsCutSpec = ENCRYPTING_CUT;

  override transactionName = 'ENCRYPT-DECRYPT';
  private algorithm: EncryptionAlgorithmSpec | undefined;

  override async setup(): Promise<void> {
    await super.setup();
    this.algorithm = isSymmetric(this.key) ? undefined : encryptionAlgorithmOf(this.key);
  }

  @exec
  async encrypt(req: Request, plaintext: Buffer): Promise<Buffer> {
    const out = await this.client.send(
      new EncryptCommand({ KeyId: this.keyId, Plaintext: plaintext, EncryptionContext: this.extra.context, EncryptionAlgorithm: this.algorithm }),
    );
    return blob(out.CiphertextBlob, 'CiphertextBlob');
  }

  @exec
  async decrypt(req: Request, ciphertext: Buffer, expected: Buffer): Promise<void> {
    const out = await this.client.send(
      new DecryptCommand({ CiphertextBlob: ciphertext, KeyId: this.keyId, EncryptionContext: this.extra.context, EncryptionAlgorithm: this.algorithm }),
    );
    const plaintext = blob(out.Plaintext, 'Plaintext');
    if (!expected.equals(plaintext)) {
      throw new RoundTripMismatch(`Decrypt returned ${plaintext.length} bytes that are not the ${expected.length} bytes encrypted`);
    }
  }

  async func(op: Operation): Promise<void> {
    const ciphertext = await this.encrypt(op.req('ENCRYPT'), op.payload);
    await this.decrypt(op.req('DECRYPT'), ciphertext, op.payload);
  }
}
