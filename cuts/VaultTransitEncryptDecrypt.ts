/**
 * A round trip, transaction ENCRYPT-DECRYPT: encrypt the payload (request ENCRYPT), decrypt what came
 * back (request DECRYPT), and check that the plaintext is the payload (RoundTripMismatch otherwise);
 * with a batch, every item of both. --extra: file, key (an encryption entry, default aes256), batch,
 * namespace.
 */
import { exec, RoundTripMismatch, type Operation, type Request } from 'pylogen/cut';
import { bodyProblems, field, VaultCut, type VaultCutSpec } from 'pylogen/vault';

export class VaultTransitEncryptDecrypt extends VaultCut {
  static override readonly vault: VaultCutSpec = { defaultKey: 'aes256', use: 'encrypt', batch: true, check: (plan) => bodyProblems(plan) };

  override transactionName = 'ENCRYPT-DECRYPT';
  private encryptUrl!: string;
  private decryptUrl!: string;
  private encryptName!: string;
  private decryptName!: string;
  private readonly plaintexts = new Map<number, string>();

  override async setup(): Promise<void> {
    await super.setup();
    this.encryptUrl = this.path('encrypt');
    this.decryptUrl = this.path('decrypt');
    this.encryptName = this.requestName('ENCRYPT');
    this.decryptName = this.requestName('DECRYPT');
  }

  @exec
  async encrypt(req: Request, body: string): Promise<string[]> {
    return (await this.post(this.encryptUrl, body)).map((item) => field(item, 'ciphertext'));
  }

  @exec
  async decrypt(req: Request, ciphertexts: string[], plaintext: string): Promise<void> {
    const context = this.key.context;
    const body =
      this.batch > 1
        ? { batch_input: ciphertexts.map((ciphertext) => (context === undefined ? { ciphertext } : { ciphertext, context })) }
        : { ciphertext: ciphertexts[0], ...(context === undefined ? {} : { context }) };
    for (const item of await this.post(this.decryptUrl, JSON.stringify(body))) {
      if (field(item, 'plaintext') !== plaintext) throw new RoundTripMismatch('decrypt did not give back the plaintext that was encrypted');
    }
  }

  async func(op: Operation): Promise<void> {
    let plaintext = this.plaintexts.get(op.step);
    if (plaintext === undefined) this.plaintexts.set(op.step, (plaintext = op.payload.toString('base64')));
    const p = plaintext;
    const ciphertexts = await this.encrypt(
      op.req(this.encryptName, this.batch),
      this.bodyFor(op.step, () => ({ plaintext: p, ...this.contextField() })),
    );
    await this.decrypt(op.req(this.decryptName, this.batch), ciphertexts, plaintext);
  }
}
