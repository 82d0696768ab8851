/**
 * WrapKey at the vault, request WRAP: CryptographyClient.wrapKey of a 32-byte key (the payload's
 * first 32 bytes, zero-padded: an AES-256 data key), RSA-OAEP-256 with an RSA key (which the SDK would
 * do locally with RSA-OAEP if it held the key: pylogen's clients never do) or A256KW with a Managed
 * HSM oct-HSM key. --extra: file, key (default rsa2048; aes256 on Managed HSM), algorithm
 * (RSA-OAEP-256, RSA-OAEP; AnnnKW for an oct-HSM key). --lengths does not change the wrapped key.
 */
import { AzureCut, exec, UnexpectedResponse, type AzureCutSpec, type Operation, type Request } from 'pylogen';

export class AzureKeyVaultWrapKey extends AzureCut {
  static override readonly azure: AzureCutSpec = { defaultKey: 'rsa2048', families: ['rsa', 'oct'], ops: ['wrapKey'], use: 'wrap' };

  /** the key wrapped by every operation (made once: no allocation per operation) */
  protected dataKey = Buffer.alloc(32, 0x5a);

  override async setup(): Promise<void> {
    await super.setup();
    // The client's first request meets Key Vault's 401 challenge: not in a measured operation.
    await this.prepare('the first WrapKey', () => this.wrapNow());
  }

  protected async wrapNow(): Promise<Uint8Array> {
    const out = await this.crypto.wrapKey(this.algorithm as 'RSA-OAEP-256', this.dataKey, this.callOptions);
    if (out.result.length === 0) throw new UnexpectedResponse('WrapKey returned an empty wrapped key');
    return out.result;
  }

  @exec
  async wrap(req: Request): Promise<Uint8Array> {
    return this.wrapNow();
  }

  func(op: Operation): Promise<unknown> {
    return this.wrap(op.req('WRAP'));
  }
}
