/**
 * Managed HSM GetRandomBytes, request RANDOM: KeyClient.getRandomBytes of as many bytes as the
 * payload length (1 to 128, Managed HSM's limit), which must be that many. Key Vault (not Managed
 * HSM) answers BadParameter. --extra: none.
 */
import { exec, UnexpectedResponse, type CutPlanView, type Operation, type Request } from 'pylogen/cut';
import { AzureCut, type AzureCutSpec } from 'pylogen/azure';

const MAX_RANDOM = 128;

export class AzureKeyVaultGetRandomBytes extends AzureCut {
  static override readonly azure: AzureCutSpec = {
    families: [],
    ops: [],
    check: (plan: CutPlanView) => {
      const bad = plan.lengths.filter((l) => l < 1 || l > MAX_RANDOM);
      return bad.length > 0 ? [`--lengths: GetRandomBytes takes 1 to ${MAX_RANDOM} bytes (Managed HSM's limit), but --lengths has ${bad.join(', ')}`] : [];
    },
  };
  static override readonly extraKeys: Readonly<Record<string, string>> = {};

  override async setup(): Promise<void> {
    await super.setup();
    // The client's first request meets Key Vault's 401 challenge: not in a measured operation.
    await this.prepare('the first GetRandomBytes', () => this.keys.getRandomBytes(1, this.callOptions));
  }

  @exec
  async random(req: Request, count: number): Promise<void> {
    const bytes = await this.keys.getRandomBytes(count, this.callOptions);
    if (bytes.length !== count) throw new UnexpectedResponse(`GetRandomBytes returned ${bytes.length} bytes, not ${count}`);
  }

  func(op: Operation): Promise<unknown> {
    return this.random(op.req('RANDOM'), op.payload.length);
  }
}
