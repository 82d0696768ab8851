/**
 * KMIP Decrypt, request DECRYPT: setup() encrypts a random plaintext of every --lengths value once
 * (through the server); each operation decrypts the ciphertext of its length, which must give the
 * plaintext back (RoundTripMismatch otherwise). --extra: file, key (an AES entry of the KMIP key
 * file, default aes-gcm), ca, cert, clientKey (with a kmip:// endpoint).
 */
import { randomBytes } from 'node:crypto';
import { exec, PerLength, RoundTripMismatch, type Operation, type Request } from 'pylogen/cut';
import { dataLengthProblems, KmipCut, type KmipCutSpec } from 'pylogen/kmip';

interface Sealed {
  plaintext: Buffer;
  data: Buffer;
  iv: Buffer | undefined;
  tag: Buffer | undefined;
}

export class KmipDecrypt extends KmipCut {
  static override readonly kmip: KmipCutSpec = { defaultKey: 'aes-gcm', usage: 'encrypt', check: (plan) => dataLengthProblems(plan) };

  private params!: ReturnType<KmipCut['cipherParams']>;
  private sealed!: PerLength<Sealed>;

  override async setup(): Promise<void> {
    await super.setup();
    this.params = this.cipherParams();
    this.sealed = await new PerLength((length) =>
      this.prepare(`Encrypt of ${length} bytes`, async () => {
        const plaintext = randomBytes(length);
        return { plaintext, ...(await this.client.encrypt(this.uid, this.params, plaintext)) };
      }),
    ).fill(this.runner.lengths);
  }

  @exec
  async decrypt(req: Request, sealed: Sealed): Promise<void> {
    const plaintext = await this.client.decrypt(this.uid, this.params, sealed.data, sealed.iv, sealed.tag);
    if (!sealed.plaintext.equals(plaintext)) {
      throw new RoundTripMismatch(`Decrypt returned ${plaintext.length} bytes that are not the ${sealed.plaintext.length} bytes encrypted`);
    }
  }

  func(op: Operation): Promise<void> {
    const sealed = this.sealed.get(op.step);
    return sealed instanceof Promise ? sealed.then((s) => this.decrypt(op.req('DECRYPT'), s)) : this.decrypt(op.req('DECRYPT'), sealed);
  }
}
