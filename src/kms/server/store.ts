import { KmsError } from './errors.js';
import { createKmsKey, type KmsKey, type NewKey } from './keys.js';

export interface AliasRecord {
  readonly name: string;
  readonly keyId: string;
  readonly created: number;
}

// arn:<partition>:kms:<region>:<account>:key/<id> or :alias/<name>. Region and account are not
// compared: one embedded server stands for one account in whatever region the client thinks it is.
const ARN = /^arn:aws[a-z-]*:kms:[^:]*:[^:]*:(key\/.+|alias\/.+)$/;

/** The keys and aliases of one embedded server, in memory, and the KeyId resolution rules of AWS. */
export class KeyStore {
  readonly keys = new Map<string, KmsKey>();
  readonly aliases = new Map<string, AliasRecord>();
  private readonly byBlobId = new Map<string, KmsKey>();

  constructor(
    readonly region: string,
    readonly account: string,
  ) {}

  async createKey(req: NewKey): Promise<KmsKey> {
    if (req.id !== undefined && this.keys.has(req.id)) throw new KmsError('AlreadyExistsException', `Key '${req.id}' already exists`);
    const key = await createKmsKey(req, this.region, this.account);
    // Checked again: two creations of one fixed id may have been generating at the same time.
    if (this.keys.has(key.id)) throw new KmsError('AlreadyExistsException', `Key '${key.arn}' already exists`);
    this.keys.set(key.id, key);
    this.byBlobId.set(key.blobId.toString('hex'), key);
    return key;
  }

  /** Adds a key made elsewhere (a worker's copy of the primary's keys, server-shared-keys.ts). */
  insert(key: KmsKey): void {
    this.keys.set(key.id, key);
    this.byBlobId.set(key.blobId.toString('hex'), key);
  }

  aliasArn(name: string): string {
    return `arn:aws:kms:${this.region}:${this.account}:${name}`;
  }

  addAlias(name: string, keyId: string): void {
    if (this.aliases.has(name)) throw new KmsError('AlreadyExistsException', `An alias with the name ${this.aliasArn(name)} already exists`);
    this.aliases.set(name, { name, keyId, created: Date.now() / 1000 });
  }

  /** A key id, key ARN, alias name or alias ARN, as every KMS operation's KeyId accepts. */
  resolve(ref: string): KmsKey {
    let id = ref;
    if (ref.startsWith('arn:')) {
      const m = ARN.exec(ref);
      if (m === null) throw new KmsError('NotFoundException', 'Invalid arn');
      id = m[1] as string;
      if (id.startsWith('key/')) id = id.slice(4);
    }
    if (id.startsWith('alias/')) {
      const alias = this.aliases.get(id);
      const key = alias === undefined ? undefined : this.keys.get(alias.keyId);
      if (key === undefined) throw new KmsError('NotFoundException', `Alias ${this.aliasArn(id)} is not found.`);
      return key;
    }
    const key = this.keys.get(id);
    if (key === undefined) {
      throw new KmsError('NotFoundException', `Key '${`arn:aws:kms:${this.region}:${this.account}:key/${id}`}' does not exist`);
    }
    return key;
  }

  byBlob(blobId: Buffer): KmsKey | undefined {
    return this.byBlobId.get(blobId.toString('hex'));
  }
}
