/**
 * Decrypt at the vault, request DECRYPT: setup() encrypts a random message of every --lengths value
 * once; each operation decrypts the ciphertext of its length, which must give the message back
 * (RoundTripMismatch otherwise). --extra and lengths: as AzureKeyVaultEncrypt.
 */
import { randomBytes } from 'node:crypto';
import { exec, PerLength, type Operation, type Request } from 'pylogen/cut';
import { AzureEncryptingCut, type Encrypted } from 'pylogen/azure';

interface Sealed extends Encrypted {
  plaintext: Buffer;
}

export class AzureKeyVaultDecrypt extends AzureEncryptingCut {
  static override readonly azure = { ...AzureEncryptingCut.azure, ops: ['encrypt', 'decrypt'] };

  private sealed!: PerLength<Sealed>;

  override async setup(): Promise<void> {
    await super.setup();
    this.sealed = new PerLength((length) =>
      this.prepare(`Encrypt of ${length} bytes`, async () => {
        const plaintext = randomBytes(length);
        return { plaintext, ...(await this.encryptNow(plaintext)) };
      }),
    );
    await this.sealed.fill(this.runner.lengths);
  }

  @exec
  async decrypt(req: Request, sealed: Encrypted, expected: Uint8Array): Promise<void> {
    await this.decryptNow(sealed, expected);
  }

  async func(op: Operation): Promise<void> {
    const sealed = await this.sealed.get(op.payload.length);
    await this.decrypt(op.req('DECRYPT'), sealed, sealed.plaintext);
  }
}
