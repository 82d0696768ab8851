/**
 * Vault Transit HMAC verification, request VERIFY-HMAC (VERIFY-HMAC-BATCH<N>): setup() computes the
 * HMAC of a random message of every --lengths value once, each operation asks POST
 * /v1/{mount}/verify/{name} with `hmac` whether it is valid; `valid: false` is a MacInvalid error.
 * --extra: file, key (any entry, default hmac), batch, namespace.
 */
import { exec, MacInvalid, type Operation, type Request } from 'pylogen/cut';
import { bodyProblems, field, VaultCut, type VaultCutSpec } from 'pylogen/vault';

export class VaultTransitHmacVerify extends VaultCut {
  static override readonly vault: VaultCutSpec = { defaultKey: 'hmac', use: 'hmac', batch: true, check: (plan) => bodyProblems(plan) };

  private url!: string;
  private name!: string;
  private signed!: Map<number, string>;

  override async setup(): Promise<void> {
    await super.setup();
    this.url = this.path('verify');
    this.name = this.requestName('VERIFY-HMAC');
    this.signed = await this.perLength('hmac', async (p) => {
      const input = p.toString('base64');
      const hmac = field(await this.data(this.path('hmac'), { input, algorithm: this.key.hash }), 'hmac');
      return this.bodyFor(p.length, () => ({ input, hmac }), { algorithm: this.key.hash });
    });
  }

  @exec
  async verify(req: Request, body: string): Promise<void> {
    for (const item of await this.post(this.url, body)) {
      if (item.valid !== true) throw new MacInvalid('Vault answered valid: false for an HMAC it made');
    }
  }

  func(op: Operation): Promise<void> {
    return this.verify(op.req(this.name, this.batch), this.signed.get(op.step)!);
  }
}
