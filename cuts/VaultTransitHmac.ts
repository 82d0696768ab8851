/**
 * Vault Transit HMAC, request HMAC (HMAC-BATCH<N>): the payload's HMAC by POST /v1/{mount}/hmac/{name}
 * with the entry's hash (the `algorithm` field); every result must carry a `vault:v<n>:` HMAC.
 * --extra: file, key (any entry: every Transit key has HMAC keys; default hmac), batch, namespace.
 */
import { exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { bodyProblems, field, VaultCut, type VaultCutSpec } from 'pylogen/vault';

export class VaultTransitHmac extends VaultCut {
  static override readonly vault: VaultCutSpec = { defaultKey: 'hmac', use: 'hmac', batch: true, check: (plan) => bodyProblems(plan) };

  private url!: string;
  private name!: string;

  override async setup(): Promise<void> {
    await super.setup();
    this.url = this.path('hmac');
    this.name = this.requestName('HMAC');
  }

  @exec
  async hmac(req: Request, body: string): Promise<void> {
    for (const item of await this.post(this.url, body)) {
      if (!field(item, 'hmac').startsWith('vault:v')) throw new UnexpectedResponse('the HMAC is not in the vault:v<n>: format');
    }
  }

  func(op: Operation): Promise<void> {
    return this.hmac(
      op.req(this.name, this.batch),
      this.bodyFor(op.step, () => ({ input: op.payload.toString('base64') }), { algorithm: this.key.hash }),
    );
  }
}
