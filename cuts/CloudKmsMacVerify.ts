/**
 * Cloud KMS MacVerify, request MAC-VERIFY: setup() MacSigns a random message of every --lengths value
 * once; each operation verifies that MAC through Cloud KMS, data_crc32c and mac_crc32c sent: the
 * answer must say success (MacInvalid otherwise), and verified_data_crc32c, verified_mac_crc32c and
 * verified_success_integrity (which must equal success) are checked (Crc32cMismatch). --extra: file,
 * key (a MAC key, default hmac). Lengths: 0 to 65536 bytes.
 */
import { randomBytes } from 'node:crypto';
import { exec, MacInvalid, PerLength, type Operation, type Request } from 'pylogen/cut';
import { Crc32cMismatch, GCP_MAX_PLAINTEXT, GcpCut, gcpLengthProblems, type GcpCutSpec } from 'pylogen/gcp';

interface Signed {
  data: Buffer;
  mac: Uint8Array;
}

export class CloudKmsMacVerify extends GcpCut {
  static override readonly gcp: GcpCutSpec = { defaultKey: 'hmac', purpose: 'MAC', check: (plan) => gcpLengthProblems(plan, GCP_MAX_PLAINTEXT) };

  private signed!: PerLength<Signed>;

  override async setup(): Promise<void> {
    await super.setup();
    this.signed = await new PerLength((length) =>
      this.prepare(`MacSign of ${length} bytes`, async () => {
        const data = randomBytes(length);
        return { data, mac: await this.macSignChecked(data) };
      }),
    ).fill(this.runner.lengths);
  }

  @exec
  async macVerify(req: Request, s: Signed): Promise<void> {
    const [out] = await this.client.macVerify(
      { name: this.versionName, data: s.data, dataCrc32c: this.crcOf(s.data), mac: s.mac, macCrc32c: this.crcOf(s.mac) },
      this.call,
    );
    this.checkVerified(out.verifiedDataCrc32c, 'verified_data_crc32c');
    this.checkVerified(out.verifiedMacCrc32c, 'verified_mac_crc32c');
    if (out.verifiedSuccessIntegrity !== out.success)
      throw new Crc32cMismatch(`verified_success_integrity (${out.verifiedSuccessIntegrity}) is not success (${out.success})`);
    if (out.success !== true) throw new MacInvalid(`MacVerify did not confirm the MAC of ${s.data.length} bytes that MacSign returned`);
  }

  async func(op: Operation): Promise<void> {
    const signed = await this.signed.get(op.step);
    return this.macVerify(op.req('MAC-VERIFY'), signed);
  }
}
