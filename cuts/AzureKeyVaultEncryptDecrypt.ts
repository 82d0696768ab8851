/**
 * A round trip at the vault, transaction ENCRYPT-DECRYPT: Encrypt of the payload (request ENCRYPT),
 * then Decrypt of what it returned (request DECRYPT), which must give the payload back
 * (RoundTripMismatch otherwise). --extra and lengths: as AzureKeyVaultEncrypt.
 */
import { exec, type Operation, type Request } from 'pylogen';
import { AzureKeyVaultEncrypt, type Encrypted } from './AzureKeyVaultEncrypt.js';

export class AzureKeyVaultEncryptDecrypt extends AzureKeyVaultEncrypt {
  static override readonly azure = { ...AzureKeyVaultEncrypt.azure, ops: ['encrypt', 'decrypt'] };
  override transactionName = 'ENCRYPT-DECRYPT';

  @exec
  async decrypt(req: Request, sealed: Encrypted, expected: Uint8Array): Promise<void> {
    await this.decryptNow(sealed, expected);
  }

  override async func(op: Operation): Promise<void> {
    const sealed = await this.encrypt(op.req('ENCRYPT'), op.payload);
    await this.decrypt(op.req('DECRYPT'), sealed, op.payload);
  }
}
