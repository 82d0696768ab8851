/**
 * KMIP MAC, request MAC: an HMAC of the payload by a key on the server (HMAC-SHA256 by default);
 * the MAC must be as long as the hash's output (UnexpectedResponse otherwise). --extra: file, key
 * (an HMAC entry of the KMIP key file, default hmac256), ca, cert, clientKey (with a kmip://
 * endpoint).
 */
import { exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { dataLengthProblems, KmipCut, type KmipCutSpec } from 'pylogen/kmip';

export class KmipMac extends KmipCut {
  static override readonly kmip: KmipCutSpec = { defaultKey: 'hmac256', usage: 'mac', check: (plan) => dataLengthProblems(plan) };

  private params!: ReturnType<KmipCut['macParams']>;
  private macLength!: number;

  override async setup(): Promise<void> {
    await super.setup();
    this.params = this.macParams();
    this.macLength = Number(this.key.type.replace('HMAC_SHA', '')) / 8;
  }

  @exec
  async mac(req: Request, data: Buffer): Promise<void> {
    const mac = await this.client.mac(this.uid, this.params, data);
    if (mac.length !== this.macLength) throw new UnexpectedResponse(`MAC returned ${mac.length} bytes, not the ${this.macLength} of ${this.key.type}`);
  }

  func(op: Operation): Promise<void> {
    return this.mac(op.req('MAC'), op.payload);
  }
}
