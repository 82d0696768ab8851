/**
 * KMIP Get, request GET: the key object fetched from the server (what a storage system does to
 * obtain a data-encryption key); the response must carry key material (UnexpectedResponse
 * otherwise), as long as the key for a symmetric key. --extra: file, key (any entry of the KMIP key
 * file, default aes-gcm; an RSA entry gets its public key), ca, cert, clientKey (with a kmip://
 * endpoint).
 */
import { exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { KmipCut, type KmipCutSpec } from 'pylogen/kmip';

export class KmipGet extends KmipCut {
  static override readonly kmip: KmipCutSpec = { defaultKey: 'aes-gcm', usage: 'any' };

  private target!: string;

  override async setup(): Promise<void> {
    await super.setup();
    // A private key may not be extractable: Get of an RSA entry fetches its public key.
    this.target = this.key.type === 'RSA' ? await this.findKey(this.key, 'public') : this.uid;
  }

  @exec
  async get(_req: Request): Promise<void> {
    const got = await this.client.get(this.target);
    if (got.material === undefined) throw new UnexpectedResponse(`Get of ${this.target} returned no key material`);
    if (this.key.type !== 'RSA' && got.material.length !== this.key.length / 8) {
      throw new UnexpectedResponse(`Get of ${this.target} returned ${got.material.length} bytes of key material, not ${this.key.length / 8}`);
    }
  }

  func(op: Operation): Promise<void> {
    return this.get(op.req('GET'));
  }
}
