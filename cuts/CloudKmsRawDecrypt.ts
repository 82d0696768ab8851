/**
 * Cloud KMS RawDecrypt, request RAW-DECRYPT: setup() RawEncrypts a random plaintext of every
 * --lengths value once; each operation decrypts it (AES-256-GCM, ciphertext with its tag, the IV and
 * the tag length given back), every checksum sent, the answer's verified_* flags and plaintext_crc32c
 * checked, the plaintext compared (RoundTripMismatch). --extra: file, key (default raw-aes-gcm), aad.
 */
import { exec, PerLength, RoundTripMismatch, type Operation, type Request } from 'pylogen/cut';
import { GcpAeadCut, gcpAeadSpec } from 'pylogen/gcp';

interface Sealed {
  plaintext: Buffer;
  ciphertext: Uint8Array;
  iv: Uint8Array;
  tagLength: number;
}

export class CloudKmsRawDecrypt extends GcpAeadCut {
  static override readonly gcp = gcpAeadSpec('raw-aes-gcm', 'RAW_ENCRYPT_DECRYPT');

  private sealed!: PerLength<Sealed>;

  override async setup(): Promise<void> {
    await super.setup();
    this.sealed = await this.sealEach('RawEncrypt', (plaintext) => this.rawEncryptChecked(plaintext, this.aadBytes));
  }

  @exec
  async rawDecrypt(req: Request, s: Sealed): Promise<void> {
    const [out] = await this.client.rawDecrypt(
      {
        name: this.versionName,
        ciphertext: s.ciphertext,
        ciphertextCrc32c: this.crcOf(s.ciphertext),
        initializationVector: s.iv,
        initializationVectorCrc32c: this.crcOf(s.iv),
        tagLength: s.tagLength,
        additionalAuthenticatedData: this.aadBytes,
        additionalAuthenticatedDataCrc32c: this.crcOf(this.aadBytes),
      },
      this.call,
    );
    this.checkVerified(out.verifiedCiphertextCrc32c, 'verified_ciphertext_crc32c');
    this.checkVerified(out.verifiedAdditionalAuthenticatedDataCrc32c, 'verified_additional_authenticated_data_crc32c');
    this.checkVerified(out.verifiedInitializationVectorCrc32c, 'verified_initialization_vector_crc32c');
    const plaintext = (out.plaintext as Uint8Array | null) ?? new Uint8Array(0);
    this.checkCrc(plaintext, out.plaintextCrc32c, 'plaintext_crc32c');
    if (Buffer.compare(plaintext, s.plaintext) !== 0)
      throw new RoundTripMismatch(`RawDecrypt gave ${plaintext.length} bytes that are not the ${s.plaintext.length} encrypted`);
  }

  async func(op: Operation): Promise<void> {
    const sealed = await this.sealed.get(op.step);
    return this.rawDecrypt(op.req('RAW-DECRYPT'), sealed);
  }
}
