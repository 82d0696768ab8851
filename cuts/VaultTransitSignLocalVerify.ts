/**
 * A correctness probe, transaction SIGN-LOCAL-VERIFY: sign the payload through Vault (request SIGN),
 * then verify the signature locally with node:crypto and the public key that GET
 * /v1/{mount}/keys/{name} gave in setup() (request LOCAL-VERIFY): a signature that does not verify is
 * a SignatureInvalid error. --extra: file, key (a signing entry, default ecdsa-p256), namespace.
 */
import type { KeyObject } from 'node:crypto';
import { exec, SignatureInvalid, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { field, VaultCut, vaultPublicKey, verifyVaultSignature, type VaultCutSpec } from 'pylogen/vault';

export class VaultTransitSignLocalVerify extends VaultCut {
  static override readonly vault: VaultCutSpec = { defaultKey: 'ecdsa-p256', use: 'sign', batch: false };

  override transactionName = 'SIGN-LOCAL-VERIFY';
  private url!: string;
  private publicKeys = new Map<number, KeyObject>();

  override async setup(): Promise<void> {
    await super.setup();
    this.url = this.path('sign');
    await this.loadPublicKeys();
  }

  private async loadPublicKeys(): Promise<void> {
    const out = await this.prepare('GET keys', () => this.client.call('GET', this.path('keys')));
    const keys = (out?.data as { keys?: Record<string, { public_key?: string }> } | undefined)?.keys ?? {};
    for (const [v, k] of Object.entries(keys))
      if (typeof k.public_key === 'string') this.publicKeys.set(Number(v), vaultPublicKey(this.key.type, k.public_key));
  }

  @exec
  async sign(req: Request, body: string): Promise<string> {
    return field((await this.post(this.url, body))[0]!, 'signature');
  }

  @exec
  async localVerify(req: Request, message: Buffer, signature: string): Promise<void> {
    const version = Number(/^vault:v(\d+):/.exec(signature)?.[1]);
    if (!this.publicKeys.has(version)) await this.loadPublicKeys(); // the key was rotated since setup()
    const key = this.publicKeys.get(version);
    if (key === undefined) throw new UnexpectedResponse(`keys/${this.key.name} has no public key of version ${version}`);
    if (!verifyVaultSignature(this.key, key, message, signature)) {
      throw new SignatureInvalid(`the ${this.key.type} signature of ${message.length} bytes does not verify with the key's public key`);
    }
  }

  async func(op: Operation): Promise<void> {
    const signature = await this.sign(
      op.req('SIGN'),
      this.bodyFor(op.step, () => ({ input: op.payload.toString('base64'), ...this.contextField() }), this.signParams()),
    );
    await this.localVerify(op.req('LOCAL-VERIFY'), op.payload, signature);
  }
}
