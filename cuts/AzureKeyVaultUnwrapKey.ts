/**
 * UnwrapKey at the vault, request UNWRAP: setup() wraps a 32-byte key once; each operation unwraps
 * it, which must give the key back (RoundTripMismatch otherwise). --extra: as AzureKeyVaultWrapKey.
 */
import { exec, RoundTripMismatch, type Operation, type Request } from 'pylogen';
import { AzureKeyVaultWrapKey } from './AzureKeyVaultWrapKey.js';

export class AzureKeyVaultUnwrapKey extends AzureKeyVaultWrapKey {
  static override readonly azure = { ...AzureKeyVaultWrapKey.azure, ops: ['wrapKey', 'unwrapKey'] };

  private wrapped!: Uint8Array;

  override async setup(): Promise<void> {
    await super.setup();
    this.wrapped = await this.prepare('WrapKey', () => this.wrapNow());
  }

  @exec
  async unwrap(req: Request): Promise<void> {
    const out = await this.crypto.unwrapKey(this.algorithm as 'RSA-OAEP-256', this.wrapped, this.callOptions);
    if (!Buffer.from(out.result.buffer, out.result.byteOffset, out.result.byteLength).equals(this.dataKey)) {
      throw new RoundTripMismatch(`UnwrapKey returned ${out.result.length} bytes that are not the ${this.dataKey.length}-byte key wrapped`);
    }
  }

  override func(op: Operation): Promise<unknown> {
    return this.unwrap(op.req('UNWRAP'));
  }
}
