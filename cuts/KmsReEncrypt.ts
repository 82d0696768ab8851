/**
 * ReEncrypt, request RE-ENCRYPT: setup() encrypts a random plaintext of every --lengths value under
 * the source key once; each operation re-encrypts the ciphertext of its length under the destination
 * key. --extra:
 *   file            the key file (default KmsDefault.json)
 *   key             the source key, ENCRYPT_DECRYPT (default symmetric1)
 *   destinationKey  the destination key, ENCRYPT_DECRYPT (default symmetric2)
 *   context         an encryption context, used on both sides (symmetric keys only)
 * Lengths: what Encrypt takes with both keys (1 to 4096 bytes with symmetric keys).
 */
import { EncryptCommand, ReEncryptCommand, type EncryptionAlgorithmSpec } from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { blob, exec, PerLength, type Operation, type Request } from 'pylogen/cut';
import {
  CONTEXT_EXTRA,
  contextProblems,
  encryptionAlgorithmOf,
  isSymmetric,
  keyRef,
  KmsCut,
  pickKey,
  plaintextProblems,
  type KeyEntry,
  type KeyFile,
  type KmsCutSpec,
  type KmsExtra,
} from 'pylogen/kms';

interface Extra extends KmsExtra {
  destinationKey?: string;
  context?: Record<string, string>;
}

const DEFAULT_DESTINATION = 'symmetric2';

function destinationOf(file: KeyFile, extra: Extra): KeyEntry {
  return pickKey(file, extra.destinationKey ?? DEFAULT_DESTINATION, { usage: 'ENCRYPT_DECRYPT' }, 'destinationKey');
}

export class KmsReEncrypt extends KmsCut<Extra> {
  static override readonly kms: KmsCutSpec = {
    defaultKey: 'symmetric1',
    usage: 'ENCRYPT_DECRYPT',
    extras: { destinationKey: 'the destination key, ENCRYPT_DECRYPT (default symmetric2)', context: CONTEXT_EXTRA },
    check: (plan, key, file) => {
      const extra = plan.extra as Extra;
      if (extra.destinationKey !== undefined && (typeof extra.destinationKey !== 'string' || extra.destinationKey === '')) {
        return [`--extra: "destinationKey" must be a non-empty string, but is ${JSON.stringify(extra.destinationKey)}`];
      }
      let destination: KeyEntry;
      try {
        destination = destinationOf(file!, extra);
      } catch (err) {
        return [(err as Error).message];
      }
      return [
        ...plaintextProblems(plan.lengths, [key!]),
        ...plaintextProblems(plan.lengths, [destination], 'ReEncrypt to'),
        ...contextProblems(extra.context, [key!, destination]),
      ];
    },
  };

  private sourceAlgorithm: EncryptionAlgorithmSpec | undefined;
  private destinationAlgorithm: EncryptionAlgorithmSpec | undefined;
  private destinationId!: string;
  private ciphertexts!: PerLength<Buffer>;

  override async setup(): Promise<void> {
    await super.setup();
    const destination = destinationOf(this.keyFile, this.extra);
    this.destinationId = keyRef(destination);
    this.sourceAlgorithm = isSymmetric(this.key) ? undefined : encryptionAlgorithmOf(this.key);
    this.destinationAlgorithm = isSymmetric(destination) ? undefined : encryptionAlgorithmOf(destination);
    this.ciphertexts = await new PerLength((length) =>
      this.prepare(`Encrypt of ${length} bytes`, async () => {
        const out = await this.client.send(
          new EncryptCommand({
            KeyId: this.keyId,
            Plaintext: randomBytes(length),
            EncryptionContext: this.extra.context,
            EncryptionAlgorithm: this.sourceAlgorithm,
          }),
        );
        return blob(out.CiphertextBlob, 'CiphertextBlob');
      }),
    ).fill(this.runner.lengths);
  }

  @exec
  async reEncrypt(req: Request, ciphertext: Buffer): Promise<void> {
    const out = await this.client.send(
      new ReEncryptCommand({
        CiphertextBlob: ciphertext,
        SourceKeyId: this.keyId,
        SourceEncryptionContext: this.extra.context,
        SourceEncryptionAlgorithm: this.sourceAlgorithm,
        DestinationKeyId: this.destinationId,
        DestinationEncryptionContext: this.extra.context,
        DestinationEncryptionAlgorithm: this.destinationAlgorithm,
      }),
    );
    blob(out.CiphertextBlob, 'CiphertextBlob');
  }

  func(op: Operation): Promise<void> {
    const c = this.ciphertexts.get(op.step);
    return c instanceof Promise ? c.then((b) => this.reEncrypt(op.req('RE-ENCRYPT'), b)) : this.reEncrypt(op.req('RE-ENCRYPT'), c);
  }
}
