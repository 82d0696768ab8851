/**
 * KMIP Sign, request SIGN: the payload signed by an RSA private key on the server (PSS or PKCS#1
 * v1.5, the hash of the key file's entry; PyKMIP signs with RSA only), and the signature checked
 * inside the request with node:crypto and the public key fetched once by Get in setup()
 * (SignatureInvalid otherwise). --extra: file, key (an RSA entry of the KMIP key file, default
 * rsa2048), ca, cert, clientKey (with a kmip:// endpoint).
 */
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { exec, SignatureInvalid, type Operation, type Request } from 'pylogen/cut';
import { dataLengthProblems, KmipCut, NODE_HASH_OF, type KmipCutSpec } from 'pylogen/kmip';

export class KmipSign extends KmipCut {
  static override readonly kmip: KmipCutSpec = { defaultKey: 'rsa2048', usage: 'sign', check: (plan) => dataLengthProblems(plan) };

  private params!: ReturnType<KmipCut['signParams']>;
  private publicKey!: KeyObject;
  private hash!: string;
  private padding!: number;

  override async setup(): Promise<void> {
    await super.setup();
    this.params = this.signParams();
    const publicUid = await this.findKey(this.key, 'public');
    const got = await this.prepare('Get of the public key', () => this.client.get(publicUid));
    if (got.material === undefined) throw new Error(`setup: Get of the public key ${publicUid} returned no key material`);
    // KMIP's PKCS#1 format is the DER RSAPublicKey; X.509 is a SubjectPublicKeyInfo.
    this.publicKey = createPublicKey({ key: got.material, format: 'der', type: got.keyFormatType === 5 ? 'spki' : 'pkcs1' });
    this.hash = NODE_HASH_OF[this.key.hash ?? 'SHA256'];
    this.padding = this.key.padding === 'PKCS1v15' ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_PSS_PADDING;
  }

  @exec
  async sign(req: Request, data: Buffer): Promise<void> {
    const signature = await this.client.sign(this.uid, this.params, data);
    // PSS: the salt is as long as the hash (what PyKMIP uses) or the largest; AUTO accepts both.
    if (!verify(this.hash, data, { key: this.publicKey, padding: this.padding, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature)) {
      throw new SignatureInvalid(`the ${signature.length}-byte signature does not verify with the public key`);
    }
  }

  func(op: Operation): Promise<void> {
    return this.sign(op.req('SIGN'), op.payload);
  }
}
