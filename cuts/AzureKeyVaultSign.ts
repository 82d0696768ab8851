/**
 * Azure Key Vault / Managed HSM Sign, request SIGN: CryptographyClient.sign of the payload's digest
 * (hashed locally as Key Vault's sign takes a digest: SHA-256 for PS256 / RS256 / ES256, SHA-384 for
 * ES384, ...), by the vault. --extra: file, key (an RSA or EC entry of the Azure key file, default
 * ec256), algorithm (RSA: PS256 by default, PS384, PS512, RS256, RS384, RS512; EC: the curve's).
 */
import { exec, type Operation, type Request } from 'pylogen/cut';
import { AzureSigningCut } from 'pylogen/azure';

export class AzureKeyVaultSign extends AzureSigningCut {
  @exec
  async sign(req: Request, data: Buffer): Promise<Uint8Array> {
    return this.signNow(data);
  }

  func(op: Operation): Promise<unknown> {
    return this.sign(op.req('SIGN'), op.payload);
  }
}
