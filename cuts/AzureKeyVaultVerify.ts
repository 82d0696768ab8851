/**
 * Verify at the vault, request VERIFY: setup() signs the digest of a random message of every
 * --lengths value once; each operation asks the vault (CryptographyClient.verify: the SDK never
 * verifies a digest locally) to verify the signature of its length, which must be valid
 * (SignatureInvalid otherwise). --extra: as AzureKeyVaultSign.
 */
import { randomBytes } from 'node:crypto';
import { exec, PerLength, SignatureInvalid, type Operation, type Request } from 'pylogen/cut';
import { AzureSigningCut, type AzureCutSpec } from 'pylogen/azure';

interface Signed {
  digest: Buffer;
  signature: Uint8Array;
}

export class AzureKeyVaultVerify extends AzureSigningCut {
  static override readonly azure: AzureCutSpec = { ...AzureSigningCut.azure, ops: ['sign', 'verify'] };

  private signed!: PerLength<Signed>;

  override async setup(): Promise<void> {
    await super.setup();
    this.signed = new PerLength((length) =>
      this.prepare(`Sign of ${length} bytes`, async () => {
        const message = randomBytes(length);
        return { digest: this.digests.of(message), signature: await this.signNow(message) };
      }),
    );
    await this.signed.fill(this.runner.lengths);
  }

  @exec
  async verify(req: Request, signed: Signed): Promise<void> {
    const out = await this.crypto.verify(this.algorithm, signed.digest, signed.signature, this.callOptions);
    if (!out.result) throw new SignatureInvalid(`the vault found the ${signed.signature.length}-byte ${this.algorithm} signature it made invalid`);
  }

  async func(op: Operation): Promise<void> {
    await this.verify(op.req('VERIFY'), await this.signed.get(op.payload.length));
  }
}
