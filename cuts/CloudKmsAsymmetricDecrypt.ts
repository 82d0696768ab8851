/**
 * Cloud KMS AsymmetricDecrypt, request DECRYPT: setup() gets the key version's public key
 * (GetPublicKey, pem_crc32c checked) and encrypts a random plaintext of every --lengths value
 * locally with it (RSA-OAEP, SHA-256); each operation decrypts it through Cloud KMS,
 * ciphertext_crc32c sent, verified_ciphertext_crc32c and plaintext_crc32c checked, the plaintext
 * compared (RoundTripMismatch). --extra: file, key (an ASYMMETRIC_DECRYPT key, default rsa-decrypt).
 * Lengths: 0 to 190 bytes (one OAEP block of RSA-2048 with SHA-256).
 */
import { constants, publicEncrypt, randomBytes } from 'node:crypto';
import { exec, PerLength, RoundTripMismatch, type Operation, type Request } from 'pylogen/cut';
import { GcpCut, gcpLengthProblems, OAEP_2048_SHA256_MAX, type GcpCutSpec } from 'pylogen/gcp';

interface Sealed {
  plaintext: Buffer;
  ciphertext: Buffer;
}

export class CloudKmsAsymmetricDecrypt extends GcpCut {
  static override readonly gcp: GcpCutSpec = {
    defaultKey: 'rsa-decrypt',
    purpose: 'ASYMMETRIC_DECRYPT',
    check: (plan) => gcpLengthProblems(plan, OAEP_2048_SHA256_MAX),
  };

  private sealed!: PerLength<Sealed>;

  override async setup(): Promise<void> {
    await super.setup();
    const key = await this.publicKey();
    this.sealed = await new PerLength(async (length) => {
      const plaintext = randomBytes(length);
      return { plaintext, ciphertext: publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, plaintext) };
    }).fill(this.runner.lengths);
  }

  @exec
  async decrypt(req: Request, s: Sealed): Promise<void> {
    const [out] = await this.client.asymmetricDecrypt(
      { name: this.versionName, ciphertext: s.ciphertext, ciphertextCrc32c: this.crcOf(s.ciphertext) },
      this.call,
    );
    this.checkVerified(out.verifiedCiphertextCrc32c, 'verified_ciphertext_crc32c');
    const plaintext = (out.plaintext as Uint8Array | null) ?? new Uint8Array(0);
    this.checkCrc(plaintext, out.plaintextCrc32c, 'plaintext_crc32c');
    if (Buffer.compare(plaintext, s.plaintext) !== 0)
      throw new RoundTripMismatch(`AsymmetricDecrypt gave ${plaintext.length} bytes that are not the ${s.plaintext.length} encrypted`);
  }

  async func(op: Operation): Promise<void> {
    const sealed = await this.sealed.get(op.step);
    return this.decrypt(op.req('DECRYPT'), sealed);
  }
}
