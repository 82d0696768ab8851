/**
 * KMIP SignatureVerify, request VERIFY: setup() signs a random message of every --lengths value
 * once (through the server); each operation asks the server to verify that signature with the
 * public key, which must answer Valid (SignatureInvalid otherwise). --extra: file, key (an RSA entry
 * of the KMIP key file, default rsa2048), ca, cert, clientKey (with a kmip:// endpoint).
 */
import { randomBytes } from 'node:crypto';
import { exec, PerLength, SignatureInvalid, type Operation, type Request } from 'pylogen/cut';
import { dataLengthProblems, KmipCut, type KmipCutSpec } from 'pylogen/kmip';

interface Signed {
  data: Buffer;
  signature: Buffer;
}

export class KmipVerify extends KmipCut {
  static override readonly kmip: KmipCutSpec = { defaultKey: 'rsa2048', usage: 'sign', check: (plan) => dataLengthProblems(plan) };

  private params!: ReturnType<KmipCut['signParams']>;
  private publicUid!: string;
  private signed!: PerLength<Signed>;

  override async setup(): Promise<void> {
    await super.setup();
    this.params = this.signParams();
    this.publicUid = await this.findKey(this.key, 'public');
    this.signed = await new PerLength((length) =>
      this.prepare(`Sign of ${length} bytes`, async () => {
        const data = randomBytes(length);
        return { data, signature: await this.client.sign(this.uid, this.params, data) };
      }),
    ).fill(this.runner.lengths);
  }

  @exec
  async verify(req: Request, signed: Signed): Promise<void> {
    if (!(await this.client.verify(this.publicUid, this.params, signed.data, signed.signature))) {
      throw new SignatureInvalid('SignatureVerify did not answer Valid for a signature the server made');
    }
  }

  func(op: Operation): Promise<void> {
    const signed = this.signed.get(op.step);
    return signed instanceof Promise ? signed.then((s) => this.verify(op.req('VERIFY'), s)) : this.verify(op.req('VERIFY'), signed);
  }
}
