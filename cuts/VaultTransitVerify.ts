/**
 * Vault Transit verify, request VERIFY (VERIFY-BATCH<N>): setup() signs a random message of every
 * --lengths value once, each operation asks POST /v1/{mount}/verify/{name} whether its signature is
 * valid; `valid: false` is a SignatureInvalid error. --extra: file, key (a signing entry, default
 * ecdsa-p256), batch, namespace.
 */
import { exec, SignatureInvalid, type Operation, type Request } from 'pylogen/cut';
import { bodyProblems, field, VaultCut, type VaultCutSpec } from 'pylogen/vault';

export class VaultTransitVerify extends VaultCut {
  static override readonly vault: VaultCutSpec = { defaultKey: 'ecdsa-p256', use: 'sign', batch: true, check: (plan) => bodyProblems(plan) };

  private url!: string;
  private name!: string;
  private signed!: Map<number, string>;

  override async setup(): Promise<void> {
    await super.setup();
    this.url = this.path('verify');
    this.name = this.requestName('VERIFY');
    this.signed = await this.perLength('sign', async (p) => {
      const input = p.toString('base64');
      const signature = field(await this.data(this.path('sign'), { input, ...this.contextField(), ...this.signParams() }), 'signature');
      return this.bodyFor(p.length, () => ({ input, signature, ...this.contextField() }), this.signParams());
    });
  }

  @exec
  async verify(req: Request, body: string): Promise<void> {
    for (const item of await this.post(this.url, body)) {
      if (item.valid !== true) throw new SignatureInvalid('Vault answered valid: false for a signature it made');
    }
  }

  func(op: Operation): Promise<void> {
    return this.verify(op.req(this.name, this.batch), this.signed.get(op.step)!);
  }
}
