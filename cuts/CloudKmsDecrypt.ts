/**
 * Cloud KMS Decrypt, request DECRYPT: setup() encrypts a random plaintext of every --lengths value
 * once; each operation decrypts the ciphertext of its length, ciphertext_crc32c and
 * additional_authenticated_data_crc32c sent, plaintext_crc32c checked (Crc32cMismatch), the plaintext
 * compared (RoundTripMismatch). --extra: file, key (an ENCRYPT_DECRYPT key, default symmetric), aad.
 */
import { randomBytes } from 'node:crypto';
import { exec, PerLength, type Operation, type Request } from 'pylogen/cut';
import { GCP_AAD_KEYS, GCP_MAX_PLAINTEXT, GcpCut, gcpLengthProblems, type GcpCutSpec } from 'pylogen/gcp';

interface Sealed {
  plaintext: Buffer;
  ciphertext: Uint8Array;
}

export class CloudKmsDecrypt extends GcpCut {
  static override readonly gcp: GcpCutSpec = {
    defaultKey: 'symmetric',
    purpose: 'ENCRYPT_DECRYPT',
    check: (plan) => gcpLengthProblems(plan, GCP_MAX_PLAINTEXT),
  };
  static override extraKeys = GCP_AAD_KEYS;

  private aadBytes!: Buffer;
  private sealed!: PerLength<Sealed>;

  override async setup(): Promise<void> {
    await super.setup();
    this.aadBytes = this.aad();
    this.sealed = await new PerLength((length) =>
      this.prepare(`Encrypt of ${length} bytes`, async () => {
        const plaintext = randomBytes(length);
        return { plaintext, ciphertext: await this.encryptChecked(plaintext, this.aadBytes) };
      }),
    ).fill(this.runner.lengths);
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
