/**
 * Cloud KMS GenerateRandomBytes, request RANDOM: as many random bytes as the payload length, from
 * the key file's location at a protection level (--extra "protectionLevel": HSM, the default and the
 * only one Google's API reference says is supported, or SOFTWARE, which Google answers with
 * INVALID_ARGUMENT), data_crc32c checked (Crc32cMismatch). --extra: file (for its project and
 * location), protectionLevel. Lengths: 8 to 1024 bytes.
 */
import { exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { GCP_EXTRA_KEYS, GcpCut, gcpLengthProblems, RANDOM_MAX, RANDOM_MIN, type GcpCutSpec, type GcpExtra } from 'pylogen/gcp';

interface Extra extends GcpExtra {
  protectionLevel?: 'HSM' | 'SOFTWARE';
}

export class CloudKmsGenerateRandomBytes extends GcpCut<Extra> {
  static override readonly gcp: GcpCutSpec = {
    check: (plan) => {
      const level = plan.extra.protectionLevel;
      const problems = gcpLengthProblems(plan, RANDOM_MAX, RANDOM_MIN, 'the number of random bytes');
      if (level !== undefined && level !== 'HSM' && level !== 'SOFTWARE')
        problems.push(`--extra "protectionLevel" must be HSM or SOFTWARE, but is ${JSON.stringify(level)}`);
      return problems;
    },
  };
  static override extraKeys = { file: GCP_EXTRA_KEYS.file!, protectionLevel: 'HSM (default) or SOFTWARE' };

  private location!: string;

  override async setup(): Promise<void> {
    await super.setup();
    this.location = `projects/${this.keyFile.project}/locations/${this.keyFile.location}`;
  }

  @exec
  async random(req: Request, lengthBytes: number): Promise<void> {
    const [out] = await this.client.generateRandomBytes(
      { location: this.location, lengthBytes, protectionLevel: this.extra.protectionLevel ?? 'HSM' },
      this.call,
    );
    const data = (out.data as Uint8Array | null) ?? new Uint8Array(0);
    this.checkCrc(data, out.dataCrc32c, 'data_crc32c');
    if (data.length !== lengthBytes) throw new UnexpectedResponse(`GenerateRandomBytes gave ${data.length} bytes, not ${lengthBytes}`);
  }

  func(op: Operation): Promise<void> {
    return this.random(op.req('RANDOM'), op.step);
  }
}
