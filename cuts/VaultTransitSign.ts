/**
 * Vault Transit sign, request SIGN (SIGN-BATCH<N>): the payload signed by POST /v1/{mount}/sign/{name}
 * with the entry's hash_algorithm, signature_algorithm (RSA) and marshaling_algorithm (ECDSA); every
 * result must carry a `vault:v<n>:` signature. --extra: file, key (a signing entry: ecdsa-*, ed25519,
 * rsa-*; default ecdsa-p256), batch, namespace.
 */
import { exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { bodyProblems, field, VaultCut, type VaultCutSpec } from 'pylogen/vault';

export class VaultTransitSign extends VaultCut {
  static override readonly vault: VaultCutSpec = { defaultKey: 'ecdsa-p256', use: 'sign', batch: true, check: (plan) => bodyProblems(plan) };

  private url!: string;
  private name!: string;

  override async setup(): Promise<void> {
    await super.setup();
    this.url = this.path('sign');
    this.name = this.requestName('SIGN');
  }

  @exec
  async sign(req: Request, body: string): Promise<void> {
    for (const item of await this.post(this.url, body)) {
      if (!field(item, 'signature').startsWith('vault:v')) throw new UnexpectedResponse('the signature is not in the vault:v<n>: format');
    }
  }

  func(op: Operation): Promise<void> {
    const body = this.bodyFor(op.step, () => ({ input: op.payload.toString('base64'), ...this.contextField() }), this.signParams());
    return this.sign(op.req(this.name, this.batch), body);
  }
}
