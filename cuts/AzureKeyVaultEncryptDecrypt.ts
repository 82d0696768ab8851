/**
 * A round trip at the vault, transaction ENCRYPT-DECRYPT: Encrypt of the payload (request ENCRYPT),
 * then Decrypt of what it returned (request DECRYPT), which must give the payload back
 * (RoundTripMismatch otherwise). --extra and lengths: as AzureKeyVaultEncrypt.
 */
import { exec, type Operation, type Request } from 'pylogen/cut';
import { AzureEncryptingCut, type Encrypted } from 'pylogen/azure';

export class AzureKeyVaultEncryptDecrypt extends AzureEncryptingCut {
  static override readonly azure = { ...AzureEncryptingCut.azure, ops: ['encrypt', 'decrypt'] };
  override transactionName = 'ENCRYPT-DECRYPT';

  @exec
  async decrypt(req: Request, sealed: Encrypted, expected: Uint8Array): Promise<void> {
    await this.decryptNow(sealed, expected);
  }

  @exec
  async encrypt(req: Request, plaintext: Uint8Array): Promise<Encrypted> {
    return this.encryptNow(plaintext);
  }

  async func(op: Operation): Promise<void> {
    const sealed = await this.encrypt(op.req('ENCRYPT'), op.payload);
    await this.decrypt(op.req('DECRYPT'), sealed, op.payload);
  }
}
