/**
 * Cloud KMS Decrypt, request DECRYPT: setup() encrypts a random plaintext of every --lengths value
 * once; each operation decrypts the ciphertext of its length, ciphertext_crc32c and
 * additional_authenticated_data_crc32c sent, plaintext_crc32c checked (Crc32cMismatch), the plaintext
 * compared (RoundTripMismatch). --extra: file, key (an ENCRYPT_DECRYPT key, default symmetric), aad.
 */
import { exec, PerLength, type Operation, type Request } from 'pylogen/cut';
import { GcpAeadCut, gcpAeadSpec } from 'pylogen/gcp';

interface Sealed {
  plaintext: Buffer;
  ciphertext: Uint8Array;
}

export class CloudKmsDecrypt extends GcpAeadCut {
  static override readonly gcp = gcpAeadSpec('symmetric', 'ENCRYPT_DECRYPT');

  private sealed!: PerLength<Sealed>;

  override async setup(): Promise<void> {
    await super.setup();
    this.sealed = await this.sealEach('Encrypt', async (plaintext) => ({ ciphertext: await this.encryptChecked(plaintext, this.aadBytes) }));
  }

  @exec
  async decrypt(req: Request, sealed: Sealed): Promise<void> {
    await this.decryptChecked(sealed.ciphertext, this.aadBytes, sealed.plaintext);
  }

  async func(op: Operation): Promise<void> {
    const sealed = await this.sealed.get(op.step);
    return this.decrypt(op.req('DECRYPT'), sealed);
  }
}
