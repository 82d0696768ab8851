/**
 * Vault Transit HMAC verification, request VERIFY-HMAC (VERIFY-HMAC-BATCH<N>): setup() computes the
 * HMAC of a random message of every --lengths value once, each operation asks POST
 * /v1/{mount}/verify/{name} with `hmac` whether it is valid; `valid: false` is a MacInvalid error.
 * --extra: file, key (any entry, default hmac), batch, namespace.
 */
import { MacInvalid } from 'pylogen/cut';
import { bodyProblems, field, VaultVerifyCut, type VaultCutSpec } from 'pylogen/vault';

export class VaultTransitHmacVerify extends VaultVerifyCut {
  static override readonly vault: VaultCutSpec = { defaultKey: 'hmac', use: 'hmac', batch: true, check: (plan) => bodyProblems(plan) };

  protected readonly request = 'VERIFY-HMAC';
  protected readonly made = 'hmac';

  protected async verifyBody(p: Buffer): Promise<string> {
    const input = p.toString('base64');
    const hmac = field(await this.data(this.path('hmac'), { input, algorithm: this.key.hash }), 'hmac');
    return this.bodyFor(p.length, () => ({ input, hmac }), { algorithm: this.key.hash });
  }

  protected invalid(): Error {
    return new MacInvalid('Vault answered valid: false for an HMAC it made');
  }
}
