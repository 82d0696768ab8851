/**
 * Sign at the vault, verify here, transaction SIGN-VERIFY: CryptographyClient.sign of the payload's
 * digest (request SIGN), then node:crypto verifies the signature with the key's public JWK, fetched
 * once in setup() (request LOCAL_VERIFY; SignatureInvalid otherwise). --extra: as AzureKeyVaultSign.
 */
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { exec, SignatureInvalid, type Operation, type Request } from 'pylogen/cut';
import { AzureSigningCut } from 'pylogen/azure';

export class AzureKeyVaultSignLocalVerify extends AzureSigningCut {
  override transactionName = 'SIGN-VERIFY';
  private publicKey!: KeyObject;
  private options!: { key: KeyObject; padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' };

  override async setup(): Promise<void> {
    await super.setup();
    const jwk = this.vaultKey.key!;
    const b64 = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('base64url');
    this.publicKey =
      this.entry.family === 'rsa'
        ? createPublicKey({ key: { kty: 'RSA', n: b64(jwk.n), e: b64(jwk.e) }, format: 'jwk' })
        : createPublicKey({ key: { kty: 'EC', crv: jwk.crv!, x: b64(jwk.x), y: b64(jwk.y) }, format: 'jwk' });
    this.options = this.algorithm.startsWith('PS')
      ? { key: this.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }
      : this.algorithm.startsWith('ES')
        ? { key: this.publicKey, dsaEncoding: 'ieee-p1363' }
        : { key: this.publicKey };
  }

  @exec
  async localVerify(req: Request, data: Buffer, signature: Uint8Array): Promise<void> {
    // verify(null, digest) would hash it again: give the message and its hash name instead.
    if (!verify(`sha${this.algorithm.slice(2)}`, data, this.options, signature)) {
      throw new SignatureInvalid(`the ${signature.length}-byte ${this.algorithm} signature does not verify with the key's public JWK`);
    }
  }

  @exec
  async sign(req: Request, data: Buffer): Promise<Uint8Array> {
    return this.signNow(data);
  }

  async func(op: Operation): Promise<void> {
    const signature = await this.sign(op.req('SIGN'), op.payload);
    await this.localVerify(op.req('LOCAL_VERIFY'), op.payload, signature);
  }
}
