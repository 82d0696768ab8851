/**
 * Vault Transit random bytes, request RANDOM: POST /v1/{mount}/random/{bytes} (or
 * /v1/sys/tools/random/{bytes} with --extra '{"path":"sys"}') for --lengths bytes (1 to 131072, Vault's
 * limit); the answer must carry that many bytes. Uses no key. --extra: mount (default transit), path
 * ("mount", the default, or "sys"), namespace.
 */
import { exec, UnexpectedResponse, type Operation, type Request } from 'pylogen/cut';
import { field, VAULT_EXTRA_KEYS, VAULT_MAX_RANDOM_BYTES, VaultCut, type VaultCutSpec, type VaultExtra } from 'pylogen/vault';

interface Extra extends VaultExtra {
  mount?: string;
  path?: 'mount' | 'sys';
}

export class VaultTransitRandom extends VaultCut<Extra> {
  static override readonly vault: VaultCutSpec = {
    use: 'encrypt',
    batch: false,
    check: (plan) => {
      const problems: string[] = [];
      const over = plan.lengths.filter((l) => l < 1 || l > VAULT_MAX_RANDOM_BYTES);
      if (over.length > 0) problems.push(`--lengths: Vault's random answers 1 to ${VAULT_MAX_RANDOM_BYTES} bytes, but --lengths has ${over.join(', ')}`);
      const { mount, path } = plan.extra;
      if (mount !== undefined && (typeof mount !== 'string' || !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(mount)))
        problems.push(`--extra "mount" must be a mount path like "transit", but is ${JSON.stringify(mount)}`);
      if (path !== undefined && path !== 'mount' && path !== 'sys') problems.push(`--extra "path" must be "mount" or "sys", but is ${JSON.stringify(path)}`);
      return problems;
    },
  };
  static override extraKeys = {
    namespace: VAULT_EXTRA_KEYS.namespace!,
    mount: 'the Transit mount whose random endpoint is called (default transit)',
    path: '"mount" ({mount}/random/{bytes}, the default) or "sys" (sys/tools/random/{bytes})',
  };

  private readonly urls = new Map<number, string>();

  override async setup(): Promise<void> {
    await super.setup();
    const base = this.extra.path === 'sys' ? '/v1/sys/tools/random' : `/v1/${this.extra.mount ?? 'transit'}/random`;
    for (const l of this.runner.lengths) this.urls.set(l, `${base}/${l}`);
  }

  @exec
  async random(req: Request, url: string, bytes: number): Promise<void> {
    const [item] = await this.post(url, '{}');
    if (Buffer.byteLength(field(item!, 'random_bytes'), 'base64') !== bytes) throw new UnexpectedResponse(`random answered other than ${bytes} bytes`);
  }

  func(op: Operation): Promise<void> {
    return this.random(op.req('RANDOM'), this.urls.get(op.step)!, op.step);
  }
}
