/**
 * Cloud KMS Encrypt, request ENCRYPT: the payload encrypted with a GOOGLE_SYMMETRIC_ENCRYPTION key
 * (its primary version) and additional authenticated data, plaintext_crc32c and
 * additional_authenticated_data_crc32c sent, the answer's verified_* flags and ciphertext_crc32c
 * checked (Crc32cMismatch otherwise). --extra: file, key (an ENCRYPT_DECRYPT key, default symmetric),
 * aad. Lengths: 0 to 65536 bytes.
 */
import { exec, type Operation, type Request } from 'pylogen/cut';
import { GcpAeadCut, gcpAeadSpec } from 'pylogen/gcp';

export class CloudKmsEncrypt extends GcpAeadCut {
  static override readonly gcp = gcpAeadSpec('symmetric', 'ENCRYPT_DECRYPT');

  @exec
  async encrypt(req: Request, plaintext: Buffer): Promise<void> {
    await this.encryptChecked(plaintext, this.aadBytes);
  }

  func(op: Operation): Promise<void> {
    return this.encrypt(op.req('ENCRYPT'), op.payload);
  }
}
