/**
 * WrapKey at the vault, request WRAP: CryptographyClient.wrapKey of a 32-byte key (an AES-256 data
 * key), RSA-OAEP-256 with an RSA key (which the SDK would do locally with RSA-OAEP if it held the key:
 * pylogen's clients never do) or A256KW with a Managed HSM oct-HSM key. --extra: file, key (default
 * rsa2048; aes256 on Managed HSM), algorithm (RSA-OAEP-256, RSA-OAEP; AnnnKW for an oct-HSM key).
 * --lengths does not change the wrapped key.
 */
import { exec, type Operation, type Request } from 'pylogen/cut';
import { AzureWrappingCut } from 'pylogen/azure';

export class AzureKeyVaultWrapKey extends AzureWrappingCut {
  @exec
  async wrap(_req: Request): Promise<Uint8Array> {
    return this.wrapNow();
  }

  func(op: Operation): Promise<unknown> {
    return this.wrap(op.req('WRAP'));
  }
}
