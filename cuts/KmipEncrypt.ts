/**
 * KMIP Encrypt, request ENCRYPT: the payload encrypted with an AES key (GCM by default, CBC with
 * PKCS#5 padding with key aes-cbc), the server choosing the IV; the response must carry the
 * ciphertext, the IV and (GCM) the tag. --extra: file, key (an AES entry of the KMIP key file,
 * default aes-gcm), ca, cert, clientKey (with a kmip:// endpoint).
 */
import { exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { dataLengthProblems, KmipCut, type KmipCutSpec } from 'pylogen/kmip';

export class KmipEncrypt extends KmipCut {
  static override readonly kmip: KmipCutSpec = { defaultKey: 'aes-gcm', usage: 'encrypt', check: (plan) => dataLengthProblems(plan) };

  private params!: ReturnType<KmipCut['cipherParams']>;

  override async setup(): Promise<void> {
    await super.setup();
    this.params = this.cipherParams();
  }

  @exec
  async encrypt(req: Request, plaintext: Buffer): Promise<void> {
    const out = await this.client.encrypt(this.uid, this.params, plaintext);
    if (out.iv === undefined) throw new UnexpectedResponse('Encrypt returned no IV');
    if (this.key.mode === 'GCM' && out.tag === undefined) throw new UnexpectedResponse('a GCM Encrypt returned no authentication tag');
  }

  func(op: Operation): Promise<void> {
    return this.encrypt(op.req('ENCRYPT'), op.payload);
  }
}
