/**
 * UnwrapKey at the vault, request UNWRAP: setup() wraps a 32-byte key once; each operation unwraps
 * it, which must give the key back (RoundTripMismatch otherwise). --extra: as AzureKeyVaultWrapKey.
 */
import { exec, type Operation, type Request } from 'pylogen/cut';
import { AzureWrappingCut } from 'pylogen/azure';

export class AzureKeyVaultUnwrapKey extends AzureWrappingCut {
  static override readonly azure = { ...AzureWrappingCut.azure, ops: ['wrapKey', 'unwrapKey'] };

  private wrapped!: Uint8Array;

  override async setup(): Promise<void> {
    await super.setup();
    this.wrapped = await this.prepare('WrapKey', () => this.wrapNow());
  }

  @exec
  async unwrap(_req: Request): Promise<void> {
    await this.unwrapNow(this.wrapped);
  }

  func(op: Operation): Promise<unknown> {
    return this.unwrap(op.req('UNWRAP'));
  }
}
