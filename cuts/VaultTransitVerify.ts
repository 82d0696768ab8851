/**
 * Vault Transit verify, request VERIFY (VERIFY-BATCH<N>): setup() signs a random message of every
 * --lengths value once, each operation asks POST /v1/{mount}/verify/{name} whether its signature is
 * valid; `valid: false` is a SignatureInvalid error. --extra: file, key (a signing entry, default
 * ecdsa-p256), batch, namespace.
 */
import { SignatureInvalid } from 'pylogen/cut';
import { bodyProblems, field, VaultVerifyCut, type VaultCutSpec } from 'pylogen/vault';

export class VaultTransitVerify extends VaultVerifyCut {
  static override readonly vault: VaultCutSpec = { defaultKey: 'ecdsa-p256', use: 'sign', batch: true, check: (plan) => bodyProblems(plan) };

  protected readonly request = 'VERIFY';
  protected readonly made = 'sign';

  protected async verifyBody(p: Buffer): Promise<string> {
    const input = p.toString('base64');
    const signature = field(await this.data(this.path('sign'), { input, ...this.contextField(), ...this.signParams() }), 'signature');
    return this.bodyFor(p.length, () => ({ input, signature, ...this.contextField() }), this.signParams());
  }

  protected invalid(): Error {
    return new SignatureInvalid('Vault answered valid: false for a signature it made');
  }
}
