/**
 * Envelope encryption, transaction ENVELOPE-ENCRYPT: GenerateDataKey for an AES-256 data key
 * (request GENERATE-DATA-KEY), then AES-256-GCM of the payload with it, locally with node:crypto
 * (request LOCAL-ENCRYPT); the plaintext data key is wiped after use. --extra: file, key (a
 * symmetric key, default symmetric1), context (an encryption context). Lengths: any (0 included).
 */
import { GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { blob, exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { CONTEXT_EXTRA, contextProblems, KmsCut, sealAes256Gcm, type KmsCutSpec, type KmsExtra, type Sealed } from 'pylogen/kms';

interface Extra extends KmsExtra {
  context?: Record<string, string>;
}

interface DataKey {
  plaintext: Buffer;
  encrypted: Buffer;
}

export class KmsGenerateDataKey extends KmsCut<Extra> {
  static override readonly kms: KmsCutSpec = {
    defaultKey: 'symmetric1',
    usage: 'ENCRYPT_DECRYPT',
    families: ['symmetric'],
    extras: { context: CONTEXT_EXTRA },
    check: (plan, key) => contextProblems(plan.extra.context, [key!]),
  };

  override transactionName = 'ENVELOPE-ENCRYPT';

  @exec
  async generateDataKey(_req: Request): Promise<DataKey> {
    const out = await this.client.send(new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: this.extra.context }));
    const plaintext = blob(out.Plaintext, 'Plaintext');
    if (plaintext.length !== 32) throw new UnexpectedResponse(`GenerateDataKey returned a ${plaintext.length}-byte data key for AES_256 (32 expected)`);
    return { plaintext, encrypted: blob(out.CiphertextBlob, 'CiphertextBlob') };
  }

  @exec
  localEncrypt(req: Request, key: DataKey, payload: Buffer): Sealed {
    try {
      return sealAes256Gcm(key.plaintext, payload);
    } finally {
      key.plaintext.fill(0);
    }
  }

  async func(op: Operation): Promise<void> {
    const key = await this.generateDataKey(op.req('GENERATE-DATA-KEY'));
    this.localEncrypt(op.req('LOCAL-ENCRYPT'), key, op.payload);
  }
}
