/**
 * Decrypt, request DECRYPT: setup() encrypts a random plaintext of every --lengths value once, each
 * operation decrypts the ciphertext of its length and checks that the plaintext comes back
 * (RoundTripMismatch otherwise). --extra: file, key (an ENCRYPT_DECRYPT key, default symmetric1),
 * context (an encryption context, symmetric keys only). Lengths: as KmsEncryptSymmetric.
 */
import { DecryptCommand, EncryptCommand, type EncryptionAlgorithmSpec } from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { blob, exec, PerLength, RoundTripMismatch, type Operation, type Request } from 'pylogen/cut';
import { ENCRYPTING_CUT, encryptionAlgorithmOf, isSymmetric, KmsCut, type KmsCutSpec, type KmsExtra } from 'pylogen/kms';

interface Extra extends KmsExtra {
  context?: Record<string, string>;
}

interface Sealed {
  plaintext: Buffer;
  ciphertext: Buffer;
}

export class KmsDecrypt extends KmsCut<Extra> {
  static override readonly kms: KmsCutSpec = ENCRYPTING_CUT;

  private algorithm: EncryptionAlgorithmSpec | undefined;
  private sealed!: PerLength<Sealed>;

  override async setup(): Promise<void> {
    await super.setup();
    this.algorithm = isSymmetric(this.key) ? undefined : encryptionAlgorithmOf(this.key);
    this.sealed = await new PerLength((length) =>
      this.prepare(`Encrypt of ${length} bytes`, async () => {
        const plaintext = randomBytes(length);
        const out = await this.client.send(
          new EncryptCommand({ KeyId: this.keyId, Plaintext: plaintext, EncryptionContext: this.extra.context, EncryptionAlgorithm: this.algorithm }),
        );
        return { plaintext, ciphertext: blob(out.CiphertextBlob, 'CiphertextBlob') };
      }),
    ).fill(this.runner.lengths);
  }

  @exec
  async decrypt(req: Request, sealed: Sealed): Promise<void> {
    const out = await this.client.send(
      new DecryptCommand({
        CiphertextBlob: sealed.ciphertext,
        KeyId: this.keyId,
        EncryptionContext: this.extra.context,
        EncryptionAlgorithm: this.algorithm,
      }),
    );
    const plaintext = blob(out.Plaintext, 'Plaintext');
    if (!sealed.plaintext.equals(plaintext)) {
      throw new RoundTripMismatch(`Decrypt returned ${plaintext.length} bytes that are not the ${sealed.plaintext.length} bytes encrypted`);
    }
  }

  func(op: Operation): Promise<void> {
    const sealed = this.sealed.get(op.step);
    return sealed instanceof Promise ? sealed.then((s) => this.decrypt(op.req('DECRYPT'), s)) : this.decrypt(op.req('DECRYPT'), sealed);
  }
}
