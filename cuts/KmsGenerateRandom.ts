/**
 * GenerateRandom, request GENERATE-RANDOM: NumberOfBytes is the length, and the answer must have
 * that many bytes (UnexpectedResponse otherwise). Uses no key, takes no --extra. Lengths: 1 to 1024.
 */
import { GenerateRandomCommand } from '@aws-sdk/client-kms';
import { blob, exec, lengthProblem, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { KmsCut, MAX_RANDOM_BYTES, type KmsCutSpec } from 'pylogen/kms';

export class KmsGenerateRandom extends KmsCut {
  static override readonly kms: KmsCutSpec = {
    check: (plan) => {
      const p = lengthProblem(plan.lengths, 1, MAX_RANDOM_BYTES, 'GenerateRandom');
      return p === undefined ? [] : [p];
    },
  };

  @exec
  async generateRandom(req: Request, bytes: number): Promise<void> {
    const out = await this.client.send(new GenerateRandomCommand({ NumberOfBytes: bytes }));
    const random = blob(out.Plaintext, 'Plaintext');
    if (random.length !== bytes) throw new UnexpectedResponse(`GenerateRandom returned ${random.length} bytes, not ${bytes}`);
  }

  func(op: Operation): Promise<void> {
    return this.generateRandom(op.req('GENERATE-RANDOM'), op.step);
  }
}
