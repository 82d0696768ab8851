/**
 * Vault Transit encrypt, request ENCRYPT (ENCRYPT-BATCH<N> with --extra '{"batch":N}'): the payload,
 * base64, POSTed to /v1/{mount}/encrypt/{name} (with the key's context when it is derived); every
 * result must carry a `vault:v<n>:` ciphertext. --extra: file, key (an aes*-gcm96 or
 * chacha20-poly1305 entry of the Vault key file, default aes256), batch, namespace.
 */
import { exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { bodyProblems, field, VaultCut, type VaultCutSpec } from 'pylogen/vault';

export class VaultTransitEncrypt extends VaultCut {
  static override readonly vault: VaultCutSpec = { defaultKey: 'aes256', use: 'encrypt', batch: true, check: (plan) => bodyProblems(plan) };

  private url!: string;
  private name!: string;

  override async setup(): Promise<void> {
    await super.setup();
    this.url = this.path('encrypt');
    this.name = this.requestName('ENCRYPT');
  }

  @exec
  async encrypt(req: Request, body: string): Promise<void> {
    for (const item of await this.post(this.url, body)) {
      if (!field(item, 'ciphertext').startsWith('vault:v')) throw new UnexpectedResponse("the ciphertext is not in Vault's vault:v<n>: format");
    }
  }

  func(op: Operation): Promise<void> {
    return this.encrypt(
      op.req(this.name, this.batch),
      this.bodyFor(op.step, () => ({ plaintext: op.payload.toString('base64'), ...this.contextField() })),
    );
  }
}
