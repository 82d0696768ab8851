/**
 * Cloud KMS MacSign, request MAC-SIGN: HMAC-SHA256 of the payload by a MAC key version, data_crc32c
 * sent, verified_data_crc32c and mac_crc32c checked (Crc32cMismatch). --extra: file, key (a MAC key,
 * default hmac). Lengths: 0 to 65536 bytes.
 */
import { exec, type Operation, type Request } from 'pylogen/cut';
import { GCP_MAX_PLAINTEXT, GcpCut, gcpLengthProblems, type GcpCutSpec } from 'pylogen/gcp';

export class CloudKmsMacSign extends GcpCut {
  static override readonly gcp: GcpCutSpec = { defaultKey: 'hmac', purpose: 'MAC', check: (plan) => gcpLengthProblems(plan, GCP_MAX_PLAINTEXT) };

  @exec
  async macSign(req: Request, data: Buffer): Promise<void> {
    await this.macSignChecked(data);
  }

  func(op: Operation): Promise<void> {
    return this.macSign(op.req('MAC-SIGN'), op.payload);
  }
}
