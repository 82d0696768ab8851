/**
 * Vault Transit decrypt, request DECRYPT (DECRYPT-BATCH<N> with a batch): setup() encrypts a random
 * plaintext of every --lengths value once, each operation decrypts its ciphertext and checks that
 * the plaintext comes back (RoundTripMismatch otherwise). --extra: file, key (an encryption entry,
 * default aes256), batch, namespace.
 */
import { exec, RoundTripMismatch, type Operation, type Request } from 'pylogen/cut';
import { bodyProblems, field, VaultCut, type VaultCutSpec } from 'pylogen/vault';

interface Sealed {
  body: string;
  plaintext: string;
}

export class VaultTransitDecrypt extends VaultCut {
  static override readonly vault: VaultCutSpec = { defaultKey: 'aes256', use: 'encrypt', batch: true, check: (plan) => bodyProblems(plan) };

  private url!: string;
  private name!: string;
  private sealed!: Map<number, Sealed>;

  override async setup(): Promise<void> {
    await super.setup();
    this.url = this.path('decrypt');
    this.name = this.requestName('DECRYPT');
    this.sealed = await this.perLength('encrypt', async (p) => {
      const plaintext = p.toString('base64');
      const ciphertext = field(await this.data(this.path('encrypt'), { plaintext, ...this.contextField() }), 'ciphertext');
      return { plaintext, body: this.bodyFor(p.length, () => ({ ciphertext, ...this.contextField() })) };
    });
  }

  @exec
  async decrypt(req: Request, sealed: Sealed): Promise<void> {
    for (const item of await this.post(this.url, sealed.body)) {
      if (field(item, 'plaintext') !== sealed.plaintext) throw new RoundTripMismatch('decrypt did not give back the plaintext that was encrypted');
    }
  }

  func(op: Operation): Promise<void> {
    return this.decrypt(op.req(this.name, this.batch), this.sealed.get(op.step)!);
  }
}
