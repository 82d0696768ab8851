/**
 * Cloud KMS round trip, transaction ENCRYPT-DECRYPT: Encrypt of the payload (request ENCRYPT), then
 * Decrypt of what came back (request DECRYPT), the plaintext compared (RoundTripMismatch), every
 * CRC32C sent and checked both ways. --extra: file, key (an ENCRYPT_DECRYPT key, default symmetric), aad.
 */
import { exec, type Operation, type Request } from 'pylogen/cut';
import { GcpAeadCut, gcpAeadSpec } from 'pylogen/gcp';

export class CloudKmsEncryptDecrypt extends GcpAeadCut {
  static override readonly gcp = gcpAeadSpec('symmetric', 'ENCRYPT_DECRYPT');

  override transactionName = 'ENCRYPT-DECRYPT';

  @exec
  encrypt(req: Request, plaintext: Buffer): Promise<Uint8Array> {
    return this.encryptChecked(plaintext, this.aadBytes);
  }

  @exec
  async decrypt(req: Request, ciphertext: Uint8Array, plaintext: Buffer): Promise<void> {
    await this.decryptChecked(ciphertext, this.aadBytes, plaintext);
  }

  async func(op: Operation): Promise<void> {
    const ciphertext = await this.encrypt(op.req('ENCRYPT'), op.payload);
    await this.decrypt(op.req('DECRYPT'), ciphertext, op.payload);
  }
}
