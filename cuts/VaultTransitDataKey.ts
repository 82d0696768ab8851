/**
 * Vault Transit data key, request DATAKEY: POST /v1/{mount}/datakey/{type}/{name} makes a new data key
 * of `bits` and answers it wrapped by the key (`type` "wrapped", the default) or also in the clear
 * ("plaintext"); the answer must carry the ciphertext, and the plaintext key of the right size when
 * asked. The payload is not sent. --extra: file, key (an encryption entry, default aes256), type,
 * bits (128, 256 or 512; default 256), namespace.
 */
import { exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { field, VAULT_EXTRA_KEYS, VaultCut, type VaultCutSpec, type VaultExtra } from 'pylogen/vault';

interface Extra extends VaultExtra {
  type?: 'plaintext' | 'wrapped';
  bits?: number;
}

export class VaultTransitDataKey extends VaultCut<Extra> {
  static override readonly vault: VaultCutSpec = {
    defaultKey: 'aes256',
    use: 'encrypt',
    batch: false,
    check: (plan) => {
      const { type, bits } = plan.extra;
      const problems: string[] = [];
      if (type !== undefined && type !== 'plaintext' && type !== 'wrapped')
        problems.push(`--extra "type" must be "plaintext" or "wrapped", but is ${JSON.stringify(type)}`);
      if (bits !== undefined && bits !== 128 && bits !== 256 && bits !== 512)
        problems.push(`--extra "bits" must be 128, 256 or 512, but is ${JSON.stringify(bits)}`);
      return problems;
    },
  };
  static override extraKeys = {
    file: VAULT_EXTRA_KEYS.file!,
    key: VAULT_EXTRA_KEYS.key!,
    namespace: VAULT_EXTRA_KEYS.namespace!,
    type: '"wrapped" (the data key encrypted only, the default) or "plaintext" (also in the clear)',
    bits: 'size of the data key: 128, 256 or 512 (default 256)',
  };

  private url!: string;
  private body!: string;
  private plaintextBytes = 0;

  override async setup(): Promise<void> {
    await super.setup();
    const type = this.extra.type ?? 'wrapped';
    const bits = this.extra.bits ?? 256;
    this.url = `/v1/${this.key.mount}/datakey/${type}/${this.key.name}`;
    this.body = JSON.stringify({ bits, ...this.contextField() });
    this.plaintextBytes = type === 'plaintext' ? bits / 8 : 0;
  }

  @exec
  async datakey(_req: Request): Promise<void> {
    const [item] = await this.post(this.url, this.body);
    if (!field(item!, 'ciphertext').startsWith('vault:v')) throw new UnexpectedResponse('the data key ciphertext is not in the vault:v<n>: format');
    if (this.plaintextBytes > 0 && Buffer.byteLength(field(item!, 'plaintext'), 'base64') !== this.plaintextBytes) {
      throw new UnexpectedResponse(`the plaintext data key is not ${this.plaintextBytes} bytes`);
    }
  }

  func(op: Operation): Promise<void> {
    return this.datakey(op.req('DATAKEY'));
  }
}
