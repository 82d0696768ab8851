/**
 * PYLOGEN's KmsEncryptSymmetric: one Encrypt of the payload per operation, request ENCRYPT.
 * --extra:
 *   file      the key file (default KmsDefault.json)
 *   key       an ENCRYPT_DECRYPT key (default symmetric1; an RSA key encrypts with its OAEP algorithm)
 *   context   an encryption context, e.g. {"purpose":"load"} (symmetric keys only)
 * Lengths: 1 to 4096 bytes (an RSA key: one OAEP block, 190 bytes for RSA_2048 with SHA-256).
 */
import { EncryptCommand, type EncryptionAlgorithmSpec } from '@aws-sdk/client-kms';
import { blob, exec, type Operation, type Request } from 'pylogen/cut';
import { ENCRYPTING_CUT, encryptionAlgorithmOf, isSymmetric, KmsCut, type KmsCutSpec, type KmsExtra } from 'pylogen/kms';

interface Extra extends KmsExtra {
  context?: Record<string, string>;
}

export class KmsEncryptSymmetric extends KmsCut<Extra> {
  static override readonly kms: KmsCutSpec = ENCRYPTING_CUT;

  private algorithm: EncryptionAlgorithmSpec | undefined;

  override async setup(): Promise<void> {
    await super.setup();
    // Symmetric: the SDK's default, as a plain client sends it; RSA: the key's OAEP algorithm.
    this.algorithm = isSymmetric(this.key) ? undefined : encryptionAlgorithmOf(this.key);
  }

  @exec
  async encrypt(req: Request, plaintext: Buffer): Promise<void> {
    const out = await this.client.send(
      new EncryptCommand({ KeyId: this.keyId, Plaintext: plaintext, EncryptionContext: this.extra.context, EncryptionAlgorithm: this.algorithm }),
    );
    blob(out.CiphertextBlob, 'CiphertextBlob');
  }

  func(op: Operation): Promise<void> {
    return this.encrypt(op.req('ENCRYPT'), op.payload);
  }
}
