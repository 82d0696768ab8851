/**
 * Azure Key Vault / Managed HSM Sign, request SIGN: CryptographyClient.sign of the payload's digest
 * (hashed locally as Key Vault's sign takes a digest: SHA-256 for PS256 / RS256 / ES256, SHA-384 for
 * ES384, ...), by the vault. --extra: file, key (an RSA or EC entry of the Azure key file, default
 * ec256), algorithm (RSA: PS256 by default, PS384, PS512, RS256, RS384, RS512; EC: the curve's).
 */
import { AzureCut, DigestCache, digestHash, exec, UnexpectedResponse, type AzureCutSpec, type Operation, type Request } from 'pylogen';

export class AzureKeyVaultSign extends AzureCut {
  static override readonly azure: AzureCutSpec = { defaultKey: 'ec256', families: ['rsa', 'ec'], ops: ['sign'], use: 'sign' };

  protected digests!: DigestCache;

  override async setup(): Promise<void> {
    await super.setup();
    this.digests = new DigestCache(digestHash(this.algorithm));
    // The client's first request meets Key Vault's 401 challenge: not in a measured operation.
    await this.prepare('the first Sign', () => this.crypto.sign(this.algorithm, this.digests.of(Buffer.alloc(1)), this.callOptions));
  }

  @exec
  async sign(req: Request, data: Buffer): Promise<Uint8Array> {
    const out = await this.crypto.sign(this.algorithm, this.digests.of(data), this.callOptions);
    if (out.result.length === 0) throw new UnexpectedResponse('Sign returned an empty signature');
    return out.result;
  }

  func(op: Operation): Promise<unknown> {
    return this.sign(op.req('SIGN'), op.payload);
  }
}
