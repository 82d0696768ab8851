/**
 * A KMIP round trip, transaction ENCRYPT-DECRYPT: Encrypt of the payload (request ENCRYPT) with an
 * AES key, the server choosing the IV, then Decrypt of what it returned with that IV (and GCM's
 * tag), which must give the payload back (RoundTripMismatch otherwise). --extra: file, key (an AES
 * entry of the KMIP key file, default aes-gcm; aes-cbc for CBC with PKCS#5 padding), ca, cert,
 * clientKey (with a kmip:// endpoint).
 */
import { exec, RoundTripMismatch, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { dataLengthProblems, KmipCut, type KmipCutSpec } from 'pylogen/kmip';

interface Sealed {
  data: Buffer;
  iv: Buffer | undefined;
  tag: Buffer | undefined;
}

export class KmipEncryptDecrypt extends KmipCut {
  static override readonly kmip: KmipCutSpec = { defaultKey: 'aes-gcm', usage: 'encrypt', check: (plan) => dataLengthProblems(plan) };

  override transactionName = 'ENCRYPT-DECRYPT';
  private params!: ReturnType<KmipCut['cipherParams']>;

  override async setup(): Promise<void> {
    await super.setup();
    this.params = this.cipherParams();
  }

  @exec
  async encrypt(req: Request, plaintext: Buffer): Promise<Sealed> {
    const out = await this.client.encrypt(this.uid, this.params, plaintext);
    if (out.iv === undefined) throw new UnexpectedResponse('Encrypt returned no IV');
    if (this.key.mode === 'GCM' && out.tag === undefined) throw new UnexpectedResponse('a GCM Encrypt returned no authentication tag');
    return out;
  }

  @exec
  async decrypt(req: Request, sealed: Sealed, expected: Buffer): Promise<void> {
    const plaintext = await this.client.decrypt(this.uid, this.params, sealed.data, sealed.iv, sealed.tag);
    if (!expected.equals(plaintext)) {
      throw new RoundTripMismatch(`Decrypt returned ${plaintext.length} bytes that are not the ${expected.length} bytes encrypted`);
    }
  }

  async func(op: Operation): Promise<void> {
    const sealed = await this.encrypt(op.req('ENCRYPT'), op.payload);
    await this.decrypt(op.req('DECRYPT'), sealed, op.payload);
  }
}
