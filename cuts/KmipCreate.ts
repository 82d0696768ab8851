/**
 * KMIP key creation rate, transaction CREATE-ACTIVATE: Create of an AES key (request CREATE, the
 * --extra "length" in bits, default 256), then Activate of it (request ACTIVATE). Every key made is
 * destroyed at teardown, as KMIP requires: Revoke then Destroy, many keys per message (batch items).
 * --extra {"activate": false}: Create only (request CREATE), the keys destroyed without Revoke (a
 * Pre-Active key cannot be revoked). ca, cert, clientKey: with a kmip:// endpoint. No key file entry
 * is used.
 */
import { exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { KmipCut, type KmipCutSpec, type KmipExtra } from 'pylogen/kmip';

interface Extra extends KmipExtra {
  length?: number;
  activate?: boolean;
}

/** Revoke + Destroy of this many keys per message: 2 batch items each. */
const DESTROY_BATCH = 50;

export class KmipCreate extends KmipCut<Extra> {
  static override readonly kmip: KmipCutSpec = {
    usage: 'any',
    extras: { length: 'the AES key length in bits: 128, 192 or 256 (default 256)', activate: 'false: Create only, no Activate (default true)' },
    check: (plan) => {
      const problems: string[] = [];
      const { length, activate } = plan.extra as Extra;
      if (length !== undefined && ![128, 192, 256].includes(length))
        problems.push(`--extra "length": an AES key is 128, 192 or 256 bits, but is ${JSON.stringify(length)}`);
      if (activate !== undefined && typeof activate !== 'boolean')
        problems.push(`--extra "activate" must be true or false, but is ${JSON.stringify(activate)}`);
      return problems;
    },
  };

  override transactionName = 'CREATE-ACTIVATE';
  private readonly made: string[] = [];
  private readonly activated = new Set<string>();

  @exec
  async create(_req: Request): Promise<string> {
    const uid = await this.client.createSymmetric({ algorithm: 3, length: this.extra.length ?? 256, usageMask: 0x4 | 0x8 }, false);
    if (uid === '') throw new UnexpectedResponse('Create returned an empty Unique Identifier');
    this.made.push(uid);
    return uid;
  }

  @exec
  async activate(req: Request, uid: string): Promise<void> {
    await this.client.activate(uid);
    this.activated.add(uid);
  }

  async func(op: Operation): Promise<void> {
    const uid = await this.create(op.req('CREATE'));
    if (this.extra.activate !== false) await this.activate(op.req('ACTIVATE'), uid);
  }

  override async teardown(): Promise<void> {
    const failures: string[] = [];
    for (let i = 0; i < this.made.length; i += DESTROY_BATCH) {
      const uids = this.made.slice(i, i + DESTROY_BATCH);
      try {
        await this.client.destroyKeys(uids, (uid) => this.activated.has(uid));
      } catch (err) {
        failures.push(`${uids.length} keys from ${uids[0]}: ${(err as Error).message}`);
      }
    }
    await super.teardown();
    if (failures.length > 0) this.log(`KmipCreate: some keys made by this runner were not destroyed: ${failures.join('; ')}`);
  }
}
