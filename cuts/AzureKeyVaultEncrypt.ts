/**
 * Encrypt at the vault, request ENCRYPT: CryptographyClient.encrypt of the payload, RSA-OAEP-256 with
 * an RSA key (which the SDK would do locally with RSA-OAEP if it held the key: pylogen's clients never
 * do) or A256GCM with a Managed HSM oct-HSM key (the HSM makes the IV). --extra: file, key (default
 * rsa2048; aes256 on Managed HSM), algorithm (RSA-OAEP-256, RSA-OAEP; AnnnGCM for an oct-HSM key).
 * Lengths: RSA-OAEP-256 with RSA 2048 takes at most 190 bytes.
 */
import { exec, type Operation, type Request } from 'pylogen/cut';
import { AzureEncryptingCut, type Encrypted } from 'pylogen/azure';

export class AzureKeyVaultEncrypt extends AzureEncryptingCut {
  @exec
  async encrypt(req: Request, plaintext: Uint8Array): Promise<Encrypted> {
    return this.encryptNow(plaintext);
  }

  func(op: Operation): Promise<unknown> {
    return this.encrypt(op.req('ENCRYPT'), op.payload);
  }
}
