/**
 * A MAC round trip, transaction GENERATE-VERIFY-MAC: GenerateMac of the payload (request
 * GENERATE-MAC), then VerifyMac of that MAC (request VERIFY-MAC), which must confirm it (MacInvalid
 * otherwise). --extra: file, key (a GENERATE_VERIFY_MAC key, default hmac256). Lengths: 1 to 4096.
 */
import { GenerateMacCommand, VerifyMacCommand, type MacAlgorithmSpec } from '@aws-sdk/client-kms';
import { blob, exec, lengthProblem, MacInvalid, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { HASH_BYTES, KmsCut, macAlgorithmOf, macHash, MAX_MESSAGE, type KmsCutSpec } from 'pylogen/kms';

export class KmsMac extends KmsCut {
  static override readonly kms: KmsCutSpec = {
    defaultKey: 'hmac256',
    usage: 'GENERATE_VERIFY_MAC',
    check: (plan, key) => {
      const p = lengthProblem(plan.lengths, 1, MAX_MESSAGE, `GenerateMac with key "${key!.name}" (${key!.keySpec})`);
      return p === undefined ? [] : [p];
    },
  };

  override transactionName = 'GENERATE-VERIFY-MAC';
  private algorithm!: MacAlgorithmSpec;
  private macBytes = 0;

  override async setup(): Promise<void> {
    await super.setup();
    const alg = macAlgorithmOf(this.key);
    this.algorithm = alg;
    this.macBytes = HASH_BYTES[macHash(alg)];
  }

  @exec
  async generateMac(req: Request, message: Buffer): Promise<Buffer> {
    const out = await this.client.send(new GenerateMacCommand({ KeyId: this.keyId, Message: message, MacAlgorithm: this.algorithm }));
    const mac = blob(out.Mac, 'Mac');
    if (mac.length !== this.macBytes)
      throw new UnexpectedResponse(`GenerateMac returned a ${mac.length}-byte ${this.algorithm} MAC (${this.macBytes} expected)`);
    return mac;
  }

  @exec
  async verifyMac(req: Request, message: Buffer, mac: Buffer): Promise<void> {
    const out = await this.client.send(new VerifyMacCommand({ KeyId: this.keyId, Message: message, Mac: mac, MacAlgorithm: this.algorithm }));
    if (out.MacValid !== true) throw new MacInvalid(`VerifyMac answered MacValid ${String(out.MacValid)} for the MAC that GenerateMac returned`);
  }

  async func(op: Operation): Promise<void> {
    const mac = await this.generateMac(op.req('GENERATE-MAC'), op.payload);
    await this.verifyMac(op.req('VERIFY-MAC'), op.payload, mac);
  }
}
