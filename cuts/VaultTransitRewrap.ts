/**
 * Vault Transit rewrap, request REWRAP (REWRAP-BATCH<N>): setup() encrypts a random plaintext of
 * every --lengths value once, each operation rewraps its ciphertext to the key's latest version; the
 * answer must be a `vault:v<n>:` ciphertext of a version at least the one sent. --extra: file, key
 * (an encryption entry, default aes256), batch, namespace.
 */
import { exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { bodyProblems, field, parseVersioned, VaultCut, type VaultCutSpec } from 'pylogen/vault';

interface Wrapped {
  body: string;
  version: number;
}

export class VaultTransitRewrap extends VaultCut {
  static override readonly vault: VaultCutSpec = { defaultKey: 'aes256', use: 'encrypt', batch: true, check: (plan) => bodyProblems(plan) };

  private url!: string;
  private name!: string;
  private wrapped!: Map<number, Wrapped>;

  override async setup(): Promise<void> {
    await super.setup();
    this.url = this.path('rewrap');
    this.name = this.requestName('REWRAP');
    this.wrapped = await this.perLength('encrypt', async (p) => {
      const ciphertext = field(await this.data(this.path('encrypt'), { plaintext: p.toString('base64'), ...this.contextField() }), 'ciphertext');
      return { version: parseVersioned(ciphertext)!.version, body: this.bodyFor(p.length, () => ({ ciphertext, ...this.contextField() })) };
    });
  }

  @exec
  async rewrap(req: Request, w: Wrapped): Promise<void> {
    for (const item of await this.post(this.url, w.body)) {
      const v = parseVersioned(field(item, 'ciphertext'));
      if (v === undefined || v.version < w.version) throw new UnexpectedResponse('rewrap did not answer a vault:v<n>: ciphertext of the latest version');
    }
  }

  func(op: Operation): Promise<void> {
    return this.rewrap(op.req(this.name, this.batch), this.wrapped.get(op.step)!);
  }
}
