/**
 * Cloud KMS RawEncrypt, request RAW-ENCRYPT: AES-256-GCM with a RAW_ENCRYPT_DECRYPT key version
 * (AES_256_GCM), the IV made by the service, plaintext_crc32c and additional_authenticated_data_crc32c
 * sent, the answer's verified_* flags, ciphertext_crc32c and initialization_vector_crc32c checked.
 * --extra: file, key (default raw-aes-gcm), aad. Lengths: 0 to 65536 bytes.
 */
import { exec, type Operation, type Request } from 'pylogen/cut';
import { GcpAeadCut, gcpAeadSpec } from 'pylogen/gcp';

export class CloudKmsRawEncrypt extends GcpAeadCut {
  static override readonly gcp = gcpAeadSpec('raw-aes-gcm', 'RAW_ENCRYPT_DECRYPT');

  @exec
  async rawEncrypt(req: Request, plaintext: Buffer): Promise<void> {
    await this.rawEncryptChecked(plaintext, this.aadBytes);
  }

  func(op: Operation): Promise<void> {
    return this.rawEncrypt(op.req('RAW-ENCRYPT'), op.payload);
  }
}
