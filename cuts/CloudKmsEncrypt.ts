/**
 * Cloud KMS Encrypt, request ENCRYPT: the payload encrypted with a GOOGLE_SYMMETRIC_ENCRYPTION key
 * (its primary version) and additional authenticated data, plaintext_crc32c and
 * additional_authenticated_data_crc32c sent, the answer's verified_* flags and ciphertext_crc32c
 * checked (Crc32cMismatch otherwise). --extra: file, key (an ENCRYPT_DECRYPT key, default symmetric),
 * aad. Lengths: 0 to 65536 bytes.
 */
import { exec, type Operation, type Request } from 'pylogen/cut';
import { GCP_AAD_KEYS, GCP_MAX_PLAINTEXT, GcpCut, gcpLengthProblems, type GcpCutSpec } from 'pylogen/gcp';

export class CloudKmsEncrypt extends GcpCut {
  static override readonly gcp: GcpCutSpec = {
    defaultKey: 'symmetric',
    purpose: 'ENCRYPT_DECRYPT',
    check: (plan) => gcpLengthProblems(plan, GCP_MAX_PLAINTEXT),
  };
  static override extraKeys = GCP_AAD_KEYS;

  private aadBytes!: Buffer;

  override async setup(): Promise<void> {
    await super.setup();
    this.aadBytes = this.aad();
  }

  @exec
  async encrypt(req: Request, plaintext: Buffer): Promise<void> {
    await this.encryptChecked(plaintext, this.aadBytes);
  }

  func(op: Operation): Promise<void> {
    return this.encrypt(op.req('ENCRYPT'), op.payload);
  }
}
